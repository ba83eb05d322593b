/** The rendered report for the fixed run in fixture.ts. Expected cells were written from hand counts and Wilson bounds. */
import { describe, expect, test } from "vitest";
import { pairedBootstrapInterval } from "../../src/metrics/bootstrap.ts";
import { renderMarkdown } from "../../src/report/markdown.ts";
import { renderScoreTable } from "../../src/report/markdown-accuracy.ts";
import { FLIPS_SHOWN } from "../../src/report/markdown-flips.ts";
import { renderCsv } from "../../src/report/scores-csv.ts";
import { renderJson } from "../../src/report/scores-json.ts";
import { buildReport } from "../../src/report/summary.ts";
import { renderTerminalSummary } from "../../src/report/terminal-summary.ts";
import { makeRecord } from "../metrics/records.ts";
import { fortyItemInput, repeatsInput, reportInput } from "./fixture.ts";

const report = buildReport(reportInput());
const markdown = renderMarkdown(report);

/** The cells of a Markdown table row, trimmed: for checks where column padding is not the point. */
function cells(line: string): string[] {
  return line
    .split("|")
    .slice(1, -1)
    .map((cell) => cell.trim());
}

function rowsStartingWith(text: string, ...first: string[]): string[][] {
  return text
    .split("\n")
    .filter((line) => line.startsWith("|"))
    .map(cells)
    .filter((row) => first.every((f, i) => row[i] === f));
}

/** The text under a "## " heading, up to the next one. */
function section(text: string, heading: string): string {
  const start = text.indexOf(`\n## ${heading}`);
  if (start < 0) return "";
  const end = text.indexOf("\n## ", start + 1);
  return text.slice(start, end < 0 ? undefined : end);
}

/** RFC 4180 reader, enough for the check: quoted fields may hold commas and doubled quotes. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let field = "";
  let row: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      row.push(field);
      field = "";
    } else if (ch === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += ch;
  }
  return rows;
}

describe("renderMarkdown", () => {
  test("the header names the run, the reference, sampling and concurrency", () => {
    expect(markdown.startsWith("# quanteval report: 20250101-120000-ab12\n")).toBe(true);
    expect(markdown).toContain("- Reference: **bf16** (deltas are measured against it)\n");
    expect(markdown).toContain("- Sampling: temperature 0, max_tokens 4096\n");
    expect(markdown).toContain("- Concurrency: 16 requests in flight per variant, streaming\n");
    expect(markdown).toContain(
      "| bf16 (ref) | `Qwen/Qwen3-32B`       | http://127.0.0.1:8003/v1 | done   | not recorded    | —       |\n",
    );
  });

  test("the accuracy table: tasks, indented breakdown rows, variants in config order, reference marked", () => {
    const table = [
      "| Task                            |                  nvfp4 |                     fp8 |                bf16 (ref) |",
      "|---------------------------------|-----------------------:|------------------------:|--------------------------:|",
      "| suite40                         | 50.0% (1/2) [9.5–90.5] | 66.7% (2/3) [20.8–93.9] |   60.0% (3/5) [23.1–88.2] |",
      "| └ suite40 / algebra             | 50.0% (1/2) [9.5–90.5] | 66.7% (2/3) [20.8–93.9] |   66.7% (2/3) [20.8–93.9] |",
      "| └ suite40 / geometry            |           — (0 graded) |            — (0 graded) |    50.0% (1/2) [9.5–90.5] |",
      "| mini                            |           — (0 graded) | 66.7% (2/3) [20.8–93.9] | 100.0% (2/2) [34.2–100.0] |",
      "| Overall (macro mean over tasks) |   50.0% (1 of 2 tasks) |                   66.7% |                     80.0% |",
    ].join("\n");
    expect(markdown).toContain(`## Accuracy\n\n${table}\n\n> Each cell: accuracy = correct / graded`);
  });

  test("the accuracy legend says what n, the interval and the overall row are, and that errors are not wrong", () => {
    expect(markdown).toContain("Wilson 95% score interval");
    expect(markdown).toContain("never counted as wrong");
    expect(markdown).toContain("macro mean over tasks: each task counts once");
  });

  test("the delta table: paired n, Δ pp with its bootstrap interval, ↓/↑, McNemar p, MDE and the reading in words", () => {
    const deltas = section(markdown, "Delta vs reference (bf16)");
    expect(deltas).toContain(
      "| Task                            | Variant | Paired n |        Δ pp [95% CI] | ↓ ref right, variant wrong | ↑ ref wrong, variant right | McNemar p | MDE pp | Reading ",
    );
    // Intervals by hand: fp8 suite40 is 3 draws from {↓, ↑, concordant}, three ↓ (or ↑) has chance 1/27 > 2.5%;
    // mini is 2 draws from {↓, concordant}: −100, −50, 0 with chances ¼, ½, ¼. Three items or fewer have no MDE.
    expect(rowsStartingWith(deltas, "suite40", "fp8")).toEqual([
      [
        "suite40",
        "fp8",
        "3",
        "0.0 [-100.0, +100.0]",
        "1",
        "1",
        "1.000",
        "—",
        "not distinguishable from noise at n = 3",
      ],
    ]);
    expect(rowsStartingWith(deltas, "mini", "fp8")).toEqual([
      ["mini", "fp8", "2", "-50.0 [-100.0, 0.0]", "1", "0", "1.000", "—", "not distinguishable from noise at n = 2"],
    ]);
    expect(rowsStartingWith(deltas, "└ suite40 / geometry", "nvfp4")).toEqual([
      ["└ suite40 / geometry", "nvfp4", "0", "—", "0", "0", "—", "—", "nothing paired"],
    ]);
    expect(rowsStartingWith(deltas, "Overall (macro mean over tasks)", "fp8")).toEqual([
      [
        "Overall (macro mean over tasks)",
        "fp8",
        "5",
        "-25.0 [-83.3, +33.3]",
        "—",
        "—",
        "—",
        "—",
        "not distinguishable from noise (CI covers 0; 2 tasks)",
      ],
    ]);
  });

  test("the delta legend says what the interval, the test, the MDE and the reading are, with n, resamples and seed", () => {
    const deltas = section(markdown, "Delta vs reference (bf16)");
    expect(deltas).toContain(
      "> [95% CI] = paired bootstrap percentile interval: the paired items are resampled with replacement (n of n, 10,000\n> resamples, seed 0, xoshiro128** generator), Δ is recomputed on each, and the 2.5th and 97.5th percentiles are shown.",
    );
    expect(deltas).toContain(
      "[no flips] = no item's verdict differs, so every resample gives 0 and the bootstrap has no interval to give.",
    );
    expect(deltas).toContain("McNemar p = exact two-sided test on the ↓/↑ pairs");
    expect(deltas).toContain(
      "MDE pp = minimum detectable difference: the smallest |Δ| this paired n detects with 80% power at α = 0.05",
    );
    expect(deltas).toContain(
      "by Connor's (1987) normal approximation for McNemar's test, n = (z₀.₉₇₅·√ψ + z₀.₈·√(ψ − δ²))² / δ²",
    );
    expect(deltas).toContain(
      'Reading: "not distinguishable from noise" when the interval covers 0 and p ≥ 0.05; "unlikely to be noise" when it\n> excludes 0 and p < 0.05; "not established" when the two disagree.',
    );
    expect(deltas).toContain(
      "its interval is a stratified\n> bootstrap: each resample resamples the items within every task and averages the task deltas.",
    );
    const fewer = renderMarkdown(buildReport(reportInput({ bootstrap: { resamples: 2000, seed: 5 } })));
    expect(fewer).toContain("(n of n, 2,000\n> resamples, seed 5, xoshiro128** generator)");
  });

  test("a significant delta says so, with a sign", () => {
    // 10 items, bf16 right on all, fp8 wrong on 6 of them: p = 2·1/64 = 0.03125.
    const records = Array.from({ length: 10 }, (_, i) => [
      makeRecord({ variant: "bf16", itemId: `q${i}`, outcome: "correct" }),
      makeRecord({ variant: "fp8", itemId: `q${i}`, outcome: i < 6 ? "wrong" : "correct" }),
    ]).flat();
    const built = buildReport(
      reportInput({
        records,
        variants: [
          { name: "fp8", model: "m", endpoint: "e", status: "done" },
          { name: "bf16", model: "m", endpoint: "e", status: "done" },
        ],
        tasks: [{ name: "suite40", breakdowns: [], itemCount: 10 }],
      }),
    );
    const ci = pairedBootstrapInterval(
      { paired: 10, down: 6, up: 0 },
      { resamples: 10_000, seed: 0, stream: JSON.stringify(["suite40", "all", "all", "fp8"]) },
    );
    expect(ci?.high).toBeLessThan(0);
    // MDE at n = 10: 6 one-way flips are fewer than the floor needs, so the floor K(10)² = 61.6 pp.
    expect(rowsStartingWith(section(renderMarkdown(built), "Delta vs reference (bf16)"), "suite40", "fp8")).toEqual([
      [
        "suite40",
        "fp8",
        "10",
        `-60.0 [${(ci?.low ?? 0).toFixed(1)}, ${(ci?.high ?? 0).toFixed(1)}]`,
        "6",
        "0",
        "0.031",
        "61.6 (best case)",
        "lower, unlikely to be noise (p < 0.05, CI excludes 0)",
      ],
    ]);
  });

  test("the counts table: unanswered, truncated, errors and missing per variant and task", () => {
    const counts = section(markdown, "Counts");
    expect(rowsStartingWith(counts, "suite40", "fp8")).toEqual([
      ["suite40", "fp8", "5", "3", "2", "0", "0", "0", "2", "0"],
    ]);
    expect(rowsStartingWith(counts, "suite40", "bf16")).toEqual([
      ["suite40", "bf16", "5", "5", "3", "1", "1", "0", "0", "0"],
    ]);
    expect(rowsStartingWith(counts, "mini", "nvfp4")).toEqual([
      ["mini", "nvfp4", "3", "0", "0", "0", "0", "0", "0", "3"],
    ]);
  });

  test("the throughput table per variant and task, with its provenance note", () => {
    const throughput = section(markdown, "Throughput");
    // fp8 suite40: 6 requests (q1 twice), 4 replies of 100 prompt + 10 completion tokens, all sent at 1.000 s and
    // done at 2.000 s in session s1 or s2: two 1 s spans, so 2 s of wall time.
    expect(rowsStartingWith(throughput, "suite40", "fp8")).toEqual([
      ["suite40", "fp8", "6", "4", "2", "2.000", "200.0", "20.0", "1.000", "1.000", "1.000", "—", "—", "100.0"],
    ]);
    expect(rowsStartingWith(throughput, "mini", "nvfp4")).toEqual([
      ["mini", "nvfp4", "0", "0", "0", "0.000", "0.0", "0.0", "—", "—", "—", "—", "—", "—"],
    ]);
    expect(throughput).toContain("These come from the graded requests themselves");
  });

  test("failed variants are listed with their error", () => {
    expect(markdown).toContain(
      "## Variants not complete\n\n- **nvfp4** failed: E_ENDPOINT_DOWN: http://127.0.0.1:8001/v1 stopped answering\n",
    );
    const allDone = buildReport(
      reportInput({
        variants: reportInput().variants.map((v) => ({
          name: v.name,
          model: v.model,
          endpoint: v.endpoint,
          status: "done" as const,
        })),
      }),
    );
    expect(renderMarkdown(allDone)).not.toContain("## Variants not complete");
  });
});

describe("renderMarkdown: the 40-item run (fixture.ts fortyItemInput)", () => {
  const forty = renderMarkdown(buildReport(fortyItemInput()));
  const deltas = section(forty, "Delta vs reference (bf16)");

  test("MDE per row: at the flips seen, or the one-way best case; readings in words with n", () => {
    // nvfp4: 8 of 40 flipped (ψ = 0.2): 0.4300365 × √0.2 = 19.2 pp. fp8: 5 of 40, below the floor: K(40)² = 18.5 pp.
    expect(rowsStartingWith(deltas, "suite40", "nvfp4")[0]?.slice(2)).toEqual([
      "40",
      expect.stringMatching(/^0\.0 \[-\d+\.\d, \+\d+\.\d\]$/),
      "4",
      "4",
      "1.000",
      "19.2",
      "not distinguishable from noise at n = 40",
    ]);
    expect(rowsStartingWith(deltas, "suite40", "fp8")).toEqual([
      [
        "suite40",
        "fp8",
        "40",
        "-12.5 [-22.5, -2.5]",
        "5",
        "0",
        "0.063",
        "18.5 (best case)",
        "not established at n = 40: the CI excludes 0 but p ≥ 0.05",
      ],
    ]);
    expect(rowsStartingWith(deltas, "math10", "nvfp4")).toEqual([
      [
        "math10",
        "nvfp4",
        "10",
        "0.0 [no flips]",
        "0",
        "0",
        "1.000",
        "61.6 (best case)",
        "not distinguishable from noise at n = 10",
      ],
    ]);
    expect(rowsStartingWith(deltas, "math10", "fp8")[0]?.[8]).toBe(
      "lower, unlikely to be noise (p < 0.05, CI excludes 0)",
    );
    expect(rowsStartingWith(deltas, "Overall (macro mean over tasks)", "fp8")[0]?.[8]).toBe(
      "lower, CI excludes 0 (2 tasks; no test)",
    );
  });

  test('"What this n can show": the smallest difference each task\'s n can show, best case and at the flips seen', () => {
    const can = section(forty, "What this n can show");
    expect(can).toContain(
      "- **suite40**, n = 40: differences smaller than ~18.5 pp cannot be told from noise at 80% power, even if every flipped item went the same way. At the flips seen: fp8 ~18.5 pp (5 of 40 paired items flipped: best case); nvfp4 ~19.2 pp (8 of 40 paired items flipped).",
    );
    expect(can).toContain(
      "- **math10**, n = 10: differences smaller than ~61.6 pp cannot be told from noise at 80% power",
    );
    expect(can).toContain("from Connor (1987, Biometrics 43:207–211) solved for the difference");
    expect(section(markdown, "What this n can show")).toContain(
      "- **mini**, n = 3: too few items for a paired test to detect any difference at 80% power.",
    );
  });

  test("the variants table says per variant whether vLLM ran batch-invariant", () => {
    expect(rowsStartingWith(forty, "bf16 (ref)")[0]?.[4]).toBe("batch-invariant");
    expect(rowsStartingWith(forty, "fp8")[0]?.[4]).toBe(
      "not batch-invariant: temperature-0 output can vary with batching",
    );
    expect(rowsStartingWith(forty, "nvfp4")[0]?.[4]).toBe("not recorded");
  });

  test("the flipped items come last, grouped lost / gained per task and variant, each linked to index.html", () => {
    const flips = section(forty, "Flipped items");
    expect(forty.trimEnd().endsWith(flips.trimEnd())).toBe(true);
    expect(flips).toContain(
      [
        "### suite40: nvfp4 vs bf16",
        "",
        "- ↓ lost (ref right, variant wrong), 4: [q1](index.html#flip-suite40-q1-nvfp4), [q2](index.html#flip-suite40-q2-nvfp4), [q3](index.html#flip-suite40-q3-nvfp4), [q4](index.html#flip-suite40-q4-nvfp4)",
        "- ↑ gained (ref wrong, variant right), 4: [q31](index.html#flip-suite40-q31-nvfp4), [q32](index.html#flip-suite40-q32-nvfp4), [q33](index.html#flip-suite40-q33-nvfp4), [q34](index.html#flip-suite40-q34-nvfp4)",
      ].join("\n"),
    );
    expect(flips).toContain(
      "### math10: fp8 vs bf16\n\n- ↓ lost (ref right, variant wrong), 6: [m1](index.html#flip-math10-m1-fp8),",
    );
    expect(flips).toContain("- ↑ gained (ref wrong, variant right), 0: none");
    expect(flips).not.toContain("### math10: nvfp4"); // no flips, no block
    // Blocks follow the task order, then the variants' config order.
    expect(flips.indexOf("### suite40: fp8")).toBeLessThan(flips.indexOf("### suite40: nvfp4"));
    expect(flips.indexOf("### suite40: nvfp4")).toBeLessThan(flips.indexOf("### math10: fp8"));
    expect(flips).toContain("Each links to the item in index.html");
  });

  test("the fixed run's flips section, whole", () => {
    expect(section(markdown, "Flipped items")).toContain(
      [
        "### suite40: nvfp4 vs bf16",
        "",
        "- ↓ lost (ref right, variant wrong), 1: [q1](index.html#flip-suite40-q1-nvfp4)",
        "- ↑ gained (ref wrong, variant right), 0: none",
        "",
        "### suite40: fp8 vs bf16",
        "",
        "- ↓ lost (ref right, variant wrong), 1: [q2](index.html#flip-suite40-q2-fp8)",
        "- ↑ gained (ref wrong, variant right), 1: [q3](index.html#flip-suite40-q3-fp8)",
        "",
        "### mini: fp8 vs bf16",
        "",
        "- ↓ lost (ref right, variant wrong), 1: [m2](index.html#flip-mini-m2-fp8)",
        "- ↑ gained (ref wrong, variant right), 0: none",
      ].join("\n"),
    );
  });

  test("long lists are cut after the first 50 per direction; item ids are literal link text", () => {
    const records = Array.from({ length: 60 }, (_, i) => [
      makeRecord({ variant: "bf16", itemId: `x_${i}[a]`, outcome: "correct" }),
      makeRecord({ variant: "fp8", itemId: `x_${i}[a]`, outcome: "wrong" }),
    ]).flat();
    const built = renderMarkdown(
      buildReport(
        reportInput({
          records,
          variants: [
            { name: "bf16", model: "m", endpoint: "e", status: "done" },
            { name: "fp8", model: "m", endpoint: "e", status: "done" },
          ],
          tasks: [{ name: "suite40", breakdowns: [], itemCount: 60 }],
        }),
      ),
    );
    const lost = built.split("\n").find((l) => l.startsWith("- ↓ lost")) ?? "";
    expect(FLIPS_SHOWN).toBe(50);
    expect(lost.match(/\]\(index\.html#/g)).toHaveLength(50);
    expect(lost.endsWith(" … and 10 more, see index.html")).toBe(true);
    expect(lost).toContain("[x\\_0\\[a\\]](index.html#flip-suite40-x-0-a-fp8)");
  });

  test("no flips at all says so", () => {
    const records = ["bf16", "fp8"].map((variant) => makeRecord({ variant, itemId: "q1", outcome: "correct" }));
    const built = renderMarkdown(
      buildReport(
        reportInput({
          records,
          variants: [
            { name: "bf16", model: "m", endpoint: "e", status: "done" },
            { name: "fp8", model: "m", endpoint: "e", status: "done" },
          ],
          tasks: [{ name: "suite40", breakdowns: [], itemCount: 1 }],
        }),
      ),
    );
    expect(section(built, "Flipped items")).toContain("No item's verdict differs from bf16's.");
  });
});

describe("renderMarkdown: repeats (fixture.ts repeatsInput)", () => {
  const repeats = renderMarkdown(buildReport(repeatsInput()));

  test("a Repeats (noise floor) table: accuracy per repeat, mean ± SD, agreement, batch invariance", () => {
    const table = section(repeats, "Repeats (noise floor)");
    expect(rowsStartingWith(table, "code", "bf16")).toEqual([
      ["code", "bf16", "batch-invariant", "3", "3", "66.7%, 33.3%, 66.7%", "55.6% ± 19.2 pp", "66.7% (2/3)"],
    ]);
    expect(rowsStartingWith(table, "code", "fp8")).toEqual([
      ["code", "fp8", "not recorded", "3", "3", "66.7%, 66.7%, 100.0%", "77.8% ± 19.2 pp", "66.7% (2/3)"],
    ]);
    expect(table).toContain(
      "At temperature 0 each repeat is the same run again, so any spread between repeats is run-to-run noise",
    );
    expect(table).toContain("Mean ± SD = mean and sample standard deviation (n − 1) of the per-repeat accuracies");
    expect(table).toContain("Read the precision deltas against this spread");
  });

  test("at a temperature above 0 the legend says the repeats are random draws; tasks asked once have no table", () => {
    const hot = renderMarkdown(buildReport(repeatsInput({ sampling: { temperature: 0.6 } })));
    expect(section(hot, "Repeats (noise floor)")).toContain(
      "Sampling here is at temperature 0.6, so the repeats are random draws",
    );
    expect(markdown).not.toContain("## Repeats");
  });
});

describe("renderTerminalSummary", () => {
  // Issue 16 replaced the terminal's three tables (accuracy, delta with MDE and reading, throughput) by one compact
  // table; the MDE and the reading moved to report.md only, which the delta table tests above still check.
  test("one compact table: score, Δ with its interval, recovery, verdict, speedup; no breakdown rows", () => {
    const built = buildReport(fortyItemInput());
    const text = renderTerminalSummary(built);
    const header = text.split("\n")[0] ?? "";
    for (const column of ["Score", "Δ pp [95% CI]", "Recovery [95% CI]", "Verdict (1 pp)", "Decode ×"])
      expect(header).toContain(column);
    const fp8 = built.tasks[0]?.rows[0]?.deltas.find((d) => d.variant === "fp8")?.decision;
    // The fixture's fp8 loses five items against bf16 and gains none. Its bootstrap interval lies below −1 pp, but
    // the bootstrap cannot draw the gains it never saw: the upper bound is the exact one, above −1 pp (McNemar's
    // p = 2/2⁵ = 0.06 agrees that a loss is not shown), so the verdict is inconclusive.
    expect(fp8?.ci95Pp?.high).toBeLessThan(-1);
    expect(fp8?.nonInferiority).toMatchObject({ verdict: "inconclusive", basis: "unseen-direction" });
    expect(fp8?.nonInferiority?.interval.high).toBeGreaterThan(-1);
    expect(text).toMatch(/\| suite40 +\| fp8 +\| .*\| inconclusive at n = 40 \(/);
    expect(text).not.toContain("algebra");
    expect(text).not.toContain("MDE pp");
    expect(text).toMatch(/^fp8: inconclusive on 2 \(suite40, math10\) at 1 pp/m);
    expect(text).toContain("report.md");
  });
});

describe("renderScoreTable", () => {
  test("is the accuracy section of report.md: the table and its legend", () => {
    const table = renderScoreTable(report);
    expect(table.startsWith("| Task ")).toBe(true);
    expect(markdown).toContain(`## Accuracy\n\n${table}\n\n## Delta`);
    expect(table).not.toContain("McNemar");
  });
});

describe("renderCsv", () => {
  const rows = parseCsv(renderCsv(report));
  const header = rows[0] ?? [];
  const field = (row: string[] | undefined, name: string) => row?.[header.indexOf(name)];
  const find = (task: string, value: string, variant: string) =>
    rows.find((r) => field(r, "task") === task && field(r, "value") === value && field(r, "variant") === variant);

  test("the decision and speed columns come last; recovery, verdict and speedups as the report has them", () => {
    expect(header.slice(-19)).toEqual([
      "samples",
      "decision_delta_pp",
      "decision_delta_ci95_low_pp",
      "decision_delta_ci95_high_pp",
      "recovery",
      "recovery_ci95_low",
      "recovery_ci95_high",
      "margin",
      "verdict",
      "items_needed",
      "decode_speedup",
      "qps_speedup",
      "latency_p50_speedup",
      "completion_tokens_change",
      "completion_tokens_change_ci95_low",
      "completion_tokens_change_ci95_high",
      "truncation_change_pp",
      "tokens_per_correct",
      "seconds_per_correct",
    ]);
    const nvfp4 = find("suite40", "all", "nvfp4");
    const decision = report.tasks[0]?.rows[0]?.deltas.find((d) => d.variant === "nvfp4")?.decision;
    // nvfp4 graded 1 of 2 paired items against bf16's 2 of 2: recovery 0.5, its interval [0, 1], inconclusive.
    expect([field(nvfp4, "recovery"), field(nvfp4, "recovery_ci95_low"), field(nvfp4, "recovery_ci95_high")]).toEqual([
      "0.5",
      "0",
      "1",
    ]);
    expect([field(nvfp4, "margin"), field(nvfp4, "verdict"), field(nvfp4, "items_needed")]).toEqual([
      "1pp",
      "inconclusive",
      String(decision?.nonInferiority?.itemsNeeded),
    ]);
    // fp8 ties bf16 on three paired items, one flip each way: the ratio is unbounded above ("inf").
    expect(field(find("suite40", "all", "fp8"), "recovery_ci95_high")).toBe("inf");
    // The reference has no decision but its own cost per correct answer; breakdown rows have no speed columns.
    const bf16 = find("suite40", "all", "bf16");
    expect([field(bf16, "verdict"), field(bf16, "decode_speedup")]).toEqual(["", ""]);
    const speed = report.tasks[0]?.speed.find((x) => x.variant === "bf16");
    expect(Number(field(bf16, "tokens_per_correct"))).toBe(speed?.tokensPerCorrect);
    expect(field(find("suite40", "algebra", "fp8"), "decode_speedup")).toBe("");
  });

  test("one row per variant × task × breakdown value, every row as wide as the header", () => {
    // (suite40: all, algebra, geometry) + (mini: all) = 4 rows per variant, 3 variants.
    expect(rows.length - 1).toBe(12);
    for (const row of rows) expect(row).toHaveLength(header.length);
  });

  test('the task row is breakdown "all"; numbers are unrounded; empty means does not apply', () => {
    const fp8 = find("suite40", "all", "fp8");
    expect([
      field(fp8, "breakdown"),
      field(fp8, "graded"),
      field(fp8, "correct"),
      field(fp8, "errors"),
      field(fp8, "missing"),
    ]).toEqual(["all", "3", "2", "2", "0"]);
    expect(Number(field(fp8, "accuracy"))).toBeCloseTo(2 / 3, 15);
    expect(Number(field(fp8, "ci95_low"))).toBeCloseTo(0.20765960080204765, 12);
    expect([
      field(fp8, "paired_n"),
      field(fp8, "delta_pp"),
      field(fp8, "mcnemar_p"),
      field(fp8, "requests"),
      field(fp8, "request_errors"),
    ]).toEqual(["3", "0", "1", "6", "2"]);
    const bf16 = find("suite40", "all", "bf16");
    expect([
      field(bf16, "is_reference"),
      field(bf16, "delta_pp"),
      field(bf16, "mcnemar_p"),
      field(bf16, "delta_ci95_low_pp"),
      field(bf16, "mde_pp"),
    ]).toEqual(["true", "", "", "", ""]);
    const geometry = find("suite40", "geometry", "fp8");
    expect([field(geometry, "breakdown"), field(geometry, "accuracy"), field(geometry, "qps")]).toEqual([
      "category",
      "",
      "",
    ]);
  });

  test("the delta's bootstrap interval and MDE, in pp, next to delta_pp", () => {
    expect(header.slice(header.indexOf("delta_pp"), header.indexOf("delta_pp") + 3)).toEqual([
      "delta_pp",
      "delta_ci95_low_pp",
      "delta_ci95_high_pp",
    ]);
    expect(header).toContain("mde_pp");
    const fp8 = find("suite40", "all", "fp8");
    expect([field(fp8, "delta_ci95_low_pp"), field(fp8, "delta_ci95_high_pp"), field(fp8, "mde_pp")]).toEqual([
      "-100",
      "100",
      "",
    ]);
    const forty = parseCsv(renderCsv(buildReport(fortyItemInput())));
    const at = (task: string, variant: string) =>
      forty.find((r) => r[1] === task && r[3] === "all" && r[4] === variant);
    expect([
      field(at("suite40", "fp8"), "delta_pp"),
      field(at("suite40", "fp8"), "delta_ci95_low_pp"),
      field(at("suite40", "fp8"), "delta_ci95_high_pp"),
    ]).toEqual(["-12.5", "-22.5", "-2.5"]);
    expect(Number(field(at("suite40", "fp8"), "mde_pp"))).toBeCloseTo(18.493135050770046, 9);
    // No flips: no interval, empty cells; the MDE is still there.
    expect([
      field(at("math10", "nvfp4"), "delta_ci95_low_pp"),
      field(at("math10", "nvfp4"), "delta_ci95_high_pp"),
    ]).toEqual(["", ""]);
    expect(Number(field(at("math10", "nvfp4"), "mde_pp"))).toBeCloseTo(61.58377170969115, 9);
  });

  test("a value holding a comma or a quote is quoted and reads back whole", () => {
    const records = [
      makeRecord({ variant: "bf16", itemId: "a", outcome: "correct", labels: { category: 'law, "civil"' } }),
    ];
    const built = buildReport(
      reportInput({
        records,
        variants: [{ name: "bf16", model: "m", endpoint: "e", status: "done" }],
        tasks: [{ name: "suite40", breakdowns: ["category"], itemCount: 1 }],
      }),
    );
    const csv = renderCsv(built);
    expect(csv).toContain(',"law, ""civil""",');
    const back = parseCsv(csv);
    expect(back.map((r) => r[3])).toEqual(["value", "all", 'law, "civil"']);
  });
});

describe("renderJson", () => {
  test("round-trips to the same report: no NaN, undefined or Infinity hidden in it", () => {
    const json = renderJson(report);
    expect(JSON.parse(json)).toStrictEqual(report);
    expect(json).toMatch(/^\{\n {2}"schemaVersion": 1,\n/);
    expect(json.endsWith("}\n")).toBe(true);
  });
});
