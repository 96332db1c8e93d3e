// Pure checks of the lab's data: the environment files agree with the containers the lab starts,
// and the rendered container files say what the seeded violations need. No Docker needed.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ENVIRONMENTS_DIR, parseEnvironmentText, resolvePlaceholders } from "../../../helpers/environment/load.js";
import {
  COMPLIANT_KERNEL_RELEASE,
  haproxyConfig,
  labEnvFile,
  labHosts,
  labTopology,
  prometheusConfig,
  type LabLoadBalancerSpec,
  type LabPrometheusSpec,
  type LabVariant,
} from "../../../environments/lab/topology.js";

const FILES: Record<LabVariant, string> = { compliant: "lab.yaml", violations: "lab-violations.yaml" };

function loadLabEnvironment(variant: LabVariant) {
  const file = join(ENVIRONMENTS_DIR, FILES[variant]);
  return parseEnvironmentText(readFileSync(file, "utf8"), file);
}

function fakeAddresses(variant: LabVariant): Record<string, string> {
  return Object.fromEntries(labTopology(variant).map((spec, i) => [spec.name, `10.99.0.${i + 2}`]));
}

const lb = (variant: LabVariant, name: string) =>
  labTopology(variant).find((s): s is LabLoadBalancerSpec => s.kind === "lb" && s.name === name)!;

describe.each(["compliant", "violations"] as const)("environment file of the %s lab", (variant) => {
  const env = loadLabEnvironment(variant);

  it("declares the variant and allows disruption", () => {
    expect(env.lab?.variant).toBe(variant);
    expect(env.failover.allowDisruption).toBe(true);
    expect(env.policy.diskCheckRoot).toBe(false);
    expect(env.database.passwordEnv).toBe("API7_AUDIT_PG_PASSWORD");
  });

  it("has only placeholders that name lab containers", () => {
    const addresses = fakeAddresses(variant);
    const resolved = resolvePlaceholders(env, addresses);
    expect(JSON.stringify(resolved)).not.toContain("{{");
    expect(resolved.entrypoints.gateway.url).toBe(`http://${addresses["lb-dp"]}:9080/`);
    expect(resolved.database.host).toBe(addresses.postgres);
  });

  it("lists every SSH host of the lab with its role", () => {
    const inventory = new Map(env.hosts.map((h) => [h.name, h]));
    for (const host of labHosts(variant)) {
      expect(inventory.get(host.name), host.name).toMatchObject({ address: `{{${host.name}}}`, roles: [host.role] });
    }
  });

  it("detects each component by a pattern that names only its nginx config", () => {
    for (const [name, component] of Object.entries(env.components)) {
      const file = component.detect.process!;
      const master = `nginx: master process /usr/sbin/nginx -c /etc/api7-lab/${file}`;
      expect(new RegExp(file).test(master), name).toBe(true);
      // The rollback timer's command line must not look like the component itself.
      const rollback = `sh -c sleep 60; ${component.start!.join(" ")}`;
      expect(rollback.includes(file) || new RegExp(file).test(rollback), name).toBe(false);
      expect(component.stop?.[0]).toBe("/usr/local/bin/api7-lab-ctl");
    }
  });
});

describe("seeded violations", () => {
  it("give every violation host a description and keep the compliant hosts compliant", () => {
    const hosts = labHosts("violations");
    const compliant = hosts.filter((h) => h.violation === null).map((h) => h.name);
    expect(compliant).toEqual(["cp1", "cp2", "dp1", "dp2"]);
    for (const host of hosts.filter((h) => h.violation !== null)) expect(host.name).toMatch(/^v-/);
    expect(hosts.length).toBe(33);
  });

  it("render the firewall shapes SEC-02 and SEC-04 must see through: a trusted zone, accept-first rules, a NAT redirect; dp1 runs a DHCP client", () => {
    const env = (name: string, variant: LabVariant = "violations") => labEnvFile(labHosts(variant).find((h) => h.name === name)!);
    expect(env("v-fwd-trusted")).toMatch(/^LAB_FIREWALL=firewalld$/m);
    expect(env("v-fwd-trusted")).toMatch(/^LAB_FIREWALLD_ZONE=trusted$/m);
    expect(env("v-nft-accept-first")).toMatch(/^LAB_FIREWALL=nftables$/m);
    expect(env("v-nft-accept-first")).toMatch(/^LAB_ACCEPT_ALL_FIRST=yes$/m);
    expect(env("v-ipt-accept-first")).toMatch(/^LAB_FIREWALL=iptables$/m);
    expect(env("v-ipt-accept-first")).toMatch(/^LAB_ACCEPT_ALL_FIRST=yes$/m);
    expect(env("v-dnat-port")).toMatch(/^LAB_NAT_REDIRECT=8888:9080$/m);
    expect(env("v-dnat-port")).toMatch(/^LAB_EXTRA_LISTENERS=''$/m);
    expect(env("dp1", "compliant")).toMatch(/^LAB_DHCP_CLIENT=yes$/m);
    expect(env("dp2", "compliant")).toMatch(/^LAB_DHCP_CLIENT=''$/m);
    for (const host of labHosts("compliant")) expect(env(host.name, "compliant")).toMatch(/^LAB_ACCEPT_ALL_FIRST=''$/m);
  });

  it("adds cp1-alias as a second name for cp1's address", () => {
    const alias = loadLabEnvironment("violations").hosts.find((h) => h.name === "cp1-alias");
    expect(alias?.address).toBe("{{cp1}}");
  });

  it("give lb-dp slow checks without redispatch, and take cp2 out of lb-cp's backends", () => {
    const compliantDp = haproxyConfig(lb("compliant", "lb-dp"));
    expect(compliantDp).toContain("server dp1 ipv4@dp1:9080 check inter 500ms downinter 250ms fall 2 rise 2");
    expect(compliantDp).toContain("option redispatch 1");
    expect(compliantDp).toContain("timeout connect 500ms");
    const violationsDp = haproxyConfig(lb("violations", "lb-dp"));
    expect(violationsDp).not.toContain("option redispatch");
    expect(violationsDp).toContain("timeout connect 10s");
    expect(violationsDp).toContain("server dp2 ipv4@dp2:9443 check inter 2s downinter 250ms fall 3 rise 2 observe layer4 error-limit 1 on-error mark-down");
    const violationsCp = haproxyConfig(lb("violations", "lb-cp"));
    expect(violationsCp).not.toContain("server cp2 ipv4@cp2:7080");
    expect(violationsCp).not.toContain("server cp2 ipv4@cp2:7900");
    expect(violationsCp).toContain("server cp1 ipv4@cp1:7900 check");
  });

  it("adds a Prometheus target that nothing serves", () => {
    const prometheus = (variant: LabVariant) =>
      labTopology(variant).find((s): s is LabPrometheusSpec => s.kind === "prometheus")!;
    expect(prometheusConfig(prometheus("compliant"))).not.toContain("9100");
    expect(prometheusConfig(prometheus("violations"))).toContain('targets: ["localhost:9100"]');
  });

  it("publish dp2's gateway as Docker does in the compliant lab only", () => {
    const dp2 = (variant: LabVariant) => labHosts(variant).find((h) => h.name === "dp2")!;
    expect(labEnvFile(dp2("compliant"))).toContain("LAB_PUBLISHED_PORTS='9080 9443'");
    expect(labEnvFile(dp2("violations"))).toContain("LAB_PUBLISHED_PORTS=''");
    expect(labHosts("compliant").filter((h) => h.dockerPublished).map((h) => h.name)).toEqual(["dp2"]);
  });

  it("renders each host's settings as shell-quoted lab.env lines", () => {
    const byName = new Map(labHosts("violations").map((h) => [h.name, h]));
    expect(labEnvFile(byName.get("cp1")!)).toContain(`LAB_KERNEL_RELEASE=${COMPLIANT_KERNEL_RELEASE}`);
    expect(labEnvFile(byName.get("cp1")!)).toContain("LAB_FIREWALL_ALLOW='22 7080 7900'");
    expect(labEnvFile(byName.get("v-dash-closed")!)).toContain("LAB_FIREWALL_ALLOW='22 7900'");
    expect(labEnvFile(byName.get("v-db-unreach")!)).toContain("LAB_BLOCK_OUTPUT=postgres:5432");
    expect(labEnvFile(byName.get("v-port-blocked")!)).toMatch(/LAB_EXTRA_LISTENERS=2379\nLAB_FIREWALL=nftables\nLAB_FIREWALL_ALLOW='22 9080 9443'/);
    expect(labEnvFile(byName.get("v-selinux-mismatch")!)).toMatch(/LAB_SELINUX_RUNTIME=Permissive\nLAB_SELINUX_CONFIG=enforcing/);
  });
});
