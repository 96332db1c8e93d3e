import { describe, expect, it } from "vitest";
import { HOST_KEY_SECTION, parseHostKey } from "../../../helpers/facts/parsers/host-key.js";
import { newHostKey } from "../../support/host-keys.js";

describe("ssh-host-key: the key the runner's handshake saw", () => {
  it("reads back what the runner records", () => {
    const section = newHostKey();
    expect(section).toMatchObject({ section: HOST_KEY_SECTION, exitCode: 0, stderr: "" });
    const [type, fingerprint] = section.stdout.trim().split(" ");
    expect(parseHostKey(section.stdout)).toEqual({ ok: true, value: { type, fingerprint } });
    expect(parseHostKey(newHostKey("ecdsa-sha2-nistp256").stdout)).toMatchObject({ ok: true, value: { type: "ecdsa-sha2-nistp256" } });
  });

  it("refuses anything else, naming what it read", () => {
    const fingerprint = newHostKey().stdout.trim().split(" ")[1]!;
    const refused = ["", "ssh-ed25519\n", `ssh-ed25519 ${fingerprint.slice(0, -1)}\n`, `ssh-ed25519 MD5:${fingerprint.slice(7)}\n`, `${fingerprint}\n`];
    // Whole lines only: a word before, a longer fingerprint or a comment after is not a record of the runner's.
    refused.push(`host ssh-ed25519 ${fingerprint}\n`, `ssh-ed25519 ${fingerprint}A\n`, `ssh-ed25519 ${fingerprint} comment\n`);
    for (const text of refused) {
      expect(parseHostKey(text), text).toMatchObject({ ok: false, problem: expect.stringContaining('not "<key type> SHA256:<fingerprint>"') });
    }
  });
});
