// `npm run merge -- <shard run dirs...> [--out dir]`: combines the run folders of `npm run audit --
// --shard 1/n` … `n/n` into one run folder (results, collected evidence, Allure, JUnit, matrix,
// manifest), evaluating the requirements a single shard cannot decide (TOPO-01).
// Exit codes as the audit's: 0 every MUST met, 1 a MUST failed, 2 broken, 101 incomplete, 3 the runs
// cannot be merged.
import { Command } from "commander";
import { loadCatalogue } from "../helpers/checks/catalogue.js";
import { exitCodeOf } from "../helpers/run/results.js";
import { mergeShardRuns, MergeInputError } from "../helpers/run/merge.js";
import { printSummary } from "../helpers/run/summary.js";

const program = new Command()
  .name("npm run merge --")
  .description("Merge the run folders of a sharded audit (--shard i/n) into one run folder.")
  .argument("<runDirs...>", "the shard run folders, e.g. reports/<run-id-1> reports/<run-id-2>")
  .option("--out <dir>", "the merged run folder (default: next to the first shard, named <time>-<env>-merged)")
  .option("--strict", "SHOULD violations (warnings) fail the merged run too (exit code only)", false);

async function main(): Promise<number> {
  program.parse();
  const opts = program.opts<{ out?: string; strict: boolean }>();
  try {
    const { runDir, results, collected } = await mergeShardRuns(program.args, { outDir: opts.out, log: (line) => console.log(line) });
    printSummary(results, loadCatalogue(), collected.hosts.flatMap((h) => (h.error === null ? [] : [{ name: h.name, error: h.error }])));
    console.log(`\nmerged: ${runDir}`);
    console.log(`report: ${runDir}/report.html`);
    return exitCodeOf(results.results, opts.strict);
  } catch (error) {
    if (error instanceof MergeInputError) {
      console.error(`api7-ha-audit merge: ${error.message}`);
      return 3;
    }
    throw error;
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`api7-ha-audit merge: internal error: ${error.stack ?? error.message}`);
    process.exit(2);
  },
);
