import { describe, expect, it } from "vitest";
import { faultActions, parseHostTools, type FaultComponent } from "../../../helpers/failover/host-commands.js";
import { disruptionAllowed } from "../../../helpers/failover/record.js";
import { canRunTogether, FAILOVER_PLAN, failoverStages, plannedFaultCommands } from "../../../helpers/failover/suite.js";
import { labEnvironment } from "./experiment.js";

const planned = (id: string) => FAILOVER_PLAN.find((p) => p.requirement === id)!;

describe("failoverStages", () => {
  it("runs the gateway and dashboard faults together, and alone whatever touches the DP Manager or gateway traffic", () => {
    expect(failoverStages(FAILOVER_PLAN).map((stage) => stage.map((p) => p.requirement))).toEqual([["HA-DP-01", "HA-CP-01"], ["HA-CP-02"], ["HA-DP-02"]]);
  });

  it("never overlaps two faults on one component pair, nor a fault with traffic it may disturb", () => {
    expect(canRunTogether(planned("HA-DP-01"), planned("HA-CP-01"))).toBe(true);
    expect(canRunTogether(planned("HA-CP-01"), planned("HA-CP-02"))).toBe(true);
    // Gateways fetch their configuration from the DP Manager: its fault may disturb gateway traffic.
    expect(canRunTogether(planned("HA-DP-01"), planned("HA-CP-02"))).toBe(false);
    // HA-DP-02 records gateway traffic, which gateway faults disturb; it shares the dashboard with HA-CP-01.
    expect(canRunTogether(planned("HA-DP-02"), planned("HA-DP-01"))).toBe(false);
    expect(canRunTogether(planned("HA-DP-02"), planned("HA-CP-01"))).toBe(false);
    for (const a of FAILOVER_PLAN) expect(canRunTogether(a, a)).toBe(false);
  });
});

describe("disruptionAllowed", () => {
  const real = labEnvironment({ failover: { allowDisruption: true } });
  const lab = { ...real, lab: { variant: "compliant" as const } };

  it("needs both opt-ins on real hosts", () => {
    expect(disruptionAllowed(real, { allowDisruption: false, sharded: false })).toBe(false);
    expect(disruptionAllowed(real, { allowDisruption: true, sharded: false })).toBe(true);
    expect(disruptionAllowed(labEnvironment({ failover: { allowDisruption: false } }), { allowDisruption: true, sharded: false })).toBe(false);
  });

  it("needs no flag on the embedded lab, unless the run is sharded", () => {
    expect(disruptionAllowed(lab, { allowDisruption: false, sharded: false })).toBe(true);
    expect(disruptionAllowed(lab, { allowDisruption: false, sharded: true })).toBe(false);
    expect(disruptionAllowed({ ...lab, failover: { ...lab.failover, allowDisruption: false } }, { allowDisruption: false, sharded: false })).toBe(false);
  });
});

describe("fault commands", () => {
  const gateway: FaultComponent = { name: "gateway", ports: [9080, 9443], stop: ["docker", "stop", "api7-ee-gateway"], start: ["docker", "start", "api7-ee-gateway"] };

  it("reads the member's timer and firewall tool, and nothing it does not know", () => {
    expect(parseHostTools("timer=systemd-run\nfirewall=nft\n")).toEqual({ timer: "systemd-run", firewall: "nft" });
    expect(parseHostTools("timer=nohup\nfirewall=none\n")).toEqual({ timer: "nohup", firewall: "none" });
    expect(parseHostTools("timer=cron\nfirewall=nft\n")).toBeNull();
    expect(parseHostTools("")).toBeNull();
  });

  it("stops with the component's own argv and undoes with its start", () => {
    const [stop] = faultActions("stop", [gateway], { timer: "nohup", firewall: "nft" });
    expect(stop).toMatchObject({ target: "gateway", inject: { argv: gateway.stop, section: "stop:gateway" }, undo: { argv: gateway.start, section: "start:gateway" } });
  });

  it("black-holes in a table of its own: constant scripts, the table name and ports as positional parameters", () => {
    const [nft] = faultActions("black-hole", [gateway], { timer: "nohup", firewall: "nft" });
    const table = nft!.inject.argv[3]!;
    expect(table).toMatch(/^api7_audit_fault_[0-9a-f]{6}$/);
    expect(nft!.inject.argv.slice(0, 2)).toEqual(["sh", "-c"]);
    expect(nft!.inject.argv.slice(3)).toEqual([table, "9080, 9443"]);
    expect(nft!.inject.argv[2]).not.toContain("9080");
    expect(nft!.undo.argv).toEqual(["sh", "-c", nft!.undo.argv[2], table]);
    const [iptables] = faultActions("black-hole", [gateway], { timer: "nohup", firewall: "iptables" });
    expect(iptables!.inject.argv.slice(3)).toEqual([iptables!.inject.argv[3], "9080,9443"]);
    // iptables limits chain names to 28 characters; the forward chain is the longer one.
    expect(`${iptables!.inject.argv[3]!}_fwd`.length).toBeLessThanOrEqual(28);
    expect(() => faultActions("black-hole", [gateway], { timer: "nohup", firewall: "none" })).toThrow(/needs nft or iptables/);
    expect(() => faultActions("black-hole", [{ ...gateway, ports: [9080.5] }], { timer: "nohup", firewall: "nft" })).toThrow(/not a TCP port/);
  });

  it("cuts both paths a client's packets take: INPUT to a local listener, FORWARD after a DNAT (a published port)", () => {
    const [nft] = faultActions("black-hole", [gateway], { timer: "nohup", firewall: "nft" });
    const nftScript = nft!.inject.argv[2]!;
    expect(nftScript).toContain("hook input");
    expect(nftScript).toContain("input tcp dport @ports drop");
    // After the DNAT the destination port is the container's: the port clients used is the original one.
    expect(nftScript).toContain("hook forward");
    expect(nftScript).toContain("forward meta l4proto tcp ct status dnat ct original proto-dst @ports drop");
    const [iptables] = faultActions("black-hole", [gateway], { timer: "nohup", firewall: "iptables" });
    const iptablesScript = iptables!.inject.argv[2]!;
    expect(iptablesScript).toContain('iptables -w -I INPUT 1 -j "$0"');
    expect(iptablesScript).toContain('iptables -w -I FORWARD 1 -j "$0_fwd"');
    expect(iptablesScript).toContain("--ctstate DNAT --ctorigdstport");
    // The undo unhooks and deletes both chains, and only them.
    expect(iptables!.undo.argv[2]).toContain('"INPUT $0" "FORWARD $0_fwd"');
  });

  it("lists, for a dry run, what each pair member would run per requirement and fault kind", () => {
    const env = labEnvironment({ failover: { allowDisruption: true, faults: { "HA-DP-01": ["stop", "black-hole"] } } });
    const dp1 = plannedFaultCommands(env, "dp1").map((line) => line.note);
    expect(dp1).toEqual([
      "HA-DP-01 stop gateway: rollback armed on the host before the fault",
      "HA-DP-01 stop gateway: fault",
      "HA-DP-01 stop gateway: rollback",
      "HA-DP-01 black-hole gateway: rollback armed on the host before the fault",
      "HA-DP-01 black-hole gateway: fault",
      "HA-DP-01 black-hole gateway: rollback",
    ]);
    expect(plannedFaultCommands(env, "cp1").map((line) => line.note)).toContain("HA-DP-02 stop dpManager: fault");
  });
});
