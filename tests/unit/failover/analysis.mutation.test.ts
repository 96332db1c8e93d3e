// Edges of the failover arithmetic (helpers/failover/analysis.ts): window boundaries, ties,
// out-of-order answers and missing marks, on request histories built like the recorder's.
import { describe, expect, it } from "vitest";
import { analyseTraffic, findOutages, percentile } from "../../../helpers/failover/analysis.js";
import type { RequestRecord } from "../../../helpers/failover/traffic.js";
import { historyOf, T0 } from "./history.js";

describe("percentile", () => {
  const values = [10, 20, 30, 40];
  it.each([
    [0, 10],
    [1, 10],
    [25, 10],
    [26, 20],
    [50, 20],
    [75, 30],
    [99, 40],
    [100, 40],
    [150, 40],
  ])("p%d of [10, 20, 30, 40] is %d", (p, value) => expect(percentile(values, p)).toBe(value));
});

describe("findOutages", () => {
  it("orders by start, then by sequence for requests started together", () => {
    const history: RequestRecord[] = [
      { seq: 1, startMs: T0, endMs: T0 + 5, status: 503, ok: false, error: "HTTP 503" },
      { seq: 0, startMs: T0, endMs: T0 + 5, status: 200, ok: true, error: null },
      { seq: 2, startMs: T0 + 50, endMs: T0 + 55, status: 200, ok: true, error: null },
    ];
    // seq 0 (ok) comes first, so the failure at seq 1 ends at the next success (seq 2).
    expect(findOutages(history)).toEqual([{ startMs: T0, endMs: T0 + 50, durationMs: 50, failedRequests: 1, open: false }]);
  });

  it("an open outage ends at the latest answer among its failures, not the last one started", () => {
    const history = historyOf("..xx");
    history[2] = { ...history[2]!, endMs: T0 + 900 };
    expect(findOutages(history)).toEqual([{ startMs: T0 + 100, endMs: T0 + 900, durationMs: 800, failedRequests: 2, open: true }]);
  });

  it("counts each outage's failures separately", () => {
    expect(findOutages(historyOf("xx.xxx.")).map((o) => [o.failedRequests, o.durationMs, o.open])).toEqual([
      [2, 100, false],
      [3, 150, false],
    ]);
  });

  it("nothing failed: no outage", () => expect(findOutages(historyOf("...."))).toEqual([]));
});

describe("analyseTraffic windows", () => {
  //                         0123456789
  const history = historyOf("x..xx..x.x");
  // starts: T0 + 50·i. Fault at request 3, rollback at request 7.
  const marks = { faultMs: T0 + 150, rollbackMs: T0 + 350 };

  it("splits errors at the marks: a request started at a mark belongs to the later window", () => {
    expect(analyseTraffic(history, marks)).toMatchObject({ total: 10, ok: 5, errors: 5, errorsBeforeFault: 1, errorsDuringFault: 2, errorsAfterRollback: 2 });
  });

  it("without a rollback the fault window runs to the end", () => {
    expect(analyseTraffic(history, { faultMs: T0 + 150 })).toMatchObject({ errorsBeforeFault: 1, errorsDuringFault: 4, errorsAfterRollback: 0, recoveryAfterRollbackMs: null });
  });

  it("without a fault mark nothing is attributed to the fault", () => {
    expect(analyseTraffic(history, { rollbackMs: T0 + 350 })).toMatchObject({ errorsBeforeFault: 0, errorsDuringFault: 0, errorsAfterRollback: 2 });
  });

  it("recovery: from the rollback to the first request after the last failure", () => {
    const recovered = historyOf("x..xx..x.x..");
    expect(analyseTraffic(recovered, marks).recoveryAfterRollbackMs).toBe(T0 + 500 - (T0 + 350));
    expect(analyseTraffic(history, marks).recoveryAfterRollbackMs).toBeNull();
    expect(analyseTraffic(historyOf("xxx...."), { faultMs: T0, rollbackMs: T0 + 150 }).recoveryAfterRollbackMs).toBe(0);
  });

  it("longest outage: the first of equally long ones, and its length", () => {
    const analysis = analyseTraffic(historyOf("xx.xx.x."));
    expect(analysis.longestOutage).toMatchObject({ startMs: T0, durationMs: 100 });
    expect(analysis.longestOutageMs).toBe(100);
    expect(analysis.outages).toHaveLength(3);
  });

  it("latency summary over every request", () => {
    const latencies = historyOf("....").map((r, i) => ({ ...r, endMs: r.startMs + (i + 1) * 10 }));
    expect(analyseTraffic(latencies).latencyMs).toEqual({ p50: 20, p95: 40, p99: 40, max: 40 });
  });
});
