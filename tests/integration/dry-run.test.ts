// The template waives nothing: a user who copies it must not waive a requirement nobody approved.
// Its commented example is still a valid waiver, and --dry-run lists every waiver a file does hold.
// --dry-run --shard shows that shard's part only.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { afterAll, describe, expect, test } from "vitest";
import { ENVIRONMENTS_DIR, loadEnvironment } from "../../helpers/environment/load.js";
import { waiverSchema } from "../../helpers/environment/schema.js";
import { runCli } from "../e2e/run-audit.js";
import { stagingExampleWithLocalCredentials } from "../fixtures/environments/local-credentials.js";

const root = mkdtempSync(join(tmpdir(), "api7-template-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("environments/staging.example.yaml", () => {
  const template = stagingExampleWithLocalCredentials(join(root, "staging"));

  test("with its placeholders filled in, it holds no active waiver", () => {
    expect(loadEnvironment(template).env.waivers).toEqual([]);
  });

  test("its commented example is a valid waiver once uncommented", () => {
    const text = readFileSync(join(ENVIRONMENTS_DIR, "staging.example.yaml"), "utf8");
    const after = text.slice(text.indexOf("an entry looks like:")).split("\n").slice(1);
    const example = after.slice(0, after.findIndex((line) => !line.startsWith("#   "))).map((line) => line.slice(4).replace(/\s+# .*$/, ""));
    expect(example[0]).toMatch(/^- requirement: /);
    const [waiver] = parse(example.join("\n")) as unknown[];
    expect(waiverSchema.safeParse(waiver).success).toBe(true);
  });

  test("--dry-run says no failure is waived; with waivers, it lists each with targets, approver and expiry", async () => {
    const none = await runCli("audit", ["--env", template, "--dry-run"]);
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout).toContain("waivers: none (no failure is waived)");
    expect(none.stdout).toContain("manifest.json will not be signed (--sign <key> or evidence.signWith)");

    const waived = join(root, "staging", "waived.yaml");
    writeFileSync(
      waived,
      readFileSync(template, "utf8").replace(
        "waivers: []",
        [
          "waivers:",
          '  - { requirement: SW-01, host: "*", justification: "Rocky 9 approved (ticket OPS-1)", approver: lead@example.com, expires: 2099-12-31 }',
          '  - { requirement: HW-03, host: dp1, justification: "RAM upgrade ordered (ticket OPS-2)", approver: cto@example.com, expires: 2001-01-31 }',
        ].join("\n"),
      ),
    );
    const run = await runCli("audit", ["--env", waived, "--dry-run"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('waivers: 1 active (a failure or warning of these targets is reported as "waived"):');
    expect(run.stdout).toContain('  SW-01 on every target (cp1, cp2, dp1, dp2): approved by lead@example.com, expires 2099-12-31; "Rocky 9 approved (ticket OPS-1)"');
    expect(run.stdout).toContain('  HW-03 on dp1: approved by cto@example.com, EXPIRED 2001-01-31, no longer applies; "RAM upgrade ordered (ticket OPS-2)"');
  });
});

describe("--dry-run --shard", () => {
  test("prints only the shard's hosts", async () => {
    const template = stagingExampleWithLocalCredentials(join(root, "sharded"));
    const run = await runCli("audit", ["--env", template, "--dry-run", "--shard", "2/2"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("shard 2/2: hosts cp2, dp2\n");
    expect(run.stdout).toMatch(/^cp2 \[cp\]: ssh /m);
    expect(run.stdout).not.toMatch(/^cp1 \[cp\]: ssh /m);
  });
});
