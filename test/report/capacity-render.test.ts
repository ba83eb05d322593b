/**
 * Capacity at SLO in every renderer, from a hand-built run (fixture.ts) with and without an attached bench: the
 * outputs without one carry no trace of it (byte for byte what they were), and with one each output has its
 * figures beside the speedups, a run variant the bench left out included.
 */
import { describe, expect, test } from "vitest";
import type { CapacityAttachment } from "../../src/report/capacity-attachment.ts";
import { renderHtml } from "../../src/report/html.ts";
import { renderMarkdown } from "../../src/report/markdown.ts";
import { renderCsv } from "../../src/report/scores-csv.ts";
import { renderJson } from "../../src/report/scores-json.ts";
import { buildReport } from "../../src/report/summary.ts";
import { renderTerminalSummary } from "../../src/report/terminal-summary.ts";
import { reportInput } from "./fixture.ts";

const search = (max_rate: number) => ({ max_rate, stopped: "tolerance" as const });
const ATTACHMENT: CapacityAttachment = {
  v: 1,
  bench: { id: "cap7", created_at: "2026-12-05T00:00:00.000Z", sha256: "b".repeat(64) },
  percentile: 90,
  slo: { e2e_ms: 2000 },
  requests_per_trial: 50,
  arrivals: "Poisson arrivals, no cap on requests in flight",
  workload: "scenario D(256,64)",
  variants: [
    {
      variant: "bf16",
      model: "",
      max_rate: 20,
      interval: { low: 18, high: 22, confidence: 0.75 },
      searches: [18, 20, 22].map(search),
    },
    {
      variant: "fp8",
      model: "",
      max_rate: 50,
      interval: { low: 45, high: 55, confidence: 0.75 },
      searches: [45, 50, 55].map(search),
    },
  ],
};

function outputs(capacity?: CapacityAttachment) {
  const report = buildReport(reportInput(capacity === undefined ? {} : { capacity }));
  return {
    markdown: renderMarkdown(report),
    csv: renderCsv(report),
    json: renderJson(report),
    html: renderHtml(report, [], []),
    terminal: renderTerminalSummary(report),
  };
}

describe("capacity in the report's outputs", () => {
  test("without a bench: no capacity anywhere, so the files are what they were", () => {
    for (const [name, text] of Object.entries(outputs())) expect(text, name).not.toMatch(/capacity/i);
  });

  test("with one: the section, the decision line, the HTML verdicts, scores.json and .csv, the terminal", () => {
    const o = outputs(ATTACHMENT);
    const claim = "fp8 serves 2.50× the requests/s of bf16 at p90 of e2e ≤ 2 s (range 2.05–3.06, ≥ 56.3% confidence)";
    expect(o.markdown).toContain(
      `**Capacity at SLO** (bench cap7, section Capacity at SLO): nvfp4: no ratio (not in the bench); ${claim}.`,
    );
    const section = o.markdown.slice(o.markdown.indexOf("## Capacity at SLO (vs bf16)\n\n|"));
    const cells = section
      .split("\n")
      .slice(2, 7)
      .filter((_, i) => i !== 1) // the rule under the header
      .map((line) => line.split("|").map((cell) => cell.trim()));
    expect(cells.map((row) => row.slice(1, -1))).toEqual([
      ["Variant", "max rate (req/s)", "[min, max] (confidence)", "searches", "capacity ×", "range (confidence)"],
      ["nvfp4", "not in the bench", "—", "0", "—", "—"],
      ["fp8", "50.00", "[45.00, 55.00] (75.0%)", "3", "2.50×", "[2.05, 3.06] (≥ 56.3%)"],
      ["bf16 (ref)", "20.00", "[18.00, 22.00] (75.0%)", "3", "—", "—"],
    ]);
    expect(o.html).toContain(`; ${claim.replace(/^fp8 /, "")} <a class="note" href="#capacity">`);
    expect(o.html).toContain('<section id="capacity"><h2>Capacity at SLO (vs bf16)</h2>');
    expect(JSON.parse(o.json).capacity.variants.map((c: { ratio: number | null }) => c.ratio)).toEqual([
      null,
      2.5,
      null,
    ]); // nvfp4, fp8, bf16: the fixture's order
    const [header, ...lines] = o.csv.trim().split("\n");
    expect(header).toMatch(/,seconds_per_correct,capacity_bench,capacity_slo,.*,capacity_ratio_confidence$/);
    const fp8All = lines.find((l) => l.includes(",suite40,all,all,fp8,"));
    expect(fp8All).toMatch(
      /,cap7,p90 of e2e ≤ 2 s,50,45,55,0\.75,3,,2\.5,exact,2\.0454545454545454,3\.0555555555555554,0\.5625$/,
    );
    // A breakdown row has no capacity: the figure is per variant, not per breakdown value.
    expect(lines.find((l) => l.includes(",suite40,category,algebra,fp8,"))).toMatch(/,,,,,,,,,,,,,$/);
    expect(o.terminal).toMatch(/\| Decode × \| Capacity × \|\n/);
    expect(o.terminal).toMatch(/\| Overall \| fp8 +\|.*\| +2\.50 \|\n/);
    expect(o.terminal).toContain(`; ${claim.replace(/^fp8 /, "")}\n`);
  });
});
