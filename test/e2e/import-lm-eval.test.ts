/**
 * `quanteval import lm-eval` then `compare`: two precisions' lm-eval output (test/fixtures/lm-eval, written in
 * lm-eval's own formats) become runs whose paired report is checked against counts worked out by hand.
 */
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { readManifest } from "../../src/journal/manifest.ts";
import { runMain } from "../helpers/run-main.ts";
import { ROOT, tempDir } from "./harness.ts";

const FIXTURES = join(ROOT, "test", "fixtures", "lm-eval");

/** A copy of one precision's fixture folder, to break or change in a test. */
function copyOf(precision: string, cwd: string): { dir: string; file: (prefix: string) => string } {
  const dir = join(cwd, `copy-${precision}-${Math.random().toString(36).slice(2)}`);
  cpSync(join(FIXTURES, precision), dir, { recursive: true });
  const [model] = readdirSync(dir);
  const modelDir = join(dir, model ?? "");
  const file = (prefix: string) => {
    const name = readdirSync(modelDir).find((n) => n.startsWith(prefix));
    if (name === undefined) throw new Error(`no ${prefix}* in ${modelDir}`);
    return join(modelDir, name);
  };
  return { dir, file };
}

interface ScoresJson {
  tasks: {
    name: string;
    rows: {
      breakdown: string;
      scores: { variant: string; correct: number; graded: number; unanswered: number }[];
      deltas: {
        variant: string;
        paired: number;
        deltaPp: number;
        referenceRightVariantWrong: number;
        referenceWrongVariantRight: number;
        decision: { recovery: { value: number } | null; nonInferiority: { verdict: string } };
      }[];
    }[];
  }[];
  flips: { task: string; itemId: string; variant: string; direction: string }[];
}

describe("import lm-eval", () => {
  let cwd: string;
  const quanteval = (args: string[]) => runMain(args, { cwd });
  /** `quanteval import lm-eval <source> --run-id <runId> …`; a precision's name means its fixture folder. */
  const importRun = (source: string, runId: string, extra: string[] = []) => {
    const dir = source === "bf16" || source === "fp8" ? join(FIXTURES, source) : source;
    return quanteval(["import", "lm-eval", dir, "--run-id", runId, ...extra]);
  };

  beforeAll(async () => {
    cwd = tempDir("lmeval");
    const bf16 = await importRun("bf16", "q-bf16", ["--variant", "bf16"]);
    expect(bf16.stderr).toContain("as variant bf16 of run q-bf16");
    expect(bf16.code).toBe(0);
    expect(bf16.stdout).toContain("gsm8k: 6 items, 4 correct by exact_match,strict-match (default)");
    expect(bf16.stdout).toContain("arc_easy: 6 items, 4 correct by acc,none (default)");
    expect((await importRun("fp8", "q-fp8")).code).toBe(0);
  });

  test("the manifest keeps lm-eval's version, model args, task config and its hash, and the chosen metric", () => {
    const manifest = readManifest(join(cwd, "artifacts"), "q-fp8");
    // The variant name defaults to the model name's last part.
    expect(manifest.config.variants.map((v) => v.name)).toEqual(["Qwen3-8B-FP8"]);
    expect(manifest.variants[0]?.imported).toMatchObject({
      tool: "lm-evaluation-harness",
      // The fp8 fixture is lm-eval 0.4.8 output: model_args also sit in each task config's metadata.
      version: "0.4.8",
      gitHash: "4f1d2a9",
      model: "vllm",
      modelArgs: "pretrained=Qwen/Qwen3-8B-FP8,gpu_memory_utilization=0.8",
    });
    const gsm8k = manifest.tasks.find((t) => t.name === "gsm8k");
    expect(gsm8k?.lmEval).toMatchObject({ metric: "exact_match", filter: "strict-match", metricSource: "default" });
    expect(gsm8k?.lmEval?.taskVersion).toBe(3);
    expect(gsm8k?.lmEval?.config.num_fewshot).toBe(0);
    expect(gsm8k?.lmEval?.configHash).toMatch(/^[0-9a-f]{64}$/);
    // Same task config in both precisions, so the same hash.
    const bf16 = readManifest(join(cwd, "artifacts"), "q-bf16").tasks.find((t) => t.name === "gsm8k");
    expect(bf16?.lmEval?.configHash).toBe(gsm8k?.lmEval?.configHash);
  });

  test("the journal keeps doc_id as the item id, the filtered response and the metric's verdict", () => {
    const lines = readFileSync(join(cwd, "artifacts", "q-bf16", "bf16", "gsm8k.jsonl"), "utf8")
      .trim()
      .split("\n");
    expect(lines).toHaveLength(6);
    const records = lines.map((l) => JSON.parse(l));
    expect(records.map((r) => r.itemId)).toEqual(["0", "1", "2", "3", "4", "5"]);
    // doc 2: no "#### n" line, so the strict-match filter found nothing: unanswered, not a wrong number.
    expect(records[2].grade).toMatchObject({ correct: false, answered: false, extracted: "[invalid]" });
    expect(records[0].grade).toMatchObject({ correct: true, answered: true, extracted: "72" });
    expect(records[0].reply.text).toContain("#### 72");
    expect(records[0].request.messages[0].content).toBe(
      "Question: A box holds 12 pencils. How many pencils are in 6 boxes?\nAnswer:",
    );
  });

  test("an imported run has its own report", async () => {
    const report = await quanteval(["report", "q-bf16"]);
    expect(report.code).toBe(0);
    const md = readFileSync(join(cwd, "reports", "q-bf16", "report.md"), "utf8");
    expect(md).toContain("imported from lm-eval 0.4.7: correct = exact_match,strict-match");
    expect(md).toMatch(/\| bf16 \(ref\) +\| `Qwen\/Qwen3-8B` +\| imported from lm-eval 0.4.7 +\| done +\|/);
  });

  test("compare pairs the imports by task and doc_id: deltas, recovery, verdicts and flipped items", async () => {
    const compared = await quanteval(["compare", "q-bf16", "q-fp8", "--name", "joined"]);
    expect(compared.stderr).toContain("joined 2 runs");
    expect(compared.code).toBe(0);
    // lm-eval records no timings: no decode speed for any variant, the reference included.
    expect(compared.stdout).toMatch(/^\| gsm8k +\| bf16 \(ref\) +\|.*\| reference +\| +— \|$/m);
    expect(compared.stdout).toMatch(/^\| Overall +\| bf16 \(ref\) +\|.*\| reference +\| +— \|$/m);
    const scores: ScoresJson = JSON.parse(readFileSync(join(cwd, "reports", "joined", "scores.json"), "utf8"));
    const row = (task: string) => scores.tasks.find((t) => t.name === task)?.rows.find((r) => r.breakdown === "all");
    // By hand, gsm8k strict-match per doc 0..5: bf16 1 1 0 1 1 0 (4/6), fp8 1 0 0 1 0 1 (3/6).
    // Docs 1 and 4 lost, doc 5 gained: Δ = (3 − 4) / 6 = −16.67 pp, recovery 3/4 = 75%.
    const gsm8k = row("gsm8k")?.deltas[0];
    expect(gsm8k?.paired).toBe(6);
    expect(gsm8k?.deltaPp).toBeCloseTo(-100 / 6, 10);
    expect(gsm8k?.referenceRightVariantWrong).toBe(2);
    expect(gsm8k?.referenceWrongVariantRight).toBe(1);
    expect(gsm8k?.decision.recovery?.value).toBeCloseTo(0.75, 10);
    expect(gsm8k?.decision.nonInferiority.verdict).toBe("inconclusive");
    expect(row("gsm8k")?.scores.map((s) => [s.variant, s.correct, s.graded, s.unanswered])).toEqual([
      ["bf16", 4, 6, 1],
      ["Qwen3-8B-FP8", 3, 6, 1],
    ]);
    // arc_easy acc per doc: bf16 1 0 1 1 0 1 (4/6), fp8 1 0 1 0 0 1 (3/6): only doc 3 flips.
    expect(row("arc_easy")?.deltas[0]?.deltaPp).toBeCloseTo(-100 / 6, 10);
    expect(scores.flips.map((f) => `${f.task}/${f.itemId}:${f.direction}`).sort()).toEqual([
      "arc_easy/3:lost",
      "gsm8k/1:lost",
      "gsm8k/4:lost",
      "gsm8k/5:gained",
    ]);
    const md = readFileSync(join(cwd, "reports", "joined", "report.md"), "utf8");
    expect(md).toContain("[1](index.html#flip-gsm8k-1-Qwen3-8B-FP8)");
  });

  test("--metric picks another metric and filter; compare refuses imports that read different metrics", async () => {
    const flexible = await importRun("fp8", "q-fp8-flex", [
      "--variant",
      "fp8-flex",
      "--metric",
      "gsm8k=exact_match,flexible-extract",
      "--metric",
      "arc_easy=acc_norm",
    ]);
    expect(flexible.code).toBe(0);
    // fp8 flexible-extract per doc: 1 0 0 1 0 1 (3/6; doc 2's reply has no "####" but a wrong number); acc_norm:
    // 1 1 0 1 0 1 (4/6).
    expect(flexible.stdout).toContain("gsm8k: 6 items, 3 correct by exact_match,flexible-extract (--metric)");
    expect(flexible.stdout).toContain("arc_easy: 6 items, 4 correct by acc_norm,none (--metric)");
    const refused = await quanteval(["compare", "q-bf16", "q-fp8-flex"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      "run q-fp8-flex vs q-bf16: task gsm8k: correct is read from exact_match,flexible-extract vs exact_match,strict-match",
    );
  });

  test("a --metric for a task not imported is refused, listing the imported tasks", async () => {
    const typo = await importRun("fp8", "q-typo", ["--metric", "gsm8K=exact_match,flexible-extract"]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("--metric gsm8K=…: gsm8K is not an imported task (imported: arc_easy, gsm8k)");
    const leftOut = await importRun("fp8", "q-left-out", ["--tasks", "arc_easy", "--metric", "gsm8k=exact_match"]);
    expect(leftOut.code).toBe(2);
    expect(leftOut.stderr).toContain("gsm8k is not an imported task (imported: arc_easy)");
  });

  test("compare refuses imports whose task configs differ, naming the field", async () => {
    const changed = copyOf("fp8", cwd);
    const file = changed.file("results_");
    const results = JSON.parse(readFileSync(file, "utf8"));
    results.configs.gsm8k.num_fewshot = 5;
    results.configs.gsm8k.generation_kwargs.until = ["Question:"];
    writeFileSync(file, JSON.stringify(results, null, 2));
    expect((await importRun(changed.dir, "q-fp8b", ["--variant", "fp8b"])).code).toBe(0);
    const refused = await quanteval(["compare", "q-bf16", "q-fp8b"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("error[E_CONFIG]");
    expect(refused.stderr).toContain(
      "run q-fp8b vs q-bf16: task gsm8k: lm-eval task config field num_fewshot differs (5 vs 0)",
    );
    expect(refused.stderr).toContain(
      'task gsm8k: lm-eval task config field generation_kwargs.until differs (["Question:"] vs ["Question:","</s>","<|im_end|>"])',
    );
    expect(refused.stderr).not.toContain("task arc_easy");
  });

  test("compare refuses imports with as many items but other doc_ids, naming them", async () => {
    const moved = copyOf("fp8", cwd);
    const file = moved.file("samples_gsm8k_");
    const rows = readFileSync(file, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    for (const row of rows) if (row.doc_id === 5) row.doc_id = 105;
    writeFileSync(file, rows.map((r) => `${JSON.stringify(r)}\n`).join(""));
    expect((await importRun(moved.dir, "q-moved", ["--variant", "moved"])).code).toBe(0);
    const refused = await quanteval(["compare", "q-bf16", "q-moved"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("run q-moved vs q-bf16: task gsm8k: doc_ids differ (unpaired: 105 vs 5)");
    expect(refused.stderr).not.toContain("task arc_easy");
  });

  test("a malformed samples line is refused with its file and line", async () => {
    const broken = copyOf("fp8", cwd);
    const file = broken.file("samples_gsm8k_");
    const lines = readFileSync(file, "utf8").split("\n");
    lines[3] = lines[3]?.slice(0, 40) ?? "";
    writeFileSync(file, lines.join("\n"));
    const result = await importRun(broken.dir, "q-broken");
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`error[E_LMEVAL_FORMAT]: ${file}:4: not JSON`);
  });

  test("a sample without the chosen metric, or with a value that is not 0/1, is refused with its line", async () => {
    const broken = copyOf("bf16", cwd);
    const file = broken.file("samples_arc_easy_");
    const lines = readFileSync(file, "utf8").trim().split("\n");
    const row = JSON.parse(lines[1] ?? "{}");
    row.acc = 0.5;
    lines[1] = JSON.stringify(row);
    writeFileSync(file, `${lines.join("\n")}\n`);
    const result = await importRun(broken.dir, "q-half");
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${file}:2: metric "acc" of doc_id 1 is 0.5, not 0 or 1`);
    const missing = await importRun(broken.dir, "q-f1", ["--metric", "arc_easy=f1"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('the results file reports no "f1,none" (it reports: acc,none acc_norm,none)');
  });

  test("a results file without configs, and an output without samples files, say what to do", async () => {
    const noConfigs = copyOf("bf16", cwd);
    const file = noConfigs.file("results_");
    const results = JSON.parse(readFileSync(file, "utf8"));
    delete results.configs;
    writeFileSync(file, JSON.stringify(results));
    const refused = await importRun(noConfigs.dir, "q-noconf");
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`error[E_LMEVAL_FORMAT]: ${file}: no "configs" block`);

    const noSamples = copyOf("bf16", cwd);
    for (const prefix of ["samples_gsm8k_", "samples_arc_easy_"]) rmSync(noSamples.file(prefix));
    const bare = await importRun(noSamples.dir, "q-nosamples");
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain("lm-eval ran without --log_samples");
    expect(bare.stderr).toContain("fix: rerun lm-eval with --log_samples");
    // --tasks leaves a task out.
    const onlyArc = copyOf("bf16", cwd);
    rmSync(onlyArc.file("samples_gsm8k_"));
    const subset = await importRun(onlyArc.dir, "q-arc", ["--tasks", "arc_easy"]);
    expect(subset.code).toBe(0);
    expect(readManifest(join(cwd, "artifacts"), "q-arc").tasks.map((t) => t.name)).toEqual(["arc_easy"]);
  });

  test("two lm-eval runs in one folder: refused by name; the one results file given is imported", async () => {
    const twice = copyOf("fp8", cwd);
    const first = twice.file("results_");
    const second = first.replace("2025-01-02T09-30-00.000000", "2025-01-03T10-00-00.000000");
    writeFileSync(second, readFileSync(first));
    const refused = await importRun(twice.dir, "q-twice");
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("2 results files (results_2025-01-02T09-30-00.000000.json, results_2025-01-03");
    // The file named: its own samples files, found by its date.
    expect((await importRun(first, "q-first")).code).toBe(0);
    const orphan = await importRun(second, "q-second");
    expect(orphan.code).toBe(2);
    expect(orphan.stderr).toContain("no samples file for task arc_easy");
  });

  test("an imported run is neither resumed nor regraded: lm-eval asked and graded it", async () => {
    for (const command of [
      ["run", "--resume", "q-bf16"],
      ["regrade", "q-bf16"],
    ]) {
      const refused = await quanteval(command);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain("run q-bf16: variant bf16 was imported from lm-eval");
    }
  });

  test("an existing run is never overwritten", async () => {
    const again = await importRun("bf16", "q-bf16", ["--variant", "bf16"]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("run q-bf16 already exists");
  });
});
