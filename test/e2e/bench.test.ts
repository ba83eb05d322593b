/**
 * `quanteval bench` end to end: the real CLI against the simulator on 127.0.0.1 with a timed speed profile.
 * The seeds' run (bench_openai.py, c=16, r=64, max_tokens=256) reproduced field for field; a two-variant sweep
 * writing the table and chart; bad input refused with exit 2 before any request is sent.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Resvg } from "@resvg/resvg-js";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { stringify } from "yaml";
import { portAccepts } from "../../src/runner/serve/index.ts";
import { SimServer, type SimVariantProfile } from "../../src/sim/index.ts";
import { freePort } from "../helpers/free-port.ts";
import { runMain } from "../helpers/run-main.ts";
import { BIN, tempDir } from "./harness.ts";

// Timed, not instant: requests overlap as on a real server, so the closed loop's concurrency shows in the figures.
const SPEED = {
  ttftMs: 10,
  ttftPerPromptTokenMs: 0.02,
  decodeTokensPerSec: 2000,
  maxDecodeTokensPerSec: 16_000,
  maxNumSeqs: 64,
};
const PROFILES: SimVariantProfile[] = [
  { model: "qwen3-32b-bf16", accuracy: 1, unansweredRate: 0, reasoning: "none", reasoningTokens: 0, speed: SPEED },
  {
    model: "qwen3-32b-fp8",
    accuracy: 1,
    unansweredRate: 0,
    reasoning: "none",
    reasoningTokens: 0,
    speed: { ...SPEED, decodeTokensPerSec: 3000, maxDecodeTokensPerSec: 24_000 },
  },
];

interface Stats {
  p50: number | null;
  p95: number | null;
  mean: number | null;
  min: number | null;
  max: number | null;
}
interface Result {
  endpoint: string;
  model: string;
  concurrency: number;
  requests: number;
  max_tokens: number;
  temperature: number;
  stream: boolean;
  ok: number;
  errors: number;
  total_time_s: number;
  qps: number;
  latency_s: Stats;
  ttft_s: Stats;
  token_usage: {
    prompt_tokens_mean: number;
    completion_tokens_mean: number;
    prompt_tokens_total: number;
    completion_tokens_total: number;
  };
  derived: { prompt_tps: number; decode_tps: number; ms_per_output_token: number };
  variant: string;
  tpot_ms: Stats & { n: number };
  itl_ms: Stats & { n: number };
  finish_reasons: Record<string, number>;
}
interface Document {
  tool: string;
  description: { method: string; fields: Record<string, string> };
  settings: Record<string, unknown>;
  results: Result[];
}

function readDocument(file: string): Document {
  return JSON.parse(readFileSync(file, "utf8")) as Document;
}

let sim: SimServer;
beforeAll(async () => {
  sim = await SimServer.start({ seed: 0, variants: PROFILES, items: [] });
});
afterAll(async () => {
  await sim.close();
});

describe("quanteval bench", () => {
  test("reproduces the seeds' bench_openai.py run (c=16, r=64, max_tokens=256) with every JSON field and its meaning", async () => {
    const dir = tempDir("bench-seeds");
    const before = sim.totalRequests();
    const result = await runMain(
      [
        "bench",
        "--base-url",
        sim.baseUrl,
        "--model",
        "qwen3-32b-bf16",
        "--concurrency",
        "16",
        "--requests",
        "64",
        "--max-tokens",
        "256",
        "--ignore-eos",
        "--bench-id",
        "seeds",
      ],
      { cwd: dir },
    );
    expect(result.stderr).not.toContain("error[");
    expect(result.code).toBe(0);
    expect(sim.totalRequests() - before).toBe(64);
    const doc = readDocument(join(dir, "reports", "bench-seeds", "bench.json"));
    expect(doc.results).toHaveLength(1);
    const r = doc.results[0];
    if (r === undefined) throw new Error("no result");
    // The seeds' JSON, key for key and in its order; ours follow.
    expect(Object.keys(r).slice(0, 15)).toEqual([
      "endpoint",
      "model",
      "concurrency",
      "requests",
      "max_tokens",
      "temperature",
      "stream",
      "ok",
      "errors",
      "total_time_s",
      "qps",
      "latency_s",
      "ttft_s",
      "token_usage",
      "derived",
    ]);
    for (const stats of [r.latency_s, r.ttft_s])
      expect(Object.keys(stats)).toEqual(["p50", "p95", "mean", "min", "max"]);
    expect(Object.keys(r.derived)).toEqual(["prompt_tps", "decode_tps", "ms_per_output_token"]);
    expect(r).toMatchObject({
      endpoint: `${sim.baseUrl}/chat/completions`,
      model: "qwen3-32b-bf16",
      concurrency: 16,
      requests: 64,
      max_tokens: 256,
      temperature: 0,
      stream: true,
      ok: 64,
      errors: 0,
      finish_reasons: { length: 64 },
    });
    // ignore_eos: every reply ran to max_tokens.
    expect(r.token_usage).toMatchObject({ completion_tokens_mean: 256, completion_tokens_total: 64 * 256 });
    // 128 synthetic words plus the simulator's chat template (4 per message + 3 for the reply's opening).
    expect(r.token_usage.prompt_tokens_mean).toBe(135);
    // The meanings: rates over the run's wall time, ms/output token = mean latency / mean completion tokens.
    expect(r.qps).toBeCloseTo(r.ok / r.total_time_s, 9);
    expect(r.derived.decode_tps).toBeCloseTo((64 * 256) / r.total_time_s, 6);
    expect(r.derived.prompt_tps).toBeCloseTo(r.token_usage.prompt_tokens_total / r.total_time_s, 6);
    expect(r.derived.ms_per_output_token).toBeCloseTo(((r.latency_s.mean ?? NaN) / 256) * 1000, 9);
    // Wall time covers every request; with 16 in flight it is far less than their latencies summed.
    expect(r.total_time_s).toBeGreaterThanOrEqual(r.latency_s.max ?? Infinity);
    expect(r.total_time_s).toBeLessThan((r.latency_s.mean ?? 0) * 64);
    const { p50, p95, min, max } = r.latency_s;
    expect([min, p50, p95, max].every((v) => typeof v === "number")).toBe(true);
    expect(min ?? 0).toBeLessThanOrEqual(p50 ?? 0);
    expect(p95 ?? 0).toBeLessThanOrEqual(max ?? 0);
    // Streamed: TTFT before the end, TPOT per reply, ITL per gap.
    expect(r.ttft_s.p50).toBeGreaterThan(0);
    expect(r.ttft_s.max ?? Infinity).toBeLessThanOrEqual(r.latency_s.max ?? 0);
    expect(r.tpot_ms.n).toBe(64);
    expect(r.itl_ms.n).toBe(64 * 255);
    for (const field of [
      "qps",
      "latency_s",
      "ttft_s",
      "derived.decode_tps",
      "derived.ms_per_output_token",
      "tpot_ms",
      "itl_ms",
    ]) {
      expect(doc.description.fields[field], field).toMatch(/\w{3,}/);
    }
    expect(doc.description.method).toMatch(/closed loop/i);
    expect(doc.settings).toMatchObject({
      concurrency: [16],
      requests: 64,
      max_tokens: 256,
      ignore_eos: true,
      stream: true,
    });
    // stdout is the sweep table.
    expect(result.stdout).toMatch(/^\| variant +\| concurrency/);
    expect(result.stdout).toMatch(/\| qwen3-32b-bf16 +\| +16 \| +64\/64 \|/);
  });

  test("a sweep over two variants writes the table and a chart with one line per variant; --json prints bench.json", async () => {
    const dir = tempDir("bench-sweep");
    const before = sim.totalRequests();
    const result = await runMain(
      [
        "bench",
        "--base-url",
        sim.baseUrl,
        "--variant",
        "bf16",
        "--model",
        "qwen3-32b-bf16",
        "--variant",
        "fp8",
        "--model",
        "qwen3-32b-fp8",
        "--concurrency",
        "1,4",
        "--requests",
        "8",
        "--max-tokens",
        "32",
        "--ignore-eos",
        "--warmup",
        "2",
        "--bench-id",
        "sweep",
        "--json",
      ],
      { cwd: dir },
    );
    expect(result.stderr).not.toContain("error[");
    expect(result.code).toBe(0);
    // 2 variants × 2 levels × (2 warm-up + 8 measured).
    expect(sim.totalRequests() - before).toBe(40);
    const out = join(dir, "reports", "bench-sweep");
    expect(readdirSync(out).sort()).toEqual(["bench.json", "sweep.md", "sweep.png", "sweep.svg"]);
    const doc = readDocument(join(out, "bench.json"));
    expect(JSON.parse(result.stdout)).toEqual(doc);
    expect(doc.results.map((r) => [r.variant, r.concurrency, r.ok])).toEqual([
      ["bf16", 1, 8],
      ["bf16", 4, 8],
      ["fp8", 1, 8],
      ["fp8", 4, 8],
    ]);

    const table = readFileSync(join(out, "sweep.md"), "utf8");
    const rows = table.split("\n").filter((l) => /^\| (bf16|fp8) /.test(l));
    expect(
      rows.map((l) =>
        l
          .split("|")
          .slice(1, 4)
          .map((c) => c.trim()),
      ),
    ).toEqual([
      ["bf16", "1", "8/8"],
      ["bf16", "4", "8/8"],
      ["fp8", "1", "8/8"],
      ["fp8", "4", "8/8"],
    ]);
    // With --json the table goes to stderr.
    expect(result.stderr).toContain(rows[0]);

    const svg = readFileSync(join(out, "sweep.svg"), "utf8");
    expect(svg.startsWith("<svg")).toBe(true);
    expect(() => new Resvg(svg)).not.toThrow();
    expect(svg.match(/aria-roledescription="line mark"/g)).toHaveLength(2);
    expect(svg.match(/aria-roledescription="point"/g)).toHaveLength(4);
    for (const label of [">bf16<", ">fp8<", ">c=1<", ">c=4<"]) expect(svg).toContain(label);
    expect(readFileSync(join(out, "sweep.png")).subarray(0, 8)).toEqual(
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    );
  });

  test("open-loop sweep --request-rate 4,8: a level per rate, the rate asked and achieved in bench.json", async () => {
    const dir = tempDir("bench-open");
    const before = sim.totalRequests();
    const flags = "--request-rate 4,8 --max-concurrency 3 --seed 5 --requests 6 --max-tokens 8 --ignore-eos";
    const args = ["bench", "--base-url", sim.baseUrl, "--model", "qwen3-32b-bf16", ...flags.split(" ")];
    const result = await runMain([...args, "--bench-id", "open"], { cwd: dir });
    expect(result.stderr).not.toContain("error[");
    expect(result.code).toBe(0);
    expect(sim.totalRequests() - before).toBe(12);
    const out = join(dir, "reports", "bench-open");
    const doc = readDocument(join(out, "bench.json")) as Omit<Document, "results"> & {
      results: (Result & {
        request_rate: number | string;
        achieved_rate: number | null;
        burstiness: number | string;
        max_concurrency: number | null;
        send_delay_ms: Stats & { n: number };
      })[];
    };
    expect(doc.settings).toMatchObject({
      concurrency: [],
      request_rate: [4, 8],
      burstiness: 1,
      max_concurrency: 3,
      seed: 5,
    });
    expect(doc.description.method).toMatch(/open loop/i);
    for (const field of ["request_rate", "achieved_rate", "burstiness", "max_concurrency", "send_delay_ms"])
      expect(doc.description.fields[field], field).toMatch(/\w{3,}/);
    expect(doc.results.map((r) => [r.request_rate, r.burstiness, r.max_concurrency, r.requests, r.ok])).toEqual([
      [4, 1, 3, 6, 6],
      [8, 1, 3, 6, 6],
    ]);
    for (const r of doc.results) {
      expect(r.achieved_rate).toBeGreaterThan(0);
      expect(r.send_delay_ms.n).toBe(6);
      // An open loop's concurrency is the most in flight at once, within the cap.
      expect(r.concurrency).toBeGreaterThanOrEqual(1);
      expect(r.concurrency).toBeLessThanOrEqual(3);
    }
    const table = readFileSync(join(out, "sweep.md"), "utf8");
    expect(table).toContain("Open loop: arrivals at 4, 8 req/s (Poisson, seed 5), at most 3 in flight.");
    expect(table).toMatch(/^\| variant +\| rate \(req\/s\) +\| achieved \(req\/s\) +\| burstiness +\| peak in flight/m);
    const rows = table.split("\n").filter((l) => /^\| qwen3-32b-bf16 /.test(l));
    expect(
      rows.map((l) =>
        l
          .split("|")
          .slice(2, 3)
          .map((c) => c.trim()),
      ),
    ).toEqual([["4"], ["8"]]);
    expect(readFileSync(join(out, "sweep.svg"), "utf8")).toContain(">r=8<");
    // Latency against the rate achieved: two levels × p50 and p95, one point each, with what each point is.
    const rateChart = readFileSync(join(out, "latency-rate.svg"), "utf8");
    expect(rateChart).toContain("Latency against the arrival rate achieved");
    expect(rateChart.match(/aria-roledescription="point"/g)).toHaveLength(4);
    const achieved = doc.results[1]?.achieved_rate ?? Number.NaN;
    expect(rateChart).toContain(
      `latency p95 ${(doc.results[1]?.latency_s.p95 ?? Number.NaN).toFixed(3)} s at ${achieved.toFixed(2)}`,
    );
    expect(readFileSync(join(out, "latency-rate.png")).subarray(0, 4)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  });

  test("from a config: a variant with a serve block is started, benched and stopped, then the one already up; no tasks needed", async () => {
    const dir = tempDir("bench-config");
    const port = await freePort();
    writeFileSync(join(dir, "profiles.json"), JSON.stringify(PROFILES));
    const config = {
      variants: [
        {
          name: "served",
          baseUrl: `http://127.0.0.1:${port}/v1`,
          model: "qwen3-32b-fp8",
          serve: {
            command: [process.execPath, BIN, "sim", "--port", String(port), "--profiles", join(dir, "profiles.json")],
            stopGraceSec: 10,
          },
        },
        { name: "up", baseUrl: sim.baseUrl, model: "qwen3-32b-bf16" },
      ],
      concurrency: 2,
      sampling: { maxTokens: 16 },
      retry: { baseDelayMs: 1 },
    };
    writeFileSync(join(dir, "run.yaml"), stringify(config));
    const result = await runMain(["bench", "-c", "run.yaml", "--requests", "4", "--ignore-eos", "--bench-id", "cfg"], {
      cwd: dir,
    });
    expect(result.stderr).not.toContain("error[");
    expect(result.code).toBe(0);
    const out = join(dir, "reports", "bench-cfg");
    const doc = JSON.parse(readFileSync(join(out, "bench.json"), "utf8")) as Document & {
      variants: { name: string; status: string; started_by_quanteval: boolean }[];
    };
    expect(doc.variants.map((v) => [v.name, v.status, v.started_by_quanteval])).toEqual([
      ["served", "done", true],
      ["up", "done", false],
    ]);
    expect(doc.results.map((r) => [r.variant, r.concurrency, r.ok, r.token_usage.completion_tokens_total])).toEqual([
      ["served", 2, 4, 64],
      ["up", 2, 4, 64],
    ]);
    expect(readFileSync(join(out, "served", "server.log"), "utf8")).toContain(
      "quanteval simulator (NOT a real model) listening",
    );
    // Stopped before the next variant ran: nothing listens on its port any more.
    expect(await portAccepts({ host: "127.0.0.1", port })).toBe(false);
    const order = result.stderr.split("\n").filter((l) => /server stopped|\[up\] c=2: 4 request/.test(l));
    expect(order[0]).toMatch(/\[served\] server stopped/);
  });

  test.each([
    [
      ["--concurrency", "0"],
      /--concurrency: must be a whole number from 1 to 4096 \(got "0"\)/,
      /e\.g\. --concurrency 16/,
    ],
    [
      ["--requests", "abc"],
      /--requests: must be a whole number from 1 to 1000000 \(got "abc"\)/,
      /e\.g\. --requests 64/,
    ],
    [
      ["--model", "no-such-model"],
      /--model.*does not serve model "no-such-model" \(it serves: qwen3-32b-bf16, qwen3-32b-fp8\)/,
      /fix: pass --model/,
    ],
    [
      ["--prompt-file", "prompts.jsonl", "--prompt-tokens", "64"],
      /--prompt-file and --prompt-tokens: give one/,
      /fix: /,
    ],
    [
      ["--request-rate", "0,4"],
      /--request-rate: must be a number above 0, at most 1000000, or inf \(got "0"\)/,
      /fix: /,
    ],
    [["--request-rate", "4", "--concurrency", "8"], /--concurrency and --request-rate: give one/, /--max-concurrency/],
    [["--burstiness", "0.5"], /--burstiness: only with --request-rate/, /fix: /],
    [["--request-rate", "4,4"], /--request-rate: 4 is listed twice/, /fix: /],
  ])("bad input %j: exit 2, the flag and the fix named, nothing sent", async (args, problem, fix) => {
    const dir = tempDir("bench-bad");
    const before = sim.totalRequests();
    const flags = args.includes("--model") ? args : ["--model", "qwen3-32b-bf16", ...args];
    const result = await runMain(["bench", "--base-url", sim.baseUrl, ...flags, "--max-tokens", "8"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error\[E_CONFIG\]/);
    expect(result.stderr).toMatch(problem);
    expect(result.stderr).toMatch(fix);
    expect(sim.totalRequests()).toBe(before);
    expect(existsSync(join(dir, "reports"))).toBe(false);
  });

  test("flags alone need a base URL and model: exit 2 saying so", async () => {
    const result = await runMain(["bench", "--requests", "4"], { cwd: tempDir("bench-bad") });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("give --base-url and --model");
  });
});
