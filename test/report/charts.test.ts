/**
 * The report's charts for the fixed run in fixture.ts: well-formed SVG, one mark per task × variant that names both
 * (vega writes each mark's description as its aria-label), the interval methods in the titles, PNG bytes, and the
 * same bytes for the same data. The delta interval's numbers are checked against hand computations.
 */
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Resvg } from "@resvg/resvg-js";
import { describe, expect, test } from "vitest";
import { PARETO_PANEL, paretoPanels } from "../../src/report/chart-pareto-data.ts";
import { type Chart, renderCharts, svgToPng, writeCharts } from "../../src/report/charts.ts";
import {
  agrestiMinInterval,
  DELTA_INTERVAL_LABEL,
  deltaInterval,
  describeIntervals,
} from "../../src/report/delta-interval.ts";
import { signedPp } from "../../src/report/format.ts";
import type { Delta } from "../../src/report/report-types.ts";
import { buildReport } from "../../src/report/summary.ts";
import { estimateTextWidth } from "../../src/report/text-width.ts";
import { makeRecord } from "../metrics/records.ts";
import { RECORDS, reportInput } from "./fixture.ts";

const report = buildReport(reportInput());
const charts = await renderCharts(report);
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chart(name: string): Chart {
  const found = charts.find((c) => c.name === name);
  if (found === undefined) throw new Error(`no chart ${name}`);
  return found;
}

/** Tags nest and close, attributes are quoted, entities are known: enough of XML to catch a broken SVG string. */
function xmlProblems(xml: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  const tag =
    /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>|<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<|&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/g;
  for (const m of xml.matchAll(tag)) {
    if (m[0] === "<") problems.push(`stray < at ${m.index}`);
    else if (m[0] === "&") problems.push(`bare & at ${m.index}`);
    else if (m[2] === undefined) continue;
    else if (m[1] === "/") {
      if (stack.pop() !== m[2]) problems.push(`</${m[2]}> closes nothing open at ${m.index}`);
    } else if (m[4] !== "/") stack.push(m[2]);
  }
  if (stack.length > 0) problems.push(`unclosed: ${stack.join(" > ")}`);
  return problems;
}

/** Every aria-label in an SVG, unescaped the way this test needs (vega writes each mark's description there). */
function ariaLabels(svg: string): string[] {
  return [...svg.matchAll(/aria-label="([^"]*)"/g)].map((m) =>
    (m[1] ?? "")
      .replace(/&quot;/g, '"')
      .replace(/&lt;/g, "<")
      .replace(/&gt;/g, ">")
      .replace(/&amp;/g, "&"),
  );
}

/** The data marks ("task, variant: …" aria-labels) as task/variant keys. */
function markKeys(svg: string): string[] {
  return ariaLabels(svg).flatMap((label) => {
    const m = /^(suite40|mini), (nvfp4|fp8|bf16): /.exec(label);
    return m === null ? [] : [`${m[1]}/${m[2]}`];
  });
}

const ALL_PAIRS = ["suite40/nvfp4", "suite40/fp8", "suite40/bf16", "mini/nvfp4", "mini/fp8", "mini/bf16"];

describe("renderCharts", () => {
  test("renders the six charts, each a well-formed SVG that a strict XML parser (resvg's) accepts", () => {
    expect(charts.map((c) => c.name)).toEqual(["pareto", "accuracy", "delta", "throughput", "qps", "latency"]);
    for (const c of charts) {
      expect(c.svg.startsWith("<svg")).toBe(true);
      expect(xmlProblems(c.svg), c.name).toEqual([]);
      expect(() => new Resvg(c.svg), c.name).not.toThrow();
      expect(c.svg).not.toMatch(/clip-path|url\(#/); // ids would collide once several SVGs share index.html
    }
  });

  test("accuracy: one mark per task × variant, each naming both, with its Wilson 95% interval", () => {
    const svg = chart("accuracy").svg;
    expect(markKeys(svg).sort()).toEqual([...ALL_PAIRS].sort());
    expect(svg.match(/aria-roledescription="bar"/g)).toHaveLength(5); // nvfp4 graded nothing in mini
    expect(ariaLabels(svg)).toContain("suite40, bf16: accuracy 60.0% (3/5), Wilson 95% 23.1–88.2");
    expect(ariaLabels(svg)).toContain("mini, nvfp4: none graded");
    expect(svg).toContain("whisker = Wilson 95% score interval");
    expect(svg).toContain(">bf16 (ref)<"); // the reference is marked in the legend
    for (const name of ["suite40", "mini", "nvfp4", "fp8"]) expect(svg).toContain(`>${name}<`);
  });

  test("accuracy: every bar has a whisker drawn from its Wilson low to its Wilson high", () => {
    const svg = chart("accuracy").svg;
    const group = /<g class="mark-rule role-mark[^"]*"[^>]*>(.*?)<\/g>/.exec(svg)?.[1] ?? "";
    // Plot height 280 px for the domain 0–118 % (the headroom holds the upright labels); y grows downwards.
    const px = (percentValue: number) => 280 - (percentValue / 118) * 280;
    const drawn = [...group.matchAll(/<line transform="translate\(([\d.]+),([\d.]+)\)" x2="0" y2="(-[\d.]+)"/g)].map(
      (m) => [Number(m[2]), Number(m[2]) + Number(m[3])].map((v) => v.toFixed(1)).join("→"),
    );
    const expected = report.tasks.flatMap((t) =>
      (t.rows[0]?.scores ?? []).flatMap((s) =>
        s.ci95 === null ? [] : [[px(s.ci95.low * 100), px(s.ci95.high * 100)].map((v) => v.toFixed(1)).join("→")],
      ),
    );
    expect(expected).toHaveLength(5);
    expect(drawn).toEqual(expected);
  });

  test("delta: one point per task × non-reference variant with its interval, the method in the title, a zero line", () => {
    const svg = chart("delta").svg;
    expect(markKeys(svg).sort()).toEqual(["mini/fp8", "mini/nvfp4", "suite40/fp8", "suite40/nvfp4"]);
    expect(svg.match(/aria-roledescription="point"/g)).toHaveLength(3); // nvfp4 × mini: nothing paired
    const suite = report.tasks[0]?.rows[0]?.deltas.find((d) => d.variant === "fp8");
    const interval = suite === undefined ? null : deltaInterval(suite);
    if (interval === null) throw new Error("suite40 fp8 has 3 paired items, so an interval");
    // suite40 fp8: 3 paired, 1 ↓ and 1 ↑, so Δ = 0; the whisker is whatever interval the delta carries.
    expect(ariaLabels(svg)).toContain(
      `suite40, fp8: Δ 0.0 pp vs bf16 over 3 paired items, 95% ${signedPp(interval.lowPp)} to ${signedPp(interval.highPp)}`,
    );
    expect(ariaLabels(svg)).toContain("mini, nvfp4: nothing paired");
    expect(svg).toContain(`whisker = ${DELTA_INTERVAL_LABEL[interval.method]}`);
    expect(svg).toMatch(/stroke-dasharray="4,3"/); // the zero line
    expect(svg).not.toContain(">bf16 (ref)<"); // no reference mark, so no reference in the legend
  });

  test("delta: where the summary has no bootstrap interval, the Agresti–Min one is drawn and the title says so", async () => {
    const bare = buildReport(reportInput());
    for (const task of bare.tasks)
      for (const row of task.rows) for (const d of row.deltas) Reflect.deleteProperty(d, "ci95Pp");
    const svg = (await renderCharts(bare)).find((c) => c.name === "delta")?.svg ?? "";
    // ±1.959964·√3/5 = ±67.9 pp, by hand.
    expect(ariaLabels(svg)).toContain("suite40, fp8: Δ 0.0 pp vs bf16 over 3 paired items, 95% -67.9 to +67.9");
    expect(svg).toContain("whisker = 95% normal approximation from the paired counts (Agresti–Min, +½ per cell)");
  });

  test("throughput, QPS and latency: one bar or note per task × variant per panel, per task as the title says", () => {
    const panels = { throughput: 2, qps: 1, latency: 3 };
    for (const [name, count] of Object.entries(panels)) {
      const keys = markKeys(chart(name).svg);
      expect(keys, name).toHaveLength(ALL_PAIRS.length * count);
      expect(new Set(keys), name).toEqual(new Set(ALL_PAIRS));
    }
    expect(chart("throughput").title).toContain("per task");
    expect(chart("throughput").svg).toContain("per task, not summed");
    expect(ariaLabels(chart("qps").svg)).toContain("mini, nvfp4: QPS no replies (0 replies)");
    // Fixture replies take 1 s each (sentAt 1000, doneAt 2000), so every latency is 1.00 s; no TTFT was recorded.
    // fp8 × suite40 has 4 replies: q2, q3, q5 (its grading failed, the reply stands) and q1 on resume.
    const latency = ariaLabels(chart("latency").svg);
    expect(latency).toContain("suite40, fp8: latency p50 1.00 s (4 replies)");
    expect(latency).toContain("suite40, fp8: TTFT p50 no first token (4 replies)");
  });

  test("pareto: a point per task × variant with a grade and a reply, and one per variant overall", () => {
    const svg = chart("pareto").svg;
    // nvfp4 graded nothing in mini: no point there, and the panel says why.
    expect(markKeys(svg).sort()).toEqual(ALL_PAIRS.filter((k) => k !== "mini/nvfp4").sort());
    expect(svg).toContain("not drawn: nvfp4: none graded");
    const labels = ariaLabels(svg);
    // fp8 × suite40: 2 of 3 graded correct, Wilson 95% (z = 1.96) 20.8–93.9; 4 replies × 10 tokens over 2 sessions
    // of 1 s each = 20 tok/s.
    expect(labels).toContain(
      "suite40, fp8: accuracy 66.7% (2/3, Wilson 95% 20.8–93.9) at 20.0 decode tok/s (4 replies)",
    );
    // Overall: macro mean, no interval; tokens summed over tasks ÷ time summed: bf16 (50 + 20) / (1 + 1) s,
    // fp8 (40 + 30) / (2 + 1) s.
    expect(labels).toContain(
      "overall, bf16: accuracy 80.0% (macro mean over 2 tasks, no interval) at 35.0 decode tok/s (tokens and time summed over suite40, mini)",
    );
    expect(labels).toContain(
      "overall, fp8: accuracy 66.7% (macro mean over 2 tasks, no interval) at 23.3 decode tok/s (tokens and time summed over suite40, mini)",
    );
    expect(svg.match(/aria-roledescription="point"/g)).toHaveLength(5 + 3);
    expect(svg).toContain("overall (macro mean over 2 tasks; nvfp4 over 1)");
    expect(svg).toContain("whisker = Wilson 95% score interval; n in each panel's title");
    expect(svg).toContain(
      "overall = macro mean of the task accuracies, with no whisker: no interval is computed for it;",
    );
    expect(svg).toContain("suite40 (n = 2–5 graded)");
    for (const name of ["bf16 (ref)", "fp8", "nvfp4"]) expect(svg).toContain(`>${name}<`);
  });

  test("pareto: two variants on the same spot get labels at least 12 px apart", () => {
    const same = ["m1", "m2"].flatMap((itemId) =>
      ["bf16", "fp8"].map((variant) => makeRecord({ variant, task: "mini", itemId, outcome: "correct" })),
    );
    const input = reportInput({ records: same, tasks: [{ name: "mini", breakdowns: [], itemCount: 2 }] });
    const [panel] = paretoPanels(buildReport(input));
    const [a, b] = panel?.points ?? [];
    if (panel === undefined || a === undefined || b === undefined) throw new Error("two points in one panel");
    expect([a.accuracy, a.decodeTps]).toEqual([b.accuracy, b.decodeTps]);
    const pxPerPoint = PARETO_PANEL.height / (panel.yDomain[1] - panel.yDomain[0]);
    expect(Math.abs(a.labelAccuracy - b.labelAccuracy) * pxPerPoint).toBeGreaterThanOrEqual(12);
    expect(panel.xDomain[0]).toBe(0);
  });

  test("pareto with nothing to plot says so instead of drawing empty panels", async () => {
    const empty = await renderCharts(buildReport(reportInput({ records: [] })));
    const svg = empty.find((c) => c.name === "pareto")?.svg ?? "";
    expect(xmlProblems(svg)).toEqual([]);
    expect(svg).toContain("nothing to plot: no variant has both a graded item and a reply");
    expect(svg).not.toContain('aria-roledescription="point"');
  });

  test("same data, same bytes, whatever was rendered in between", async () => {
    const other = await renderCharts(buildReport(reportInput({ records: RECORDS.filter((r) => r.variant !== "fp8") })));
    expect(other.map((c) => c.svg)).not.toEqual(charts.map((c) => c.svg));
    const again = await renderCharts(buildReport(reportInput()));
    expect(again.map((c) => c.svg)).toEqual(charts.map((c) => c.svg));
  });

  test("task names are escaped in the SVG, never markup", async () => {
    const name = `<b onclick="x">&"'`;
    const hostile = buildReport(
      reportInput({
        records: RECORDS.map((r) => (r.task === "mini" ? { ...r, task: name } : r)),
        tasks: [
          { name: "suite40", breakdowns: [], itemCount: 5 },
          { name, breakdowns: [], itemCount: 3 },
        ],
      }),
    );
    for (const c of await renderCharts(hostile)) {
      expect(c.svg).not.toContain("<b");
      expect(c.svg).toContain("&lt;b onclick=");
      expect(xmlProblems(c.svg), c.name).toEqual([]);
    }
  });
});

describe("svgToPng and writeCharts", () => {
  test("PNG bytes: the signature, twice the SVG's width by default, or the width asked for", () => {
    const svg = chart("accuracy").svg;
    const width = Number(/width="(\d+)"/.exec(svg)?.[1]);
    const png = svgToPng(svg);
    expect(png.subarray(0, 8)).toEqual(PNG_SIGNATURE);
    expect(png.readUInt32BE(16)).toBe(width * 2); // IHDR width
    expect(svgToPng(svg, 640).readUInt32BE(16)).toBe(640);
  });

  test("writes charts/<name>.svg and .png for every chart", async () => {
    const dir = mkdtempSync(join(tmpdir(), "quanteval-charts-"));
    const written = await writeCharts(dir, report);
    expect(readdirSync(join(dir, "charts")).sort()).toEqual(
      written.flatMap((c) => [`${c.name}.png`, `${c.name}.svg`]).sort(),
    );
    expect(readFileSync(join(dir, "charts", "delta.svg"), "utf8")).toBe(chart("delta").svg);
    expect(readFileSync(join(dir, "charts", "qps.png")).subarray(0, 8)).toEqual(PNG_SIGNATURE);
  });
});

describe("deltaInterval", () => {
  const base = report.tasks[0]?.rows[0]?.deltas[0];
  if (base === undefined) throw new Error("the fixture has deltas");
  /** A delta with these counts; `extra` overrides or adds fields (as the summary's own may, or may not, be there). */
  const delta = (down: number, up: number, paired: number, extra: object = {}): Delta => ({
    ...base,
    variant: "fp8",
    paired,
    deltaPp: ((up - down) / paired) * 100,
    referenceRightVariantWrong: down,
    referenceWrongVariantRight: up,
    pValue: 1,
    significant: false,
    ...extra,
  });

  test("Agresti–Min from the paired counts: hand-computed bounds, and width where plain Wald has none", () => {
    // 10 ↓, 2 ↑ of 100: centre (2.5 − 10.5)/102 = −0.078431; half = 1.959964·√(13 − 64/102)/102 = 0.067589.
    const interval = agrestiMinInterval(10, 2, 100);
    expect(interval.lowPp).toBeCloseTo(-14.602, 2);
    expect(interval.highPp).toBeCloseTo(-1.084, 2);
    // No discordant item: Wald would say [0, 0]; here ±1.959964·1/42 = ±4.67 pp.
    const none = agrestiMinInterval(0, 0, 40);
    expect(none.lowPp).toBeCloseTo(-4.666, 2);
    expect(none.highPp).toBeCloseTo(4.666, 2);
    // Clamped to ±100 pp.
    expect(agrestiMinInterval(2, 0, 2).lowPp).toBe(-100);
  });

  test("uses the bootstrap interval the summary carries; Agresti–Min where it has none; null when nothing is paired", () => {
    expect(deltaInterval(delta(3, 1, 40, { ci95Pp: { low: -12, high: 2 } }))).toEqual({
      lowPp: -12,
      highPp: 2,
      method: "bootstrap",
    });
    expect(deltaInterval(delta(0, 0, 40, { ci95Pp: null }))?.method).toBe("agresti-min");
    expect(deltaInterval(delta(3, 1, 40, { ci95Pp: { low: "x", high: 2 } }))?.method).toBe("agresti-min");
    expect(deltaInterval(delta(3, 1, 40, { ci95Pp: { low: 3, high: 2 } }))?.method).toBe("agresti-min");
    expect(deltaInterval({ ...delta(0, 0, 1), paired: 0, deltaPp: null, pValue: null, significant: null })).toBeNull();
  });

  test("describeIntervals names each method used, the fallback's condition included", () => {
    expect(describeIntervals(["bootstrap", "bootstrap"])).toEqual(["paired bootstrap 95% percentile interval"]);
    expect(describeIntervals(["agresti-min", "bootstrap"])).toEqual([
      "paired bootstrap 95% percentile interval",
      "where no item flipped (the bootstrap then has no interval): 95% normal approximation from the paired counts (Agresti–Min, +½ per cell)",
    ]);
    expect(describeIntervals([])).toEqual(["no interval (nothing paired)"]);
  });
});

describe("estimateTextWidth", () => {
  test("Arial advance widths: 'Wi' is 944 + 222 thousandths of an em, bold is wider, unknown characters count 0.75 em", () => {
    expect(estimateTextWidth("Wi", 10)).toBeCloseTo(11.66 * 1.04, 5);
    expect(estimateTextWidth("Wi", 10, true)).toBeGreaterThan(estimateTextWidth("Wi", 10));
    expect(estimateTextWidth("中", 10)).toBeCloseTo(7.5 * 1.04, 5);
  });
});
