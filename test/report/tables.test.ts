/** The rendered report for the fixed run in fixture.ts. Expected cells were written from hand counts and Wilson bounds. */
import { describe, expect, test } from "vitest";
import { buildReport } from "../../src/report/summary.ts";
import { renderCsv, renderJson, renderMarkdown, renderScoreTable } from "../../src/report/tables.ts";
import { makeRecord } from "../metrics/records.ts";
import { reportInput } from "./fixture.ts";

const report = buildReport(reportInput());
const markdown = renderMarkdown(report);

/** The cells of a Markdown table row, trimmed: for checks where column padding is not the point. */
function cells(line: string): string[] {
  return line.split("|").slice(1, -1).map((cell) => cell.trim());
}

function rowsStartingWith(text: string, ...first: string[]): string[][] {
  return text.split("\n").filter((line) => line.startsWith("|")).map(cells).filter((row) => first.every((f, i) => row[i] === f));
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
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (ch === '"') quoted = false; else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") { row.push(field); field = ""; } else if (ch === "\n") { row.push(field); rows.push(row); row = []; field = ""; } else field += ch;
  }
  return rows;
}

describe("renderMarkdown", () => {
  test("the header names the run, the reference, sampling and concurrency", () => {
    expect(markdown.startsWith("# quanteval report: 20250101-120000-ab12\n")).toBe(true);
    expect(markdown).toContain("- Reference: **bf16** (deltas are measured against it)\n");
    expect(markdown).toContain("- Sampling: temperature 0, max_tokens 4096\n");
    expect(markdown).toContain("- Concurrency: 16 requests in flight per variant, streaming\n");
    expect(markdown).toContain("| bf16 (ref) | `Qwen/Qwen3-32B`       | http://127.0.0.1:8003/v1 | done   |\n");
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

  test("the delta table: paired n, Δ pp, ↓/↑, McNemar p and the reading in words", () => {
    const deltas = section(markdown, "Delta vs reference (bf16)");
    expect(rowsStartingWith(deltas, "suite40", "fp8")).toEqual([["suite40", "fp8", "3", "0.0", "1", "1", "1.000", "not distinguishable from noise at this n"]]);
    expect(rowsStartingWith(deltas, "mini", "fp8")).toEqual([["mini", "fp8", "2", "-50.0", "1", "0", "1.000", "not distinguishable from noise at this n"]]);
    expect(rowsStartingWith(deltas, "└ suite40 / geometry", "nvfp4")).toEqual([["└ suite40 / geometry", "nvfp4", "0", "—", "0", "0", "—", "nothing paired"]]);
    expect(rowsStartingWith(deltas, "Overall (macro mean over tasks)", "fp8")).toEqual([["Overall (macro mean over tasks)", "fp8", "—", "-25.0", "—", "—", "—", "macro mean of the task deltas; no test"]]);
    expect(markdown).toContain("At p ≥ 0.05 the difference is not distinguishable from noise at this n.");
  });

  test("a significant delta says so, with a sign", () => {
    // 10 items, bf16 right on all, fp8 wrong on 6 of them: p = 2·1/64 = 0.03125.
    const records = Array.from({ length: 10 }, (_, i) => [
      makeRecord({ variant: "bf16", itemId: `q${i}`, outcome: "correct" }),
      makeRecord({ variant: "fp8", itemId: `q${i}`, outcome: i < 6 ? "wrong" : "correct" }),
    ]).flat();
    const built = buildReport(reportInput({
      records, variants: [{ name: "fp8", model: "m", endpoint: "e", status: "done" }, { name: "bf16", model: "m", endpoint: "e", status: "done" }],
      tasks: [{ name: "suite40", breakdowns: [], itemCount: 10 }],
    }));
    expect(rowsStartingWith(section(renderMarkdown(built), "Delta vs reference (bf16)"), "suite40", "fp8")).toEqual([["suite40", "fp8", "10", "-60.0", "6", "0", "0.031", "unlikely to be noise (p < 0.05)"]]);
  });

  test("the counts table: unanswered, truncated, errors and missing per variant and task", () => {
    const counts = section(markdown, "Counts");
    expect(rowsStartingWith(counts, "suite40", "fp8")).toEqual([["suite40", "fp8", "5", "3", "2", "0", "0", "2", "0"]]);
    expect(rowsStartingWith(counts, "suite40", "bf16")).toEqual([["suite40", "bf16", "5", "5", "3", "1", "1", "0", "0"]]);
    expect(rowsStartingWith(counts, "mini", "nvfp4")).toEqual([["mini", "nvfp4", "3", "0", "0", "0", "0", "0", "3"]]);
  });

  test("the throughput table per variant and task, with its provenance note", () => {
    const throughput = section(markdown, "Throughput");
    // fp8 suite40: 6 requests (q1 twice), 4 replies of 100 prompt + 10 completion tokens, all sent at 1.000 s and
    // done at 2.000 s in session s1 or s2: two 1 s spans, so 2 s of wall time.
    expect(rowsStartingWith(throughput, "suite40", "fp8")).toEqual([["suite40", "fp8", "6", "4", "2", "2.000", "200.0", "20.0", "1.000", "1.000", "1.000", "—", "—", "100.0"]]);
    expect(rowsStartingWith(throughput, "mini", "nvfp4")).toEqual([["mini", "nvfp4", "0", "0", "0", "0.000", "0.0", "0.0", "—", "—", "—", "—", "—", "—"]]);
    expect(throughput).toContain("These come from the graded requests themselves");
  });

  test("failed variants are listed with their error", () => {
    expect(markdown).toContain("## Variants not complete\n\n- **nvfp4** failed: E_ENDPOINT_DOWN: http://127.0.0.1:8001/v1 stopped answering\n");
    const allDone = buildReport(reportInput({ variants: reportInput().variants.map((v) => ({ name: v.name, model: v.model, endpoint: v.endpoint, status: "done" as const })) }));
    expect(renderMarkdown(allDone)).not.toContain("## Variants not complete");
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

  test("one row per variant × task × breakdown value, every row as wide as the header", () => {
    // (suite40: all, algebra, geometry) + (mini: all) = 4 rows per variant, 3 variants.
    expect(rows.length - 1).toBe(12);
    for (const row of rows) expect(row).toHaveLength(header.length);
  });

  test("the task row is breakdown \"all\"; numbers are unrounded; empty means does not apply", () => {
    const fp8 = find("suite40", "all", "fp8");
    expect([field(fp8, "breakdown"), field(fp8, "graded"), field(fp8, "correct"), field(fp8, "errors"), field(fp8, "missing")]).toEqual(["all", "3", "2", "2", "0"]);
    expect(Number(field(fp8, "accuracy"))).toBeCloseTo(2 / 3, 15);
    expect(Number(field(fp8, "ci95_low"))).toBeCloseTo(0.20765960080204765, 12);
    expect([field(fp8, "paired_n"), field(fp8, "delta_pp"), field(fp8, "mcnemar_p"), field(fp8, "requests"), field(fp8, "request_errors")]).toEqual(["3", "0", "1", "6", "2"]);
    const bf16 = find("suite40", "all", "bf16");
    expect([field(bf16, "is_reference"), field(bf16, "delta_pp"), field(bf16, "mcnemar_p")]).toEqual(["true", "", ""]);
    const geometry = find("suite40", "geometry", "fp8");
    expect([field(geometry, "breakdown"), field(geometry, "accuracy"), field(geometry, "qps")]).toEqual(["category", "", ""]);
  });

  test("a value holding a comma or a quote is quoted and reads back whole", () => {
    const records = [makeRecord({ variant: "bf16", itemId: "a", outcome: "correct", labels: { category: 'law, "civil"' } })];
    const built = buildReport(reportInput({ records, variants: [{ name: "bf16", model: "m", endpoint: "e", status: "done" }], tasks: [{ name: "suite40", breakdowns: ["category"], itemCount: 1 }] }));
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
