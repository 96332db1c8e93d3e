// Real servers on loopback for the probe integration tests: certificates made by openssl, a
// PostgreSQL 15 cluster made by initdb, a Prometheus. Each one lives in its own temporary folder
// and is stopped by the test that started it. Needs Debian packages: openssl, postgresql-15
// (pg_config, initdb, pg_ctl; run as the postgres user through runuser), prometheus.
import { execFile } from "node:child_process";
import { type ChildProcess, spawn } from "node:child_process";
import { chownSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** In CI a missing server is a failure, not a skip: .ci/run installs every one of them. */
export const inCi = process.env.CI === "true";

export function tempDir(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(os.tmpdir(), `api7-ha-audit-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A port nobody listens on: bound, then released (closed probe target). */
export async function freePort(host = "127.0.0.1"): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export function commandExists(command: string): Promise<boolean> {
  return run("which", [command]).then(
    () => true,
    () => false,
  );
}

// ---------------------------------------------------------------------------------------------
// Certificates

export interface TestCertificates {
  dir: string;
  caCert: string;
  valid: { key: string; cert: string };
  /** Valid from 2020-01-01 to 2021-01-01, signed by the CA with a backdated `openssl ca` run. */
  expired: { key: string; cert: string };
  /** Valid for 10 days from now. */
  expiringSoon: { key: string; cert: string };
}

const EC_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

export async function makeCertificates(dir: string): Promise<TestCertificates> {
  const p = (name: string) => join(dir, name);
  await run("openssl", ["req", "-x509", ...EC_KEY, "-keyout", p("ca.key"), "-out", p("ca.crt"), "-days", "3650", "-subj", "/CN=api7-ha-audit test CA"]);
  const leaf = async (name: string) => {
    await run("openssl", [
      "req", "-new", ...EC_KEY, "-keyout", p(`${name}.key`), "-out", p(`${name}.csr`),
      "-subj", `/O=api7-ha-audit/CN=${name}.gateway.test`, "-addext", `subjectAltName=DNS:${name}.gateway.test,IP:127.0.0.1`,
    ]);
  };
  await leaf("valid");
  await run("openssl", ["x509", "-req", "-in", p("valid.csr"), "-CA", p("ca.crt"), "-CAkey", p("ca.key"), "-CAcreateserial", "-days", "365", "-copy_extensions", "copy", "-out", p("valid.crt")]);
  await leaf("soon");
  await run("openssl", ["x509", "-req", "-in", p("soon.csr"), "-CA", p("ca.crt"), "-CAkey", p("ca.key"), "-CAcreateserial", "-days", "10", "-copy_extensions", "copy", "-out", p("soon.crt")]);

  // `openssl x509` cannot backdate a certificate; `openssl ca` takes explicit start and end dates.
  await leaf("expired");
  writeFileSync(p("index.txt"), "");
  writeFileSync(p("serial"), "1000\n");
  writeFileSync(
    p("ca.cnf"),
    [
      "[ ca ]",
      "default_ca = test_ca",
      "[ test_ca ]",
      `database = ${p("index.txt")}`,
      `new_certs_dir = ${dir}`,
      `serial = ${p("serial")}`,
      "default_md = sha256",
      "policy = policy_any",
      "copy_extensions = copy",
      "unique_subject = no",
      "[ policy_any ]",
      "organizationName = optional",
      "commonName = supplied",
      "",
    ].join("\n"),
  );
  await run("openssl", [
    "ca", "-batch", "-notext", "-config", p("ca.cnf"), "-cert", p("ca.crt"), "-keyfile", p("ca.key"),
    "-startdate", "20200101000000Z", "-enddate", "20210101000000Z", "-in", p("expired.csr"), "-out", p("expired.crt"),
  ]);
  return {
    dir,
    caCert: p("ca.crt"),
    valid: { key: p("valid.key"), cert: p("valid.crt") },
    expired: { key: p("expired.key"), cert: p("expired.crt") },
    expiringSoon: { key: p("soon.key"), cert: p("soon.crt") },
  };
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL 15

export interface TestPostgres {
  port: number;
  user: string;
  password: string;
  database: string;
  stop: () => Promise<void>;
}

export async function postgresAvailable(): Promise<boolean> {
  return (await commandExists("pg_config")) && (await commandExists("runuser"));
}

/** initdb + pg_ctl as the postgres user into a temporary folder, listening on 127.0.0.1 only. */
export async function startPostgres(): Promise<TestPostgres> {
  const bindir = (await run("pg_config", ["--bindir"])).stdout.trim();
  const { uid, gid } = await postgresIds();
  const dir = tempDir("pg");
  const data = join(dir.path, "data");
  const password = `S3cret-${Math.random().toString(36).slice(2)}`;
  const pwfile = join(dir.path, "pwfile");
  writeFileSync(pwfile, `${password}\n`);
  chownSync(dir.path, uid, gid);
  chownSync(pwfile, uid, gid);
  const asPostgres = (argv: string[]) => run("runuser", ["-u", "postgres", "--", ...argv], { cwd: dir.path });

  await asPostgres([join(bindir, "initdb"), "-D", data, "-U", "audit_admin", "--auth=scram-sha-256", `--pwfile=${pwfile}`, "--no-sync"]);
  const port = await freePort();
  writeFileSync(
    join(data, "postgresql.auto.conf"),
    [`port = ${port}`, "listen_addresses = '127.0.0.1'", `unix_socket_directories = '${dir.path}'`, "fsync = off", ""].join("\n"),
  );
  chownSync(join(data, "postgresql.auto.conf"), uid, gid);
  await asPostgres([join(bindir, "pg_ctl"), "-D", data, "-l", join(dir.path, "server.log"), "-w", "-t", "60", "start"]);
  return {
    port,
    user: "audit_admin",
    password,
    database: "postgres",
    stop: async () => {
      await asPostgres([join(bindir, "pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop"]).catch(() => undefined);
      dir.remove();
    },
  };
}

async function postgresIds(): Promise<{ uid: number; gid: number }> {
  const uid = Number((await run("id", ["-u", "postgres"])).stdout.trim());
  const gid = Number((await run("id", ["-g", "postgres"])).stdout.trim());
  return { uid, gid };
}

// ---------------------------------------------------------------------------------------------
// Prometheus

export interface TestPrometheus {
  baseUrl: string;
  stop: () => Promise<void>;
}

/** A real Prometheus scraping itself (up) and a closed port (down), on loopback. */
export async function startPrometheus(closedPort: number): Promise<TestPrometheus> {
  const dir = tempDir("prom");
  const port = await freePort();
  const config = join(dir.path, "prometheus.yml");
  writeFileSync(
    config,
    [
      "global:",
      "  scrape_interval: 1s",
      "  scrape_timeout: 500ms",
      "scrape_configs:",
      "  - job_name: self",
      "    static_configs:",
      `      - targets: ['127.0.0.1:${port}']`,
      "  - job_name: missing",
      "    static_configs:",
      `      - targets: ['127.0.0.1:${closedPort}']`,
      "",
    ].join("\n"),
  );
  const child: ChildProcess = spawn(
    "prometheus",
    [`--config.file=${config}`, `--storage.tsdb.path=${join(dir.path, "data")}`, `--web.listen-address=127.0.0.1:${port}`],
    { stdio: "ignore" },
  );
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      dir.remove();
    },
  };
}

export async function waitFor<T>(what: string, attempt: () => Promise<T | null>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await attempt();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
