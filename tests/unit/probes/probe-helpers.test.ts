// Pure parts of the probes: the probe plan, argv of the host probe, parsers and small helpers.
import { describe, expect, it } from "vitest";
import { environmentSchema, type EnvironmentInput } from "../../../helpers/environment/schema.js";
import { targetAddress } from "../../../helpers/checks/reach.js";
import { concurrencyLimit, mapWithConcurrency } from "../../../helpers/concurrency.js";
import { dbReachArgv, describeDbReachExit } from "../../../helpers/probes/host.js";
import { redact } from "../../../helpers/probes/pg.js";
import { expectedPorts, planNetworkProbes, portsToProbe } from "../../../helpers/probes/plan.js";
import { parseTargets } from "../../../helpers/probes/prometheus.js";
import { probeTarget } from "../../../helpers/probes/run.js";
import { formatName, splitAltNames } from "../../../helpers/probes/tls.js";

function environment(overrides: Partial<EnvironmentInput> = {}) {
  const component = (role: "cp" | "dp", ports: number[]) => ({ role, ports, detect: { process: "nginx" } });
  return environmentSchema.parse({
    name: "unit",
    hosts: [
      { name: "cp1", address: "10.0.0.11", roles: ["cp"] },
      { name: "dp1", address: "10.0.0.21", roles: ["dp"] },
    ],
    components: { dashboard: component("cp", [7080]), dpManager: component("cp", [7900, 7943]), gateway: component("dp", [9080, 9443]) },
    entrypoints: {
      gateway: { url: "http://10.0.0.40:9080/" },
      gatewayTls: { url: "https://gw.example.com:9443/", insecureTls: true },
      dashboard: { url: "http://10.0.0.41:7080/" },
      dpManager: { url: "https://10.0.0.41:7900/" },
    },
    database: { host: "10.0.0.50", database: "api7ee", user: "api7ee", passwordEnv: "API7_AUDIT_PG_PASSWORD" },
    prometheus: { enabled: true, url: "http://10.0.0.30:9090" },
    ...overrides,
  });
}

describe("dbReachArgv", () => {
  it("passes host and port as positional parameters of a fixed script", () => {
    expect(dbReachArgv("db.example.com", 5432, 5)).toEqual([
      "timeout", "5", "bash", "-c", 'exec 3<>"/dev/tcp/$1/$2"', "_", "db.example.com", "5432",
    ]);
  });
  it("keeps a hostile host value out of the script text", () => {
    const argv = dbReachArgv("x; rm -rf /", 5432, 5);
    expect(argv[4]).toBe('exec 3<>"/dev/tcp/$1/$2"');
    expect(argv[6]).toBe("x; rm -rf /");
  });
  it("rejects impossible ports and timeouts", () => {
    expect(() => dbReachArgv("db", 0, 5)).toThrow(RangeError);
    expect(() => dbReachArgv("db", 5432, 0)).toThrow(RangeError);
  });
  it("explains exit codes", () => {
    expect(describeDbReachExit(0)).toBe("connected");
    expect(describeDbReachExit(124)).toMatch(/timed out/);
    expect(describeDbReachExit(1)).toMatch(/refused/);
  });
});

describe("planNetworkProbes", () => {
  const hosts = [
    { name: "cp1", address: "10.0.0.11", roles: ["cp" as const], listeners: [{ protocol: "tcp" as const, address: "0.0.0.0", port: 22, process: "sshd" }] },
    { name: "dp1", address: "10.0.0.21", roles: ["dp" as const], listeners: null },
  ];

  it("probes role ports, listening ports and 9090 on every host", () => {
    const env = environment();
    expect(expectedPorts(env, ["cp"])).toEqual([7080, 7900, 7943]);
    expect(portsToProbe(env, hosts[0]!)).toEqual([22, 7080, 7900, 7943, 9090]);
    expect(portsToProbe(env, hosts[1]!)).toEqual([9080, 9090, 9443]);
  });

  it("plans member HTTP/TLS probes, entrypoints, database, Prometheus and db-reach on CP hosts", () => {
    const plan = planNetworkProbes({ env: environment(), hosts, fullPortSweep: false });
    const keys = plan.probes.map((p) => p.key);
    expect(keys).toEqual(
      expect.arrayContaining([
        "http:dp1:9080", "tls:dp1:9443", "http:dp1:9443", "http:cp1:7080", "http:cp1:7900",
        "http:entrypoint:gateway", "tls:entrypoint:gatewayTls", "http:entrypoint:gatewayTls",
        "tcp:@database:5432", "pg:database", "tcp:@prometheus:9090", "prometheus",
      ]),
    );
    expect(keys.some((k) => k.startsWith("sweep:"))).toBe(false);
    // The DP Manager entrypoint speaks https, so its members are asked in https too.
    expect(plan.probes.find((p) => p.key === "http:cp1:7900")).toMatchObject({ url: "https://10.0.0.11:7900/" });
    expect(plan.hostProbes).toEqual([{ host: "cp1", argv: dbReachArgv("10.0.0.50", 5432, 5), section: "db-reach" }]);
  });

  it("contacts only addresses named in the environment", () => {
    const plan = planNetworkProbes({ env: environment(), hosts, fullPortSweep: true });
    const named = new Set(["10.0.0.11", "10.0.0.21", "10.0.0.40", "gw.example.com", "10.0.0.41", "10.0.0.50", "10.0.0.30"]);
    for (const probe of plan.probes) {
      const address = "address" in probe ? probe.address : "url" in probe ? new URL(probe.url).hostname : "10.0.0.50";
      expect(named.has(address), probe.key).toBe(true);
    }
    expect(plan.probes.filter((p) => p.kind === "sweep").map((p) => p.key)).toEqual(["sweep:cp1", "sweep:dp1"]);
  });

  it("leaves Prometheus alone when disabled, but still probes 9090 on the hosts", () => {
    const plan = planNetworkProbes({ env: environment({ prometheus: { enabled: false, url: "http://10.0.0.30:9090" } }), hosts, fullPortSweep: false });
    const keys = plan.probes.map((p) => p.key);
    expect(keys).not.toContain("prometheus");
    expect(keys).not.toContain("tcp:@prometheus:9090");
    expect(keys).toContain("tcp:dp1:9090");
  });
});

describe("parseTargets", () => {
  it("reads job, instance, health and last error of active targets", () => {
    const body = JSON.stringify({
      status: "success",
      data: {
        activeTargets: [
          { labels: { job: "self", instance: "127.0.0.1:9090" }, scrapePool: "self", health: "up", lastError: "" },
          { labels: { job: "api7", instance: "10.0.0.11:7900" }, health: "down", lastError: "connection refused" },
        ],
        droppedTargets: [],
      },
    });
    expect(parseTargets(body)).toEqual({
      targets: [
        { job: "self", instance: "127.0.0.1:9090", health: "up", lastError: "" },
        { job: "api7", instance: "10.0.0.11:7900", health: "down", lastError: "connection refused" },
      ],
    });
  });
  it("says why an answer cannot be read", () => {
    expect(parseTargets("<html>").error).toMatch(/not JSON/);
    expect(parseTargets('{"status":"error"}').error).toMatch(/unexpected answer/);
  });
});

describe("small helpers", () => {
  it("formats certificate names and alt names", () => {
    expect(formatName({ C: "CN", O: "API7", CN: "gateway" })).toBe("C=CN, O=API7, CN=gateway");
    expect(formatName({ OU: ["a", "b"] })).toBe("OU=a, OU=b");
    expect(formatName(undefined)).toBeNull();
    expect(splitAltNames("DNS:a.example.com, IP Address:10.0.0.1")).toEqual(["DNS:a.example.com", "IP Address:10.0.0.1"]);
  });
  it("redacts every occurrence of a secret", () => {
    expect(redact("pw s3cr3t and s3cr3t", "s3cr3t")).toBe("pw *** and ***");
    expect(redact("nothing", undefined)).toBe("nothing");
  });
  it("bounds concurrency and keeps order", async () => {
    let inFlight = 0;
    let peak = 0;
    const results = await mapWithConcurrency([5, 1, 4, 2, 3], 2, async (n) => {
      peak = Math.max(peak, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, n));
      inFlight--;
      return n * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30]);
    expect(peak).toBe(2);
  });
  it("bounds work that arrives over time, starting it in arrival order", async () => {
    const slot = concurrencyLimit(2);
    let inFlight = 0;
    let peak = 0;
    const started: number[] = [];
    const task = (n: number) =>
      slot(async () => {
        started.push(n);
        peak = Math.max(peak, ++inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight--;
        return n;
      });
    const first = [task(1), task(2), task(3)];
    await first[0];
    // A newcomer while one waits: it queues behind the waiter instead of taking the freed slot.
    const later = [task(4), task(5)];
    expect(await Promise.all([...first, ...later])).toEqual([1, 2, 3, 4, 5]);
    expect(started).toEqual([1, 2, 3, 4, 5]);
    expect(peak).toBe(2);
  });
  it("frees the slot of work that fails", async () => {
    const slot = concurrencyLimit(1);
    await expect(slot(() => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await slot(async () => "next")).toBe("next");
  });
});

describe("probeTarget", () => {
  const env = environment();
  it.each([
    [{ kind: "tcp", key: "tcp:dp1:9080", host: "dp1", address: "10.0.0.21", port: 9080 }, "10.0.0.21:9080", "10.0.0.21"],
    [{ kind: "tls", key: "tls:dp1:9443", host: "dp1", address: "fd00::21", port: 9443 }, "fd00::21:9443", "fd00::21"],
    [{ kind: "http", key: "http:gateway", host: null, url: "http://10.0.0.40:9080/", insecureTls: false }, "http://10.0.0.40:9080/", "10.0.0.40"],
    [{ kind: "pg", key: "pg:database" }, "10.0.0.50:5432/api7ee", "10.0.0.50"],
    [{ kind: "prometheus", key: "prometheus", url: "http://10.0.0.30:9090", insecureTls: true }, "http://10.0.0.30:9090", "10.0.0.30"],
    [{ kind: "sweep", key: "sweep:cp1", host: "cp1", address: "10.0.0.11" }, "10.0.0.11:1-65535", "10.0.0.11"],
  ] as const)("names where a probe goes (%o), also when it throws, so reach finds its error", (probe, target, address) => {
    expect(probeTarget(probe, env)).toBe(target);
    expect(targetAddress(probeTarget(probe, env))).toBe(address);
  });
});
