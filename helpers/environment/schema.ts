// The environment file: what is audited and how. Unknown keys are rejected everywhere, so a
// typo is an error, never a silently ignored setting. Comments name the requirement IDs that
// use each input.
import { z } from "zod";
import { REQUIREMENT_ID } from "../checks/catalogue-terms.js";
import { FAULT_KINDS, HA_REQUIREMENTS, type HaRequirement } from "../failover/experiments.js";
import { parseCidr } from "../probes/cidr.js";

const port = z.number().int().min(1).max(65535);
/** SEC-04/SEC-05: 9100 (TCP), "9100/tcp" or "68/udp". */
const portWithProtocol = z.union([
  port.transform((number) => ({ port: number, protocol: "tcp" as const })),
  z
    .string()
    .regex(/^\d{1,5}\/(tcp|udp)$/, 'a port such as 9100 (TCP), "9100/tcp" or "68/udp"')
    .transform((text) => ({ port: Number(text.split("/")[0]), protocol: text.split("/")[1] as "tcp" | "udp" }))
    .refine(({ port: number }) => number >= 1 && number <= 65535, "a port between 1 and 65535"),
]);
/**
 * Names that become part of a path (the run folder is <timestamp>-<environment name>): one folder
 * name of a conservative character set, so no value can leave reports/ or name an option.
 */
export const PATH_SAFE_NAME = /^(?!.*\.\.)[A-Za-z0-9][A-Za-z0-9._-]*$/;
export const PATH_SAFE_RULE = "letters, digits, '.', '_' and '-', starting with a letter or digit; no '/', '\\', '..' or spaces";
/** Names from an inventory may be more (an IPv6 address), never what leaves a folder or passes for an option. */
export const UNSAFE_IN_PATH = /[/\\\0]|\.\.|^-/;
const name = z.string().regex(PATH_SAFE_NAME, `a host name: ${PATH_SAFE_RULE}`);
/** Lab files use {{container}} placeholders, replaced by container addresses at run time. */
const urlLike = z.string().regex(/^(https?|tcp):\/\/\S+$/, "a URL such as https://gateway.example.com:9443/");
const argv = z.array(z.string().min(1)).min(1);
/** HA-*: how a member is taken out. */
const faultKinds = z.array(z.enum(FAULT_KINDS)).min(1).refine((kinds) => new Set(kinds).size === kinds.length, "each fault kind once");
/** failover.faults: one optional key per HA experiment, in ID order. */
const faultsPerRequirement = Object.fromEntries([...HA_REQUIREMENTS].sort().map((requirement) => [requirement, faultKinds.optional()])) as Record<
  HaRequirement,
  z.ZodOptional<typeof faultKinds>
>;

/** A bastion (ProxyJump). A chain nests: the jump host's own jumpHost is the hop before it. */
export const jumpHostSchema = z.strictObject({
  address: z.string().min(1),
  port: port.default(22),
  user: z.string().min(1),
  identityFile: z.string().min(1).optional(),
  useAgent: z.boolean().default(false),
  get jumpHost(): z.ZodOptional<typeof jumpHostSchema> {
    return jumpHostSchema.optional();
  },
});

export const hostSchema = z.strictObject({
  name,
  /** DNS name or IP the runner connects to. */
  address: z.string().min(1),
  port: port.optional(),
  user: z.string().min(1).optional(),
  roles: z.array(z.enum(["cp", "dp"])).min(1),
  identityFile: z.string().min(1).optional(),
  useAgent: z.boolean().optional(),
  jumpHost: jumpHostSchema.optional(),
  /** Prefix root-only commands with `sudo -n` (never prompts). */
  sudo: z.boolean().optional(),
});

export const sshDefaultsSchema = z.strictObject({
  port: port.default(22),
  user: z.string().min(1).default("root"),
  identityFile: z.string().min(1).optional(),
  useAgent: z.boolean().default(false),
  sudo: z.boolean().default(false),
  /** known_hosts used for strict host-key checking; default ~/.ssh/known_hosts (or the ssh config's UserKnownHostsFile). */
  knownHosts: z.string().min(1).optional(),
  /**
   * OpenSSH client config through which every host address resolves (HostName, User, Port,
   * IdentityFile, ProxyJump, UserKnownHostsFile); `true` means ~/.ssh/config. Values given in this
   * file win over the config's.
   */
  config: z.union([z.string().min(1), z.boolean()]).optional(),
  connectTimeoutMs: z.number().int().positive().default(10_000),
  commandTimeoutMs: z.number().int().positive().default(30_000),
});

/** How a component is recognised on a host and how it is stopped/started (TOPO-02..04, HA-*). */
export const componentSchema = z.strictObject({
  role: z.enum(["cp", "dp"]),
  ports: z.array(port).min(1),
  /** Running if a container of this name runs, or a process whose command line matches. */
  detect: z.strictObject({
    container: z.string().min(1).optional(),
    process: z.string().min(1).optional(),
  }),
  /** argv run on the host; default: docker stop/start <detect.container>. */
  stop: argv.optional(),
  start: argv.optional(),
});

export const entrypointSchema = z.strictObject({
  url: urlLike,
  /** HTTP statuses that count as "answering"; default: any status below 500. */
  okStatuses: z.array(z.number().int().min(100).max(599)).optional(),
  /** Skip certificate verification (lab self-signed certificates). */
  insecureTls: z.boolean().default(false),
});

export const waiverSchema = z.strictObject({
  requirement: z.string().regex(REQUIREMENT_ID, "a requirement ID such as SEC-04"),
  host: z.string().min(1).default("*"),
  justification: z.string().min(10, "a justification of at least 10 characters"),
  approver: z.string().min(1),
  expires: z.iso.date("an ISO date such as 2027-01-31"),
});

/** An Ansible inventory instead of `hosts:`: the hosts of the named groups, with their connection variables. */
export const inventorySchema = z.strictObject({
  /** Static INI or YAML inventory, the saved JSON of `ansible-inventory --list`, or a dynamic inventory (run with ansible-inventory). */
  ansible: z.string().min(1),
  /** The group whose hosts take each role (children groups included). */
  roles: z.strictObject({ cp: z.string().min(1), dp: z.string().min(1) }),
});

const hostsSchema = z.array(hostSchema).min(1);

/** The environment as the suite uses it: hosts always resolved (from `hosts:` or from the inventory). */
export const environmentSchema = z.strictObject({
  /** Part of the run folder's name. */
  name: z.string().regex(PATH_SAFE_NAME, `one folder name (it names the run folder under reports/): ${PATH_SAFE_RULE}, e.g. staging`),
  description: z.string().optional(),
  /** Present in lab environments: which variant of the embedded lab to start. */
  lab: z.strictObject({ variant: z.enum(["compliant", "violations"]) }).optional(),
  ssh: sshDefaultsSchema.prefault({}),
  /** TOPO-01..04 and every per-host requirement. Give `hosts` or `inventory`, not both. */
  hosts: hostsSchema,
  inventory: inventorySchema.optional(),
  components: z.strictObject({
    dashboard: componentSchema,
    dpManager: componentSchema,
    gateway: componentSchema,
  }),
  /** Load-balanced entrypoints (PORT-*, HA-*). */
  entrypoints: z.strictObject({
    gateway: entrypointSchema,
    gatewayTls: entrypointSchema.optional(),
    dashboard: entrypointSchema,
    dpManager: entrypointSchema,
  }),
  /** DB-01, DB-02, SEC-03. The password is read from the named environment variable. */
  database: z.strictObject({
    host: z.string().min(1),
    port: port.default(5432),
    database: z.string().min(1),
    user: z.string().min(1),
    passwordEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, "an environment variable name such as API7_AUDIT_PG_PASSWORD"),
    ssl: z.boolean().default(false),
  }),
  /** PORT-05, SEC-03 (S2.3: optional component). */
  prometheus: z.strictObject({
    enabled: z.boolean(),
    url: urlLike.optional(),
  }),
  policy: z
    .strictObject({
      /** SEC-01 */
      selinuxMode: z.enum(["enforcing", "permissive"]).default("enforcing"),
      /**
       * SW-01: distributions accepted besides CentOS Linux (os-release IDs), with their minimum
       * major.minor. CentOS Linux needs no entry (the page's 7.6); an entry "centos" changes that
       * minimum and also accepts CentOS Stream, whose ID is "centos" too.
       */
      osAllowed: z
        .array(z.strictObject({ id: z.string().min(1), minVersion: z.string().regex(/^\d+(\.\d+)?$/) }))
        .default([
          { id: "rhel", minVersion: "7.6" },
          { id: "rocky", minVersion: "8" },
          { id: "almalinux", minVersion: "8" },
          { id: "ol", minVersion: "7.6" },
        ]),
      /** SW-05: minimum Docker server version (the vendor's earlier HA page names 20.10.7). */
      dockerMinVersion: z.string().regex(/^\d+\.\d+(\.\d+)?$/).default("20.10.7"),
      /** HW-04: also require 80 GB free on "/" when it is another filesystem than Docker's data root. */
      diskCheckRoot: z.boolean().default(true),
      /** SEC-04/SEC-05: ports allowed besides the page's table (SSH and the like). */
      managementPorts: z.array(port).default([22]),
      /** SEC-04/SEC-05: ports real installs expose that the page omits, each with a reason. */
      extraPorts: z
        .array(
          z
            .strictObject({ role: z.enum(["cp", "dp", "all"]), port: portWithProtocol, reason: z.string().min(1) })
            .transform(({ port: { port, protocol }, ...rest }) => ({ ...rest, port, protocol })),
        )
        .default([]),
      /** PORT-02: a certificate expiring within this many days is a warning. */
      certificateWarningDays: z.number().int().nonnegative().default(30),
    })
    .prefault({}),
  /** HA-*: budgets of a failover experiment. */
  failover: z
    .strictObject({
      allowDisruption: z.boolean().default(false),
      requestsPerSecond: z.number().positive().max(200).default(20),
      observationSeconds: z.number().positive().max(300).default(8),
      /** Failed requests allowed per fault. */
      errorBudget: z.number().int().nonnegative().default(5),
      /** Longest outage (first failure to next success) allowed, in seconds. */
      rtoSeconds: z.number().positive().default(5),
      /** The stopped member must be healthy again within this many seconds of its restart. */
      recoverySeconds: z.number().positive().default(30),
      /** Armed on the host before a fault: the component is restarted after this many seconds anyway. */
      rollbackAfterSeconds: z.number().int().positive().default(60),
      /**
       * A fault counts only once the member is observed down from the runner (its component ports
       * refuse or time out) within this many seconds of the fault command; otherwise HA-* is broken.
       */
      confirmWithinSeconds: z.number().positive().max(60).default(5),
      /** Traffic recorded before the fault: the steady state every experiment starts from. */
      steadyStateSeconds: z.number().positive().max(60).default(2),
      /**
       * How each member is taken out, per requirement (default: stop). stop: the component's stop
       * command. black-hole: its ports dropped on the member (nft table or iptables chain of the
       * suite's own), so it stops answering instead of refusing: what health-check timeouts are for.
       */
      faults: z.strictObject(faultsPerRequirement).default({}),
      /** The members behind each entrypoint, by host name; default: every host of the role. */
      pairs: z
        .strictObject({ cp: z.array(z.string().min(1)).min(2).optional(), dp: z.array(z.string().min(1)).min(2).optional() })
        .optional(),
    })
    .prefault({}),
  /** SEC-02: networks allowed to be trusted (a firewalld zone with target ACCEPT bound to them, an
   * accept of every port from them); the runner inside one makes the network witness advisory. */
  firewall: z
    .strictObject({ trustedSources: z.array(z.string().refine((text) => parseCidr(text) !== null, "a network such as 10.0.0.0/24 or fd00::/64")).default([]) })
    .prefault({}),
  waivers: z.array(waiverSchema).default([]),
  /** Run folders of this environment kept under the report folder (--keep overrides). */
  reports: z.strictObject({ keep: z.number().int().min(1).default(30) }).prefault({}),
  /** The run bundle's seal: sign manifest.json with this SSH key (a private key, or the .pub of a key in ssh-agent). */
  evidence: z.strictObject({ signWith: z.string().min(1).optional() }).optional(),
});

/** An environment file as written: `hosts` may be left to `inventory`. */
export const environmentFileSchema = environmentSchema.extend({ hosts: hostsSchema.optional() });

export type EnvironmentInput = z.input<typeof environmentSchema>;
export type Environment = z.output<typeof environmentSchema>;
export type EnvironmentFile = z.output<typeof environmentFileSchema>;
export type HostEntry = z.output<typeof hostSchema>;
export type JumpHost = z.output<typeof jumpHostSchema>;
export type ComponentName = keyof Environment["components"];
export type Waiver = z.output<typeof waiverSchema>;
