/**
 * runThroughputBench in-process against the simulator on 127.0.0.1 (as a benchmark file would call it): request
 * counts at the server, token counts with ignore_eos, chunk arrival times reaching ITL, failures counted apart;
 * open-loop levels with their cap honoured at the HTTP layer.
 */
import { afterEach, describe, expect, test } from "vitest";
import type { VariantConfig } from "../../src/config.ts";
import { type BenchPlan, runOpenLoopLevel, runThroughputBench } from "../../src/loadgen/bench-run.ts";
import { SimServer, type SimVariantProfile } from "../../src/sim/index.ts";
import { tempDir } from "../e2e/harness.ts";

const PROFILE: SimVariantProfile = {
  model: "sim-bf16",
  accuracy: 1,
  unansweredRate: 0,
  reasoning: "none",
  reasoningTokens: 0,
  speed: {
    ttftMs: 5,
    ttftPerPromptTokenMs: 0,
    decodeTokensPerSec: 4000,
    maxDecodeTokensPerSec: 20_000,
    maxNumSeqs: 64,
  },
};

const open: SimServer[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function sim(options: Partial<Parameters<typeof SimServer.start>[0]> = {}): Promise<SimServer> {
  const server = await SimServer.start({ seed: 0, variants: [PROFILE], items: [], ...options });
  open.push(server);
  return server;
}

function variant(baseUrl: string, name = "bf16"): VariantConfig {
  return { name, baseUrl, model: PROFILE.model, extraBody: {} };
}

function plan(variants: VariantConfig[], overrides: Partial<BenchPlan> = {}): BenchPlan {
  return {
    variants,
    concurrencies: [4],
    requests: 12,
    maxTokens: 32,
    temperature: 0,
    stream: true,
    ignoreEos: true,
    warmup: 0,
    prompts: { kind: "synthetic", tokens: 16 },
    timeoutSec: 30,
    retry: { maxAttempts: 1 },
    ...overrides,
  };
}

describe("runThroughputBench", () => {
  test("a sweep: per level warm-up then requests, replies of exactly max_tokens, one ITL gap per token after the first", async () => {
    const server = await sim();
    const out = await runThroughputBench(plan([variant(server.baseUrl)], { concurrencies: [1, 4], warmup: 3 }), {
      cwd: tempDir("bench-run"),
      outDir: tempDir("bench-out"),
    });
    expect(out).toHaveLength(1);
    expect(out[0]?.status).toBe("done");
    const results = out[0]?.results ?? [];
    expect(results.map((r) => r.concurrency)).toEqual([1, 4]);
    // Warm-up requests reach the server but are counted nowhere in the results.
    expect(server.totalRequests()).toBe(2 * (3 + 12));
    for (const r of results) {
      expect(r).toMatchObject({ requests: 12, ok: 12, errors: 0, warmup_requests: 3, finish_reasons: { length: 12 } });
      expect(r.token_usage).toMatchObject({
        completion_tokens_mean: 32,
        completion_tokens_total: 12 * 32,
        prompt_tokens_mean: 16 + 7,
      });
      expect(r.itl_ms.n).toBe(12 * 31);
      expect(r.tpot_ms.n).toBe(12);
      expect(r.qps).toBeCloseTo(12 / r.total_time_s, 12);
      expect(r.derived.decode_tps).toBeCloseTo((12 * 32) / r.total_time_s, 9);
    }
  });

  test("not streamed: no TTFT, TPOT or ITL; bench_openai's figures all there", async () => {
    const server = await sim();
    const [bench] = await runThroughputBench(plan([variant(server.baseUrl)], { stream: false }), {
      cwd: tempDir("bench-run"),
      outDir: tempDir("bench-out"),
    });
    const r = bench?.results[0];
    expect(r?.stream).toBe(false);
    expect(r?.ttft_s.p50).toBeNull();
    expect(r?.itl_ms.n).toBe(0);
    expect(r?.tpot_ms.n).toBe(0);
    expect(r?.latency_s.p50).toBeGreaterThan(0);
    expect(r?.token_usage.completion_tokens_total).toBe(12 * 32);
  });

  test("requests that fail after retries are errors, counted apart, with their message", async () => {
    const items = [{ promptKey: "fail me", itemId: "f", task: "t", answers: { correct: "x", wrong: [] } }];
    const server = await sim({ items, faults: { alwaysFail: ["f"] } });
    const prompts = {
      kind: "file" as const,
      file: "p.jsonl",
      prompts: [[{ role: "user" as const, content: "fail me" }], [{ role: "user" as const, content: "fine" }]],
    };
    const [bench] = await runThroughputBench(plan([variant(server.baseUrl)], { prompts, requests: 10 }), {
      cwd: tempDir("bench-run"),
      outDir: tempDir("bench-out"),
    });
    const r = bench?.results[0];
    expect(r).toMatchObject({ requests: 10, ok: 5, errors: 5 });
    expect(r?.token_usage.completion_tokens_total).toBe(5 * 32);
    expect(r?.error_samples).toHaveLength(1);
    expect(r?.error_samples[0]).toMatchObject({ code: "E_REQUEST_FAILED", count: 5 });
    expect(r?.error_samples[0]?.message).toMatch(/500/);
  });

  test("open loop: each rate's requests all sent, never more in flight than the cap at the HTTP layer", async () => {
    const server = await sim();
    // Counted at fetch, from the request until the server's last byte (the body is read whole here; TTFT does not
    // matter to this test): independent of the loop's own count.
    let inFlight = 0;
    let peak = 0;
    const counting: typeof fetch = async (input, init) => {
      if (!String(input).endsWith("/chat/completions")) return await fetch(input, init);
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      try {
        const response = await fetch(input, init);
        return new Response(await response.arrayBuffer(), response);
      } finally {
        inFlight -= 1;
      }
    };
    const openLoop = { requestRates: [200, Number.POSITIVE_INFINITY], burstiness: 1, maxConcurrency: 2, seed: 0 };
    const [bench] = await runThroughputBench(plan([variant(server.baseUrl)], { openLoop, requests: 10, warmup: 3 }), {
      cwd: tempDir("bench-run"),
      outDir: tempDir("bench-out"),
      fetch: counting,
    });
    expect(bench?.status).toBe("done");
    expect(server.totalRequests()).toBe(2 * (3 + 10));
    expect(peak).toBeGreaterThanOrEqual(1);
    expect(peak).toBeLessThanOrEqual(2);
    expect(bench?.results.map((r) => [r.request_rate, r.max_concurrency, r.requests, r.ok])).toEqual([
      [200, 2, 10, 10],
      ["inf", 2, 10, 10],
    ]);
    for (const r of bench?.results ?? []) expect(r.concurrency).toBeLessThanOrEqual(2);
    expect(bench?.results[1]?.achieved_rate).toBeNull();
  });

  test("runOpenLoopLevel: one level at a rate the caller picks, each request's outcome and send times", async () => {
    const server = await sim();
    const openLoop = { requestRates: [], burstiness: 1, seed: 0 };
    const { result, loop } = await runOpenLoopLevel(variant(server.baseUrl), plan([], { openLoop, requests: 5 }), 500, {
      cwd: tempDir("bench-run"),
      outDir: tempDir("bench-out"),
    });
    expect(server.totalRequests()).toBe(5);
    expect(loop.outcomes.filter((o) => o.ok)).toHaveLength(5);
    expect(loop.timings).toHaveLength(5);
    expect(loop.timings.every((t) => t.sentAt >= t.dueAt)).toBe(true);
    expect(result).toMatchObject({ request_rate: 500, max_concurrency: null, requests: 5, ok: 5 });
  });

  test("a variant whose server is down fails alone; the next one still runs", async () => {
    const server = await sim();
    const down = await sim();
    const downUrl = down.baseUrl;
    await down.close();
    const out = await runThroughputBench(plan([variant(downUrl, "down"), variant(server.baseUrl, "up")]), {
      cwd: tempDir("bench-run"),
      outDir: tempDir("bench-out"),
    });
    expect(out.map((o) => o.status)).toEqual(["failed", "done"]);
    expect(out[0]?.error?.code).toBe("E_ENDPOINT_UNREACHABLE");
    expect(out[1]?.results[0]?.ok).toBe(12);
  });
});
