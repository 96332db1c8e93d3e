import { describe, expect, it } from "vitest";
import { escapeXml, renderTimelineOf, renderTimelineSvg, timelineTitle } from "../../../helpers/failover/timeline.js";
import { experimentOf } from "./experiment.js";

const ok = ".".repeat(10);
const outage = experimentOf("HA-DP-01", "dp1", `${ok}xxxxx-----${ok}`);

describe("renderTimelineSvg", () => {
  const svg = renderTimelineSvg(outage);

  it("is a self-contained SVG: no scripts, no external references", () => {
    expect(svg.startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\"")).toBe(true);
    expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
    expect(svg).not.toMatch(/<script|href=|@import|url\(|@font-face/i);
    // Balanced elements: every opened tag is closed or self-closing.
    const opened = (svg.match(/<(?!\/)[a-z]+[^>]*[^/]>/g) ?? []).length;
    const closed = (svg.match(/<\/[a-z]+>/g) ?? []).length;
    expect(opened).toBe(closed);
  });

  it("draws one dot per request, coloured by outcome", () => {
    expect(svg.match(/<circle /g)).toHaveLength(30);
    expect(svg.match(/fill="#2e7d32"><title>#/g)).toHaveLength(20);
    expect(svg.match(/fill="#ef6c00"><title>#/g)).toHaveLength(5);
    expect(svg.match(/fill="#c62828"><title>#/g)).toHaveLength(5);
  });

  it("marks fault, confirmed down, rollback and recovery with labelled lines and shades the outage", () => {
    expect(svg).toContain("fault: stop gateway on dp1");
    expect(svg).toContain(">down confirmed (+0.12 s)</text>");
    expect(svg).toContain(">rollback</text>");
    expect(svg).toContain(">healthy again</text>");
    expect(svg.match(/stroke-dasharray/g)).toHaveLength(4);
    expect(svg).toMatch(/<rect [^>]*fill="#ffcdd2"[^>]*><title>outage 0.50 s, 10 failed requests<\/title>/);
  });

  it("puts the numbers in the title", () => {
    expect(timelineTitle(outage)).toBe(
      "HA-DP-01: gateway stopped on dp1 — 10 failed of 30 requests, longest outage 0.5 s (budget 5 errors, RTO 5 s), down confirmed after 0.12 s, member restored",
    );
    expect(svg).toContain(`<title>${escapeXml(timelineTitle(outage))}</title>`);
  });

  it("escapes text taken from the record", () => {
    const hostile = experimentOf("HA-CP-01", "cp1", ok, { error: `stop exited 1: <b>"a" & 'b'</b>` });
    const rendered = renderTimelineSvg(hostile);
    expect(rendered).toContain("&lt;b&gt;&quot;a&quot; &amp; &apos;b&apos;&lt;/b&gt;");
    expect(rendered).not.toContain("<b>");
  });

  it("says so in the headline when the fault was not confirmed, and names a black hole", () => {
    const unconfirmed = experimentOf("HA-DP-01", "dp1", ok, { faultKind: "black-hole", confirmation: null, faultError: "exit 1" });
    expect(timelineTitle(unconfirmed)).toMatch(/^HA-DP-01: gateway black-holed on dp1 — .*, fault NOT confirmed, member restored$/);
    expect(renderTimelineSvg(unconfirmed)).toContain("fault: black-hole gateway on dp1");
    expect(renderTimelineSvg(unconfirmed)).not.toContain("down confirmed");
  });

  it("renders an experiment without fault or traffic", () => {
    const refused = experimentOf("HA-CP-02", "cp2", "", { faultAt: null, rollbackAt: null, recoveredAt: null, error: "refused" });
    const rendered = renderTimelineSvg(refused);
    expect(rendered).toContain("no fault injected");
    expect(rendered).not.toContain("<circle");
  });
});

describe("renderTimelineOf (report attachments)", () => {
  it("accepts a record read back from JSON, as the report attachments hold it", () => {
    expect(renderTimelineOf(JSON.parse(JSON.stringify(outage)))).toBe(renderTimelineSvg(outage));
    expect(() => renderTimelineOf({ id: "x" })).toThrow(/not a failover experiment/);
  });
});
