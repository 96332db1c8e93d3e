import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  appendKnownHost,
  checkHostKey,
  entryMatchesHost,
  fingerprintSha256,
  keyTypeOfBlob,
  knownHostsName,
  parseKnownHosts,
  readKnownHosts,
  trustedKeyTypes,
} from "../../../helpers/transport/known-hosts.js";

interface Key {
  type: string;
  blob: Buffer;
  publicLine: string;
  path: string;
}

let dir: string;
const keys: Record<string, Key> = {};

function generateKey(name: string, type: "ed25519" | "ecdsa" | "rsa"): Key {
  const path = join(dir, name);
  execFileSync("ssh-keygen", ["-q", "-t", type, ...(type === "rsa" ? ["-b", "2048"] : []), "-N", "", "-C", name, "-f", path]);
  const publicLine = readFileSync(`${path}.pub`, "utf8").trim();
  const [keyType, base64] = publicLine.split(" ");
  return { type: keyType!, blob: Buffer.from(base64!, "base64"), publicLine, path };
}

function line(hosts: string, key: Key): string {
  return `${hosts} ${key.type} ${key.blob.toString("base64")}`;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "known-hosts-test-"));
  keys.ed = generateKey("ed", "ed25519");
  keys.ed2 = generateKey("ed2", "ed25519");
  keys.ecdsa = generateKey("ecdsa", "ecdsa");
  keys.rsa = generateKey("rsa", "rsa");
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("fingerprintSha256", () => {
  it.each(["ed", "ecdsa", "rsa"])("equals ssh-keygen -lf for a %s key", (name) => {
    const key = keys[name]!;
    const printed = execFileSync("ssh-keygen", ["-E", "sha256", "-lf", `${key.path}.pub`], { encoding: "utf8" });
    // "256 SHA256:abc... comment (ED25519)"
    expect(fingerprintSha256(key.blob)).toBe(printed.split(" ")[1]);
    expect(fingerprintSha256(key.blob)).not.toMatch(/=$/);
  });
});

describe("keyTypeOfBlob", () => {
  it("reads the type from the wire format", () => {
    expect(keyTypeOfBlob(keys.ed!.blob)).toBe("ssh-ed25519");
    expect(keyTypeOfBlob(keys.ecdsa!.blob)).toBe("ecdsa-sha2-nistp256");
    expect(keyTypeOfBlob(keys.rsa!.blob)).toBe("ssh-rsa");
  });

  it("rejects garbage", () => {
    expect(() => keyTypeOfBlob(Buffer.from([0, 0]))).toThrow();
    expect(() => keyTypeOfBlob(Buffer.from([0, 0, 0, 99, 1]))).toThrow();
  });
});

describe("parseKnownHosts", () => {
  it("parses plain, bracketed-port, comma lists, comments and blank lines", () => {
    const text = [
      "# a comment",
      "",
      line("cp1.example,10.0.0.1", keys.ed!),
      `   ${line("[10.0.0.2]:2222", keys.ecdsa!)}   # trailing comment is ignored`,
      line("dp1", keys.rsa!),
    ].join("\n");
    const { entries, problems } = parseKnownHosts(text);
    expect(problems).toEqual([]);
    expect(entries.map((e) => [e.line, e.keyType])).toEqual([
      [3, "ssh-ed25519"],
      [4, "ecdsa-sha2-nistp256"],
      [5, "ssh-rsa"],
    ]);
    expect(entries[0]!.hosts).toHaveLength(2);
  });

  it("reports malformed lines without dropping the good ones", () => {
    const text = [
      "host-only",
      "h ssh-ed25519 !!!notbase64",
      `h ssh-rsa ${keys.ed!.blob.toString("base64")}`,
      "@bogus h ssh-ed25519 AAAA",
      "|1|onlysalt ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHhH",
      line("good", keys.ed!),
    ].join("\n");
    const { entries, problems } = parseKnownHosts(text);
    expect(entries).toHaveLength(1);
    expect(problems).toHaveLength(5);
    expect(problems[2]).toMatch(/does not match/);
  });

  it("reads CRLF files", () => {
    const { entries } = parseKnownHosts(`${line("a", keys.ed!)}\r\n${line("b", keys.ecdsa!)}\r\n`);
    expect(entries).toHaveLength(2);
  });

  it("treats a missing file as empty", () => {
    expect(readKnownHosts(join(dir, "does-not-exist"))).toEqual({ entries: [], problems: [] });
  });
});

describe("host matching", () => {
  it("uses [host]:port for ports other than 22", () => {
    expect(knownHostsName("h", 22)).toBe("h");
    expect(knownHostsName("h", 2222)).toBe("[h]:2222");
    const { entries } = parseKnownHosts(`${line("[10.0.0.2]:2222", keys.ed!)}\n${line("10.0.0.3", keys.ed!)}`);
    expect(entryMatchesHost(entries[0]!, "10.0.0.2", 2222)).toBe(true);
    expect(entryMatchesHost(entries[0]!, "10.0.0.2", 22)).toBe(false);
    expect(entryMatchesHost(entries[1]!, "10.0.0.3", 22)).toBe(true);
    expect(entryMatchesHost(entries[1]!, "10.0.0.3", 2222)).toBe(false);
  });

  it("matches hashed names written by ssh-keygen -H, for port 22 and bracketed ports", () => {
    const file = join(dir, "hashed_known_hosts");
    writeFileSync(file, `${line("cp1.example", keys.ed!)}\n${line("[127.0.0.1]:2200", keys.ecdsa!)}\n`);
    execFileSync("ssh-keygen", ["-q", "-H", "-f", file], { stdio: "pipe" });
    const { entries, problems } = readKnownHosts(file);
    expect(problems).toEqual([]);
    expect(entries.every((e) => e.hosts.every((h) => h.kind === "hashed"))).toBe(true);
    expect(checkHostKey(entries, "cp1.example", 22, keys.ed!.type, keys.ed!.blob)).toEqual({ status: "match" });
    expect(checkHostKey(entries, "CP1.Example", 22, keys.ed!.type, keys.ed!.blob)).toEqual({ status: "match" });
    expect(checkHostKey(entries, "127.0.0.1", 2200, keys.ecdsa!.type, keys.ecdsa!.blob)).toEqual({ status: "match" });
    expect(checkHostKey(entries, "127.0.0.1", 22, keys.ecdsa!.type, keys.ecdsa!.blob).status).toBe("unknown");
    expect(checkHostKey(entries, "cp2.example", 22, keys.ed!.type, keys.ed!.blob).status).toBe("unknown");
  });

  it("supports wildcards and negation like ssh", () => {
    const { entries } = parseKnownHosts(line("*.lab.example,!bad.lab.example,10.0.0.?", keys.ed!));
    const entry = entries[0]!;
    expect(entryMatchesHost(entry, "cp1.lab.example", 22)).toBe(true);
    expect(entryMatchesHost(entry, "bad.lab.example", 22)).toBe(false);
    expect(entryMatchesHost(entry, "10.0.0.7", 22)).toBe(true);
    expect(entryMatchesHost(entry, "10.0.0.17", 22)).toBe(false);
    expect(entryMatchesHost(entry, "labXexample", 22)).toBe(false);
  });
});

describe("checkHostKey", () => {
  it("matches any of several keys listed for a host", () => {
    const { entries } = parseKnownHosts([line("h", keys.ed!), line("h", keys.ecdsa!), line("h", keys.rsa!)].join("\n"));
    for (const name of ["ed", "ecdsa", "rsa"]) {
      const key = keys[name]!;
      expect(checkHostKey(entries, "h", 22, key.type, key.blob)).toEqual({ status: "match" });
    }
    expect(trustedKeyTypes(entries, "h", 22)).toEqual(["ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa"]);
  });

  it("reports an unknown host with the presented fingerprint", () => {
    const { entries } = parseKnownHosts(line("other", keys.ed!));
    expect(checkHostKey(entries, "h", 22, keys.ed!.type, keys.ed!.blob)).toEqual({
      status: "unknown",
      fingerprint: fingerprintSha256(keys.ed!.blob),
    });
  });

  it("reports a changed key with the expected fingerprints", () => {
    const { entries } = parseKnownHosts(line("h", keys.ed!));
    expect(checkHostKey(entries, "h", 22, keys.ed2!.type, keys.ed2!.blob)).toEqual({
      status: "changed",
      fingerprint: fingerprintSha256(keys.ed2!.blob),
      expectedFingerprints: [`ssh-ed25519 ${fingerprintSha256(keys.ed!.blob)}`],
    });
  });

  it("treats a key of another type on a known host as changed, not as new", () => {
    const { entries } = parseKnownHosts(line("h", keys.ed!));
    expect(checkHostKey(entries, "h", 22, keys.rsa!.type, keys.rsa!.blob).status).toBe("changed");
  });

  it("honours @revoked and ignores @cert-authority", () => {
    const { entries } = parseKnownHosts(
      [line("h", keys.ed!), `@revoked * ${keys.ed!.type} ${keys.ed!.blob.toString("base64")}`, `@cert-authority g ${keys.rsa!.type} ${keys.rsa!.blob.toString("base64")}`].join("\n"),
    );
    expect(entries.map((e) => e.marker)).toEqual([null, "revoked", "cert-authority"]);
    expect(checkHostKey(entries, "h", 22, keys.ed!.type, keys.ed!.blob).status).toBe("revoked");
    expect(checkHostKey(entries, "g", 22, keys.rsa!.type, keys.rsa!.blob).status).toBe("unknown");
  });
});

describe("appendKnownHost", () => {
  it("records a new key in a line ssh-keygen -F finds, once", () => {
    const file = join(dir, "sub", "known_hosts");
    appendKnownHost(file, "127.0.0.1", 2201, keys.ed!.type, keys.ed!.blob);
    appendKnownHost(file, "127.0.0.1", 2201, keys.ed!.type, keys.ed!.blob);
    appendKnownHost(file, "cp1", 22, keys.ecdsa!.type, keys.ecdsa!.blob);
    const text = readFileSync(file, "utf8");
    expect(text.trimEnd().split("\n")).toHaveLength(2);
    const found = execFileSync("ssh-keygen", ["-F", "[127.0.0.1]:2201", "-f", file], { encoding: "utf8" });
    expect(found).toContain(keys.ed!.blob.toString("base64"));
    expect(checkHostKey(readKnownHosts(file).entries, "cp1", 22, keys.ecdsa!.type, keys.ecdsa!.blob)).toEqual({ status: "match" });
  });

  it("adds a newline when the file does not end with one", () => {
    const file = join(dir, "no-newline");
    writeFileSync(file, line("a", keys.ed!));
    appendKnownHost(file, "b", 22, keys.ed!.type, keys.ed!.blob);
    expect(readKnownHosts(file).entries).toHaveLength(2);
  });

  it("never records a changed key", () => {
    const file = join(dir, "changed");
    writeFileSync(file, `${line("h", keys.ed!)}\n`);
    expect(() => appendKnownHost(file, "h", 22, keys.ed2!.type, keys.ed2!.blob)).toThrow(/changed/);
    expect(readFileSync(file, "utf8")).toBe(`${line("h", keys.ed!)}\n`);
  });
});
