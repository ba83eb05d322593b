/**
 * A full MMLU-Pro run at scale (issue 7): 12,032 questions × 3 variants through `node bin/quanteval.js run`, as a
 * user runs it, against the simulator in a child process with timed profiles (src/sim/engine.ts). Reported: wall
 * time against the simulator's ideal (the engine model's time for these requests at this concurrency; and, on the
 * fastest variant, the same requests fired by the raw client), peak RSS of the quanteval process (target under
 * 500 MB), and the start-up of `quanteval run --resume` on the complete journal. Needs the real MMLU-Pro test split.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseRunConfig } from "../src/config.ts";
import { dataAccessFor, openDatasets } from "../src/datasets/open.ts";
import { journalPath, readJournal } from "../src/journal/journal.ts";
import { loadTasks } from "../src/runner/load-tasks.ts";
import { prefillMs, type SimSpeed, type SimVariantProfile, streamTokensPerSec } from "../src/sim/index.ts";
import { type Bench, quantile } from "./figures.ts";
import { peakRssBetween, type QuantevalChildRun, runQuantevalChild, type TimedLine } from "./quanteval-child.ts";
import { chatRequestBodies, runRawClient } from "./raw-client.ts";
import { MMLU_PRO_TEST, REAL_DATA_DIR } from "./real-data.ts";
import { ROOT, startSimChild } from "./sim-child.ts";

const CONCURRENCY = 64;
const TASK = "mmlu_pro";
const RUN_ID = "scale";
/** MMLU-Pro's test split. */
const ITEMS = 12_032;
/** Prose before the answer line in each reply; with the closing paragraph, replies run to about 50 tokens. */
const REPLY_TOKENS = 50;

/**
 * Three variants, ordered as on one GPU (bf16 slowest). Timed so one variant's 12,032 requests take 15–25 s at
 * c=64 (about 100 ms each: prefill, then ~50 tokens); the engine never queues or saturates at c=64
 * (maxNumSeqs 256, capacity far above 64 × the per-stream rate), so the ideal is simple to state.
 */
function profile(
  name: string,
  speed: Omit<SimSpeed, "maxDecodeTokensPerSec" | "maxNumSeqs">,
): SimVariantProfile & { name: string } {
  return {
    name,
    model: `scale-${name}`,
    accuracy: 0.8,
    unansweredRate: 0.01,
    reasoning: "none",
    reasoningTokens: REPLY_TOKENS - 20,
    speed: { ...speed, maxDecodeTokensPerSec: 1_000_000, maxNumSeqs: 256 },
  };
}
/** The fastest: the raw client is timed on it, where a client's own cost shows most. */
const FASTEST = profile("nvfp4", { ttftMs: 20, ttftPerPromptTokenMs: 0.02, decodeTokensPerSec: 900 });
const VARIANTS = [
  profile("bf16", { ttftMs: 30, ttftPerPromptTokenMs: 0.04, decodeTokensPerSec: 600 }),
  profile("fp8", { ttftMs: 25, ttftPerPromptTokenMs: 0.03, decodeTokensPerSec: 750 }),
  FASTEST,
];

/** The engine's time for these requests at this concurrency, with no client cost: Σ(prefill + decode) / c. */
function engineIdealMs(
  speed: SimSpeed | "instant",
  usages: readonly { promptTokens: number; completionTokens: number }[],
  concurrency: number,
): number {
  if (speed === "instant") return 0;
  let totalMs = 0;
  for (const usage of usages) {
    // The first token comes at the end of prefill, the rest at the per-stream rate (src/sim/engine.ts).
    totalMs +=
      prefillMs(speed, usage.promptTokens) +
      (Math.max(0, usage.completionTokens - 1) / streamTokensPerSec(speed, concurrency)) * 1000;
  }
  return totalMs / concurrency;
}

/**
 * When each variant's asking started ("[variant] task: N items" progress line) and ended ("… done"), in ms after
 * spawn, as the lines arrived on stderr.
 */
function askWindows(lines: readonly TimedLine[]): Map<string, { startMs: number; endMs: number }> {
  const windows = new Map<string, { startMs: number; endMs: number }>();
  for (const { atMs, line } of lines) {
    const start = /^\[([^\]]+)\] \S+: \d+ items/.exec(line);
    if (start?.[1] !== undefined) windows.set(start[1], { startMs: atMs, endMs: Number.NaN });
    const done = /^\[([^\]]+)\] \S+: \d+\/\d+ .* done$/.exec(line);
    const window = done?.[1] === undefined ? undefined : windows.get(done[1]);
    if (window !== undefined) window.endMs = atMs;
  }
  if (VARIANTS.some((v) => !Number.isFinite(windows.get(v.name)?.endMs))) {
    throw new Error(
      `scale bench: cannot find every variant's progress lines in quanteval's stderr:\n${lines.map((l) => l.line).join("\n")}`,
    );
  }
  return windows;
}

function askWindow(lines: readonly TimedLine[]): { startMs: number; endMs: number } {
  const windows = [...askWindows(lines).values()];
  return { startMs: Math.min(...windows.map((w) => w.startMs)), endMs: Math.max(...windows.map((w) => w.endMs)) };
}

function checkExit(run: QuantevalChildRun, what: string): void {
  if (run.code !== 0)
    throw new Error(`scale bench: ${what} exited ${run.code}:\n${run.stderrLines.map((l) => l.line).join("\n")}`);
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

export const bench: Bench = async () => {
  if (!existsSync(MMLU_PRO_TEST)) {
    const why = `skipped: no MMLU-Pro test split at ${MMLU_PRO_TEST} (set QUANTEVAL_REAL_DATA to the folder of real benchmark files)`;
    process.stderr.write(`  scale: ${why}\n`);
    return [{ name: "scale", n: 0, measures: why }];
  }
  const dir = mkdtempSync(join(tmpdir(), "qe-bench-scale-"));
  const selection = { tasks: [TASK], taskOptions: {}, data: { dataDir: REAL_DATA_DIR, offline: true } };
  writeFileSync(join(dir, "sim.json"), JSON.stringify(selection));
  const sim = await startSimChild({
    profiles: VARIANTS.map(({ name: _name, ...p }) => p),
    config: join(dir, "sim.json"),
  });
  try {
    const rawConfig = {
      ...selection,
      variants: VARIANTS.map((v) => ({ name: v.name, baseUrl: sim.baseUrl, model: v.model })),
      reference: "bf16",
      concurrency: CONCURRENCY,
      runId: RUN_ID,
    };
    writeFileSync(join(dir, "run.json"), JSON.stringify(rawConfig));
    const load = loadavg()[0] ?? 0;
    const machine = `1-min load average at start ${load.toFixed(2)} on ${availableParallelism()} cores (shared machine: noisy)`;
    process.stderr.write(`  scale: simulator child pid ${sim.pid}; ${machine}\n`);

    const full = await runQuantevalChild(["run", "-c", "run.json"], { cwd: dir });
    checkExit(full, "quanteval run");
    const windows = askWindows(full.stderrLines);
    const ask = askWindow(full.stderrLines);
    const askMs = ask.endMs - ask.startMs;
    process.stderr.write(`  scale: quanteval run: ${seconds(full.wallMs)} spawn to exit, asking ${seconds(askMs)}\n`);

    // The ideal from the engine model, with each request's token counts from the journal.
    let idealMs = 0;
    const idealByVariant = new Map<string, number>();
    const latencies: number[] = [];
    for (const variant of VARIANTS) {
      const replies = readJournal(journalPath(join(dir, "artifacts"), RUN_ID, variant.name, TASK)).records.flatMap(
        (r) => (r.reply === undefined ? [] : [r.reply]),
      );
      if (replies.length !== ITEMS)
        throw new Error(`scale bench: the ${variant.name} journal holds ${replies.length} replies, expected ${ITEMS}`);
      for (const reply of replies) latencies.push(reply.timing.doneAt - reply.timing.sentAt);
      const ideal = engineIdealMs(
        variant.speed,
        // The simulator here sends usage: no prompt count is unknown.
        replies.map((r) => ({ ...r.usage, promptTokens: r.usage.promptTokens ?? 0 })),
        CONCURRENCY,
      );
      idealByVariant.set(variant.name, ideal);
      idealMs += ideal;
    }
    latencies.sort((a, b) => a - b);
    const n = latencies.length;

    // What a minimal client reaches on the fastest variant: how close to the engine model the simulator lets anyone get.
    const fastest = FASTEST;
    const config = parseRunConfig(rawConfig, "scale bench");
    const loaded = await loadTasks(
      config,
      ROOT,
      openDatasets(ROOT, dataAccessFor(config.data, process.env, {})),
      () => {},
    );
    const raw = await runRawClient({
      baseUrl: sim.baseUrl,
      bodies: chatRequestBodies(loaded, { model: fastest.model, sampling: config.sampling, stream: config.stream }),
      concurrency: CONCURRENCY,
    });
    if (raw.errors > 0)
      throw new Error(
        `scale bench: raw client: ${raw.errors} failed requests, e.g. ${raw.replies.find((r) => r.error !== undefined)?.error ?? ""}`,
      );
    const fastestWindow = windows.get(fastest.name) ?? ask;
    const fastestAskMs = fastestWindow.endMs - fastestWindow.startMs;
    const fastestIdealMs = idealByVariant.get(fastest.name) ?? Number.NaN;

    const resumed = await runQuantevalChild(["run", "--resume", RUN_ID], { cwd: dir });
    checkExit(resumed, "quanteval run --resume");
    const resumeReady = askWindow(resumed.stderrLines).endMs;

    const setting = `${VARIANTS.length} variants × ${ITEMS} real MMLU-Pro questions, sequential, c=${CONCURRENCY}, simulator child with timed profiles (~${Math.round(quantile(latencies, 0.5))} ms a request, ~${REPLY_TOKENS}-token replies)`;
    return [
      {
        name: "scale run, spawn to exit",
        n,
        value: { value: full.wallMs / 1000, unit: "s" },
        measures: `node bin/quanteval.js run -c: ${setting}; start-up (node, parquet load, model check) ${seconds(ask.startMs)}, asking ${seconds(askMs)}, report ${seconds(full.wallMs - ask.endMs)}; ${machine}`,
      },
      {
        name: "scale ask phase",
        n,
        rate: { value: (n / askMs) * 1000, unit: "items/s" },
        latency: { p50: quantile(latencies, 0.5), p90: quantile(latencies, 0.9), unit: "ms" },
        measures:
          "first '[variant] mmlu_pro: 12032 items' to last '… done' progress line (stderr, timed as it arrived); latency per request from the journals",
      },
      {
        name: "ask phase / simulator ideal",
        n,
        value: { value: askMs / idealMs, unit: "× ideal" },
        measures: `ideal ${seconds(idealMs)} = Σ per request (prefillMs + (tokens - 1) / decode rate, src/sim/engine.ts, token counts from the journals) / c, per variant, summed; the whole command took ${(full.wallMs / idealMs).toFixed(2)} × ideal`,
      },
      {
        name: `raw client, ${fastest.name} only`,
        n: raw.replies.length,
        rate: { value: (raw.replies.length / raw.wallMs) * 1000, unit: "items/s" },
        measures: `the same ${fastest.name} request bodies from bench/raw-client.ts at c=${CONCURRENCY}: ${seconds(raw.wallMs)} = ${(raw.wallMs / fastestIdealMs).toFixed(2)} × that variant's engine ideal (timer lateness, the simulator's own CPU); quanteval's ${fastest.name} asking took ${seconds(fastestAskMs)} = ${(fastestAskMs / fastestIdealMs).toFixed(2)} × ideal`,
      },
      {
        name: `items/s ratio, ${fastest.name}`,
        n: raw.replies.length,
        value: { value: raw.wallMs / fastestAskMs, unit: "× raw client" },
        measures: `quanteval's ${fastest.name} ask-phase items/s over the raw client's on the same requests (1 = quanteval adds no wall time)`,
      },
      {
        name: "scale peak RSS",
        n,
        value: { value: full.peakRssMb ?? Number.NaN, unit: "MB" },
        target: "< 500 MB",
        measures: `the quanteval process's maxRSS (process.resourceUsage at exit, via a --import preload); sampled from /proc: ${Math.round(peakRssBetween(full, 0, ask.startMs))} MB by the first request, ${Math.round(peakRssBetween(full, ask.startMs, ask.endMs))} MB while asking, ${Math.round(peakRssBetween(full, ask.endMs, full.wallMs))} MB while writing the report`,
      },
      {
        name: "scale CPU/request",
        n,
        value: { value: (full.cpuMs ?? Number.NaN) / n, unit: "ms" },
        measures:
          "the quanteval process's user + system CPU over the whole command (load, ask, grade, journal, report) / requests",
      },
      {
        name: "resume start-up",
        n,
        value: { value: resumeReady / 1000, unit: "s" },
        measures: `node bin/quanteval.js run --resume on the complete journal: spawn to the last task's '… done' line (node start, parquet load, ${n} journal records read, model check × ${VARIANTS.length}); spawn to exit, report included: ${seconds(resumed.wallMs)}`,
      },
      {
        name: "resume peak RSS",
        n,
        value: { value: resumed.peakRssMb ?? Number.NaN, unit: "MB" },
        target: "< 500 MB",
        measures: `maxRSS of the resuming process; sampled: ${Math.round(peakRssBetween(resumed, 0, resumeReady))} MB until ready, ${Math.round(peakRssBetween(resumed, resumeReady, resumed.wallMs))} MB while writing the report`,
      },
    ];
  } finally {
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  }
};
