/**
 * index.html's first sections for the fixed run in fixture.ts with hand-made decisions (decision-fixture.ts): the
 * verdicts with the margin and the gate, the Pareto chart's caption, and the delta table's Recovery and Verdict
 * columns, read as text. The page in Chromium is html.sandbox.test.ts's.
 */
import { describe, expect, test } from "vitest";
import { renderCharts } from "../../src/report/charts.ts";
import { renderHtml } from "../../src/report/html.ts";
import { buildReport } from "../../src/report/summary.ts";
import { withDecisions } from "./decision-fixture.ts";
import { RECORDS, reportInput } from "./fixture.ts";

const records = RECORDS;
const report = withDecisions(buildReport(reportInput()));
const charts = await renderCharts(report);
const html = renderHtml(report, records, charts);

/** The text of one section, tags stripped, entities for the characters the tests look for decoded. */
function sectionText(page: string, id: string): string {
  const body = new RegExp(`<section id="${id}">([\\s\\S]*?)</section>`).exec(page)?.[1] ?? "";
  return body
    .replace(/<[^>]+>/g, "")
    .replace(/&amp;/g, "&")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"');
}

describe("renderHtml: verdicts and the Pareto chart first", () => {
  test("the page opens with the verdicts, then the Pareto chart, then the tables", () => {
    const ids = [...html.matchAll(/<section id="([\w-]+)">/g)].map((m) => m[1]);
    expect(ids.slice(0, 3)).toEqual(["verdicts", "pareto", "accuracy"]);
    const pareto = charts.find((c) => c.name === "pareto");
    expect(pareto).toBeDefined();
    expect(sectionText(html, "pareto").length).toBeGreaterThan(0);
    expect(html.indexOf(pareto?.svg ?? "<none>")).toBeGreaterThan(html.indexOf('<section id="pareto">'));
    expect(html.indexOf(pareto?.svg ?? "<none>")).toBeLessThan(html.indexOf('<section id="accuracy">'));
  });

  test("per variant: each task's verdict, recovery with ∞ for an unbounded end, the margin and the failed gate", () => {
    const text = sectionText(html, "verdicts");
    expect(text).toContain("Margin: 1 pp (from --fail-below): a variant is non-inferior to bf16 on a task when");
    expect(text).toContain("interval has Δ above -1.0 pp.");
    expect(text).toContain(
      "Gate (--fail-below, tasks suite40, mini): failed: fp8 on suite40 (inconclusive), " +
        "nvfp4 on suite40 (inferior), nvfp4 on mini (no verdict).",
    );
    expect(text).toContain(
      "fp8: overall recovery 90.0% [60.0, ∞); suite40 inconclusive at n = 3 (~1,234 items to decide); mini non-inferior",
    );
    expect(text).toContain("nvfp4: suite40 inferior; mini no verdict");
    // The table: variant, task, paired n, the interval the verdict read, threshold, recovery, verdict.
    expect(text).toContain(
      "fp8suite403-66.7 to +66.7 pp-1.0 pp100.0% [50.0, ∞)inconclusive at n = 3 (~1,234 items to decide)",
    );
    expect(text).toContain("fp8mini2-0.9 to +0.9 pp (exact: no item differs)-1.0 pp99.5% [98.0, 101.0]non-inferior");
    expect(text).toContain("nvfp4suite402-100.0 to -10.0 pp-1.0 pp50.0% [25.0, 75.0]inferior");
    expect(text).toContain("one-sided test at 97.5% confidence");
    expect(text).toContain("10000 resamples, seed 0");
    expect(text).not.toMatch(/\{[\w?!-]+\}/); // no unfilled legend placeholder
  });

  test("the delta table has Recovery and Verdict columns, the overall row listing the tasks by verdict", () => {
    const text = sectionText(html, "delta");
    expect(text).toContain("MDE ppRecovery [95%]VerdictReading");
    expect(text).toContain("100.0% [50.0, ∞)inconclusive at n = 3 (~1,234 items to decide)");
    expect(text).toContain("90.0% [60.0, ∞)inconclusive on 1 (suite40); non-inferior on 1 (mini)");
    expect(text).toContain("Verdict = non-inferiority at the margin (1 pp)");
  });

  test("the Pareto caption gives n per panel and says the overall point has no interval", () => {
    const text = sectionText(html, "pareto");
    expect(text).toContain("n = graded items per variant: suite40, n = 2–5 graded; mini, n = 2–3 graded;");
    expect(text).toContain("Whisker = the Wilson 95% score interval of the task accuracy.");
    expect(text).toContain("drawn with no whisker: no interval is computed for the macro mean");
  });

  test("a report from before verdicts: the section says so, the delta table has no Recovery or Verdict column", () => {
    const { decision: _, ...older } = report;
    const page = renderHtml(
      {
        ...older,
        tasks: report.tasks.map((t) => ({
          ...t,
          rows: t.rows.map((r) => ({ ...r, deltas: r.deltas.map(({ decision: __, ...d }) => d) })),
        })),
      },
      records,
      charts,
    );
    expect(sectionText(page, "verdicts")).toContain("No verdicts: this report predates them");
    expect(sectionText(page, "delta")).toContain("MDE ppReading");
    expect(sectionText(page, "delta")).not.toContain("Verdict");
  });

  test("a recovery margin: the verdict reads recovery's interval, ∞ for its open end, against the ratio", () => {
    const ratio = withDecisions(buildReport(reportInput()), { kind: "recovery", ratio: 0.99 }, 8);
    const text = sectionText(renderHtml(ratio, records, charts), "verdicts");
    expect(text).toContain("Margin: 99% recovery (from --fail-below)");
    expect(text).toContain("interval has recovery above 99.0%.");
    expect(text).toContain("Recovery 95% interval");
    // samples 8: paired n × k, and the legend says what k is.
    expect(text).toContain("fp8suite403 × 850.0% to ∞99.0%100.0% [50.0, ∞)inconclusive at n = 3");
    expect(text).toContain("Paired n × k: each item counts with its mean correctness over its k samples (avg@k).");
    expect(text).toContain("clustered by item");
  });

  test("only the reference: nothing to compare", () => {
    const alone = { ...report, variants: report.variants.filter((v) => v.isReference) };
    expect(sectionText(renderHtml(alone, records, charts), "verdicts")).toContain(
      "Only the reference was run: there is nothing to compare.",
    );
  });

  test("a report as buildReport makes it with --fail-below 5pp: every gate failure listed, nothing paired as —", () => {
    const real = buildReport(
      reportInput({ decision: { margin: { kind: "pp", pp: 5 }, marginSource: "flag", gate: {} } }),
    );
    const text = sectionText(renderHtml(real, records, charts), "verdicts");
    expect(text).toContain("Margin: 5 pp (from --fail-below)");
    expect(text).toContain("interval has Δ above -5.0 pp.");
    const failures = real.decision?.gate?.failures ?? [];
    expect(failures.length).toBeGreaterThan(0);
    for (const f of failures) expect(text).toContain(`${f.variant} on ${f.task} (${f.verdict})`);
    // nvfp4 answered nothing in mini: no decision, so no verdict and every figure "—".
    expect(text).toContain("nvfp4mini—————");
    expect(text).toContain("mini no verdict");
  });

  test("a task whose data could not be had reads N/A, not 'no verdict'", () => {
    const unavailable = { code: "E_DATASET_GATED", message: "gated", hint: "accept its terms" };
    const gated = buildReport(
      reportInput({
        tasks: [...reportInput().tasks, { name: "gpqa_diamond", breakdowns: [], itemCount: 0, unavailable }],
      }),
    );
    const text = sectionText(renderHtml(gated, records, charts), "verdicts");
    expect(text).toContain("; gpqa_diamond N/A");
    expect(text).toContain("fp8gpqa_diamond————N/A");
    expect(text).toContain("mini no verdict");
  });
});
