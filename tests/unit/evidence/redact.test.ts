import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { environmentSchema, type EnvironmentInput } from "../../../helpers/environment/schema.js";
import { collectSecrets, redact, redactDeep, REDACTED, scanForSecrets } from "../../../helpers/evidence/redact.js";

const component = (role: "cp" | "dp", port: number, container: string) => ({ role, ports: [port], detect: { container } });
const input: EnvironmentInput = {
  name: "unit",
  hosts: [{ name: "cp1", address: "10.0.0.1", roles: ["cp"], identityFile: "keys/id_ed25519" }],
  components: { dashboard: component("cp", 7080, "dashboard"), dpManager: component("cp", 7900, "dp-manager"), gateway: component("dp", 9080, "gateway") },
  entrypoints: { gateway: { url: "http://gw:9080/" }, dashboard: { url: "http://cp:7080/" }, dpManager: { url: "http://cp:7900/" } },
  database: { host: "db", database: "api7", user: "api7", passwordEnv: "API7_AUDIT_PG_PASSWORD" },
  prometheus: { enabled: false },
};
const env = environmentSchema.parse(input);
const SECRET = "p@ss w/rd:Zq9&x";

describe("collectSecrets", () => {
  it("reads the variable named by database.passwordEnv, never the identity file", () => {
    expect(collectSecrets(env, { API7_AUDIT_PG_PASSWORD: SECRET, HOME: "/root" })).toEqual([SECRET]);
  });
  it("returns nothing when the variable is unset or empty", () => {
    expect(collectSecrets(env, { API7_AUDIT_PG_PASSWORD: "" })).toEqual([]);
    expect(collectSecrets(env, {})).toEqual([]);
  });
});

describe("redact", () => {
  it("replaces the raw and the URL-encoded form of a secret", () => {
    const text = `password is ${SECRET}; dsn postgres://api7:${encodeURIComponent(SECRET)}@db:5432/api7`;
    const out = redact(text, [SECRET]);
    expect(out).not.toContain(SECRET);
    expect(out).not.toContain(encodeURIComponent(SECRET));
    expect(out).toBe(`password is ${REDACTED}; dsn postgres://api7:${REDACTED}@db:5432/api7`);
  });

  it("redacts PEM private keys but keeps certificates", () => {
    const key = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU=\n-----END OPENSSH PRIVATE KEY-----";
    const rsa = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----";
    const cert = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";
    const out = redact(`${key}\n${rsa}\n${cert}`, []);
    expect(out).toBe(
      `-----BEGIN OPENSSH PRIVATE KEY-----${REDACTED}-----END OPENSSH PRIVATE KEY-----\n` +
        `-----BEGIN RSA PRIVATE KEY-----${REDACTED}-----END RSA PRIVATE KEY-----\n${cert}`,
    );
  });

  it("redacts unknown passwords in connection strings, URLs and bearer tokens", () => {
    expect(redact("host=db user=api7 password=hunter2 dbname=api7", [])).toBe(`host=db user=api7 password=${REDACTED} dbname=api7`);
    expect(redact("PGPASSWORD='s3cr3t' psql", [])).toBe(`PGPASSWORD=${REDACTED} psql`);
    expect(redact("mysql://root:toor@db/x", [])).toBe(`mysql://root:${REDACTED}@db/x`);
    expect(redact("Authorization: Bearer eyJhbGciOi.J9.abc-_", [])).toBe(`Authorization: Bearer ${REDACTED}`);
  });

  it("leaves ordinary evidence alone", () => {
    const text = "LISTEN 0 511 0.0.0.0:9080 users:((\"nginx\",pid=12,fd=6))\nSELINUX=enforcing";
    expect(redact(text, [SECRET])).toBe(text);
  });

  it("redactDeep walks objects and arrays without mutating them", () => {
    const value = { stdout: [`pw ${SECRET}`], nested: { [SECRET]: 1, n: 5, ok: true } };
    const out = redactDeep(value, [SECRET]);
    expect(out).toEqual({ stdout: [`pw ${REDACTED}`], nested: { [REDACTED]: 1, n: 5, ok: true } });
    expect(value.stdout[0]).toContain(SECRET);
  });
});

describe("scanForSecrets", () => {
  const dirs: string[] = [];
  afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it("finds a planted secret (raw, URL-encoded, JSON-escaped) and a private key, and nothing in clean files", async () => {
    const dir = await mkdtemp(join(tmpdir(), "redact-scan-"));
    dirs.push(dir);
    await mkdir(join(dir, "evidence"), { recursive: true });
    await writeFile(join(dir, "clean.txt"), redact(`the password was ${SECRET}`, [SECRET]));
    await writeFile(join(dir, "evidence", "collected.json"), JSON.stringify({ stdout: `x ${SECRET} y` }));
    await writeFile(join(dir, "report.html"), `<a href="postgres://u:${encodeURIComponent(SECRET)}@db">db</a>`);
    await writeFile(join(dir, "id_rsa"), "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
    const quoted = 'with"quote\\';
    await writeFile(join(dir, "results.json"), JSON.stringify({ m: quoted }));

    expect(await scanForSecrets(dir, [SECRET, quoted])).toEqual([
      { file: "evidence/collected.json", kind: "secret" },
      { file: "id_rsa", kind: "pem-private-key" },
      { file: "report.html", kind: "secret" },
      { file: "results.json", kind: "secret" },
    ]);
  });
});
