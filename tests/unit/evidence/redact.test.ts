import { describe, expect, it } from "vitest";
import { environmentSchema, type EnvironmentInput } from "../../../helpers/environment/schema.js";
import { collectSecrets, redact, redactDeep, REDACTED, secretProblems, secretScanner, secretSources } from "../../../helpers/evidence/redact.js";

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

describe("secretSources", () => {
  it("names the URL password (raw and decoded) with its key", () => {
    const withPassword = environmentSchema.parse({ ...input, prometheus: { enabled: true, url: "http://metrics:s3cret%40pass@prom:9090" } });
    expect(secretSources(withPassword, {})).toEqual([
      { keyPath: "prometheus.url (the password in the URL)", value: "s3cret%40pass" },
      { keyPath: "prometheus.url (the password in the URL)", value: "s3cret@pass" },
    ]);
  });
  it("takes the marker of an already redacted copy for no secret (npm run merge reads those)", () => {
    const redacted = environmentSchema.parse({ ...input, prometheus: { enabled: true, url: "http://metrics:REDACTED@prom:9090" } });
    expect(secretSources(redacted, {})).toEqual([]);
  });
});

describe("secretProblems", () => {
  const source = (value: string) => [{ keyPath: "database.passwordEnv ($X)", value }];
  it("refuses a secret shorter than 8 characters", () => {
    expect(secretProblems(source("api7"), "")).toEqual([{ keyPath: "database.passwordEnv ($X)", message: expect.stringContaining("4 characters long") }]);
  });
  it("refuses a secret that occurs in the environment's own text, but not where it is the URL's password", () => {
    expect(secretProblems(source("api7-ee-gateway"), "detect: { container: api7-ee-gateway }")).toEqual([
      { keyPath: "database.passwordEnv ($X)", message: expect.stringContaining("occurs in the environment's own text") },
    ]);
    expect(secretProblems(source("long-enough-secret"), "url: http://admin:long-enough-secret@gw/")).toEqual([]);
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

describe("secretScanner", () => {
  const scan = secretScanner([SECRET]);
  const bytes = (text: string) => Buffer.from(text, "utf8");

  it("finds a secret raw, URL-encoded, JSON-escaped or HTML-escaped, and a private key; nothing once redacted", () => {
    expect(scan(bytes(`x ${SECRET} y`))).toEqual(["secret"]);
    expect(scan(bytes(`<a href="postgres://u:${encodeURIComponent(SECRET)}@db">`))).toEqual(["secret"]);
    expect(secretScanner(['with"quote\\'])(bytes(JSON.stringify({ m: 'with"quote\\' })))).toEqual(["secret"]);
    expect(scan(bytes(`<td>${SECRET.replace("&", "&amp;")}</td>`))).toEqual(["secret"]);
    expect(scan(bytes("-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n"))).toEqual(["pem-private-key"]);
    expect(scan(bytes(`${SECRET} -----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----`))).toEqual(["secret", "pem-private-key"]);
    expect(scan(bytes(redact(`the password was ${SECRET}`, [SECRET])))).toEqual([]);
    expect(scan(bytes("PRIVATE KEY----- alone is no key"))).toEqual([]);
  });

  it("reads bytes that are not UTF-8 as the decoded text would: a secret right after them is found", () => {
    const secret = "pässwörd";
    const content = Buffer.concat([Buffer.from([0xe2, 0x82]), bytes(secret), Buffer.from([0xff])]);
    expect(content.toString("utf8")).toContain(secret);
    expect(secretScanner([secret])(content)).toEqual(["secret"]);
    expect(secretScanner([secret])(Buffer.from(secret, "latin1"))).toEqual([]);
  });
});
