// `npm run audit -- [options]`: audit an environment (default: the embedded lab) and write a run bundle.
// Exit codes: 0 every in-scope MUST met, 1 a MUST failed, 2 something broken and nothing failed,
// 3 bad input, 101 incomplete (an in-scope MUST not evaluated), 70 internal error (sysexits' EX_SOFTWARE).
import { Command, InvalidArgumentError } from "commander";
import type { AuditOptions } from "../helpers/run/audit-run.js";

function parseMilliseconds(value: string): number {
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 1) throw new InvalidArgumentError("give a whole number of milliseconds, e.g. 500");
  return ms;
}

function parseKeep(value: string): number {
  const keep = Number(value);
  if (!Number.isInteger(keep) || keep < 1) throw new InvalidArgumentError("give a whole number of runs, 1 or more, e.g. 30");
  return keep;
}

const program = new Command()
  .name("npm run audit --")
  .description("Audit an API7 Enterprise HA deployment against the vendor's prerequisites page.")
  .option("--env <name|path>", "environment name in environments/ or a path to a YAML file", "lab")
  .option("--only <ids>", "comma-separated requirement IDs or prefixes, e.g. HW-,SEC-04,HA-")
  .option("--dry-run", "check the input, print each host's resolved connection and every command and probe; contact nothing", false)
  .option("--allow-disruption", "run the destructive failover tests (HA-*); the environment must allow it too", false)
  .option("--strict", "SHOULD violations (warnings) fail the run too", false)
  .option("--report-dir <dir>", "where run folders are written", "reports")
  .option("--keep-lab", "leave the embedded lab running after the run and print how to reach it", false)
  .option("--accept-new-host-keys", "trust unknown SSH host keys on first use and record them (a changed key is never accepted)", false)
  .option("--full-port-sweep", "SEC-04: probe every TCP port 1-65535 of each host, not just its listeners", false)
  .option("--tcp-timeout <ms>", "per-attempt TCP port probe timeout; a port is filtered after one retry, 3x this (default: 4x the slowest measured handshake to the host, at least 300 ms)", parseMilliseconds)
  .option("--sign <key>", "sign manifest.json with this SSH key (ssh-keygen -Y sign; a private key, or the .pub of a key in ssh-agent); overrides evidence.signWith")
  .option("--shard <i/n>", "audit the i-th of n deterministic parts of the inventory (CI fan-out; n at most the number of hosts); combine with npm run merge")
  .option("--keep <n>", "run folders of this environment kept in the report folder, oldest removed first (default: the environment's reports.keep, 30)", parseKeep)
  .option("--baseline <run-id|folder>", "compare with this run (a run id under the report folder, or a run folder) instead of the previous run of the same environment and scope")
  .option("--verbose", "show vitest's per-test output on the console (by default it goes to vitest.log in the run folder)", false)
  .option("--run-id <id>", "run folder name (default: timestamp and environment)")
  .addHelpText(
    "after",
    "\nHosts come from the environment file's hosts:, or from your own inventories: ssh.config: <path>\n" +
      "(OpenSSH config: HostName, User, Port, IdentityFile, ProxyJump, UserKnownHostsFile) and\n" +
      "inventory: { ansible: <path>, roles: { cp: <group>, dp: <group> } } (Ansible INI/YAML, or the JSON of\n" +
      "ansible-inventory --list). Host keys are always checked strictly.\n" +
      "\nExit codes: 0 every in-scope MUST passed or was waived, 1 a MUST failed (or a SHOULD with --strict),\n" +
      "2 something could not be evaluated (broken) and nothing failed, 3 bad input (environment file,\n" +
      "inventory, ssh config, key or known_hosts file, waivers, options), reported before any host is\n" +
      "contacted, 101 incomplete: nothing failed or broke, but an in-scope MUST was not evaluated (e.g.\n" +
      "HA-* on real hosts without the opt-in); the summary lists them. --only narrows the scope on purpose.\n" +
      "70 internal error of the suite (a defect: please report it with the message).",
  );

async function main(): Promise<number> {
  // Bad options are bad input (exit 3), like a bad environment file; --help still exits 0.
  program.exitOverride();
  try {
    program.parse();
  } catch (error) {
    const code = (error as { exitCode?: number }).exitCode ?? 3;
    return code === 0 ? 0 : 3;
  }
  const opts = program.opts<Omit<AuditOptions, "shard"> & { env: string; shard?: string }>();
  // The audit's modules load once the options parse: --help and a bad option need none of them.
  const [{ EnvironmentError, loadEnvironment }, { auditRun, BadInput }, { parseShard, ShardSyntaxError }] = await Promise.all([
    import("../helpers/environment/load.js"),
    import("../helpers/run/audit-run.js"),
    import("../helpers/run/shard.js"),
  ]);
  try {
    const shard = opts.shard === undefined ? undefined : parseShard(opts.shard);
    const loaded = loadEnvironment(opts.env);
    return await auditRun(loaded, { ...opts, shard });
  } catch (error) {
    if (error instanceof EnvironmentError || error instanceof BadInput || error instanceof ShardSyntaxError) {
      console.error(`api7-ha-audit: ${error.message}`);
      return 3;
    }
    throw error;
  }
}

/** sysexits' EX_SOFTWARE: a defect of the suite, never confused with 2 (broken evidence). */
const INTERNAL_ERROR = 70;

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    // The stack helps a bug report; an unsealed bundle says all there is to say in its message.
    const detail = error.name === "BundleNotSealed" ? error.message : (error.stack ?? error.message);
    console.error(`api7-ha-audit: internal error: ${detail}`);
    process.exit(INTERNAL_ERROR);
  },
);
