/**
 * Speed × accuracy: a hand-built journal of known outcomes, token counts and instants; every expected figure below
 * was worked out by hand from the records (see the comments above each block).
 */
import { describe, expect, test } from "vitest";
import type { JournalRecord } from "../../src/journal/record.ts";
import { itemSumReplicates, percentileInterval, seededRng } from "../../src/metrics/index.ts";
import { renderHtml } from "../../src/report/html.ts";
import { renderMarkdown } from "../../src/report/markdown.ts";
import type { ReportInput, SpeedComparison } from "../../src/report/report-types.ts";
import { renderJson } from "../../src/report/scores-json.ts";
import { buildReport } from "../../src/report/summary.ts";
import { makeRecord, type RecordSpec } from "../metrics/records.ts";

const BOOTSTRAP = { resamples: 2000, seed: 7 };

function record(
  variant: string,
  task: string,
  itemId: string,
  outcome: RecordSpec["outcome"],
  completionTokens: number,
  extra: Partial<RecordSpec> = {},
): JournalRecord {
  return makeRecord({ variant, task, itemId, outcome, completionTokens, ...extra });
}

const cut = { finishReason: "length" };
const at = (sentAt: number, doneAt: number) => ({ sentAt, doneAt });

/**
 * t1, one sample per item. bf16: 100, 200, 300 tokens right, d 400 wrong and cut; wall 0 → 4 s, latencies 1, 2, 2, 2.
 * fp8: a 110 ✓, b 230 ✓, c 400 ✗ cut, d 400 ✗ cut; wall 0 → 2 s, latencies 0.5, 1, 1, 1.
 * nvfp4: bf16's tokens and verdicts at fp8's instants.
 */
const T1: JournalRecord[] = [
  record("bf16", "t1", "a", "correct", 100, at(0, 1000)),
  record("bf16", "t1", "b", "correct", 200, at(0, 2000)),
  record("bf16", "t1", "c", "correct", 300, at(1000, 3000)),
  record("bf16", "t1", "d", "wrong", 400, { ...at(2000, 4000), ...cut }),
  record("fp8", "t1", "a", "correct", 110, at(0, 500)),
  record("fp8", "t1", "b", "correct", 230, at(0, 1000)),
  record("fp8", "t1", "c", "wrong", 400, { ...at(500, 1500), ...cut }),
  record("fp8", "t1", "d", "wrong", 400, { ...at(1000, 2000), ...cut }),
  record("nvfp4", "t1", "a", "correct", 100, at(0, 500)),
  record("nvfp4", "t1", "b", "correct", 200, at(0, 1000)),
  record("nvfp4", "t1", "c", "correct", 300, at(500, 1500)),
  record("nvfp4", "t1", "d", "wrong", 400, { ...at(1000, 2000), ...cut }),
];

/**
 * t2, two samples per item, every reply 1 → 2 s (wall 1 s).
 * bf16: x 100 ✓ / 200 ✓; y 300 ✗ cut / 100 ✓; z 50 ✓ / failed.
 * fp8: x 300 ✓ / 300 ✓; y 400 ✗ cut / 250 ✗; z failed twice, so z is not paired.
 */
type Sample = [RecordSpec["outcome"], number, "cut"?];
const T2_PLAN: Record<string, Record<string, Sample[]>> = {
  bf16: {
    x: [
      ["correct", 100],
      ["correct", 200],
    ],
    y: [
      ["wrong", 300, "cut"],
      ["correct", 100],
    ],
    z: [
      ["correct", 50],
      ["request-error", 0],
    ],
  },
  fp8: {
    x: [
      ["correct", 300],
      ["correct", 300],
    ],
    y: [
      ["wrong", 400, "cut"],
      ["wrong", 250],
    ],
    z: [
      ["request-error", 0],
      ["request-error", 0],
    ],
  },
};
const T2: JournalRecord[] = Object.entries(T2_PLAN).flatMap(([variant, items]) =>
  Object.entries(items).flatMap(([itemId, samples]) =>
    samples.map(([outcome, tokens, cutOff], sample) =>
      record(variant, "t2", itemId, outcome, tokens, { sample, ...(cutOff === "cut" ? cut : {}) }),
    ),
  ),
);

/** t3: fp8 writes exactly 10 tokens more on every item (bf16 100, 200, 300 all ✓; fp8 ✓ ✗ ✓); wall 1 s each. */
const T3: JournalRecord[] = [
  record("bf16", "t3", "p", "correct", 100),
  record("bf16", "t3", "q", "correct", 200),
  record("bf16", "t3", "r", "correct", 300),
  record("fp8", "t3", "p", "correct", 110),
  record("fp8", "t3", "q", "wrong", 210),
  record("fp8", "t3", "r", "correct", 310),
];

function input(): ReportInput {
  const variant = (name: string) => ({
    name,
    model: name,
    endpoint: "http://127.0.0.1:8000/v1",
    status: "done" as const,
  });
  return {
    runId: "speed-run",
    reference: "bf16",
    variants: [variant("bf16"), variant("fp8"), variant("nvfp4")],
    tasks: [
      { name: "t1", breakdowns: [], itemCount: 4 },
      { name: "t2", breakdowns: [], itemCount: 3, samples: 2 },
      { name: "t3", breakdowns: [], itemCount: 3 },
    ],
    sampling: { temperature: 0.6 },
    concurrency: 4,
    stream: true,
    records: [...T1, ...T2, ...T3],
    bootstrap: BOOTSTRAP,
  };
}

const report = buildReport(input());

function taskSpeed(task: string, variant: string): SpeedComparison {
  const found = report.tasks.find((t) => t.name === task)?.speed.find((s) => s.variant === variant);
  if (found === undefined) throw new Error(`no speed for ${task} / ${variant}`);
  return found;
}

function overall(variant: string) {
  const found = report.speed.find((s) => s.variant === variant);
  if (found === undefined) throw new Error(`no overall speed for ${variant}`);
  return found;
}

/** The percentile interval of the mean item difference, drawn as the report must draw it (same stream, same items). */
function expectedInterval(task: string, variant: string, reference: number[], other: number[]) {
  const [r, v] = itemSumReplicates(
    [Float64Array.from(reference), Float64Array.from(other)],
    BOOTSTRAP.resamples,
    seededRng(BOOTSTRAP.seed, JSON.stringify([task, "speed", variant])),
  );
  if (r === undefined || v === undefined) throw new Error("no replicates");
  return percentileInterval(
    v.map((s, i) => (s - (r[i] ?? 0)) / reference.length),
    0.95,
  );
}

describe("speed × accuracy per task", () => {
  test("speedups: decode tok/s and QPS variant ÷ reference, latency p50 reference ÷ variant", () => {
    // bf16: 1000 tokens / 4 s = 250 tok/s, 4 / 4 s = 1 QPS, p50 of 1, 2, 2, 2 = 2 s.
    // fp8: 1140 tokens / 2 s = 570 tok/s, 2 QPS, p50 of 0.5, 1, 1, 1 = 1 s.
    const fp8 = taskSpeed("t1", "fp8");
    expect(fp8.decodeTps).toBeCloseTo(570, 9);
    expect(fp8.decodeSpeedup).toBeCloseTo(570 / 250, 9);
    expect(fp8.qpsSpeedup).toBeCloseTo(2, 9);
    expect(fp8.latencyP50Speedup).toBeCloseTo(2, 9);
    const bf16 = taskSpeed("t1", "bf16");
    expect(bf16.isReference).toBe(true);
    expect([bf16.decodeTps, bf16.qps, bf16.latencyP50S]).toEqual([250, 1, 2]);
    expect([bf16.decodeSpeedup, bf16.qpsSpeedup, bf16.latencyP50Speedup]).toEqual([null, null, null]);
    expect([bf16.completionTokens, bf16.truncation]).toEqual([null, null]);
  });

  test("completion tokens per item: the mean paired difference, its relative size, a seeded bootstrap interval", () => {
    // Differences 10, 30, 100, 0: mean 35; reference mean 250, so +14%.
    const tokens = taskSpeed("t1", "fp8").completionTokens;
    expect(tokens?.paired).toBe(4);
    expect(tokens?.referenceMean).toBe(250);
    expect(tokens?.variantMean).toBe(285);
    expect(tokens?.change).toBe(35);
    expect(tokens?.relative).toBeCloseTo(0.14, 12);
    const ci = tokens?.ci95;
    expect(ci).toEqual(expectedInterval("t1", "fp8", [100, 200, 300, 400], [110, 230, 400, 400]));
    // A resample's mean difference lies between the smallest and largest item difference, 0 and 100.
    expect(ci?.low).toBeGreaterThanOrEqual(0);
    expect(ci?.low).toBeLessThanOrEqual(35);
    expect(ci?.high).toBeGreaterThanOrEqual(35);
    expect(ci?.high).toBeLessThanOrEqual(100);
    const relative = tokens?.relativeCi95;
    expect(relative?.low).toBeLessThanOrEqual(0.14);
    expect(relative?.high).toBeGreaterThanOrEqual(0.14);
  });

  test("truncation: the change in the share cut at max_tokens over the paired items", () => {
    // bf16 cut d (1 of 4), fp8 cut c and d (2 of 4): +25 pp; one item's difference is 1, the others 0.
    const truncation = taskSpeed("t1", "fp8").truncation;
    expect(truncation?.referenceMean).toBe(0.25);
    expect(truncation?.variantMean).toBe(0.5);
    expect(truncation?.change).toBe(0.25);
    expect(truncation?.ci95).toEqual(expectedInterval("t1", "fp8", [0, 0, 0, 1], [0, 0, 1, 1]));
    expect(truncation?.ci95?.low).toBeLessThanOrEqual(0.25);
    expect(truncation?.ci95?.high).toBeGreaterThanOrEqual(0.25);
  });

  test("tokens and seconds per correct answer, the reference included", () => {
    // bf16: 1000 tokens, 4 s, 3 correct; fp8: 1140 tokens, 2 s, 2 correct; nvfp4: 1000 tokens, 2 s, 3 correct.
    expect(taskSpeed("t1", "bf16").tokensPerCorrect).toBeCloseTo(1000 / 3, 9);
    expect(taskSpeed("t1", "bf16").secondsPerCorrect).toBeCloseTo(4 / 3, 9);
    expect(taskSpeed("t1", "fp8").tokensPerCorrect).toBe(570);
    expect(taskSpeed("t1", "fp8").secondsPerCorrect).toBe(1);
    expect(taskSpeed("t1", "nvfp4").secondsPerCorrect).toBeCloseTo(2 / 3, 9);
  });

  test("several samples per item: each item counts once, by its mean over the samples that got a reply", () => {
    // Paired items x and y (z has no fp8 reply). bf16 item means: x (100 + 200) / 2 = 150, y (300 + 100) / 2 = 200.
    // fp8: x 300, y (400 + 250) / 2 = 325. Change (150 + 125) / 2 = 137.5 on a reference mean of 175.
    const tokens = taskSpeed("t2", "fp8").completionTokens;
    expect(tokens?.paired).toBe(2);
    expect(tokens?.referenceMean).toBe(175);
    expect(tokens?.change).toBe(137.5);
    expect(tokens?.relative).toBeCloseTo(137.5 / 175, 12);
    expect(tokens?.ci95).toEqual(expectedInterval("t2", "fp8", [150, 200], [300, 325]));
    // Correct over every sample: bf16 x ✓✓, y ✗✓, z ✓ = 4; fp8 x ✓✓ = 2. bf16 750 tokens, fp8 1250, 1 s each.
    expect(taskSpeed("t2", "bf16").correct).toBe(4);
    expect(taskSpeed("t2", "bf16").tokensPerCorrect).toBe(750 / 4);
    expect(taskSpeed("t2", "fp8").tokensPerCorrect).toBe(1250 / 2);
  });

  test("no interval when every item differs by the same amount", () => {
    // t2 truncation: each side cut half of y's samples and none of x's: every difference is 0.
    const truncation = taskSpeed("t2", "fp8").truncation;
    expect(truncation?.change).toBe(0);
    expect(truncation?.ci95).toBeNull();
    // t3: fp8 writes 10 tokens more on every item; relative 10 / 200.
    const tokens = taskSpeed("t3", "fp8").completionTokens;
    expect(tokens?.change).toBe(10);
    expect(tokens?.relative).toBeCloseTo(0.05, 12);
    expect(tokens?.ci95).toBeNull();
    expect(tokens?.relativeCi95).toBeNull();
  });

  test("a variant with nothing on a task has no ratios and no change", () => {
    const nvfp4 = taskSpeed("t2", "nvfp4");
    expect([nvfp4.decodeSpeedup, nvfp4.qpsSpeedup, nvfp4.latencyP50Speedup]).toEqual([null, null, null]);
    expect([nvfp4.completionTokens, nvfp4.truncation, nvfp4.tokensPerCorrect]).toEqual([null, null, null]);
  });
});

describe("speed × accuracy overall", () => {
  test("speedups from tokens, time and replies summed over the tasks; latency p50 over every reply", () => {
    // bf16: 1000 + 750 + 600 tokens over 4 + 1 + 1 s, 4 + 5 + 3 replies. fp8: 1140 + 1250 + 630 over 2 + 1 + 1 s, 11.
    const fp8 = overall("fp8");
    expect(fp8.tasks).toEqual(["t1", "t2", "t3"]);
    expect(fp8.decodeSpeedup).toBeCloseTo(3020 / 4 / (2350 / 6), 9);
    expect(fp8.qpsSpeedup).toBeCloseTo(11 / 4 / (12 / 6), 9);
    // bf16's 12 latencies are nine of 1 s and three of 2 s; fp8's eleven are 0.5 s and ten of 1 s: both p50 1 s.
    expect(fp8.latencyP50Speedup).toBe(1);
    expect(fp8.tokensPerCorrect).toBeCloseTo(3020 / 6, 9);
    expect(fp8.secondsPerCorrect).toBeCloseTo(4 / 6, 9);
    const bf16 = overall("bf16");
    expect(bf16.decodeSpeedup).toBeNull();
    expect(bf16.tokensPerCorrect).toBe(235);
    expect(bf16.secondsPerCorrect).toBeCloseTo(0.6, 12);
  });

  test("a variant is set against the reference on the tasks they share only", () => {
    // nvfp4 ran t1 only: 1000 tokens / 2 s against bf16's 1000 / 4 s on t1, not bf16's pooled 2350 / 6 s.
    const nvfp4 = overall("nvfp4");
    expect(nvfp4.tasks).toEqual(["t1"]);
    expect(nvfp4.decodeSpeedup).toBeCloseTo(2, 9);
    expect(nvfp4.latencyP50Speedup).toBeCloseTo(2, 9);
    expect(nvfp4.completionTokens?.change).toBe(0);
    expect(nvfp4.completionTokens?.ci95).toBeNull();
  });

  test("token and truncation changes are the unweighted mean over tasks, with a stratified interval", () => {
    // Task changes 35, 137.5 and 10 on reference means 250, 175 and 200; truncation +0.25, 0 and 0.
    const tokens = overall("fp8").completionTokens;
    expect(tokens?.paired).toBe(9);
    expect(tokens?.change).toBeCloseTo((35 + 137.5 + 10) / 3, 9);
    expect(tokens?.referenceMean).toBeCloseTo((250 + 175 + 200) / 3, 9);
    expect(tokens?.relative).toBeCloseTo((35 + 137.5 + 10) / (250 + 175 + 200), 9);
    const change = tokens?.change ?? Number.NaN;
    expect(tokens?.ci95?.low).toBeLessThanOrEqual(change);
    expect(tokens?.ci95?.high).toBeGreaterThanOrEqual(change);
    const truncation = overall("fp8").truncation;
    expect(truncation?.change).toBeCloseTo(0.25 / 3, 12);
    expect(truncation?.ci95?.low).toBeLessThanOrEqual(0.25 / 3);
    expect(truncation?.ci95?.high).toBeGreaterThanOrEqual(0.25 / 3);
  });
});

describe("speed × accuracy bootstrap streams", () => {
  test("each task × variant draws from its own seeded stream, named by task and variant", () => {
    // 40 items, fp8 writing i² more tokens on item i: enough distinct resample means that another stream moves the
    // percentiles (on t1's 4 items they fall on the same few attainable values whatever the stream).
    const items = Array.from({ length: 40 }, (_, i) => i + 1);
    const records = items.flatMap((i) => [
      record("bf16", "long", `i${i}`, "correct", 1000),
      record("fp8", "long", `i${i}`, "correct", 1000 + i * i),
    ]);
    const long = buildReport({
      ...input(),
      tasks: [{ name: "long", breakdowns: [], itemCount: 40 }],
      records,
    }).tasks[0]?.speed.find((s) => s.variant === "fp8")?.completionTokens;
    const reference = items.map(() => 1000);
    const variant = items.map((i) => 1000 + i * i);
    expect(long?.ci95).toEqual(expectedInterval("long", "fp8", reference, variant));
    expect(long?.ci95).not.toEqual(expectedInterval("long", "nvfp4", reference, variant));
  });
});

describe("speed × accuracy in report.md and scores.json", () => {
  const markdown = renderMarkdown(report);
  const section = markdown.split("## Speed × accuracy (vs bf16)")[1]?.split("\n## ")[0] ?? "";
  /** The trimmed cells of the rows under `### heading` that start with `variant`. */
  const row = (heading: string, variant: string) =>
    (section.split(`### ${heading}`)[1]?.split("\n### ")[0] ?? "")
      .split("\n")
      .map((line) =>
        line
          .split("|")
          .slice(1, -1)
          .map((cell) => cell.trim()),
      )
      .find((cells) => cells[0] === variant);

  test("one table per task, figures as computed by hand", () => {
    expect(row("t1", "fp8")?.slice(0, 5)).toEqual(["fp8", "2.28×", "2.00×", "2.00×", "4"]);
    expect(row("t1", "fp8")?.[5]).toMatch(/^\+35\.0 \[\+\d+\.\d, \+\d+\.\d\]$/);
    expect(row("t1", "fp8")?.[6]).toMatch(/^\+14\.0% \[/);
    expect(row("t1", "fp8")?.[7]).toMatch(/^\+25\.0 \[/);
    expect(row("t1", "fp8")?.slice(8)).toEqual(["2", "570.0", "1.000"]);
    expect(row("t1", "bf16 (ref)")).toEqual(["bf16 (ref)", "—", "—", "—", "—", "—", "—", "—", "3", "333.3", "1.333"]);
    expect(row("t2", "fp8")?.slice(4, 8)).toEqual([
      "2",
      expect.stringMatching(/^\+137\.5 \[/),
      expect.any(String),
      "0.0 [all items equal]",
    ]);
    expect(row("t3", "fp8")?.slice(5, 7)).toEqual(["+10.0 [all items equal]", "+5.0%"]);
  });

  test("the overall table says how many tasks each variant pooled, and the legend states n and method", () => {
    expect(row("Overall (summed over tasks; Δ: mean over tasks)", "nvfp4")?.at(-1)).toBe("1 of 3");
    expect(row("Overall (summed over tasks; Δ: mean over tasks)", "fp8")?.at(-1)).toBe("3");
    expect(section).toContain("> Paired n = items both got at least one reply for");
    expect(section).toContain("(n of n, 2000");
    expect(section).toContain("seed 7, xoshiro128** generator");
    expect(section).toContain("stratified bootstrap");
  });

  test("index.html has the same figures in one table: a row per task and variant, then the overall rows", () => {
    const html = renderHtml(report, [], []);
    const section = html.split('<section id="speed">')[1]?.split("</section>")[0] ?? "";
    expect(section).toContain("Speed × accuracy (vs bf16)");
    const rows = [...section.matchAll(/<tr[^>]*>(.*?)<\/tr>/gs)].map((m) =>
      [...(m[1] ?? "").matchAll(/<td[^>]*>(.*?)<\/td>/gs)].map((c) => c[1]),
    );
    const fp8t1 = rows.find((cells) => cells[0] === "t1" && cells[1] === "fp8");
    expect(fp8t1?.slice(2, 6)).toEqual(["2.28×", "2.00×", "2.00×", "4"]);
    expect(rows.find((cells) => cells[0] === "Overall" && cells[1] === "nvfp4")).toBeDefined();
    expect(section).toContain("stratified bootstrap");
  });

  test("scores.json carries the comparisons per task and overall", () => {
    const json = JSON.parse(renderJson(report));
    expect(json.speed.map((s: { variant: string }) => s.variant)).toEqual(["bf16", "fp8", "nvfp4"]);
    expect(json.tasks[0].speed[1].completionTokens.change).toBe(35);
  });

  test("a report of one variant has no section: there is nothing to compare", () => {
    const alone = buildReport({
      ...input(),
      variants: input().variants.slice(0, 1),
      records: [...T1, ...T2, ...T3].filter((r) => r.variant === "bf16"),
    });
    expect(renderMarkdown(alone)).not.toContain("Speed × accuracy");
    expect(alone.speed.map((s) => s.tokensPerCorrect)).toEqual([235]);
  });
});
