// sudo's refusals become broken with the fix. "a password is required" is sudo 1.9.13p3's own
// stderr (captured: `runuser -u nobody -- sudo -n true`); "sorry, you must have a tty to run sudo" is
// the message of sudo's sudoers plugin (plugins/sudoers/sudoers.c) under `Defaults requiretty`,
// which cannot be produced here without changing this machine's sudoers.
import { describe, expect, test } from "vitest";
import { sudoRefusalFix } from "../../../helpers/transport/sudo.js";

describe("sudoRefusalFix", () => {
  test("requiretty: the fix is a !requiretty default for the audit user", () => {
    expect(sudoRefusalFix("sudo: sorry, you must have a tty to run sudo\n", "audit")).toContain('"Defaults:audit !requiretty"');
  });

  test("a password is required: the fix is a NOPASSWD rule", () => {
    expect(sudoRefusalFix("sudo: a password is required\n", "audit")).toContain("a NOPASSWD rule for audit");
  });

  test("any other failure is not sudo's refusal", () => {
    expect(sudoRefusalFix("bash: line 1: ss: command not found\n", "audit")).toBeNull();
  });
});
