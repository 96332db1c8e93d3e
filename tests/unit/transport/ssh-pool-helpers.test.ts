import { createRequire } from "node:module";
import { resolve } from "node:path";
import { homedir } from "node:os";
import { describe, expect, it } from "vitest";
import { redactKeyMaterial } from "../../../helpers/transport/key-files.js";
import { hostKeyAlgorithmOrder } from "../../../helpers/transport/known-hosts.js";
import { expandHome } from "../../../helpers/transport/paths.js";

describe("hostKeyAlgorithmOrder", () => {
  it("keeps ssh2's default order when nothing is known", () => {
    // ssh2's own list, so an upgrade that changes its defaults fails here (docs/upgrading.md).
    const { DEFAULT_SERVER_HOST_KEY } = createRequire(import.meta.url)("ssh2/lib/protocol/constants.js") as { DEFAULT_SERVER_HOST_KEY: string[] };
    expect(DEFAULT_SERVER_HOST_KEY[0]).toBe("ssh-ed25519");
    expect(hostKeyAlgorithmOrder([])).toEqual(DEFAULT_SERVER_HOST_KEY);
  });

  it("moves known key types to the front; an ssh-rsa key brings the SHA-2 signature algorithms", () => {
    const order = hostKeyAlgorithmOrder(["ssh-rsa", "ecdsa-sha2-nistp256"]);
    expect(order.slice(0, 4)).toEqual(["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa", "ecdsa-sha2-nistp256"]);
    expect(new Set(order).size).toBe(order.length);
    expect(order).toHaveLength(7);
  });

  it("ignores key types ssh2 cannot negotiate", () => {
    expect(hostKeyAlgorithmOrder(["ssh-dss", "sk-ssh-ed25519@openssh.com"])[0]).toBe("ssh-ed25519");
  });
});

describe("redactKeyMaterial", () => {
  it("removes private key blocks, complete or cut off", () => {
    const key = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----";
    expect(redactKeyMaterial(`bad key: ${key} (end)`)).toBe("bad key: [private key redacted] (end)");
    expect(redactKeyMaterial("x -----BEGIN RSA PRIVATE KEY-----\nMIIEow")).toBe("x [private key redacted]");
    expect(redactKeyMaterial("connect ECONNREFUSED 127.0.0.1:2222")).toBe("connect ECONNREFUSED 127.0.0.1:2222");
  });
});

describe("expandHome", () => {
  it("expands a leading ~ only, and resolves the rest against the working directory", () => {
    expect(expandHome("~/.ssh/known_hosts")).toBe(`${homedir()}/.ssh/known_hosts`);
    expect(expandHome("~")).toBe(homedir());
    expect(expandHome("keys/~/x")).toBe(resolve("keys/~/x"));
    expect(expandHome("~other/x")).toBe(resolve("~other/x"));
    expect(expandHome("/etc/ssh/x")).toBe("/etc/ssh/x");
  });
});
