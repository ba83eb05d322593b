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
import { parseRunConfig } from "../../src/config.ts";
import { ConfigError } from "../../src/core/errors.ts";
import { journalPath } from "../../src/journal/journal.ts";
import { type Manifest, writeManifest } from "../../src/journal/manifest.ts";
import { reportInputFromRun, writeReport } from "../../src/report/index.ts";
import { makeRecord } from "../metrics/records.ts";

function manifest(raw: Record<string, unknown> = {}): Manifest {
  const config = parseRunConfig(
    {
      variants: [
        { name: "bf16", baseUrl: "http://127.0.0.1:8003/v1", model: "m", batchInvariant: true },
        { name: "fp8", baseUrl: "http://127.0.0.1:8002/v1", model: "m-fp8", batchInvariant: false },
        { name: "nvfp4", baseUrl: "http://127.0.0.1:8001/v1", model: "m-nvfp4" },
      ],
      tasks: ["suite40"],
      ...raw,
    },
    "test",
  );
  return {
    v: 1,
    runId: "r1",
    createdAt: "2025-01-01T00:00:00.000Z",
    updatedAt: "2025-01-01T00:00:00.000Z",
    tool: { name: "quanteval", version: "0.1.0", node: "v24", platform: "linux-x64", dependencies: {} },
    config,
    reference: "bf16",
    tasks: [
      {
        name: "suite40",
        family: "suite40",
        source: { kind: "bundled", path: "evalsets/suite40.jsonl" },
        breakdowns: [],
        options: {},
        itemCount: 2,
        maxTokens: 100,
        samples: 1,
        files: [],
        notices: [],
      },
    ],
    variants: config.variants.map((v) => ({ name: v.name, status: "done" as const })),
    sessions: [],
  };
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
      const file = journalPath(artifacts, "r1", variant, "suite40");
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(
        file,
        `${outcomes
          .map((outcome, i) =>
            JSON.stringify({ ...makeRecord({ variant, itemId: `q${i + 1}`, outcome }), runId: "r1" }),
          )
          .join("\n")}\n`,
      );
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
