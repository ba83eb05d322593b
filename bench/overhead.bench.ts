/**
 * quanteval's own overhead (issue 7): `quanteval run` on 2,000 items against a minimal raw client sending the
 * same request bodies at the same concurrency, both against the simulator in zero-delay ("instant") mode. The
 * simulator runs in a child process, so this process's CPU is the client's alone. quanteval runs in-process as
 * `quanteval run` runs it (runEvaluation: load, check, ask, grade, journal); its ask phase is timed from the
 * progress display's start to its finish, so task loading (bench/loader.bench.ts) does not count against it.
 * Targets: items/s >= 0.9 of the raw client, client CPU per request under 1 ms.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { writeReport } from "../src/report/index.ts";
import { type RunConfig, parseRunConfig } from "../src/config.ts";
import { dataAccessFor, openDatasets } from "../src/datasets/open.ts";
import { journalPath, readJournal } from "../src/runner/journal.ts";
import { loadTasks } from "../src/runner/load-tasks.ts";
import type { ProgressSink } from "../src/runner/progress.ts";
import { runEvaluation } from "../src/runner/run.ts";
import type { SimVariantProfile } from "../src/sim/index.ts";
import { type Bench, type Figure, quantile } from "./figures.ts";
import { type RawTransport, chatRequestBodies, runRawClient } from "./raw-client.ts";
import { MMLU_PRO_TEST, REAL_DATA_DIR } from "./real-data.ts";
import { ROOT, type SimChild, startSimChild } from "./sim-child.ts";

const ITEMS = 2000;
const CONCURRENCIES = [16, 64] as const;
const RUNS = 3;
const WARMUP_ITEMS = 500;
const VARIANT = "instant";
/** Replies of about 200 tokens of prose then the answer line: one SSE chunk per token, as vLLM streams. */
const PROFILE: SimVariantProfile = {
  model: "bench-instant", accuracy: 0.8, unansweredRate: 0, reasoning: "none", reasoningTokens: 200, speed: "instant",
};

interface Workload {
  selection: { tasks: string[]; taskOptions: Record<string, Record<string, unknown>>; limit?: number };
  data: { dataDir: string; offline: true } | undefined;
  source: string;
  /** What runEvaluation's task load does for this workload. */
  loading: string;
}

/** The real MMLU-Pro test split, first 2,000 questions; without it, suite40 asked 50 times (2,000 units). */
function workload(): Workload {
  if (existsSync(MMLU_PRO_TEST)) {
    return {
      selection: { tasks: ["mmlu_pro"], taskOptions: {}, limit: ITEMS }, data: { dataDir: REAL_DATA_DIR, offline: true },
      source: "real MMLU-Pro test split, first 2,000 questions", loading: "parquet read, 12,032 prompts built, first 2,000 kept",
    };
  }
  return {
    selection: { tasks: ["suite40"], taskOptions: { suite40: { repeats: ITEMS / 40 } } }, data: undefined,
    source: `suite40 × 50 repeats (no MMLU-Pro at ${MMLU_PRO_TEST})`, loading: "the bundled 40 questions read",
  };
}

/** Brackets the ask phase: the runner calls start() once a task's items are about to be asked, finish() once all are journalled. */
class AskPhase implements ProgressSink {
  startedAt = 0;
  endedAt = 0;
  #cpuStart: NodeJS.CpuUsage | undefined;
  cpuMs = 0;
  start(): void {
    if (this.#cpuStart !== undefined) return;
    this.startedAt = performance.now();
    this.#cpuStart = process.cpuUsage();
  }
  update(): void {}
  finish(): void {
    this.endedAt = performance.now();
    const cpu = process.cpuUsage(this.#cpuStart);
    this.cpuMs = (cpu.user + cpu.system) / 1000;
  }
  log(): void {}
  stop(): void {}
}

interface Measured {
  itemsPerSec: number;
  cpuMsPerRequest: number;
  simCpuMsPerRequest: number;
  /** Share of wall time the simulator was on a CPU (1 = one core busy throughout: it is the bottleneck). */
  simBusy: number;
  latenciesMs: number[];
  completionTokens: number;
}

interface QuantevalMeasured extends Measured { wholeItemsPerSec: number; runId: string }

interface Setup { dir: string; sim: SimChild; work: Workload; baseConfig: Record<string, unknown>; bodies: string[]; n: number }

function runConfig(setup: Setup, concurrency: number, runId: string, limit?: number): RunConfig {
  const selection = limit === undefined ? setup.work.selection : { ...setup.work.selection, limit };
  return parseRunConfig({ ...setup.baseConfig, ...selection, concurrency, runId }, "overhead bench");
}

async function runQuanteval(setup: Setup, concurrency: number, runId: string, limit?: number): Promise<QuantevalMeasured> {
  const config = runConfig(setup, concurrency, runId, limit);
  const datasets = openDatasets(ROOT, dataAccessFor(config.data, process.env, {}));
  const phase = new AskPhase();
  const simBefore = setup.sim.cpuMs() ?? Number.NaN;
  const started = performance.now();
  const outcome = await runEvaluation(config, { root: ROOT, cwd: setup.dir, apiKeys: {}, progress: phase, datasets });
  const wholeMs = performance.now() - started;
  const simMs = (setup.sim.cpuMs() ?? Number.NaN) - simBefore;
  const n = limit ?? setup.n;
  if (outcome.recorded !== n || outcome.errors > 0 || outcome.variants.some((v) => v.status !== "done")) {
    throw new Error(`overhead bench: quanteval run ${runId} recorded ${outcome.recorded} of ${n} with ${outcome.errors} errors (${JSON.stringify(outcome.variants)})`);
  }
  const records = setup.work.selection.tasks.flatMap((task) => readJournal(journalPath(outcome.artifactsDir, runId, VARIANT, task)).records);
  const askMs = phase.endedAt - phase.startedAt;
  return {
    runId,
    itemsPerSec: (n / askMs) * 1000,
    wholeItemsPerSec: (n / wholeMs) * 1000,
    cpuMsPerRequest: phase.cpuMs / n,
    simCpuMsPerRequest: simMs / n,
    // The simulator's CPU covers the whole run (its /v1/models check too), set against the ask phase: a slight overestimate.
    simBusy: simMs / askMs,
    latenciesMs: records.flatMap((r) => (r.reply === undefined ? [] : [r.reply.timing.doneAt - r.reply.timing.sentAt])),
    completionTokens: records.reduce((sum, r) => sum + (r.reply?.usage.completionTokens ?? 0), 0) / records.length,
  };
}

async function runRaw(setup: Setup, concurrency: number, bodies: readonly string[], transport: RawTransport = "http"): Promise<Measured> {
  const simBefore = setup.sim.cpuMs() ?? Number.NaN;
  const run = await runRawClient({ baseUrl: setup.sim.baseUrl, bodies, concurrency, transport });
  const simMs = (setup.sim.cpuMs() ?? Number.NaN) - simBefore;
  if (run.errors > 0) throw new Error(`overhead bench: raw client: ${run.errors} failed requests, e.g. ${run.replies.find((r) => r.error !== undefined)?.error ?? ""}`);
  return {
    itemsPerSec: (bodies.length / run.wallMs) * 1000,
    cpuMsPerRequest: run.cpuMs / bodies.length,
    simCpuMsPerRequest: simMs / bodies.length,
    simBusy: simMs / run.wallMs,
    latenciesMs: run.replies.map((r) => r.doneAt - r.sentAt),
    completionTokens: run.replies.reduce((sum, r) => sum + (r.completionTokens ?? 0), 0) / run.replies.length,
  };
}

function median(values: readonly number[]): number {
  return quantile([...values].sort((a, b) => a - b), 0.5);
}

function latency(runs: readonly Measured[]): NonNullable<Figure["latency"]> {
  const sorted = runs.flatMap((r) => r.latenciesMs).sort((a, b) => a - b);
  return { p50: quantile(sorted, 0.5), p90: quantile(sorted, 0.9), unit: "ms" };
}

const fixed = (value: number, digits = 2): string => value.toFixed(digits);

function concurrencyFigures(c: number, n: number, quanteval: QuantevalMeasured[], raw: Measured[], note: string, loading: string): Figure[] {
  const q = median(quanteval.map((r) => r.itemsPerSec));
  const r = median(raw.map((m) => m.itemsPerSec));
  const qCpu = median(quanteval.map((m) => m.cpuMsPerRequest));
  const rCpu = median(raw.map((m) => m.cpuMsPerRequest));
  const runs = quanteval.map((m) => Math.round(m.itemsPerSec)).join(", ");
  const rawRuns = raw.map((m) => Math.round(m.itemsPerSec)).join(", ");
  const simBusyQ = median(quanteval.map((m) => m.simBusy));
  const simBusyR = median(raw.map((m) => m.simBusy));
  return [
    {
      name: `quanteval run, c=${c}`, n, rate: { value: q, unit: "items/s" }, latency: latency(quanteval),
      measures: `runEvaluation in-process, ask → grade → journal (progress start→finish), median of ${RUNS} runs (${runs}); latency per request from the journal; ${note}`,
    },
    {
      name: `raw client, c=${c}`, n, rate: { value: r, unit: "items/s" }, latency: latency(raw),
      measures: `the same ${n} request bodies POSTed with node:http keep-alive, SSE split and JSON-parsed, nothing else; median of ${RUNS} runs (${rawRuns}), alternating order with quanteval`,
    },
    {
      name: `items/s ratio, c=${c}`, n, value: { value: q / r, unit: "× raw client" }, target: ">= 0.9",
      measures: `median quanteval items/s over median raw items/s; the simulator was busy ${fixed(simBusyQ * 100, 0)}% of quanteval's ask phase and ${fixed(simBusyR * 100, 0)}% of the raw run (near 100%: the simulator, not the client, sets the pace)`,
    },
    {
      name: `quanteval CPU/request, c=${c}`, n, value: { value: qCpu, unit: "ms" }, target: "< 1 ms",
      measures: `this process's CPU (user + system, process.cpuUsage) over quanteval's ask phase / requests: SDK, SSE parsing, grading, journal; the simulator is another process; median of ${RUNS}`,
    },
    {
      name: `raw client CPU/request, c=${c}`, n, value: { value: rCpu, unit: "ms" },
      measures: "the same for the raw client (node:http)",
    },
    {
      name: `quanteval's own CPU/request, c=${c}`, n, value: { value: qCpu - rCpu, unit: "ms" },
      measures: "quanteval's CPU per request minus the raw client's: what quanteval costs beyond a minimal client",
    },
    {
      name: `simulator CPU/request, c=${c}`, n, value: { value: median(quanteval.map((m) => m.simCpuMsPerRequest)), unit: "ms" },
      measures: `the simulator child's CPU (/proc/<pid>/stat, 10 ms ticks) per request during the quanteval runs (raw runs: ${fixed(median(raw.map((m) => m.simCpuMsPerRequest)), 3)} ms)`,
    },
    {
      name: `quanteval incl. task load, c=${c}`, n, rate: { value: median(quanteval.map((m) => m.wholeItemsPerSec)), unit: "items/s" },
      measures: `the whole runEvaluation call: task load (${loading}), model check, ask, grade, journal; no report`,
    },
  ];
}

export const bench: Bench = async () => {
  const work = workload();
  const dir = mkdtempSync(join(tmpdir(), "qe-bench-overhead-"));
  const simConfig = join(dir, "sim-config.json");
  writeFileSync(simConfig, JSON.stringify({ ...work.selection, ...(work.data !== undefined ? { data: work.data } : {}) }));
  const sim = await startSimChild({ profiles: [PROFILE], config: simConfig });
  try {
    const baseConfig = {
      variants: [{ name: VARIANT, baseUrl: sim.baseUrl, model: PROFILE.model }],
      ...work.selection, ...(work.data !== undefined ? { data: work.data } : {}),
      output: { artifacts: join(dir, "artifacts"), reports: join(dir, "reports") },
    };
    const config = parseRunConfig({ ...baseConfig, concurrency: 16 }, "overhead bench");
    const loaded = await loadTasks(config, ROOT, openDatasets(ROOT, dataAccessFor(config.data, process.env, {})), () => {});
    const bodies = chatRequestBodies(loaded, { model: PROFILE.model, sampling: config.sampling, stream: config.stream });
    const setup: Setup = { dir, sim, work, baseConfig, bodies, n: bodies.length };
    if (setup.n !== ITEMS) throw new Error(`overhead bench: expected ${ITEMS} requests, built ${setup.n}`);
    const load = loadavg()[0] ?? 0;
    process.stderr.write(`  overhead: ${work.source}; simulator child pid ${sim.pid} at ${sim.baseUrl}; 1-min load average ${fixed(load)} on ${availableParallelism()} cores\n`);

    // Warm-up (JIT, sockets, the simulator's caches): not measured.
    await runQuanteval(setup, 16, "warmup", WARMUP_ITEMS);
    await runRaw(setup, 16, bodies.slice(0, WARMUP_ITEMS));

    const figures: Figure[] = [];
    let reportRunId = "";
    // Runs interleave concurrencies and sides, so drift in the machine's load (and JIT warm-up) favours none of them.
    const measured = new Map(CONCURRENCIES.map((c) => [c, { quanteval: [] as QuantevalMeasured[], raw: [] as Measured[] }]));
    for (let i = 0; i < RUNS; i++) {
      for (const c of i % 2 === 0 ? CONCURRENCIES : [...CONCURRENCIES].reverse()) {
        const { quanteval, raw } = measured.get(c) ?? { quanteval: [], raw: [] };
        const order = i % 2 === 0 ? ["quanteval", "raw"] : ["raw", "quanteval"];
        for (const side of order) {
          if (side === "quanteval") quanteval.push(await runQuanteval(setup, c, `c${c}-${i}`));
          else raw.push(await runRaw(setup, c, bodies));
        }
        process.stderr.write(`  overhead: c=${c} run ${i + 1}/${RUNS}: quanteval ${Math.round(quanteval.at(-1)?.itemsPerSec ?? 0)} items/s, raw ${Math.round(raw.at(-1)?.itemsPerSec ?? 0)} items/s\n`);
      }
    }
    for (const c of CONCURRENCIES) {
      const { quanteval, raw } = measured.get(c) ?? { quanteval: [], raw: [] };
      reportRunId ||= quanteval[0]?.runId ?? "";
      const tokens = median(raw.map((m) => m.completionTokens));
      const note = `simulator in a child process, instant, replies of ${Math.round(tokens)} tokens streamed one chunk each; data: ${work.source}; 1-min load average at start ${fixed(load)} on ${availableParallelism()} cores (shared machine: noisy)`;
      figures.push(...concurrencyFigures(c, setup.n, quanteval, raw, note, work.loading));
    }

    // The raw client again over fetch (undici), the transport the openai SDK uses: splits quanteval's cost into transport and the rest.
    const overFetch: Measured[] = [];
    for (let i = 0; i < RUNS; i++) overFetch.push(await runRaw(setup, CONCURRENCIES[0], bodies, "fetch"));
    figures.push({
      name: `raw client over fetch, c=${CONCURRENCIES[0]}`, n: setup.n, rate: { value: median(overFetch.map((m) => m.itemsPerSec)), unit: "items/s" }, latency: latency(overFetch),
      measures: `the raw client with fetch (undici, as the openai SDK sends) instead of node:http: ${fixed(median(overFetch.map((m) => m.cpuMsPerRequest)), 3)} ms CPU/request, median of ${RUNS}`,
    });

    // The report `quanteval run` writes at its end, for the same 2,000 records.
    const started = performance.now();
    await writeReport({ artifactsDir: join(dir, "artifacts"), reportsDir: join(dir, "reports"), runId: reportRunId });
    figures.push({
      name: "report after the run", n: setup.n, value: { value: (performance.now() - started) / 1000, unit: "s" },
      measures: "writeReport for one 2,000-item run (tables, bootstrap intervals, charts as SVG and PNG, index.html), as `quanteval run` writes it at its end",
    });
    return figures;
  } finally {
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  }
};
