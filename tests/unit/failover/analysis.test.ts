import { describe, expect, it } from "vitest";
import { analyseTraffic, findOutages, percentile } from "../../../helpers/failover/analysis.js";
import { historyOf, T0 } from "./history.js";

describe("percentile (nearest rank)", () => {
  it("picks the nearest-rank element", () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 95)).toBe(95);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile([7], 99)).toBe(7);
  });
  it("refuses an empty list", () => {
    expect(() => percentile([], 50)).toThrow();
  });
});

describe("analyseTraffic", () => {
  it("counts nothing bad in a clean history", () => {
    const analysis = analyseTraffic(historyOf("...................."), { faultMs: T0 + 200, rollbackMs: T0 + 700 });
    expect(analysis).toMatchObject({ total: 20, ok: 20, errors: 0, errorsDuringFault: 0, longestOutage: null, longestOutageMs: 0, recoveryAfterRollbackMs: 0 });
    expect(analysis.latencyMs).toEqual({ p50: 10, p95: 10, p99: 10, max: 10 });
  });

  it("measures the outage from the first failure to the next success", () => {
    //                          0123456789012345
    const history = historyOf("....xxxxx.......");
    const analysis = analyseTraffic(history, { faultMs: T0 + 190, rollbackMs: T0 + 500 });
    expect(analysis.errors).toBe(5);
    expect(analysis.errorsDuringFault).toBe(5);
    expect(analysis.longestOutage).toEqual({ startMs: T0 + 200, endMs: T0 + 450, durationMs: 250, failedRequests: 5, open: false });
    expect(analysis.longestOutageMs).toBe(250);
  });

  it("keeps the longest of several outages and splits errors by window", () => {
    //                          0         1         2
    //                          0123456789012345678901234
    const history = historyOf("x...xx..xxxxxx....x......");
    const analysis = analyseTraffic(history, { faultMs: T0 + 200, rollbackMs: T0 + 900 });
    expect(analysis.outages.map((o) => o.durationMs)).toEqual([50, 100, 300, 50]);
    expect(analysis.longestOutageMs).toBe(300);
    expect(analysis.errorsBeforeFault).toBe(1);
    expect(analysis.errorsDuringFault).toBe(8);
    expect(analysis.errorsAfterRollback).toBe(1);
    // Last failure at #18 (T0+900), first success after it #19 (T0+950): 50 ms after the rollback.
    expect(analysis.recoveryAfterRollbackMs).toBe(50);
  });

  it("marks an outage still running when recording stopped and gives no recovery time", () => {
    const history = historyOf("....------");
    const analysis = analyseTraffic(history, { faultMs: T0 + 200, rollbackMs: T0 + 400 });
    expect(analysis.longestOutage).toMatchObject({ startMs: T0 + 200, endMs: T0 + 451, open: true, failedRequests: 6 });
    expect(analysis.recoveryAfterRollbackMs).toBeNull();
  });

  it("places requests by start time even when they complete out of order", () => {
    const history = historyOf(".x..");
    // The failed request took long and completed last: the history arrives in completion order.
    history[1] = { ...history[1]!, endMs: history[1]!.startMs + 2000, error: "timeout", status: null };
    const analysis = analyseTraffic([history[0]!, history[2]!, history[3]!, history[1]!]);
    expect(analysis.longestOutage).toMatchObject({ startMs: T0 + 50, endMs: T0 + 100, durationMs: 50 });
    expect(analysis.latencyMs?.max).toBe(2000);
    expect(analysis.latencyMs?.p50).toBe(10);
  });

  it("handles an empty history and a history without marks", () => {
    expect(analyseTraffic([])).toMatchObject({ total: 0, errors: 0, latencyMs: null, recoveryAfterRollbackMs: null, longestOutage: null });
    expect(analyseTraffic(historyOf("..x.")).errorsDuringFault).toBe(0);
    expect(findOutages(historyOf("x"))).toEqual([{ startMs: T0, endMs: T0 + 10, durationMs: 10, failedRequests: 1, open: true }]);
  });
});
