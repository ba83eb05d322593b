/**
 * --slo and --find-max-rate through runThroughputBench against the simulator on 127.0.0.1: goodput per level, the
 * search's trials sent through the injected open-loop sender (a sequential stand-in here, which emulates overload
 * past 40 req/s by failing), fresh prompts per trial, and what bench.json and the tables make of it.
 */
import { afterEach, describe, expect, test } from "vitest";
import type { VariantConfig } from "../../src/config.ts";
import { benchDocument } from "../../src/loadgen/bench-document.ts";
import { type BenchPlan, runThroughputBench } from "../../src/loadgen/bench-run.ts";
import type { RequestOutcome } from "../../src/loadgen/closed-loop.ts";
import { searchStartRate } from "../../src/loadgen/max-rate-run.ts";
import { maxRateTable } from "../../src/loadgen/max-rate-table.ts";
import { type OpenLoopSender, rateTrialFor, TrialInterruptedError } from "../../src/loadgen/rate-trial.ts";
import { sweepTable } from "../../src/loadgen/sweep-table.ts";
import { SimServer, type SimVariantProfile } from "../../src/sim/index.ts";
import { tempDir } from "../e2e/harness.ts";

const PROFILE: SimVariantProfile = {
  model: "sim-fp8",
  accuracy: 1,
  unansweredRate: 0,
  reasoning: "none",
  reasoningTokens: 0,
  speed: "instant",
};

const open: SimServer[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

interface SenderCall {
  ratePerSec: number;
  seed: number;
}

/** Sends each request in turn (no timing: the search only reads outcomes); past 40 req/s every request fails. */
function standInSender(calls: SenderCall[]): OpenLoopSender {
  return async ({ ratePerSec, requests, seed, send, now, signal }) => {
    const outcomes: RequestOutcome[] = [];
    const startedAt = now();
    for (let i = 0; i < requests; i++) {
      const outcome = await send(i, signal);
      outcomes.push(ratePerSec > 40 ? { ok: false, code: "E_OVERLOAD", message: "stand-in overload" } : outcome);
    }
    calls.push({ ratePerSec, seed });
    return { outcomes, startedAt, finishedAt: now(), complete: true };
  };
}

describe("bench with --slo and --find-max-rate", () => {
  test("goodput per level; the max rate per variant from trials of fresh prompts; bench.json and tables", async () => {
    const server = await SimServer.start({ seed: 0, variants: [PROFILE], items: [] });
    open.push(server);
    const variant: VariantConfig = { name: "fp8", baseUrl: server.baseUrl, model: PROFILE.model, extraBody: {} };
    const calls: SenderCall[] = [];
    const plan: BenchPlan = {
      variants: [variant],
      concurrencies: [2],
      requests: 10,
      maxTokens: 8,
      temperature: 0,
      stream: true,
      ignoreEos: true,
      warmup: 1,
      prompts: { kind: "synthetic", tokens: 4 },
      timeoutSec: 30,
      retry: { maxAttempts: 1 },
      slo: { e2e: 20_000, ttft: 10_000 },
      maxRate: { percentile: 90, trials: 2, requests: 10, startRate: 1 },
    };
    const lines: string[] = [];
    const [bench] = await runThroughputBench(plan, {
      cwd: tempDir("bench-run"),
      outDir: tempDir("bench-out"),
      rateSender: standInSender(calls),
      log: (line) => lines.push(line),
    });
    expect(bench?.status).toBe("done");
    expect(bench?.results[0]?.slo).toEqual({ ttft_ms: 10_000, e2e_ms: 20_000 });
    expect(bench?.results[0]?.goodput).toMatchObject({
      requests: 10,
      good: 10,
      share_met: { all: 1, ttft: 1, e2e: 1 },
    });

    const maxRate = bench?.maxRate;
    expect(maxRate?.repetitions).toHaveLength(2);
    // The first search starts at the level's throughput, not at 1 req/s: no slow trials at rates far below capacity.
    expect(maxRate?.repetitions[0]?.steps[0]?.rate).toBe(bench?.results[0]?.qps);
    for (const repetition of maxRate?.repetitions ?? []) {
      expect(repetition.max_rate).toBeLessThanOrEqual(40);
      expect(repetition.max_rate).toBeGreaterThanOrEqual(40 / 1.02);
    }
    expect(calls.map((c) => c.seed)).toEqual(maxRate?.repetitions.flatMap((r, i) => r.steps.map(() => i)));
    // The level sent 1 + 10 requests; every trial then 10 more, each with prompts of its own.
    expect(server.totalRequests()).toBe(11 + 10 * calls.length);
    expect(lines.filter((l) => l.includes("search 1:"))).toHaveLength(maxRate?.repetitions[0]?.steps.length ?? -1);

    const document = benchDocument(
      {
        ...plan,
        id: "t",
        createdAt: "2026-12-05T00:00:00.000Z",
        variants: [{ name: "fp8", model: PROFILE.model, baseUrl: server.baseUrl, served: false }],
      },
      bench === undefined ? [] : [bench],
    );
    expect(document.settings).toMatchObject({
      slo: { ttft_ms: 10_000, e2e_ms: 20_000 },
      find_max_rate: { percentile: 90, trials: 2, requests_per_trial: 10, start_rate: 1 },
    });
    expect(document.max_rate?.map((m) => [m.variant, m.max_rate])).toEqual([["fp8", maxRate?.max_rate]]);
    expect(Object.keys(document.description.fields)).toEqual(
      expect.arrayContaining(["slo", "goodput.requests_per_s", "goodput.share_met", "max_rate"]),
    );
    const sweep = sweepTable(document.results).split("\n");
    expect(sweep[0]).toMatch(/\| goodput \(req\/s\) +\| met SLO \|$/);
    expect(sweep[2]).toMatch(/\| +100\.0% \|$/);
    const table = maxRateTable(document.max_rate ?? []);
    expect(table.split("\n")[2]).toMatch(
      new RegExp(`^\\| fp8 +\\| +${maxRate?.max_rate.toFixed(2)} \\|.*\\| +50\\.0% \\| +2 \\|`),
    );
  });
});

describe("searchStartRate", () => {
  test("the best level throughput, else the plan's start rate", () => {
    expect(searchStartRate([12.5, 30.25, 20], 1)).toBe(30.25);
    expect(searchStartRate([], 1)).toBe(1);
    expect(searchStartRate([0, Number.NaN], 2)).toBe(2);
  });
});

describe("rateTrialFor", () => {
  /** A trial over a sender that sends every request at once; records the prompt indices sent and the seeds. */
  function recordingTrial(warmup?: (ratePerSec: number) => number, cooldown?: (ratePerSec: number) => number) {
    const sent: number[] = [];
    const seeds: number[] = [];
    const sender: OpenLoopSender = async ({ requests, seed, send, signal }) => {
      seeds.push(seed);
      const outcomes = await Promise.all(Array.from({ length: requests }, (_, i) => send(i, signal)));
      return { outcomes, startedAt: 0, finishedAt: 1, complete: true };
    };
    const trial = rateTrialFor({
      sender,
      requests: 3,
      warmup,
      cooldown,
      send: async (index) => {
        sent.push(index);
        return { ok: false, code: "E_X", message: "x" };
      },
      firstIndex: 100,
      now: () => 0,
      signal: undefined,
    });
    return { trial, sent, seeds };
  }

  test("each trial sends prompts of its own from firstIndex on, seeded by the search's repetition", async () => {
    const { trial, sent, seeds } = recordingTrial();
    await trial(5, { repetition: 0, step: 0 });
    await trial(10, { repetition: 1, step: 0 });
    expect(sent).toEqual([100, 101, 102, 103, 104, 105]);
    expect(seeds).toEqual([0, 1]);
  });

  test("a warm-up for the trial's rate goes first, from the trial's prompts; the next trial starts after it", async () => {
    const { trial, sent } = recordingTrial((ratePerSec) => ratePerSec / 5);
    expect(await trial(5, { repetition: 0, step: 0 })).toHaveLength(4);
    expect(await trial(10, { repetition: 0, step: 1 })).toHaveLength(5);
    expect(sent).toEqual([100, 101, 102, 103, 104, 105, 106, 107, 108]);
  });

  test("a cool-down for the trial's rate goes last, from the trial's prompts; the next trial starts after it", async () => {
    const { trial, sent } = recordingTrial(
      () => 1,
      (ratePerSec) => ratePerSec / 5,
    );
    expect(await trial(10, { repetition: 0, step: 0 })).toHaveLength(1 + 3 + 2);
    expect(await trial(5, { repetition: 0, step: 1 })).toHaveLength(1 + 3 + 1);
    expect(sent).toEqual([100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110]);
  });

  test("a trial cut short by the signal stops the search: the variant is interrupted, not judged", async () => {
    const sender: OpenLoopSender = async () => ({ outcomes: [], startedAt: 0, finishedAt: 0, complete: false });
    const trial = rateTrialFor({
      sender,
      requests: 3,
      send: async () => ({ ok: false, code: "E_X", message: "x" }),
      firstIndex: 0,
      now: () => 0,
      signal: undefined,
    });
    await expect(trial(5, { repetition: 0, step: 0 })).rejects.toBeInstanceOf(TrialInterruptedError);
  });
});
