// Stop/start commands of the stand-in components, run as argv by the local `exec` like
// `docker stop|start <container>` on a real host. The "host" is the API7_AUDIT_TEST_HOST variable
// set by the local exec; <stateDir>/<host>-<component>.json says where the component listens.
//   component-ctl.mjs start|stop <stateDir> <component>
// A file <host>-<component>.fail-next-start makes the next start fail once (a failing rollback);
// <host>-<component>.fail-next-stop makes the next stop exit 1 without stopping, as `docker stop`
// of a wrong container name does; <host>-<component>.ignore-next-stop makes it exit 0 without
// stopping (a stop command that does nothing).
import { spawn } from "node:child_process";
import { existsSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const [action, stateDir, component] = process.argv.slice(2);
const host = process.env.API7_AUDIT_TEST_HOST;
if (!action || !stateDir || !component || !host) {
  console.error("usage: API7_AUDIT_TEST_HOST=<host> component-ctl.mjs start|stop <stateDir> <component>");
  process.exit(2);
}
const base = join(stateDir, `${host}-${component}`);
const { address, port } = JSON.parse(readFileSync(`${base}.json`, "utf8"));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const listening = () =>
  new Promise((resolve) => {
    const socket = net.connect({ host: address, port }, () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });

const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function start() {
  if (existsSync(`${base}.fail-next-start`)) {
    rmSync(`${base}.fail-next-start`);
    console.error(`${host}-${component}: start failed (simulated)`);
    process.exit(1);
  }
  if (await listening()) return;
  const log = openSync(`${base}.log`, "a");
  const backend = join(dirname(fileURLToPath(import.meta.url)), "backend.mjs");
  const child = spawn(process.execPath, [backend, `${host}-${component}`, address, String(port)], {
    detached: true,
    stdio: ["ignore", log, log],
  });
  writeFileSync(`${base}.pid`, String(child.pid));
  child.unref();
  for (let i = 0; i < 100; i += 1) {
    if (await listening()) return;
    await sleep(50);
  }
  console.error(`${host}-${component}: not listening on ${address}:${port} after 5 s`);
  process.exit(1);
}

async function stop() {
  if (existsSync(`${base}.fail-next-stop`)) {
    rmSync(`${base}.fail-next-stop`);
    console.error(`Error response from daemon: No such container: ${host}-${component} (simulated)`);
    process.exit(1);
  }
  if (existsSync(`${base}.ignore-next-stop`)) {
    rmSync(`${base}.ignore-next-stop`);
    return;
  }
  if (!existsSync(`${base}.pid`)) return;
  const pid = Number(readFileSync(`${base}.pid`, "utf8"));
  if (alive(pid)) process.kill(pid, "SIGKILL");
  // The port closing is the proof (a killed child may linger as a zombie until it is reaped).
  for (let i = 0; i < 100 && (await listening()); i += 1) await sleep(50);
  rmSync(`${base}.pid`);
}

await (action === "start" ? start() : action === "stop" ? stop() : Promise.reject(new Error(`unknown action ${action}`)));
