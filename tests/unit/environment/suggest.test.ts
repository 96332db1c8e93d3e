import { describe, expect, test } from "vitest";
import { environmentFileSchema } from "../../../helpers/environment/schema.js";
import { knownKeysAt, nearestKey } from "../../../helpers/environment/suggest.js";

describe("knownKeysAt", () => {
  test("reads the keys of nested, optional, array and recursive objects from the schema", () => {
    expect(knownKeysAt(environmentFileSchema, [])).toContain("waivers");
    expect(knownKeysAt(environmentFileSchema, ["hosts", 0])).toContain("address");
    expect(knownKeysAt(environmentFileSchema, ["hosts", 0, "jumpHost", "jumpHost"])).toEqual(["address", "port", "user", "identityFile", "useAgent", "jumpHost"]);
    expect(knownKeysAt(environmentFileSchema, ["no-such-key"])).toEqual([]);
  });
});

describe("nearestKey", () => {
  test.each([
    ["waiver", "waivers"],
    ["adress", "address"],
    ["IdentityFile", "identityFile"],
    ["passwordenv", "passwordEnv"],
  ])("%s → %s", (typo, key) => expect(nearestKey(typo, knownKeysAt(environmentFileSchema, []).concat("address", "identityFile", "passwordEnv"))).toBe(key));

  test("suggests nothing for a key far from every known one", () => expect(nearestKey("colour", ["name", "hosts"])).toBeNull());
});
