/**
 * The users' long-context case, D(20000,1000): 20k-token prompts, 1k-token replies held with ignore_eos, against the
 * simulator speaking each engine's dialect. TTFT is then the prompt's prefill; bench.json says so.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { SIM_DIALECT_NAMES, type SimDialectName, SimServer } from "../../src/sim/index.ts";
import { runMain } from "../helpers/run-main.ts";
import { profile, tempDir } from "./harness.ts";

const SPEED = {
  ttftMs: 2,
  ttftPerPromptTokenMs: 0,
  decodeTokensPerSec: 200_000,
  maxDecodeTokensPerSec: 400_000,
  maxNumSeqs: 8,
};

interface Doc {
  description: { fields: Record<string, string> };
  variants: { engine?: { name: string } }[];
  results: {
    ok: number;
    errors: number;
    ttft_s: { p50: number | null };
    token_usage: { prompt_tokens_mean: number; completion_tokens_mean: number };
    finish_reasons: Record<string, number>;
    figure_checks: { warnings: string[] };
  }[];
}

test.each(SIM_DIALECT_NAMES)("D(20000,1000) against %s: every reply 1000 tokens, TTFT as prefill", async (dialect) => {
  const variants = [profile("m", { speed: SPEED, maxModelLen: 32768 })];
  const sim = await SimServer.start({ seed: 0, dialect: dialect as SimDialectName, variants, items: [] });
  try {
    const dir = tempDir(`long-prompt-${dialect}`);
    const args = ["bench", "--base-url", sim.baseUrl, "--model", "m", "--concurrency", "2", "--requests", "2"];
    const result = await runMain([...args, "--scenario", "D(20000,1000)", "--bench-id", "l"], { cwd: dir });
    expect(result.stderr).not.toContain("error[");
    expect(result.code).toBe(0);
    const doc = JSON.parse(readFileSync(join(dir, "reports", "bench-l", "bench.json"), "utf8")) as Doc;
    const r = doc.results[0];
    expect(r).toMatchObject({ ok: 2, errors: 0, finish_reasons: { length: 2 } });
    // 20000 words, one token each, plus the simulator's chat template.
    expect(r?.token_usage.prompt_tokens_mean).toBeGreaterThanOrEqual(20000);
    expect(r?.token_usage.completion_tokens_mean).toBe(1000);
    expect(r?.ttft_s.p50).toBeGreaterThan(0);
    expect(r?.figure_checks.warnings).toEqual([]);
    expect(doc.description.fields.ttft_s).toContain("prefill");
    expect(doc.variants[0]?.engine?.name).toBe(dialect);
  } finally {
    await sim.close();
  }
});
