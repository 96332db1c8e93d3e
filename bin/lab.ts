// `npm run lab -- prepare|down|status`: the embedded lab's Docker engine and images, outside an audit.
//   prepare  install/start the Docker engine where missing (Debian, root) and build the lab images
//   down     remove every lab container and network left on this engine (e.g. after --keep-lab)
import { ensureDocker } from "../environments/lab/docker-engine.js";
import { ensureImages } from "../environments/lab/images.js";
import { removeLabContainers } from "../environments/lab/lab.js";

const log = (line: string) => console.log(`lab: ${line}`);

async function main(command: string | undefined): Promise<number> {
  switch (command) {
    case "prepare": {
      const started = Date.now();
      await ensureDocker(log);
      await ensureImages(log);
      log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return 0;
    }
    case "down": {
      const removed = await removeLabContainers();
      log(`removed ${removed} container(s)`);
      return 0;
    }
    default:
      console.error("usage: npm run lab -- prepare|down");
      return 3;
  }
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`lab: ${error.message}`);
    process.exit(1);
  },
);
