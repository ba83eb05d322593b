/**
 * The per-precision table (`report --format md|csv|latex`) on the hand-built report in precision-fixture.ts. Every
 * expected cell was read off that file: 8723/12032 = 72.5%, the overall bf16 score (75 + 25 + 72.498) / 3 = 57.5, …
 */
import { parse } from "csv-parse/sync";
import { describe, expect, test } from "vitest";
import { renderPrecisionTable } from "../../src/report/precision-table-format.ts";
import type { ReportData } from "../../src/report/report-types.ts";
import { precisionReport } from "./precision-fixture.ts";

const report = precisionReport();

/** The trimmed cells of a Markdown table line; a rule line's cells as their alignment. */
function cells(line: string): string[] {
  return line
    .split("|")
    .slice(1, -1)
    .map((cell) => cell.trim())
    .map((cell) => (/^-+:$/.test(cell) ? "right" : /^-+$/.test(cell) ? "left" : cell));
}

const NOTE =
  "n = items per task: suite40 40, aime24 30, mmlu_pro 12,032. Scores: accuracy in %. avg@k: the mean correctness " +
  "over k samples per item (aime24: k = 4). Δ pp = variant − bf16; recovery % = variant ÷ bf16; 95% intervals by " +
  "paired percentile bootstrap (10,000 resamples, seed 0). For avg@k the bootstrap resamples items, each with all " +
  "its samples. Verdict at a margin of 1 pp: non-inferior when the whole 95% interval lies above Δ = −1 pp " +
  "(one-sided 97.5%), inferior when it lies wholly below, otherwise inconclusive at this n, with the items that " +
  "would decide at 80% power; where no item differs, or none went one way, that side of the interval is the exact " +
  "Clopper–Pearson bound, not the bootstrap's. Overall: the unweighted mean over tasks. Overall verdict: how many tasks are " +
  "non-inferior. quanteval run qwen3-32b.";

describe("markdown", () => {
  test("a GitHub table: scores, then per compared variant Δ, recovery and verdict; the note line under it", () => {
    const lines = renderPrecisionTable(report, "md").split("\n");
    const header = [
      ...["Task", "bf16 (ref)", "fp8_dynamic", "nvfp4"],
      ...["fp8_dynamic Δ pp [95% CI]", "fp8_dynamic recovery [95% CI]", "fp8_dynamic verdict"],
      ...["nvfp4 Δ pp [95% CI]", "nvfp4 recovery [95% CI]", "nvfp4 verdict"],
    ];
    expect(lines.slice(0, 7).map(cells)).toEqual([
      header,
      header.map((_, i) => ([0, 6, 9].includes(i) ? "left" : "right")),
      [
        ...["suite40", "75.0", "70.0", "62.5"],
        ...["-5.0 [-12.5, +2.5]", "93.3% [84.0, 104.0]", "inconclusive at n = 40 (~600 items to decide)"],
        ...["-12.5 [-22.5, -2.5]", "83.3% [72.0, 97.0]", "inferior"],
      ],
      [
        ...["aime24 (avg@4)", "25.0", "17.5", "25.0"],
        ...["-7.5 [-15.0, +0.8]", "70.0% [40.0, ∞)", "inconclusive at n = 30 (~600 items to decide)"],
        ...["0.0 [no flips]", "100.0% [100.0, 100.0]", "inconclusive at n = 30 (~600 items to decide)"],
      ],
      [
        ...["mmlu_pro", "72.5", "72.3", "70.6"],
        ...["-0.2 [-0.6, +0.2]", "99.7% [99.1, 100.3]", "non-inferior"],
        ...["-1.9 [-2.4, -1.4]", "97.4% [96.6, 98.0]", "inferior"],
      ],
      ["user_task&50%#1", "N/A", "N/A", "N/A", "—", "—", "—", "—", "—", "—"],
      [
        ...["Overall (macro mean over tasks)", "57.5", "53.3", "52.7"],
        ...["-4.2 [-8.1, -0.4]", "92.0% [85.0, 99.0]", "1/3 non-inferior"],
        ...["-4.8 [-8.3, -1.2]", "91.0% [80.0, ∞)", "0/3 non-inferior"],
      ],
    ]);
    // Padded like report.md's tables: every line of the table is as wide as the header.
    expect(new Set(lines.slice(0, 7).map((line) => [...line].length)).size).toBe(1);
    expect(lines.slice(7)).toEqual(["", NOTE, ""]);
  });

  test("with samples > 1 the score is avg@k, never the rows' sample-0 accuracy", () => {
    const aime = renderPrecisionTable(report, "md")
      .split("\n")
      .find((line) => line.startsWith("| aime24"));
    // Sample 0 scored 30.0, 20.0 and 30.0 (precision-fixture.ts); avg@4 is 25.0, 17.5, 25.0.
    expect(aime).toMatch(/^\| aime24 \(avg@4\) +\| +25\.0 \| +17\.5 \| +25\.0 \|/);
    expect(aime).not.toMatch(/30\.0|20\.0/);
    // And the Δ is the decision's (every sample), not the sample-0 delta's 99 pp.
    expect(renderPrecisionTable(report, "md")).not.toMatch(/\+99\.0/);
  });

  test("a report without decision figures (older) prints its sample-0 Δ and says no verdict was recorded", () => {
    const older = precisionReport();
    delete older.decision;
    for (const task of older.tasks) for (const d of task.rows[0]?.deltas ?? []) delete d.decision;
    for (const o of older.overall) {
      delete o.recovery;
      delete o.verdicts;
      delete o.decision;
      delete o.macroScore;
    }
    const md = renderPrecisionTable(older, "md");
    expect(md).toMatch(/^\| suite40 .*\| +\+99\.0 \[\+98\.0, \+100\.0\] \| +— \| — +\|/m);
    // The overall row: macroAccuracy (sample 0; 0 in the fixture) and the sample-0 macro delta.
    expect(md).toMatch(
      /^\| Overall \(macro mean over tasks\) \| +0\.0 \| +0\.0 \| +0\.0 \| +\+99\.0 \[\+98\.0, \+100\.0\] \|/m,
    );
    expect(md).toMatch(/Verdict: not recorded in this report\./);
    expect(md).not.toMatch(/Overall verdict/);
  });

  test("a recovery margin is stated as one; a single variant has no comparison columns", () => {
    const relative = precisionReport({
      decision: { margin: { kind: "recovery", ratio: 0.99 }, marginSource: "config", oneSidedLevel: 0.975 },
    });
    expect(renderPrecisionTable(relative, "md")).toMatch(
      /Verdict at a margin of 99% recovery: non-inferior when the whole 95% interval lies above recovery = 99%/,
    );

    const alone = precisionReport({
      variants: [{ name: "bf16", model: "m", endpoint: "http://127.0.0.1:8000/v1", status: "done", isReference: true }],
      tasks: report.tasks.slice(0, 1).map((t) => ({
        ...t,
        rows: t.rows.map((r) => ({ ...r, scores: r.scores.slice(0, 1), deltas: [] })),
      })),
      overall: report.overall.slice(0, 1).map((o) => ({ ...o, macroScore: 0.75 })),
    });
    expect(renderPrecisionTable(alone, "md")).toBe(
      [
        "| Task                            | bf16 (ref) |",
        "|---------------------------------|-----------:|",
        "| suite40                         |       75.0 |",
        "| Overall (macro mean over tasks) |       75.0 |",
        "",
        "n = 40 items per task. Scores: accuracy in %. Overall: the unweighted mean over tasks. " +
          "quanteval run qwen3-32b.",
        "",
      ].join("\n"),
    );
  });

  test("an overall score over fewer tasks than the others have says how many", () => {
    const partial = precisionReport();
    const aime = partial.tasks[1]?.passAtK.find((p) => p.variant === "nvfp4");
    if (aime === undefined) throw new Error("fixture has no aime24 pass@k for nvfp4");
    aime.values = aime.values.map((v) => ({ ...v, value: null }));
    // As buildReport would have it: nvfp4's macro mean over the two tasks it has, (62.5 + 70.595) / 2 = 66.5.
    const nvfp4 = partial.overall.find((o) => o.variant === "nvfp4");
    if (nvfp4 === undefined) throw new Error("fixture has no nvfp4 overall");
    nvfp4.macroScore = (0.625 + 8494 / 12032) / 2;
    const overall = renderPrecisionTable(partial, "md")
      .split("\n")
      .find((line) => line.startsWith("| Overall"));
    expect(cells(overall ?? "").slice(1, 4)).toEqual(["57.5", "53.3", "66.5 (2 of 3 tasks)"]);
  });

  test("a run whose every task was N/A says so instead of an n", () => {
    const none = precisionReport({ tasks: report.tasks.filter((t) => t.unavailable !== undefined) });
    expect(renderPrecisionTable(none, "md")).toMatch(/\n\nNo task had data\. Scores: accuracy in %\./);
  });
});

describe("latex", () => {
  test("a booktabs tabular under a caption comment; names escaped, minus in math mode, ∞ as \\infty", () => {
    const lines = renderPrecisionTable(report, "latex").split("\n");
    expect(lines.slice(0, 4)).toEqual([
      `% Caption: ${NOTE}`,
      "% Needs \\usepackage{booktabs}; too wide for the page? Wrap it in \\resizebox{\\linewidth}{!}{...} (graphicx).",
      "\\begin{tabular}{lrrrrrlrrl}",
      "\\toprule",
    ]);
    const cellsOf = (line: string) => line.replace(/ \\\\$/, "").split(" & ");
    // Scores and each compared variant's columns under a spanning label, ruled off by \cmidrule.
    expect(cellsOf(lines[4] ?? "")).toEqual([
      "",
      "\\multicolumn{3}{c}{Score (\\%)}",
      "\\multicolumn{3}{c}{fp8\\_dynamic vs bf16}",
      "\\multicolumn{3}{c}{nvfp4 vs bf16}",
    ]);
    expect(lines[5]).toBe("\\cmidrule(lr){2-4} \\cmidrule(lr){5-7} \\cmidrule(lr){8-10}");
    expect(cellsOf(lines[6] ?? "")).toEqual([
      ...["Task", "bf16 (ref)", "fp8\\_dynamic", "nvfp4"],
      ...["$\\Delta$ pp [95\\% CI]", "Recovery [95\\% CI]", "Verdict"],
      ...["$\\Delta$ pp [95\\% CI]", "Recovery [95\\% CI]", "Verdict"],
    ]);
    expect(lines[7]).toBe("\\midrule");
    expect([...lines.slice(8, 12), lines[13] ?? ""].map(cellsOf)).toEqual([
      [
        ...["suite40", "$75.0$", "$70.0$", "$62.5$"],
        ...[
          "$-5.0$ [$-12.5$, $+2.5$]",
          "$93.3$\\% [$84.0$, $104.0$]",
          "inconclusive at n = 40 ($\\sim$600 items to decide)",
        ],
        ...["$-12.5$ [$-22.5$, $-2.5$]", "$83.3$\\% [$72.0$, $97.0$]", "inferior"],
      ],
      [
        ...["aime24 (avg@4)", "$25.0$", "$17.5$", "$25.0$"],
        ...[
          "$-7.5$ [$-15.0$, $+0.8$]",
          "$70.0$\\% [$40.0$, $\\infty$)",
          "inconclusive at n = 30 ($\\sim$600 items to decide)",
        ],
        ...["$0.0$ [no flips]", "$100.0$\\% [$100.0$, $100.0$]", "inconclusive at n = 30 ($\\sim$600 items to decide)"],
      ],
      [
        ...["mmlu\\_pro", "$72.5$", "$72.3$", "$70.6$"],
        ...["$-0.2$ [$-0.6$, $+0.2$]", "$99.7$\\% [$99.1$, $100.3$]", "non-inferior"],
        ...["$-1.9$ [$-2.4$, $-1.4$]", "$97.4$\\% [$96.6$, $98.0$]", "inferior"],
      ],
      ["user\\_task\\&50\\%\\#1", "N/A", "N/A", "N/A", "---", "---", "---", "---", "---", "---"],
      [
        ...["Overall (macro mean over tasks)", "$57.5$", "$53.3$", "$52.7$"],
        ...["$-4.2$ [$-8.1$, $-0.4$]", "$92.0$\\% [$85.0$, $99.0$]", "1/3 non-inferior"],
        ...["$-4.8$ [$-8.3$, $-1.2$]", "$91.0$\\% [$80.0$, $\\infty$)", "0/3 non-inferior"],
      ],
    ]);
    // Each row ends its line; the overall row sits under its own rule.
    expect(lines.slice(8, 14).every((line, i) => (i === 4 ? line === "\\midrule" : line.endsWith(" \\\\")))).toBe(true);
    expect(lines.slice(14)).toEqual(["\\bottomrule", "\\end{tabular}", ""]);
  });

  test("every LaTeX special in a name is escaped", () => {
    const odd = precisionReport();
    const first = odd.tasks[0];
    if (first === undefined) throw new Error("fixture has no task");
    odd.tasks = [{ ...first, name: "a_b%c&d#e$f{g}h~i^j\\k" }];
    const row = renderPrecisionTable(odd, "latex")
      .split("\n")
      .find((line) => line.startsWith("a"));
    expect(row?.split(" & ")[0]).toBe("a\\_b\\%c\\&d\\#e\\$f\\{g\\}h$\\sim$i\\textasciicircum{}j\\textbackslash{}k");
  });
});

describe("csv", () => {
  const csv = renderPrecisionTable(report, "csv");
  const rows: string[][] = parse(csv);

  test("a header row stating units, then unrounded numbers; empty where a value does not exist", () => {
    expect(rows[0]).toEqual([
      "task",
      "metric",
      "n",
      "bf16_score_fraction",
      "fp8_dynamic_score_fraction",
      "nvfp4_score_fraction",
      ...["fp8_dynamic", "nvfp4"].flatMap((v) => [
        `${v}_delta_pp`,
        `${v}_delta_ci95_low_pp`,
        `${v}_delta_ci95_high_pp`,
        `${v}_recovery_ratio`,
        `${v}_recovery_ci95_low_ratio`,
        `${v}_recovery_ci95_high_ratio`,
        `${v}_verdict`,
        `${v}_paired_n`,
        `${v}_items_to_decide`,
      ]),
    ]);
    // Per row: task, metric, n and the three scores; then fp8_dynamic's nine fields; then nvfp4's.
    const overallScores = [
      (0.75 + 0.25 + 8723 / 12032) / 3,
      (0.7 + 0.175 + 8699 / 12032) / 3,
      (0.625 + 0.25 + 8494 / 12032) / 3,
    ];
    const expected = [
      [
        ...["suite40", "accuracy", 40, 0.75, 0.7, 0.625],
        ...[-5, -12.5, 2.5, 0.7 / 0.75, 0.84, 1.04, "inconclusive", 40, 600],
        ...[-12.5, -22.5, -2.5, 0.625 / 0.75, 0.72, 0.97, "inferior", 40, ""],
      ],
      [
        ...["aime24", "avg@4", 30, 0.25, 0.175, 0.25],
        ...[-7.5, -15, 0.8333, 0.7, 0.4, "", "inconclusive", 30, 600],
        ...[0, "", "", 1, 1, 1, "inconclusive", 30, 600],
      ],
      [
        ...["mmlu_pro", "accuracy", 12032, 8723 / 12032, 8699 / 12032, 8494 / 12032],
        ...[-0.2, -0.6, 0.2, 0.99725, 0.9914, 1.0029, "non-inferior", 12032, ""],
        ...[-1.9, -2.4, -1.4, 0.9737, 0.966, 0.98, "inferior", 12032, ""],
      ],
      ["user_task&50%#1", "accuracy", 20, ...Array<string>(21).fill("")],
      [
        ...["overall", "macro mean", "", ...overallScores],
        ...[-4.2333, -8.1, -0.4, 0.92, 0.85, 0.99, "", "", ""],
        ...[-4.8, -8.3, -1.2, 0.91, 0.8, "", "", "", ""],
      ],
    ];
    expect(csv.split("\n").slice(1)).toEqual([...expected.map((fields) => fields.join(",")), ""]);
  });

  test("parsed back, an unbounded recovery interval is an empty field, never text", () => {
    const records: Record<string, string>[] = parse(csv, { columns: true });
    const aime = records.find((r) => r.task === "aime24");
    expect(aime?.fp8_dynamic_recovery_ci95_high_ratio).toBe("");
    expect(Number(aime?.fp8_dynamic_recovery_ci95_low_ratio)).toBe(0.4);
    expect(records.find((r) => r.task === "overall")?.nvfp4_recovery_ci95_high_ratio).toBe("");
    expect(csv).not.toMatch(/∞|\binf(inity)?\b/i);
  });
});

test("every format renders the same rows: one per task and the overall row", () => {
  const data: ReportData = report;
  expect(renderPrecisionTable(data, "md").match(/^\| (suite40|aime24|mmlu_pro|user_task|Overall)/gm)).toHaveLength(5);
  expect(renderPrecisionTable(data, "latex").match(/\\\\$/gm)).toHaveLength(7); // 2 header lines + 5 rows
  expect(parse(renderPrecisionTable(data, "csv"))).toHaveLength(6);
});
