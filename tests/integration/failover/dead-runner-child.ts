// The runner that gets killed in the dead-runner test: runs one fault experiment and prints its
// log lines, so the test can SIGKILL it while the fault is active.
// Input (argv[2]): JSON { env, member } with a resolved environment of the loopback lab.
import type { Environment } from "../../../helpers/environment/schema.js";
import { entrypointTarget, faultComponent, pairMembers, runFaultExperiment } from "../../../helpers/failover/fault.js";
import { localExec } from "./local-exec.js";

const { env, member: memberName } = JSON.parse(process.argv[2] ?? "{}") as { env: Environment; member: string };
const members = pairMembers(env, "dp");
const member = members.find((host) => host.name === memberName);
if (!member) throw new Error(`no dp member ${memberName}`);

const experiment = await runFaultExperiment({
  requirement: "HA-DP-01",
  pair: { role: "dp", members },
  member,
  components: [faultComponent(env, "gateway")],
  faultKind: "stop",
  entrypoint: entrypointTarget(env, "gateway"),
  exec: localExec,
  settings: env.failover,
  log: (line) => console.log(line),
});
console.log(`finished: restored=${experiment.restored}`);
