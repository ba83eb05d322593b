/**
 * The report command's plumbing: the run config's `report` block and `variants[].batchInvariant` reach the report
 * through reportInputFromRun, and `--resamples` / `--bootstrap-seed` override the config.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, test } from "vitest";
import { reportStatsFromFlags } from "../../src/cli/commands/report.ts";
import { applyFlags } from "../../src/cli/config-flags.ts";
import { marginOf, parseRunConfig } from "../../src/config.ts";
import { ConfigError } from "../../src/core/errors.ts";
import { journalPath } from "../../src/journal/journal.ts";
import { type Manifest, writeManifest } from "../../src/journal/manifest.ts";
import { type ReportData, reportInputFromRun, writeReport } from "../../src/report/index.ts";
import { makeRecord } from "../metrics/records.ts";
import { manifest } from "./manifest-fixture.ts";

/** A run of suite40, mmlu_pro (family mmlu_pro) and gpqa_diamond (family gpqa). */
function scoredManifest(): Manifest {
  const base = manifest({ tasks: ["suite40", "mmlu_pro", "gpqa_diamond"] });
  const hub = (name: string, family: string, dataset: string, options: Record<string, unknown>) => ({
    name,
    family,
    source: { kind: "hub" as const, datasets: [dataset] },
    breakdowns: [],
    options,
    itemCount: 1,
    maxTokens: 100,
    samples: 1,
    files: [],
    notices: [],
  });
  return {
    ...base,
    tasks: [
      ...base.tasks,
      hub("mmlu_pro", "mmlu_pro", "TIGER-Lab/MMLU-Pro", { shots: 0, scoring: "official" }),
      hub("gpqa_diamond", "gpqa", "Idavidrein/gpqa", { shuffleSeed: 0, scoring: "strict" }),
    ],
  };
}

/** A journal file of run r1, task suite40: item q<i+1> graded as outcomes[i]. */
function writeJournal(artifacts: string, variant: string, outcomes: readonly ("correct" | "wrong")[]): void {
  const file = journalPath(artifacts, "r1", variant, "suite40");
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(
    file,
    `${outcomes
      .map((outcome, i) => JSON.stringify({ ...makeRecord({ variant, itemId: `q${i + 1}`, outcome }), runId: "r1" }))
      .join("\n")}\n`,
  );
}

/** P(X ≤ x) for X ~ Binomial(n, p), summed term by term. */
function binomialCdf(x: number, n: number, p: number): number {
  let total = 0;
  let term = (1 - p) ** n;
  for (let k = 0; k <= x; k++) {
    total += term;
    term *= ((n - k) / (k + 1)) * (p / (1 - p));
  }
  return total;
}

describe("the run config's report block and batchInvariant", () => {
  test("defaults: 10,000 resamples, seed 0; batchInvariant is optional and absent when not written", () => {
    const config = manifest().config;
    expect(config.report).toEqual({ bootstrapResamples: 10_000, bootstrapSeed: 0 });
    expect(config.variants.map((v) => v.batchInvariant)).toEqual([true, false, undefined]);
  });

  test("out-of-range settings are config errors by field path", () => {
    expect(() => manifest({ report: { bootstrapResamples: 10 } })).toThrow(/report\.bootstrapResamples/);
    expect(() => manifest({ report: { bootstrapSeed: -1 } })).toThrow(/report\.bootstrapSeed/);
    expect(() => manifest({ report: { resamples: 100 } })).toThrow(ConfigError);
  });

  test("reportInputFromRun carries them into the report input; flags override the config", () => {
    const input = reportInputFromRun(manifest({ report: { bootstrapResamples: 500, bootstrapSeed: 3 } }), []);
    expect(input.bootstrap).toEqual({ resamples: 500, seed: 3 });
    expect(input.variants.map((v) => [v.name, v.batchInvariant])).toEqual([
      ["bf16", true],
      ["fp8", false],
      ["nvfp4", undefined],
    ]);
    expect("batchInvariant" in (input.variants[2] ?? {})).toBe(false);
    expect(reportInputFromRun(manifest(), [], { resamples: 2000 }).bootstrap).toEqual({ resamples: 2000, seed: 0 });
    expect(reportInputFromRun(manifest(), [], { bootstrapSeed: 9 }).bootstrap).toEqual({ resamples: 10_000, seed: 9 });
  });
});

describe("the margin: report.margin and --fail-below", () => {
  test("marginOf reads pp (with or without the unit) and recovery percentages", () => {
    expect(marginOf("1pp")).toEqual({ kind: "pp", pp: 1 });
    expect(marginOf("0.5 pp")).toEqual({ kind: "pp", pp: 0.5 });
    expect(marginOf(2)).toEqual({ kind: "pp", pp: 2 });
    expect(marginOf("99%")).toEqual({ kind: "recovery", ratio: 0.99 });
    expect(marginOf("99.5 %")).toEqual({ kind: "recovery", ratio: 0.995 });
    expect(marginOf("0pp")).toEqual({ kind: "pp", pp: 0 });
  });

  test("what it cannot read is a message saying what is accepted", () => {
    expect(marginOf("one point")).toBe(
      '"one point" is not a margin: give a margin in pp ("1pp", or a number: 1) or a recovery ("99%")',
    );
    expect(marginOf("-1pp")).toMatch(/is not a margin/);
    expect(marginOf("0%")).toBe("a recovery margin must be above 0% and at most 100% (got 0%)");
    expect(marginOf("101%")).toMatch(/at most 100%/);
    expect(marginOf(100)).toBe("a margin in pp must be below 100 (got 100)");
    // "1%" would be a recovery of 1%, which any variant clears: refused, with the spelling that was meant.
    expect(marginOf("1%")).toBe(
      '"1%" would be a recovery of 1%, which any variant clears: for a 1-point drop write "1pp"; a recovery margin is 50% to 100%, e.g. "99%"',
    );
    expect(marginOf("50%")).toEqual({ kind: "recovery", ratio: 0.5 });
  });

  test("report.margin is checked with the config, by field path; report.gate must name tasks", () => {
    expect(manifest({ report: { margin: "99%", gate: ["suite40"] } }).config.report).toMatchObject({
      margin: "99%",
      gate: ["suite40"],
    });
    expect(() => manifest({ report: { margin: "lots" } })).toThrow(/report\.margin: "lots" is not a margin/);
    expect(() => manifest({ report: { gate: [] } })).toThrow(/report\.gate/);
  });

  test("the config's margin reaches the report; --fail-below overrides it and names the gated tasks", () => {
    const configured = manifest({ report: { margin: "0.5pp" } });
    expect(reportInputFromRun(configured, []).decision).toEqual({
      margin: { kind: "pp", pp: 0.5 },
      marginSource: "config",
    });
    expect(reportInputFromRun(configured, [], { failBelow: { kind: "recovery", ratio: 0.99 } }).decision).toEqual({
      margin: { kind: "recovery", ratio: 0.99 },
      marginSource: "flag",
      gate: { tasks: undefined },
    });
    expect(reportInputFromRun(manifest(), []).decision).toEqual({
      margin: { kind: "pp", pp: 1 },
      marginSource: "default",
    });
    const gated = manifest({ report: { gate: ["suite40"] } });
    expect(reportInputFromRun(gated, [], { failBelow: { kind: "pp", pp: 1 } }).decision?.gate).toEqual({
      tasks: ["suite40"],
    });
    const stale = manifest({ report: { gate: ["gpqa"] } });
    expect(() => reportInputFromRun(stale, [], { failBelow: { kind: "pp", pp: 1 } })).toThrow(
      /report\.gate: "gpqa" is not a task or family of run r1 \(suite40\)/,
    );
    // A family name gates each of its tasks.
    const families = scoredManifest();
    families.config.report.gate = ["gpqa"];
    expect(reportInputFromRun(families, [], { failBelow: { kind: "pp", pp: 1 } }).decision?.gate).toEqual({
      tasks: ["gpqa_diamond"],
    });
    expect(reportStatsFromFlags({ failBelow: "2pp" })).toEqual({ failBelow: { kind: "pp", pp: 2 } });
    expect(() => reportStatsFromFlags({ failBelow: "x" })).toThrow(/flags: --fail-below x: "x" is not a margin/);
  });
});

describe("reportStatsFromFlags (--resamples, --bootstrap-seed)", () => {
  test("whole numbers in range pass; nothing given changes nothing", () => {
    expect(reportStatsFromFlags({})).toEqual({});
    expect(reportStatsFromFlags({ resamples: "2000", bootstrapSeed: "7" })).toEqual({
      resamples: 2000,
      bootstrapSeed: 7,
    });
    expect(reportStatsFromFlags({ resamples: "20_000" })).toEqual({ resamples: 20_000 });
  });

  test("a bad value is a config error naming the flag and what was typed", () => {
    expect(() => reportStatsFromFlags({ resamples: "lots" })).toThrow(ConfigError);
    expect(() => reportStatsFromFlags({ resamples: "lots" })).toThrow(/--resamples lots/);
    expect(() => reportStatsFromFlags({ resamples: "50" })).toThrow(/--resamples 50: .*100/);
    expect(() => reportStatsFromFlags({ resamples: "1.5" })).toThrow(/--resamples 1\.5/);
    expect(() => reportStatsFromFlags({ bootstrapSeed: "-2" })).toThrow(/--bootstrap-seed -2/);
  });
});

describe("writeReport", () => {
  test("report.md, scores.csv and scores.json carry the settings used; --resamples overrides the config", async () => {
    const artifacts = mkdtempSync(join(tmpdir(), "quanteval-report-cmd-"));
    writeManifest(artifacts, manifest({ report: { bootstrapResamples: 1000, bootstrapSeed: 4 } }));
    for (const [variant, outcomes] of [
      ["bf16", ["correct", "correct"]],
      ["fp8", ["wrong", "correct"]],
      ["nvfp4", ["correct", "correct"]],
    ] as const) {
      writeJournal(artifacts, variant, outcomes);
    }
    const reports = join(artifacts, "reports");
    const fromConfig = await writeReport({ artifactsDir: artifacts, reportsDir: reports, runId: "r1" });
    expect(fromConfig.report.bootstrap).toMatchObject({ resamples: 1000, seed: 4 });
    const md = readFileSync(join(fromConfig.dir, "report.md"), "utf8");
    expect(md).toContain("(n of n, 1,000\n> resamples, seed 4, xoshiro128** generator)");
    expect(md).toContain(
      "| fp8        | `m-fp8`   | http://127.0.0.1:8002/v1 | done   | not batch-invariant: temperature-0 output can vary with batching |",
    );
    expect(md).toContain("[q1](index.html#flip-suite40-q1-fp8)");
    expect(readFileSync(join(fromConfig.dir, "scores.csv"), "utf8").split("\n")[0]).toContain(
      "delta_pp,delta_ci95_low_pp,delta_ci95_high_pp",
    );
    const overridden = await writeReport({
      artifactsDir: artifacts,
      reportsDir: reports,
      runId: "r1",
      stats: reportStatsFromFlags({ resamples: "3000" }),
    });
    expect(overridden.report.bootstrap).toMatchObject({ resamples: 3000, seed: 4 });
    const json = JSON.parse(readFileSync(join(overridden.dir, "scores.json"), "utf8")) as {
      bootstrap: { resamples: number };
      variants: { batchInvariant?: boolean }[];
    };
    expect(json.bootstrap.resamples).toBe(3000);
    expect(json.variants.map((v) => v.batchInvariant)).toEqual([true, false, undefined]);
  });
});

describe("run flags reach the report block and batchInvariant through --set", () => {
  test("--set report.bootstrapResamples=2000 and --set variants[0].batchInvariant=true", () => {
    const raw = applyFlags(
      { variants: [{ name: "bf16", baseUrl: "http://127.0.0.1:8003/v1", model: "m" }], tasks: ["suite40"] },
      { set: ["report.bootstrapResamples=2000", "report.bootstrapSeed=11", "variants[0].batchInvariant=true"] },
    );
    const config = parseRunConfig(raw, "flags");
    expect(config.report).toEqual({ bootstrapResamples: 2000, bootstrapSeed: 11 });
    expect(config.variants[0]?.batchInvariant).toBe(true);
  });
});

type ScoresJson = { tasks: { name: string; scoring?: { mode: string } }[] };

describe("the scoring mode of each task", () => {
  test("report.md, index.html and scores.json state strict or official per task", async () => {
    const artifacts = mkdtempSync(join(tmpdir(), "quanteval-report-scoring-"));
    writeManifest(artifacts, scoredManifest());
    for (const variant of ["bf16", "fp8", "nvfp4"]) {
      for (const task of ["suite40", "mmlu_pro", "gpqa_diamond"]) {
        const file = journalPath(artifacts, "r1", variant, task);
        mkdirSync(dirname(file), { recursive: true });
        const record = { ...makeRecord({ variant, task, itemId: "q1", outcome: "correct" }), runId: "r1" };
        writeFileSync(file, `${JSON.stringify(record)}\n`);
      }
    }
    const written = await writeReport({ artifactsDir: artifacts, reportsDir: join(artifacts, "reports"), runId: "r1" });
    const md = readFileSync(join(written.dir, "report.md"), "utf8");
    // The tasks table is the one whose rows have max_tokens 100.
    const row = (task: string) => md.split("\n").find((l) => l.startsWith(`| ${task} `) && l.includes(" 100 |"));
    expect(row("mmlu_pro")).toContain(
      '| official: TIGER-AI-Lab/MMLU-Pro evaluate_from_api.py: the first "answer is (X)"',
    );
    expect(row("mmlu_pro")).toContain("no letter scores a random guess seeded by the item id");
    expect(row("gpqa_diamond")).toMatch(/\| strict +\|/);
    expect(row("suite40")).toMatch(/\| — +\|/);
    expect(md).toContain(
      "Scored with the benchmark's own extraction (scoring: official): mmlu_pro; see Tasks and data.",
    );
    const html = readFileSync(join(written.dir, "index.html"), "utf8");
    expect(html).toContain(
      "<td>official: TIGER-AI-Lab/MMLU-Pro evaluate_from_api.py: the first &quot;answer is (X)&quot;",
    );
    const scores = JSON.parse(readFileSync(join(written.dir, "scores.json"), "utf8")) as ScoresJson;
    expect(scores.tasks.map((t) => [t.name, t.scoring?.mode])).toEqual([
      ["suite40", undefined],
      ["mmlu_pro", "official"],
      ["gpqa_diamond", "strict"],
    ]);
  });

  test("a run recorded before the option existed reads as strict", () => {
    const old = scoredManifest();
    const tasks = old.tasks.map((t) => ({ ...t, options: t.name === "mmlu_pro" ? { shots: 0 } : t.options }));
    const input = reportInputFromRun({ ...old, tasks }, []);
    expect(input.tasks.map((t) => [t.name, t.scoring?.mode])).toEqual([
      ["suite40", undefined],
      ["mmlu_pro", "strict"],
      ["gpqa_diamond", "strict"],
    ]);
  });
});

describe("a journal of known outcomes: recovery and the verdict, by hand", () => {
  // 20 items. bf16 gets all right; fp8 gets q1–q4 wrong and the rest right; nvfp4 answers exactly as bf16 does.
  // fp8: a resample of the 20 items draws X ~ Binomial(20, 0.2) of the 4 lost ones and every other item is right on
  // both sides, so Δ = −X/20 (in pp ×100) and recovery = (20 − X)/20 on every resample.
  const Z_975 = 1.959963984540054;
  const Z_80 = 0.8416212335729143;
  /** Wilson's (1927) 95% lower bound for x of n, written out. */
  const wilsonLow = (x: number, n: number) => {
    const p = x / n;
    const z2 = Z_975 ** 2;
    return (p + z2 / (2 * n) - Z_975 * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  };

  async function report(failBelow?: string) {
    const artifacts = mkdtempSync(join(tmpdir(), "quanteval-known-"));
    writeManifest(artifacts, manifest({}, 20));
    const all = Array.from({ length: 20 }, () => "correct" as const);
    writeJournal(artifacts, "bf16", all);
    writeJournal(
      artifacts,
      "fp8",
      all.map((outcome, i) => (i < 4 ? "wrong" : outcome)),
    );
    writeJournal(artifacts, "nvfp4", all);
    const written = await writeReport({
      artifactsDir: artifacts,
      reportsDir: join(artifacts, "reports"),
      runId: "r1",
      stats: reportStatsFromFlags(failBelow === undefined ? {} : { failBelow }),
    });
    return JSON.parse(readFileSync(join(written.dir, "scores.json"), "utf8")) as ReportData;
  }
  const decisionOf = (data: ReportData, variant: string) =>
    data.tasks[0]?.rows[0]?.deltas.find((d) => d.variant === variant)?.decision;

  test("the binomial quantiles the percentile interval lands on are 1 and 8 lost items", () => {
    // The 2.5th percentile of X: P(X ≤ 0) = 1.2% < 2.5% < P(X ≤ 1) = 6.9%, so X = 1 (Δ −5 pp, recovery 95%).
    expect(binomialCdf(0, 20, 0.2)).toBeLessThan(0.025 - 0.005);
    expect(binomialCdf(1, 20, 0.2)).toBeGreaterThan(0.025 + 0.005);
    // The 97.5th: P(X ≤ 7) = 96.8% < 97.5% < P(X ≤ 8) = 99.0%, so X = 8 (Δ −40 pp, recovery 60%). The margins
    // (≥ 0.5 pp from 2.5%) are several standard errors of 10,000 resamples (0.16 pp), so no seed moves them.
    expect(binomialCdf(7, 20, 0.2)).toBeLessThan(0.975 - 0.005);
    expect(binomialCdf(8, 20, 0.2)).toBeGreaterThan(0.975 + 0.005);
  });

  test("fp8 at the default 1 pp: Δ −20 [−40, −5], recovery 80% [60, 95]; no item improved, so inconclusive", async () => {
    const data = await report();
    // No item went better on fp8, and the bootstrap cannot draw what it never saw: the verdict's upper bound is the
    // exact one, the share better at most ψ_U = 1 − 0.025^(1/20) minus the share worse at least Wilson's lower bound
    // for 4 of 20. McNemar's exact p for 4 against 0 is 2/2⁴ = 0.125: a loss is not shown either.
    const high = 1 - 0.025 ** (1 / 20) - wilsonLow(4, 20);
    expect(high).toBeGreaterThan(0.08);
    expect(decisionOf(data, "fp8")).toEqual({
      samples: 1,
      paired: 20,
      referenceMean: 1,
      variantMean: 0.8,
      deltaPp: -20,
      ci95Pp: { low: -40, high: -5 },
      mdePp: expect.any(Number),
      recovery: { value: 0.8, ci95: { low: 0.6, high: 0.95 }, undefinedResamples: 0 },
      // Contrast (v − r) + 0.01: four items −0.99, sixteen 0.01: mean −0.19, sd √(0.2 − 0.04) = 0.4, so
      // n = ⌈((z.975 + z.8)·0.4/0.19)²⌉ = 35.
      nonInferiority: {
        verdict: "inconclusive",
        basis: "unseen-direction",
        interval: { low: -40, high: expect.closeTo(high * 100, 10) },
        threshold: -1,
        itemsNeeded: 35,
      },
    });
    expect(Math.ceil((((Z_975 + Z_80) * 0.4) / 0.19) ** 2)).toBe(35);
  });

  test("nvfp4, identical to bf16: the exact bound, not a zero-width bootstrap, leaves 1 pp inconclusive", async () => {
    const nvfp4 = decisionOf(await report(), "nvfp4");
    // Clopper–Pearson one-sided 97.5% with no differing item among 20: ψ_U = 1 − 0.025^(1/20) = 0.1684.
    const psi = 1 - 0.025 ** (1 / 20);
    expect(nvfp4?.nonInferiority?.verdict).toBe("inconclusive");
    expect(nvfp4?.nonInferiority?.basis).toBe("no-item-differs");
    expect(nvfp4?.nonInferiority?.interval.low).toBeCloseTo(-psi * 100, 10);
    expect(nvfp4?.nonInferiority?.interval.high).toBeCloseTo(psi * 100, 10);
    // The n at which 1 − 0.025^(1/n) < 0.01: ⌊ln 0.025 / ln 0.99⌋ + 1 = 368.
    expect(nvfp4?.nonInferiority?.itemsNeeded).toBe(368);
    // Recovery: not the bootstrap's zero-width [1, 1] but the same exact bound, 1 ± ψ_U / 1.
    expect(nvfp4?.recovery).toEqual({
      value: 1,
      ci95: { low: expect.closeTo(1 - psi, 12), high: expect.closeTo(1 + psi, 12) },
      undefinedResamples: 0,
      basis: "no-item-differs",
    });
  });

  test("a recovery margin of 50% makes fp8 non-inferior (60% > 50%); at 96% it is inconclusive", async () => {
    const lenient = await report("50%");
    const high = 1 + (1 - 0.025 ** (1 / 20) - wilsonLow(4, 20));
    expect(decisionOf(lenient, "fp8")?.nonInferiority).toMatchObject({
      verdict: "non-inferior",
      interval: { low: 0.6, high: expect.closeTo(high, 10) },
      threshold: 0.5,
    });
    // nvfp4's exact bound is recovery within 1 ± 0.168: above 50% too, so the gate passes.
    expect(decisionOf(lenient, "nvfp4")?.nonInferiority?.verdict).toBe("non-inferior");
    expect(lenient.decision?.gate).toEqual({ tasks: ["suite40"], failures: [], passed: true });
    // 96% lies inside [60%, 108.8%]: neither shown.
    expect(decisionOf(await report("96%"), "fp8")?.nonInferiority?.verdict).toBe("inconclusive");
  });
});

describe("the Python executor of each task", () => {
  test("the task's notes say which executor graded its Python; a task that runs none says nothing", () => {
    const base = manifest();
    const suite = base.tasks[0];
    if (suite === undefined) throw new Error("no task");
    const run = {
      ...base,
      tasks: [
        { ...suite, executor: "native" as const },
        { ...suite, name: "other", executor: "pyodide" as const },
      ],
    };
    expect(reportInputFromRun(run, []).tasks.map((t) => t.notices)).toEqual([
      ["Python graded natively (CPython in bubblewrap)"],
      ["Python graded in Pyodide"],
    ]);
    expect(reportInputFromRun(base, []).tasks.map((t) => t.notices)).toEqual([[]]);
  });
});
