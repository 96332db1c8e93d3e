import { describe, expect, it } from "vitest";
import {
  parseGetenforce,
  parseSelinuxConfig,
  parseSelinuxEnforce,
  parseSestatus,
} from "../../../helpers/facts/parsers/selinux.js";
import { fixtureText } from "./fixtures.js";

describe("SELinux", () => {
  it.each([
    ["getenforce-enforcing", "enforcing"],
    ["getenforce-permissive", "permissive"],
    ["getenforce-disabled", "disabled"],
  ])("getenforce %s", (name, mode) => expect(parseGetenforce(fixtureText(`selinux/${name}`))).toEqual({ ok: true, value: mode }));

  it.each([
    ["sestatus-enforcing-rhel9", "enforcing"],
    ["sestatus-permissive-centos7", "permissive"],
    ["sestatus-disabled", "disabled"],
  ])("sestatus %s", (name, mode) => expect(parseSestatus(fixtureText(`selinux/${name}`))).toEqual({ ok: true, value: mode }));

  it.each([
    ["enforce-1", "enforcing"],
    ["enforce-0", "permissive"],
  ])("/sys/fs/selinux/enforce %s", (name, mode) =>
    expect(parseSelinuxEnforce(fixtureText(`selinux/${name}`))).toEqual({ ok: true, value: mode }));

  it.each([
    ["config-rhel8-enforcing", "enforcing"],
    ["config-permissive", "permissive"],
    ["config-disabled", "disabled"],
  ])("/etc/selinux/config %s", (name, mode) =>
    expect(parseSelinuxConfig(fixtureText(`selinux/${name}`))).toEqual({ ok: true, value: mode }));

  it("only comments mentioning SELINUX= is a problem", () =>
    expect(parseSelinuxConfig("# SELINUX= can take one of these three values:\n").ok).toBe(false));
});
