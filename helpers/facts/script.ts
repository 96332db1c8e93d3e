// The ONE batched facts collection script, run per host as `bash -s` (script on stdin, as root
// or under `sudo -n`), and the pure splitter of its output into CommandOutput sections.
// The script takes no inventory value at all: its text is the same for every host, so nothing
// from an environment file can be injected into it.
import type { CommandOutput } from "../model.js";
import type { HOST_KEY_SECTION } from "./parsers/host-key.js";

/** One section: `name` is a contract (checks and evidence refer to it), `command` is what a
 * reader of the evidence sees, `body` is the bash that runs (a function body). */
export interface SectionDefinition<Name extends string = string> {
  name: Name;
  command: string;
  body: string;
  /** The daemon this section asks. Once that daemon is known not to answer, the script records
   * the section as not run instead of letting it wait out its own timeout. */
  daemon?: Daemon;
  /** The section only reads the kernel's own state (procfs, sysfs, cgroupfs, netlink, plain system
   * calls) or local configuration files: nothing in it waits on a daemon, a lock, a network
   * filesystem or another process. It runs without `timeout`, in the script's own bash (a function
   * body in a subshell): one to three process starts fewer, each 3-10 ms of CPU on a small VM.
   * Never set on a section that asks a daemon or reads another process's memory (ps) or a mount
   * that could hang (df). */
  cannotHang?: true;
  /** Earlier sections whose results this one reads from the run directory: they run whenever it does. */
  needs?: readonly NoInfer<Name>[];
}

/** Daemons whose sections are short-circuited together when one of their commands hangs. */
export type Daemon = "docker" | "firewalld";

const DAEMON_PROCESS: Record<Daemon, string> = { docker: "dockerd", firewalld: "firewalld" };

// The time budget (README, "Time budget of the facts script"). The script must end well inside the
// SSH command timeout (30 s by default): otherwise the whole host's output arrives cut off.
/** Seconds each section may run before `timeout` stops it. */
export const SECTION_TIMEOUT_SECONDS = 10;
/** Seconds a section that asks a daemon may wait for it, with the default budget (daemonWaitFor). One
 * that times out marks the daemon as not answering, and the daemon's later sections are recorded as
 * not run: a hung daemon costs one wait. */
export const DAEMON_ANSWER_SECONDS = 5;
/** `timeout -k`: seconds from TERM to KILL for a command that ignores TERM. */
export const KILL_GRACE_SECONDS = 2;
/** No section starts after this many seconds of the script, and one that starts near it gets only
 * the whole seconds left; so the script ends within this budget plus KILL_GRACE_SECONDS. */
export const SCRIPT_BUDGET_SECONDS = 20;
/** Kept between the budget and the SSH command timeout: login, transfer, KILL grace, a slow host. */
const COMMAND_TIMEOUT_MARGIN_SECONDS = 10;

/** The script's budget for an SSH command timeout: 20 s for the default 30 s, more for a longer one. */
export function scriptBudgetFor(commandTimeoutMs: number): number {
  return Math.max(DAEMON_ANSWER_SECONDS, Math.floor(commandTimeoutMs / 1000) - COMMAND_TIMEOUT_MARGIN_SECONDS);
}

/**
 * The daemon wait for a script budget: 5 s for the default 20 s, a quarter of a longer budget. The
 * wait includes the client's own start (firewall-cmd is Python, about 0.5 s of CPU), so a budget
 * lengthened for slow hosts (the lab's, on a loaded runner) lengthens it too.
 */
export function daemonWaitFor(budgetSeconds: number): number {
  return Math.max(DAEMON_ANSWER_SECONDS, Math.floor(budgetSeconds / 4));
}

/** Why a section of `daemon` was not run once the daemon was known not to answer within `waitSeconds`. */
export function daemonNotAnswering(daemon: Daemon, waitSeconds = DAEMON_ANSWER_SECONDS): string {
  return `${DAEMON_PROCESS[daemon]} did not answer within ${waitSeconds} s`;
}

function budgetUsedUp(budgetSeconds: number): string {
  return `the facts script's time budget of ${budgetSeconds} s was used up before this section started`;
}

/** The seconds `timeout` gives a section, or "-" for one that runs without it. */
function sectionTimeoutSeconds(section: SectionDefinition, daemonWaitSeconds: number): number | "-" {
  if (!runsUnderTimeout(section)) return "-";
  return section.daemon ? daemonWaitSeconds : SECTION_TIMEOUT_SECONDS;
}

const MARK = "@@API7AUDIT";

/** What the runner's network probes need from a host (its listeners, its IPv6 address, the ports its NAT rules forward): these
 * sections come first, so that the host's probes can start while the rest of its script runs. */
export const PROBE_INPUT_SECTIONS = ["ss-listen", "ipv6-addresses", "nft-ruleset", "iptables-nat"] as const satisfies readonly ScriptSectionName[];

/** firewalld's bus name, object and interface: where firewall-cmd reads the property "state". */
const FIREWALLD_NAME = "org.fedoraproject.FirewallD1";
const FIREWALLD_DBUS = `${FIREWALLD_NAME} /org/fedoraproject/FirewallD1 ${FIREWALLD_NAME}`;
/** The bus daemon itself: its NameHasOwner tells whether any process holds a name. */
const BUS_DAEMON = "org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus";

/** A firewalld listing, run only when the firewalld-state section found the daemon running. */
function whenFirewalldRuns(command: string): string {
  return [
    'rc=; { read -r rc <"$API7AUDIT_DIR/firewalld-state.rc"; } 2>/dev/null',
    'if [ "$rc" != 0 ]; then echo "not run: firewall-cmd --state exited ${rc:-?}" >&2; return "${rc:-1}"; fi',
    command,
  ].join("\n");
}

// Later sections read earlier results from the run directory ($API7AUDIT_DIR/<name>.out|.rc),
// e.g. `df` asks about Docker's data root found by `docker-root`.
export const SCRIPT_SECTIONS = scriptSections([
  {
    name: "ss-listen",
    command: "ss -Htulnp (ss -tulnp where -H is unknown)",
    // TCP and UDP sockets. CentOS 7.0-7.4's iproute 3.10 has no -H (7.5+'s 4.11 has): the parser skips the header line instead.
    body: "ss -Htulnp 2>/dev/null || ss -tulnp",
  },
  { name: "ipv6-addresses", command: "ip -6 -o addr show scope global", body: "ip -6 -o addr show scope global", cannotHang: true },
  { name: "nft-ruleset", command: "nft list ruleset", body: "nft list ruleset", cannotHang: true },
  // Under `timeout`: -w waits for the xtables lock (see the iptables section).
  { name: "iptables-nat", command: "iptables -w -t nat -S", body: "iptables -w -t nat -S" },
  { name: "uname-m", command: "uname -m", body: "uname -m", cannotHang: true },
  { name: "nproc", command: "nproc", body: "nproc", cannotHang: true },
  { name: "cpu-online", command: "cat /sys/devices/system/cpu/online", body: "cat /sys/devices/system/cpu/online" },
  { name: "meminfo", command: "cat /proc/meminfo", body: "cat /proc/meminfo" },
  {
    name: "lsmem",
    command: "lsmem -b --summary=only || lsmem -b",
    // util-linux before 2.30 has no --summary: the full listing ends with the same summary.
    body: "lsmem -b --summary=only || lsmem -b",
    cannotHang: true,
  },
  {
    name: "memory-blocks",
    command: "block_size_bytes and online/total counts of /sys/devices/system/memory/memory*/state",
    body: [
      "d=/sys/devices/system/memory",
      'if [ ! -r "$d/block_size_bytes" ]; then echo "$d/block_size_bytes not readable" >&2; return 1; fi',
      'read -r size < "$d/block_size_bytes"',
      "total=0; online=0",
      'for s in "$d"/memory*/state; do',
      '  [ -r "$s" ] || continue',
      '  read -r st < "$s"; total=$((total + 1))',
      '  [ "$st" = online ] && online=$((online + 1))',
      "done",
      'echo "block_size_bytes $size"',
      'echo "blocks_total $total"',
      'echo "blocks_online $online"',
    ].join("\n"),
    cannotHang: true,
  },
  {
    name: "cgroup-memory",
    command: "memory.max (cgroup v2) or memory.limit_in_bytes (v1) of this session's cgroup and its ancestors",
    // Prints "<file> <value>" for every limit file from the session's cgroup up to the mount
    // root; the effective limit is the smallest. Inside a container the root is the container's.
    body: [
      "found=0",
      "if [ -f /sys/fs/cgroup/cgroup.controllers ]; then",
      "  mnt=/sys/fs/cgroup; file=memory.max",
      "  rel=$(sed -n 's/^0:://p' /proc/self/cgroup)",
      "elif [ -d /sys/fs/cgroup/memory ]; then",
      "  mnt=/sys/fs/cgroup/memory; file=memory.limit_in_bytes",
      "  rel=$(sed -n 's/^[0-9]*:[^:]*\\bmemory\\b[^:]*://p' /proc/self/cgroup)",
      "else",
      '  echo "no cgroup memory controller mounted at /sys/fs/cgroup" >&2; return 1',
      "fi",
      'd="$mnt${rel%/}"',
      "while :; do",
      '  if [ -r "$d/$file" ]; then read -r v < "$d/$file"; echo "$d/$file $v"; found=1; fi',
      '  [ "$d" = "$mnt" ] && break',
      '  case "$d" in "$mnt"/*) d=${d%/*} ;; *) d=$mnt ;; esac',
      "done",
      '[ "$found" = 1 ] || { echo "no $file found under $mnt" >&2; return 1; }',
    ].join("\n"),
    cannotHang: true,
  },
  {
    name: "docker-version",
    command: "docker version --format '{{json .}}'",
    body: "docker version --format '{{json .}}'",
    daemon: "docker",
  },
  {
    name: "docker-root",
    command: "docker info --format '{{.DockerRootDir}}'",
    body: "docker info --format '{{.DockerRootDir}}'",
    daemon: "docker",
  },
  {
    // Where Docker keeps its data when the daemon cannot be asked (HW-04 on a host whose dockerd hangs).
    name: "docker-daemon-json",
    command: "cat /etc/docker/daemon.json",
    body: "cat /etc/docker/daemon.json",
  },
  {
    name: "df",
    needs: ["docker-root"],
    command: "df -B1 --output=file,source,fstype,size,avail,target <Docker root dir (docker info, else data-root of /etc/docker/daemon.json, else /var/lib/docker if present)> /",
    body: [
      // `read`, a builtin, rather than $(cat ...) and head: two process starts fewer.
      "rc= root=",
      '{ read -r rc <"$API7AUDIT_DIR/docker-root.rc"; } 2>/dev/null',
      'if [ "$rc" = 0 ]; then IFS= read -r root <"$API7AUDIT_DIR/docker-root.out"; fi',
      `if [ -z "$root" ]; then root=$(sed -n 's/.*"\\(data-root\\|graph\\)"[[:space:]]*:[[:space:]]*"\\([^"]*\\)".*/\\2/p' /etc/docker/daemon.json 2>/dev/null | head -n 1); fi`,
      'if [ -z "$root" ] && [ -d /var/lib/docker ]; then root=/var/lib/docker; fi',
      'if [ -n "$root" ]; then df -B1 --output=file,source,fstype,size,avail,target "$root" /',
      "else df -B1 --output=file,source,fstype,size,avail,target /; fi",
    ].join("\n"),
  },
  {
    name: "os-release",
    command: "cat /etc/os-release (else /usr/lib/os-release)",
    body: "if [ -r /etc/os-release ]; then cat /etc/os-release; else cat /usr/lib/os-release; fi",
    cannotHang: true,
  },
  { name: "centos-release", command: "cat /etc/centos-release", body: "cat /etc/centos-release" },
  { name: "redhat-release", command: "cat /etc/redhat-release", body: "cat /etc/redhat-release" },
  { name: "uname-r", command: "uname -r", body: "uname -r", cannotHang: true },
  { name: "getenforce", command: "getenforce", body: "getenforce", cannotHang: true },
  { name: "sestatus", command: "sestatus", body: "sestatus", cannotHang: true },
  { name: "selinux-enforce", command: "cat /sys/fs/selinux/enforce", body: "cat /sys/fs/selinux/enforce" },
  { name: "selinux-config", command: "cat /etc/selinux/config", body: "cat /etc/selinux/config" },
  {
    // firewall-cmd --state prints firewalld's D-Bus property "state" (RUNNING: "running", exit 0;
    // FAILED: "failed", exit 251; else "not running", exit 252). busctl reads the same property
    // without a Python start (about 0.3 s of CPU). Its RUNNING is taken as it is. Where the bus itself
    // says no one owns firewalld's name (NameHasOwner: b false), firewall-cmd could not connect
    // either and would say "not running", exit 252: that is said, naming the bus's answer. Every
    // other answer, and none (busctl missing, no bus), is left to firewall-cmd --state itself.
    // --auto-start=no: asking must never start a stopped firewalld (D-Bus activation).
    name: "firewalld-state",
    command: `busctl --auto-start=no get-property ${FIREWALLD_DBUS} state, printed when RUNNING; "not running" (exit 252) when the bus says NameHasOwner ${FIREWALLD_NAME} is false; else firewall-cmd --state`,
    body: [
      // Without firewall-cmd firewalld is not installed: said as bash says it, not as "not running".
      'command -v firewall-cmd >/dev/null 2>&1 || { echo "bash: firewall-cmd: command not found (firewalld is not installed)" >&2; return 127; }',
      `state=$(busctl --auto-start=no get-property ${FIREWALLD_DBUS} state 2>/dev/null)`,
      `if [ "$state" = 's "RUNNING"' ]; then echo "$state"; return 0; fi`,
      `owned=$(busctl --auto-start=no call ${BUS_DAEMON} NameHasOwner s ${FIREWALLD_NAME} 2>/dev/null)`,
      `if [ "$owned" = "b false" ]; then echo "not running (busctl: the system bus says NameHasOwner ${FIREWALLD_NAME}: $owned)" >&2; return 252; fi`,
      "firewall-cmd --state",
    ].join("\n"),
    daemon: "firewalld",
  },
  {
    // Every zone under its own name: a bare --list-all prints a hint about the default zone on
    // stdout when nothing is bound to it (firewalld 0.4 to 1.x), and shows one zone only.
    name: "firewalld-runtime",
    needs: ["firewalld-state"],
    command: "firewall-cmd --list-all-zones (only when firewalld is running)",
    body: whenFirewalldRuns("firewall-cmd --list-all-zones"),
    daemon: "firewalld",
  },
  {
    name: "firewalld-permanent",
    needs: ["firewalld-state"],
    command: "firewall-cmd --permanent --list-all-zones (only when firewalld is running)",
    body: whenFirewalldRuns("firewall-cmd --permanent --list-all-zones"),
    daemon: "firewalld",
  },
  {
    // busctl reads it without a Python start; firewall-cmd answers where busctl cannot.
    name: "firewalld-default-zone",
    needs: ["firewalld-state"],
    command: `busctl --auto-start=no call ${FIREWALLD_DBUS} getDefaultZone, else firewall-cmd --get-default-zone (only when firewalld is running)`,
    body: whenFirewalldRuns(`busctl --auto-start=no call ${FIREWALLD_DBUS} getDefaultZone 2>/dev/null || firewall-cmd --get-default-zone`),
    daemon: "firewalld",
  },
  { name: "network-interfaces", command: "ip -o link show", body: "ip -o link show", cannotHang: true },
  {
    name: "nft-persistent",
    command: "cat /etc/sysconfig/nftables.conf or /etc/nftables.conf, with the files they include",
    // Each file is preceded by an nft comment naming it, so the text stays valid nft syntax.
    body: [
      "main=",
      "for f in /etc/sysconfig/nftables.conf /etc/nftables.conf; do",
      '  if [ -r "$f" ]; then main=$f; break; fi',
      "done",
      'if [ -z "$main" ]; then echo "no /etc/sysconfig/nftables.conf or /etc/nftables.conf" >&2; return 1; fi',
      'echo "# api7-audit file: $main"; cat "$main"',
      `sed -n 's/^[[:space:]]*include[[:space:]]*"\\([^"]*\\)".*/\\1/p' "$main" | while read -r pattern; do`,
      '  for inc in $pattern; do',
      '    if [ -r "$inc" ]; then echo "# api7-audit file: $inc"; cat "$inc"; fi',
      "  done",
      "done",
    ].join("\n"),
    cannotHang: true,
  },
  // -w waits for the xtables lock (Docker and firewalld hold it at times) instead of failing at
  // once; under `timeout`, so a lock held too long reads as timed out, never as a verdict.
  { name: "iptables", command: "iptables -w -S", body: "iptables -w -S" },
  {
    name: "iptables-persistent",
    command: "cat /etc/sysconfig/iptables or /etc/iptables/rules.v4",
    body: [
      "for f in /etc/sysconfig/iptables /etc/iptables/rules.v4; do",
      '  if [ -r "$f" ]; then echo "# api7-audit file: $f"; cat "$f"; return; fi',
      "done",
      'echo "no /etc/sysconfig/iptables or /etc/iptables/rules.v4" >&2; return 1',
    ].join("\n"),
    cannotHang: true,
  },
  { name: "ip6tables", command: "ip6tables -w -S", body: "ip6tables -w -S" },
  {
    name: "ip6tables-persistent",
    command: "cat /etc/sysconfig/ip6tables or /etc/iptables/rules.v6",
    body: [
      "for f in /etc/sysconfig/ip6tables /etc/iptables/rules.v6; do",
      '  if [ -r "$f" ]; then echo "# api7-audit file: $f"; cat "$f"; return; fi',
      "done",
      'echo "no /etc/sysconfig/ip6tables or /etc/iptables/rules.v6" >&2; return 1',
    ].join("\n"),
    cannotHang: true,
  },
  {
    name: "ipv6-disabled",
    command: "cat /proc/sys/net/ipv6/conf/*/disable_ipv6 (no /proc/sys/net/ipv6: disabled at boot)",
    // One "<path> <value>" line per interface; the parser decides (every real interface at 1 = disabled).
    body: [
      'if [ ! -d /proc/sys/net/ipv6 ]; then echo "/proc/sys/net/ipv6 absent"; return 0; fi',
      // `read` is a builtin: no process per interface (a Docker host has dozens of veth interfaces).
      'for f in /proc/sys/net/ipv6/conf/*/disable_ipv6; do read -r v < "$f" || v=unreadable; printf \'%s %s\\n\' "$f" "$v"; done',
    ].join("\n"),
    cannotHang: true,
  },
  {
    name: "zone-bindings",
    command: "NetworkManager connection zones (nmcli) and ZONE= of /etc/sysconfig/network-scripts/ifcfg-*",
    // "nm <device> <zone>" and "ifcfg <file> <device> <zone>"; an empty zone means the default zone.
    body: [
      "found=0",
      "if command -v nmcli >/dev/null 2>&1; then",
      "  found=1",
      "  nmcli -t -f DEVICE,UUID connection show --active | while read -r line; do",
      '    device=${line%:*}; uuid=${line##*:}',
      '    [ -n "$device" ] && [ -n "$uuid" ] || continue',
      '    zone=$(nmcli -t -f connection.zone connection show uuid "$uuid")',
      "    printf 'nm %s %s\\n' \"$device\" \"${zone#connection.zone:}\"",
      "  done",
      "fi",
      "for f in /etc/sysconfig/network-scripts/ifcfg-*; do",
      '  [ -r "$f" ] || continue',
      "  found=1",
      `  zone=$(sed -n 's/^[[:space:]]*ZONE=//p' "$f" | tail -n 1 | tr -d "\\"'")`,
      `  device=$(sed -n 's/^[[:space:]]*DEVICE=//p' "$f" | tail -n 1 | tr -d "\\"'")`,
      "  printf 'ifcfg %s %s %s\\n' \"$f\" \"${device:-${f##*/ifcfg-}}\" \"$zone\"",
      "done",
      '[ "$found" = 1 ] || { echo "no nmcli and no /etc/sysconfig/network-scripts/ifcfg-*" >&2; return 1; }',
    ].join("\n"),
  },
  { name: "machine-id", command: "cat /etc/machine-id", body: "cat /etc/machine-id" },
  { name: "processes", command: "ps -eo args=", body: "ps -eo args=" },
  { name: "docker-ps", command: "docker ps --format '{{.Names}}'", body: "docker ps --format '{{.Names}}'", daemon: "docker" },
]);

/** The list as written, its names kept as a union of literals (the type ScriptSectionName). */
function scriptSections<Name extends string>(sections: readonly SectionDefinition<Name>[]): readonly SectionDefinition<Name>[] {
  return sections;
}

/** A section the facts script writes. */
export type ScriptSectionName = (typeof SCRIPT_SECTIONS)[number]["name"];
/** A section a fact can rest on: the script's, and `ssh-host-key`, which the runner adds from its
 * own SSH handshake (parsers/host-key.ts) and no script command writes. A misspelt name in a
 * check's `reads` or a fact's source is a compile error. */
export type SectionName = ScriptSectionName | typeof HOST_KEY_SECTION;

/**
 * The script's sections that gather `wanted`, with the earlier sections they read results of, in
 * script order (helpers/checks/gather.ts decides what a run wants).
 */
export function sectionsGathering(wanted: Iterable<SectionName>): SectionDefinition<ScriptSectionName>[] {
  const chosen = new Set<string>(wanted);
  // `needs` point to earlier sections, so one pass from the end also takes what they need.
  for (const section of [...SCRIPT_SECTIONS].reverse()) if (chosen.has(section.name)) for (const need of section.needs ?? []) chosen.add(need);
  return SCRIPT_SECTIONS.filter((section) => chosen.has(section.name));
}

/** bash function name of a section: letters, digits and "_" only. */
function functionName(section: string): string {
  return `api7audit_${section.replace(/[^A-Za-z0-9]/g, "_")}`;
}

function base64(text: string): string {
  return Buffer.from(text, "utf8").toString("base64");
}

/** A body that is one plain command (words and single-quoted words): `timeout` runs it with no bash in between. */
const PLAIN_COMMAND = /^[\w./-]+(?: (?:[\w./=,-]+|'[^']*'))*$/;

/** A body that only shows a file: bash reads it itself (api7audit_print), with no process and no timeout. */
const FILE_READ = /^cat (\/[\w./-]+)$/;

/** Sections that only show a file, and those that cannot hang, run without `timeout`. */
function runsUnderTimeout(section: SectionDefinition): boolean {
  return !FILE_READ.test(section.body) && !section.cannotHang;
}

/** The bash that runs a section (for `$1` seconds when under `timeout`): the command itself, or its
 * function in a new bash, or without `timeout` in a subshell of the script's bash. A process start
 * is 3-10 ms of CPU on a small VM (a fork alone about 3), and most sections are one command or a file. */
function runnerBody(section: SectionDefinition): string {
  const file = FILE_READ.exec(section.body)?.[1];
  if (file !== undefined) return `api7audit_print ${file}`;
  const plain = PLAIN_COMMAND.test(section.body);
  if (section.cannotHang) return plain ? section.body : `( ${functionName(section.name)} )`;
  const command = plain ? section.body : `bash -c ${functionName(section.name)}`;
  return `if [ "$has_timeout" = 1 ]; then timeout -k ${KILL_GRACE_SECONDS} "$1" ${command}; else ${command}; fi`;
}

/**
 * The collection script. Framing of each section (N = a nonce drawn at run time, so no output
 * and no process list can contain a marker by accident):
 *
 *   @@API7AUDIT N BEGIN <name> <command, base64>@@
 *   <stdout, exactly>
 *   @@API7AUDIT N STDERR@@
 *   <stderr, exactly>
 *   @@API7AUDIT N END <name> exit=<code> ms=<duration> timeout=<0|1>@@
 *
 * BEGIN is printed when the section starts, so output cut off mid-script names the section that
 * was running. A section that is not run (its daemon did not answer, or the time budget is used
 * up) has empty output and `exit=- ms=0 timeout=0 notrun=<reason, base64>` in its END line.
 * Output is captured to files first and a newline is always added after it, so a command whose
 * output lacks a final newline cannot glue its text to a marker. Every section runs under `timeout`
 * (a plain command directly, a longer body as its function in a new bash) but the file reads and the
 * sections that cannot hang, and every one with stdin from /dev/null (it must not eat the rest of
 * the script).
 */
export function collectionScript(sections: readonly SectionDefinition[] = SCRIPT_SECTIONS, budgetSeconds = SCRIPT_BUDGET_SECONDS): string {
  // Only the functions a new bash runs are exported: every exported function is in the environment
  // of every process the script starts, and each new bash parses them all.
  const shellBodies = sections
    .filter((s) => !PLAIN_COMMAND.test(s.body))
    .map((s) => `${functionName(s.name)}() {\n${indent(s.body)}\n}${s.cannotHang ? "" : `\nexport -f ${functionName(s.name)}`}`);
  const runners = sections.map((s) => `${functionName(s.name)}_run() { ${runnerBody(s)}; }`);
  const daemonWait = daemonWaitFor(budgetSeconds);
  const calls = sections
    .map((s) => {
      const daemon = s.daemon ? `${s.daemon} ${base64(daemonNotAnswering(s.daemon, daemonWait))}` : "- -";
      return `  api7audit_run ${s.name} ${functionName(s.name)}_run ${base64(s.command)} ${sectionTimeoutSeconds(s, daemonWait)} ${daemon}`;
    })
    .join("\n");
  return `# api7-ha-audit facts collection: read-only, no arguments.
api7audit_main() {
  export LC_ALL=C
  export PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\${PATH:+:$PATH}"
  API7AUDIT_DIR=$(mktemp -d) || { echo "${MARK} FATAL mktemp failed@@"; return 1; }
  export API7AUDIT_DIR
  trap 'rm -rf "$API7AUDIT_DIR"' EXIT
  nonce="$$$RANDOM$RANDOM"
  if command -v timeout >/dev/null 2>&1; then has_timeout=1; else has_timeout=0; fi
  api7audit_clock; script_start=$now_ms
  budget_ms=${budgetSeconds * 1000}
  silent_daemons=" "
${calls}
}

# api7audit_clock: sets now_ms, milliseconds of which only differences are used. A variable, not
# output: each $(...) would cost a process. bash before 5.0 (CentOS 7 has 4.2) has no EPOCHREALTIME:
# the builtin read of /proc/uptime (10 ms steps) then spares two date processes per section.
api7audit_clock() {
  local up=
  if [ -n "\${EPOCHREALTIME:-}" ]; then
    local us="\${EPOCHREALTIME//[!0-9]/}"
    now_ms=$((10#$us / 1000))
  elif { read -r up _ </proc/uptime; } 2>/dev/null && [ -n "\${up//[!0-9]/}" ]; then
    now_ms=$((10#\${up//[!0-9]/} * 10))
  else
    now_ms=$(date +%s%3N 2>/dev/null)
    case "$now_ms" in ''|*[!0-9]*) now_ms=$(( $(date +%s) * 1000 )) ;; esac
  fi
}

# api7audit_run <section> <runner> <command text, base64> <timeout s|-> <daemon|-> <daemon silent reason, base64|->
# The runner runs the section for at most its first argument's seconds (api7audit_<section>_run), or
# without timeout ("-": a file read or a section that cannot hang).
api7audit_run() {
  local name=$1 fn=$2 label=$3 limit=$4 daemon=$5 silent_reason=$6 out="$API7AUDIT_DIR/$1.out" err="$API7AUDIT_DIR/$1.err" start end rc timedout=0 left
  api7audit_clock; start=$now_ms
  left=$(( (budget_ms - (start - script_start)) / 1000 ))
  if [ "$left" -lt 1 ]; then api7audit_not_run "$name" "$label" ${base64(budgetUsedUp(budgetSeconds))}; return; fi
  case "$silent_daemons" in *" $daemon "*) api7audit_not_run "$name" "$label" "$silent_reason"; return ;; esac
  if [ "$limit" != - ] && [ "$left" -lt "$limit" ]; then limit=$left; fi
  printf '%s %s BEGIN %s %s@@\\n' "${MARK}" "$nonce" "$name" "$label"
  "$fn" "$limit" </dev/null >"$out" 2>"$err"
  rc=$?
  api7audit_clock; end=$now_ms
  if [ "$has_timeout" = 1 ] && { [ "$rc" = 124 ] || [ "$rc" = 137 ]; }; then
    timedout=1
    if [ "$daemon" != - ]; then silent_daemons="$silent_daemons$daemon "; fi
  fi
  echo "$rc" >"$API7AUDIT_DIR/$name.rc"
  api7audit_print "$out"
  printf '\\n%s %s STDERR@@\\n' "${MARK}" "$nonce"
  api7audit_print "$err"
  printf '\\n%s %s END %s exit=%s ms=%s timeout=%s@@\\n' "${MARK}" "$nonce" "$name" "$rc" "$((end - start))" "$timedout"
}

# api7audit_print <file>: its bytes, exactly, as cat prints them. A bash builtin, not cat: a process
# fewer adds up on a loaded host. A file with a NUL byte (read stops there) goes through cat. A file
# bash cannot open is reported by bash itself ("No such file or directory", "Permission denied"),
# with exit 1 as from cat.
api7audit_print() {
  local content rc
  { IFS= read -r -d '' content; rc=$?; } <"$1" || return 1
  if [ "$rc" = 0 ]; then cat "$1"; else printf '%s' "$content"; fi
}

# api7audit_not_run <section> <command text, base64> <reason, base64>
api7audit_not_run() {
  printf '%s %s BEGIN %s %s@@\\n\\n%s %s STDERR@@\\n' "${MARK}" "$nonce" "$1" "$2" "${MARK}" "$nonce"
  printf '\\n%s %s END %s exit=- ms=0 timeout=0 notrun=%s@@\\n' "${MARK}" "$nonce" "$1" "$3"
}

${shellBodies.join("\n")}

${runners.join("\n")}

api7audit_main
`;
}

function indent(body: string): string {
  return body
    .split("\n")
    .map((line) => `  ${line}`)
    .join("\n");
}

const BEGIN_LINE = /^@@API7AUDIT (\S+) BEGIN (\S+) (\S*)@@$/m;

/**
 * Splits the script's output into sections, in order. The nonce of the first BEGIN line is the
 * run's; sections are read one after the other, so marker-like text inside a section's output
 * is never taken for a marker. A section whose END marker is missing (output cut off) keeps
 * what arrived, with exitCode null. Text outside sections is ignored.
 */
export function splitSections(output: string): CommandOutput[] {
  return readSections(output).sections;
}

/** The sections whose END marker has arrived, from output that is still streaming in. */
export function finishedSections(output: string): CommandOutput[] {
  const { sections, cutOff } = readSections(output);
  return cutOff ? sections.slice(0, -1) : sections;
}

function readSections(output: string): { sections: CommandOutput[]; cutOff: boolean } {
  const sections: CommandOutput[] = [];
  const text = output;
  let cursor = 0;
  let runNonce: string | null = null;
  while (cursor < text.length) {
    const match = BEGIN_LINE.exec(text.slice(cursor));
    if (!match) break;
    const [line, nonce, name, encoded] = match as unknown as [string, string, string, string];
    const lineAt = cursor + match.index;
    if (runNonce === null) runNonce = nonce;
    if (nonce !== runNonce) {
      cursor = lineAt + line.length;
      continue;
    }
    const bodyStart = lineAt + line.length + 1;
    const command = decodeBase64(encoded);
    const stderrMarker = `\n${MARK} ${nonce} STDERR@@\n`;
    const endPrefix = `\n${MARK} ${nonce} END ${name} `;
    const stderrAt = text.indexOf(stderrMarker, bodyStart);
    const endAt = stderrAt === -1 ? -1 : text.indexOf(endPrefix, stderrAt + stderrMarker.length - 1);
    const endLineEnd = endAt === -1 ? -1 : text.indexOf("@@", endAt + endPrefix.length);
    if (stderrAt === -1 || endAt === -1 || endLineEnd === -1) {
      // Cut off: keep the stdout that arrived (up to the STDERR marker or the end of output).
      const stdout = text.slice(bodyStart, stderrAt === -1 ? text.length : stderrAt);
      sections.push({ section: name, command, exitCode: null, stdout, stderr: "", durationMs: 0 });
      return { sections, cutOff: true };
    }
    const fields = parseTrailer(text.slice(endAt + endPrefix.length, endLineEnd));
    const section: CommandOutput = {
      section: name,
      command,
      exitCode: toInt(fields.get("exit")),
      stdout: text.slice(bodyStart, stderrAt),
      stderr: text.slice(stderrAt + stderrMarker.length, endAt),
      durationMs: toInt(fields.get("ms")) ?? 0,
    };
    if (fields.get("timeout") === "1") section.timedOut = true;
    const notRun = fields.get("notrun");
    if (notRun !== undefined) section.notRun = decodeBase64(notRun);
    sections.push(section);
    cursor = endLineEnd + 2;
  }
  return { sections, cutOff: false };
}

/**
 * The sections of a script whose output was cut short (SSH timeout, dropped connection), in
 * script order: those that arrived as they are, every other one recorded as not run for `reason`.
 */
export function withSectionsNotRun(
  arrived: readonly CommandOutput[],
  reason: string,
  definitions: readonly SectionDefinition[] = SCRIPT_SECTIONS,
): CommandOutput[] {
  const byName = new Map(arrived.map((s) => [s.section, s]));
  return definitions.map(
    (d) => byName.get(d.name) ?? { section: d.name, command: d.command, exitCode: null, stdout: "", stderr: "", durationMs: 0, notRun: reason },
  );
}

function parseTrailer(trailer: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const pair of trailer.trim().split(/\s+/)) {
    const eq = pair.indexOf("=");
    if (eq > 0) fields.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  return fields;
}

function decodeBase64(encoded: string): string {
  try {
    return Buffer.from(encoded, "base64").toString("utf8");
  } catch {
    return encoded;
  }
}

function toInt(value: string | undefined): number | null {
  return value !== undefined && /^-?\d+$/.test(value) ? Number(value) : null;
}
