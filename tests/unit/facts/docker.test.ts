import { describe, expect, it } from "vitest";
import { parseContainerNames, parseDockerRoot, parseDockerVersion } from "../../../helpers/facts/parsers/docker.js";
import { fixture, fixtureText } from "./fixtures.js";

describe("docker version --format '{{json .}}'", () => {
  it("daemon running: client and server versions", () =>
    expect(parseDockerVersion(fixture("docker/version-running"))).toEqual({
      ok: true,
      value: { state: "running", clientVersion: "28.2.2", serverVersion: "20.10.24+dfsg1" },
    }));

  it("daemon down: exit 1, Client JSON with Server null, error on stderr", () => {
    const section = fixture("docker/version-daemon-down");
    expect(section.exitCode).toBe(1);
    expect(section.stderr).toMatch(/Cannot connect to the Docker daemon/);
    expect(parseDockerVersion(section)).toEqual({ ok: true, value: { state: "daemon-down", clientVersion: "28.2.2", serverVersion: null } });
  });

  it("not installed: exit 127", () =>
    expect(parseDockerVersion(fixture("docker/version-not-installed"))).toEqual({
      ok: true,
      value: { state: "not-installed", clientVersion: null, serverVersion: null },
    }));

  it("data root", () => expect(parseDockerRoot(fixtureText("docker/root-default"))).toEqual({ ok: true, value: "/var/lib/docker" }));

  it("container names, one per line", () => expect(parseContainerNames("api7-gateway\ndashboard\n")).toEqual(["api7-gateway", "dashboard"]));
});
