/**
 * The report's files for a run with divergence journals (issue 18): report.md, index.html, scores.json, scores.csv
 * and charts/divergence.svg carry the divergence, and everything else is what a run without them writes.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parse as parseCsv } from "csv-parse/sync";
import { beforeAll, describe, expect, test } from "vitest";
import { journalPath } from "../../src/journal/journal.ts";
import { writeManifest } from "../../src/journal/manifest.ts";
import { writeReport } from "../../src/report/index.ts";
import { makeRecord } from "../metrics/records.ts";
import { divergenceManifest, FAR, forced, REFERENCE, RUN_ID, withFigures, writeForced } from "./divergence-fixture.ts";

/** The files of the report, read back. */
interface Files {
  md: string;
  html: string;
  json: Record<string, unknown>;
  csv: string[][];
  divergenceSvg: string | undefined;
}

async function report(artifacts: string, name: string): Promise<Files> {
  const { dir } = await writeReport({ artifactsDir: artifacts, reportsDir: join(artifacts, name), runId: RUN_ID });
  const read = (file: string) => readFileSync(join(dir, file), "utf8");
  const svg = join(dir, "charts", "divergence.svg");
  return {
    md: read("report.md"),
    html: read("index.html"),
    json: JSON.parse(read("scores.json")),
    csv: parseCsv(read("scores.csv")),
    divergenceSvg: existsSync(svg) ? readFileSync(svg, "utf8") : undefined,
  };
}

let without: Files;
let withDivergence: Files;

beforeAll(async () => {
  const artifacts = mkdtempSync(join(tmpdir(), "quanteval-divergence-files-"));
  writeManifest(artifacts, divergenceManifest());
  // fp8 loses q1 against bf16: the one flip.
  for (const [variant, outcomes] of [
    ["bf16", ["correct", "correct"]],
    ["fp8", ["wrong", "correct"]],
    ["nvfp4", ["correct", "correct"]],
  ] as const) {
    const file = journalPath(artifacts, RUN_ID, variant, "suite40");
    mkdirSync(dirname(file), { recursive: true });
    const lines = outcomes.map((outcome, i) =>
      JSON.stringify({ ...makeRecord({ variant, itemId: `q${i + 1}`, outcome }), runId: RUN_ID }),
    );
    writeFileSync(file, `${lines.join("\n")}\n`);
  }
  without = await report(artifacts, "before");
  // fp8 diverges on q1 (FAR: KL 0.056698 and 0.200777 at its two positions), nvfp4 is the reference's twin.
  // The variants' records carry their figures, as `quanteval diverge` writes them.
  const [q1, q2] = [forced("bf16", "q1", REFERENCE), forced("bf16", "q2", REFERENCE)];
  writeForced(artifacts, [
    q1,
    q2,
    withFigures(forced("fp8", "q1", FAR), q1),
    withFigures(forced("fp8", "q2", REFERENCE), q2),
    withFigures(forced("nvfp4", "q1", REFERENCE), q1),
    withFigures(forced("nvfp4", "q2", REFERENCE), q2),
  ]);
  withDivergence = await report(artifacts, "after");
});

describe("a run without divergence journals", () => {
  test("has no divergence section, chart, JSON block or CSV column", () => {
    expect(without.md).not.toContain("divergence");
    expect(without.html).not.toContain('id="divergence"');
    expect(without.html).not.toContain('id="chart-divergence"');
    expect(without.divergenceSvg).toBeUndefined();
    expect("divergence" in without.json).toBe(false);
    expect(without.csv[0]?.at(-1)).toBe("seconds_per_correct");
  });
});

describe("a run with divergence journals", () => {
  test("report.md: the table with the figures worked by hand, then its legend", () => {
    const md = withDivergence.md;
    const section = md.slice(md.indexOf("## Token divergence vs reference (bf16)"), md.indexOf("## Tasks and data"));
    const rows = section.split("\n").filter((line) => line.startsWith("| suite40"));
    // fp8: q1 mean KL (0.056698 + 0.200777) / 2 = 0.128737, q2 0: mean 0.064369; max KL mean 0.200777 / 2.
    // Its one flip is q1, the item that diverges: the gap is q1's KL, and r_pb 1. ln PPL ratio: q1 0.458145 / 2.
    expect(
      rows.map((row) =>
        row
          .split("|")
          .map((cell) => cell.trim())
          .slice(1, -1),
      ),
    ).toEqual([
      [
        "suite40",
        "fp8",
        "2",
        "0",
        "0.0644 [0, 0.1287]",
        "0.1004 [0, 0.2008]",
        "75.0% [50.0%, 100.0%]",
        "50.0% [0.0%, 100.0%]",
        "+0.2291 [0, +0.4581]",
        "1",
        "+0.1287 [+0.1287, +0.1287]",
        "1.00",
        "4 of 4",
      ],
      [
        "suite40",
        "nvfp4",
        "2",
        "0",
        "0 [0, 0]",
        "0 [0, 0]",
        "100.0% [100.0%, 100.0%]",
        "0.0% [0.0%, 0.0%]",
        "0 [0, 0]",
        "0",
        "—",
        "—",
        "4 of 4",
      ],
    ]);
    expect(section).toContain("at each reply position its top-3 was compared with bf16's");
    expect(section).toContain("(n of n, 10,000\n> resamples, seed 0, xoshiro128** generator");
    expect(section).toContain("Positions = reply positions scored of the reply tokens there were; every reply was");
    expect(section).toContain("It is a\n> lower bound on the full-vocabulary KL");
  });

  test("index.html: the same table, filterable by task and variant, and the chart with the flipped item marked", () => {
    const section = withDivergence.html.slice(withDivergence.html.indexOf('<section id="divergence">'));
    expect(section).toContain("<h2>Token divergence vs reference (bf16)</h2>");
    expect(section).toContain(
      '<tr data-task="suite40" data-variant="fp8"><td>suite40</td><td>fp8</td><td class="num">2</td>',
    );
    expect(section).toContain('<td class="num">+0.1287 [+0.1287, +0.1287]</td>');
    expect(section).toContain('<p class="legend">Teacher forcing: every variant gave its logprobs');
    expect(withDivergence.html).toContain('<figure id="chart-divergence">');
    const svg = withDivergence.divergenceSvg ?? "";
    expect(withDivergence.html).toContain(svg);
    expect(svg).toContain("Per-item mean KL vs bf16 under teacher forcing, flipped items marked");
    expect(svg).toContain('aria-label="suite40, fp8, item q1: mean KL 0.1287 nats, lost (ref right)"');
    expect(svg).toContain('aria-label="suite40, nvfp4, item q2: mean KL 0.0000 nats"');
  });

  test("scores.json: a divergence block per task × variant with n, topK, positions and the summary", () => {
    const divergence = withDivergence.json.divergence as {
      reference: string;
      rows: { task: string; variant: string; n: number; topK: number[]; positions: object; summary: unknown }[];
    };
    expect(divergence.reference).toBe("bf16");
    const fp8 = divergence.rows.find((r) => r.variant === "fp8");
    expect(fp8).toMatchObject({
      task: "suite40",
      n: 2,
      topK: [3],
      positions: { scored: 4, replyTokens: 4, cutItems: 0, cap: null },
      summary: { items: 2, top1Agreement: { value: 0.75 }, flips: { flipped: 1, pointBiserial: 1 } },
    });
    const nvfp4 = divergence.rows.find((r) => r.variant === "nvfp4");
    expect(nvfp4?.summary).toMatchObject({ meanKl: { value: 0, low: 0, high: 0 }, lnPplRatio: { value: 0 } });
  });

  test("scores.csv: the divergence columns last, set on the task rows of the variants, empty for the reference", () => {
    const [header = [], ...rows] = withDivergence.csv;
    expect(header.slice(0, (without.csv[0] ?? []).length)).toEqual(without.csv[0]);
    const at = (variant: string, column: string) => rows.find((r) => r[4] === variant)?.[header.indexOf(column)];
    expect(header.slice(-3)).toEqual(["kl_gap_ci95_low", "kl_gap_ci95_high", "kl_flip_point_biserial"]);
    expect(
      ["divergence_n", "divergence_top_k", "divergence_flips", "kl_flip_point_biserial"].map((c) => at("fp8", c)),
    ).toEqual(["2", "3", "1", "1"]);
    expect(Number(at("fp8", "mean_kl"))).toBeCloseTo((0.0566979395 + 0.2007768011) / 4, 9);
    expect(Number(at("fp8", "ln_ppl_ratio"))).toBeCloseTo((Math.log(0.5 / 0.35) + Math.log(0.7 / 0.4)) / 4, 12);
    expect([at("nvfp4", "mean_kl"), at("nvfp4", "kl_gap"), at("bf16", "mean_kl")]).toEqual(["0", "", ""]);
  });

  test("everything else is what the run without divergence journals wrote", () => {
    const md = withDivergence.md;
    const start = md.indexOf("## Token divergence");
    expect(md.slice(0, start) + md.slice(md.indexOf("## Tasks and data"))).toBe(without.md);
    const { divergence: _, ...json } = withDivergence.json;
    expect(json).toEqual(without.json);
    const width = (without.csv[0] ?? []).length;
    expect(withDivergence.csv.map((row) => row.slice(0, width))).toEqual(without.csv);
    const html = withDivergence.html
      .replace(/<section id="divergence">[\s\S]*?<\/section>\n/, "")
      .replace(/<figure id="chart-divergence">[\s\S]*?<\/figure>\n?/, "");
    expect(html).toBe(without.html);
  });
});
