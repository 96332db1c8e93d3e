import { describe, expect, it } from "vitest";
import { parseProcesses } from "../../../helpers/facts/parsers/processes.js";
import { fixtureText } from "./fixtures.js";

describe("ps -eo args=", () => {
  it("drops the collector's own processes", () =>
    expect(parseProcesses(fixtureText("processes/container-collector-only"))).toEqual(["bash -s"]));
  it("one command line per process", () =>
    expect(parseProcesses(fixtureText("processes/pidns-haproxy"))).toEqual([
      "sh -c haproxy -f haproxy.cfg -D -p haproxy.pid; sleep 0.5; ps -eo args=; kill $(cat haproxy.pid)",
      "haproxy -f haproxy.cfg -D -p haproxy.pid",
    ]));
});
