// The commands a failover experiment runs on the member, as argv (the SSH transport quotes every
// argument). Inventory values only ever travel as positional parameters of the constant scripts
// below, or as numbers validated by the environment schema; nothing is concatenated into a shell
// command line.
import { randomBytes } from "node:crypto";
import type { ComponentName } from "../environment/schema.js";
import type { ArmedRollback, FaultKind } from "./record.js";

/** A component as the experiment handles it: where it listens and how it is stopped/started. */
export interface FaultComponent {
  name: ComponentName;
  ports: readonly number[];
  stop: readonly string[];
  start: readonly string[];
}

/** What the member offers to inject and undo a fault: the timer for the armed rollback, the firewall tool. */
export interface HostTools {
  timer: ArmedRollback["kind"];
  firewall: "nft" | "iptables" | "none";
}

/** A command run on the member: argv, what it does (for logs) and its evidence section. */
export interface HostStep {
  argv: string[];
  label: string;
  section: string;
}

/** One step of a fault: `inject` takes something out, `undo` (armed on the host beforehand) puts it back. */
export interface FaultAction {
  /** What it takes out: "gateway", or "dashboard+dpManager" for one black hole. */
  target: string;
  inject: HostStep;
  undo: HostStep;
}

/** One line per tool, parsed by parseHostTools. */
export const DETECT_HOST_TOOLS: readonly string[] = [
  "sh",
  "-c",
  "if command -v systemd-run >/dev/null 2>&1 && test -d /run/systemd/system; then echo timer=systemd-run; else echo timer=nohup; fi; " +
    "if command -v nft >/dev/null 2>&1; then echo firewall=nft; elif command -v iptables >/dev/null 2>&1; then echo firewall=iptables; else echo firewall=none; fi",
];

export function parseHostTools(stdout: string): HostTools | null {
  const value = (key: string) => new RegExp(`^${key}=(\\S+)$`, "m").exec(stdout)?.[1];
  const timer = value("timer");
  const firewall = value("firewall");
  if ((timer !== "systemd-run" && timer !== "nohup") || (firewall !== "nft" && firewall !== "iptables" && firewall !== "none")) return null;
  return { timer, firewall };
}

/** $0 marker, $1 delay, $2.. undo argv. `&&` so a killed sleep never reaches the exec. */
const ARM_WITH_NOHUP =
  'marker=$0; delay=$1; shift; nohup sh -c \'sleep "$1" && shift && exec "$@"\' "$marker" "$delay" "$@" </dev/null >/dev/null 2>&1 & echo $!';
/** $0 marker, $1 pid: kill the timer only while it still is ours (after firing it is the undo command). */
const DISARM_NOHUP =
  'case "$(tr "\\000" " " < "/proc/$1/cmdline" 2>/dev/null)" in *"$0"*) pkill -P "$1" 2>/dev/null; kill "$1" 2>/dev/null; echo disarmed;; *) echo "already fired or gone";; esac';

export function armArgv(kind: ArmedRollback["kind"], name: string, delaySeconds: number, undo: readonly string[]): string[] {
  return kind === "systemd-run"
    ? ["systemd-run", "--quiet", `--unit=${name}`, `--on-active=${delaySeconds}`, "--", ...undo]
    : ["sh", "-c", ARM_WITH_NOHUP, name, String(delaySeconds), ...undo];
}

export function disarmArgv(armed: ArmedRollback, name: string): string[] {
  return armed.kind === "systemd-run" ? ["systemctl", "stop", `${armed.unit}.timer`] : ["sh", "-c", DISARM_NOHUP, name, String(armed.pid)];
}

/** Marker in the armed timer's unit name or command line, so disarming never touches a process that is not ours. */
export function rollbackName(slug: string): string {
  return `api7-audit-rollback-${slug.toLowerCase().replace(/[^a-z0-9]+/g, "-")}-${randomBytes(3).toString("hex")}`;
}

/** The black hole's own nft table or iptables chains (chain names: at most 28 characters). */
function blackHoleName(): string {
  return `api7_audit_fault_${randomBytes(3).toString("hex")}`;
}

// The black hole lives in a table (nft) or chains (iptables) of its own, created by the fault and
// deleted by its undo: no other rule of the host is read, changed or flushed. It drops every packet
// of the component's ports, new connections and established ones alike, on both paths a client's
// packets can take on the member:
// - to a local listener: the input hook / INPUT chain, by destination port;
// - to a port published as Docker publishes it: DNAT in prerouting, then the forward hook / FORWARD
//   chain, never INPUT. After the DNAT the destination port is the container's, so the rule matches
//   the port the client connected to, which conntrack keeps as the connection's original
//   destination, and only connections that were DNATed (a container's own outgoing connection to
//   another host's 9080 also crosses FORWARD, and must keep flowing). FORWARD's first rule comes
//   before Docker's DOCKER-USER jump and exists on hosts without Docker's chains too.
/** $0 table, $1 ports "9080, 9443". One set of ports, read by both rules. */
const NFT_BLACK_HOLE =
  'nft "add table inet $0; add set inet $0 ports { type inet_service; elements = { $1 }; }; ' +
  "add chain inet $0 input { type filter hook input priority -10; policy accept; }; add rule inet $0 input tcp dport @ports drop; " +
  'add chain inet $0 forward { type filter hook forward priority -10; policy accept; }; add rule inet $0 forward meta l4proto tcp ct status dnat ct original proto-dst @ports drop"';
/** $0 table. Idempotent: the armed timer may fire after the runner's own undo. */
const NFT_UNDO = 'nft list table inet "$0" >/dev/null 2>&1 || exit 0; nft delete table inet "$0"';
/**
 * $0 chain prefix, $1 ports "9080,9443": chain $0 (jumped to from INPUT) drops by destination port,
 * chain $0_fwd (from FORWARD) DNATed connections by original destination port, one rule per port
 * (--ctorigdstport takes one port).
 */
const IPTABLES_BLACK_HOLE =
  'iptables -w -N "$0" && iptables -w -A "$0" -p tcp -m multiport --dports "$1" -j DROP && iptables -w -N "$0_fwd" || exit 1; ' +
  'IFS=,; for port in $1; do iptables -w -A "$0_fwd" -p tcp -m conntrack --ctstate DNAT --ctorigdstport "$port" -j DROP || exit 1; done; ' +
  'iptables -w -I INPUT 1 -j "$0" && iptables -w -I FORWARD 1 -j "$0_fwd"';
/** $0 chain prefix. Idempotent: each chain is unhooked, flushed and deleted if it exists. */
const IPTABLES_UNDO =
  'for pair in "INPUT $0" "FORWARD $0_fwd"; do set -- $pair; iptables -w -L "$2" -n >/dev/null 2>&1 || continue; ' +
  'while iptables -w -D "$1" -j "$2" 2>/dev/null; do :; done; iptables -w -F "$2" && iptables -w -X "$2" || exit 1; done';

function validPorts(components: readonly FaultComponent[]): number[] {
  const ports = [...new Set(components.flatMap((component) => component.ports))];
  for (const port of ports) if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new Error(`not a TCP port: ${port}`);
  return ports;
}

/** The steps of one fault on a member; stop: one per component, black-hole: one table for every port. */
export function faultActions(kind: FaultKind, components: readonly FaultComponent[], tools: HostTools): FaultAction[] {
  if (kind === "stop") {
    return components.map((component) => ({
      target: component.name,
      inject: { argv: [...component.stop], label: `stopping ${component.name}`, section: `stop:${component.name}` },
      undo: { argv: [...component.start], label: `starting ${component.name}`, section: `start:${component.name}` },
    }));
  }
  const ports = validPorts(components);
  const name = blackHoleName();
  const target = components.map((component) => component.name).join("+");
  const step = (argv: string[], label: string, section: string): HostStep => ({ argv, label, section: `${section}:${target}` });
  if (tools.firewall === "nft") {
    return [
      {
        target,
        inject: step(["sh", "-c", NFT_BLACK_HOLE, name, ports.join(", ")], `black-holing ${target} (dropping ${ports.join(", ")} in table inet ${name})`, "black-hole"),
        undo: step(["sh", "-c", NFT_UNDO, name], `deleting table inet ${name}`, "undo-black-hole"),
      },
    ];
  }
  if (tools.firewall === "iptables") {
    return [
      {
        target,
        inject: step(["sh", "-c", IPTABLES_BLACK_HOLE, name, ports.join(",")], `black-holing ${target} (dropping ${ports.join(", ")} in iptables chains ${name} and ${name}_fwd)`, "black-hole"),
        undo: step(["sh", "-c", IPTABLES_UNDO, name], `deleting iptables chains ${name} and ${name}_fwd`, "undo-black-hole"),
      },
    ];
  }
  throw new Error("black-hole needs nft or iptables on the member, and neither was found");
}
