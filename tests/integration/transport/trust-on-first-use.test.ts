// --accept-new-host-keys through the real CLI and a real sshd: each key it trusts is printed (host,
// type, SHA256 fingerprint) and recorded in the run's evidence, which the manifest seals.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { afterAll, beforeAll, expect, test } from "vitest";
import { fingerprintSha256 } from "../../../helpers/transport/known-hosts.js";
import { runCli } from "../../e2e/run-audit.js";
import { baseEnvironment } from "../../support/loopback-environment.js";
import { currentUser, generateKeyPair, makeWorkDir, removeWorkDir, startSshd, type SshdInstance } from "./sshd-fixture.js";

let dir: string;
let sshd: SshdInstance;

beforeAll(async () => {
  dir = makeWorkDir("api7-tofu-");
  const clientKey = generateKeyPair(dir, "client_ed25519");
  sshd = await startSshd(dir, "host", { authorizedKeys: [clientKey] });
  const knownHosts = join(dir, "known_hosts");
  const env = baseEnvironment({ dir, port: sshd.port, credentials: { identityFile: clientKey.privatePath, publicKeyFile: `${clientKey.privatePath}.pub`, knownHosts }, file: () => "" }, "TOFU_PG_PASSWORD");
  env.ssh.user = currentUser;
  writeFileSync(join(dir, "environment.yaml"), stringify(env));
});

afterAll(async () => {
  await sshd?.stop();
  removeWorkDir(dir);
});

test("each trusted key is printed and recorded in evidence/trusted-host-keys.json", async () => {
  const run = await runCli("audit", ["--env", join(dir, "environment.yaml"), "--only", "HW-01", "--accept-new-host-keys", "--report-dir", join(dir, "reports"), "--run-id", "tofu"]);
  expect(run.code, run.stdout + run.stderr).toBe(0);
  const fingerprint = fingerprintSha256(sshd.hostKey.blob);
  const line = `host key trusted on first use (--accept-new-host-keys): [127.0.0.1]:${sshd.port} ssh-ed25519 ${fingerprint}`;
  // Four inventory names reach this one machine: its key is trusted (and said) once.
  expect(run.stdout.split("\n").filter((l) => l.includes(line))).toHaveLength(1);
  const recorded = JSON.parse(readFileSync(join(dir, "reports/tofu/evidence/trusted-host-keys.json"), "utf8")) as { trusted: unknown[] };
  expect(recorded.trusted).toEqual([{ host: `[127.0.0.1]:${sshd.port}`, keyType: "ssh-ed25519", fingerprint }]);
  const manifest = JSON.parse(readFileSync(join(dir, "reports/tofu/manifest.json"), "utf8")) as { files: { path: string }[] };
  expect(manifest.files.map((f) => f.path)).toContain("evidence/trusted-host-keys.json");
}, 300_000);
