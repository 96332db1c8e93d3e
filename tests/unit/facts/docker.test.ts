import { describe, expect, it } from "vitest";
import { parseContainerNames, parseDaemonJsonDataRoot, parseDockerRoot, parseDockerVersion } from "../../../helpers/facts/parsers/docker.js";
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

describe("/etc/docker/daemon.json: the data root when the daemon cannot be asked", () => {
  // The forms of Docker's daemon configuration reference: "data-root", and "graph" before 17.05.
  it("reads data-root, else graph, else none (the default applies)", () => {
    expect(parseDaemonJsonDataRoot('{\n  "data-root": "/data/docker",\n  "log-driver": "json-file"\n}\n')).toEqual({ ok: true, value: "/data/docker" });
    expect(parseDaemonJsonDataRoot('{ "graph": "/srv/docker" }')).toEqual({ ok: true, value: "/srv/docker" });
    expect(parseDaemonJsonDataRoot('{ "log-driver": "journald" }')).toEqual({ ok: true, value: null });
  });
  it("refuses what dockerd would refuse: not JSON, not an object, a relative path", () => {
    for (const text of ["", "{ data-root: /x }", "[]", '{ "data-root": "docker" }']) expect(parseDaemonJsonDataRoot(text).ok, text).toBe(false);
  });
});
