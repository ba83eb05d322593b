/**
 * The runner: variants × tasks. Per variant it checks the endpoint serves the model, then per task asks every
 * item not yet in the journal through a p-queue, grades each reply and appends one journal line at once.
 * Tasks of a variant run one after another so each task's throughput is its own. The runner knows nothing of
 * answer formats (tasks grade) and nothing of HTTP details (the Endpoint does).
 *
 * A variant with a serve block gets its own server for its turn (serve/): start → check → warm-up → tasks →
 * stop, the stop in a `finally` so no server outlives its variant. Such variants always run one at a time, even
 * under `schedule: parallel`: they share the GPU (and usually the port).
 */
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { join, resolve } from "node:path";
import { setTimeout } from "node:timers/promises";
import PQueue from "p-queue";
import {
  buildRequestParams,
  detectEngine,
  Endpoint,
  type EngineInfo,
  engineLabel,
  type SamplingParams,
  type UsageTokenizer,
} from "../client/index.ts";
import type { RunConfig, VariantConfig } from "../config.ts";
import { ConfigError, OutputWriteError, QuantevalError, RequestFailedError } from "../core/errors.ts";
import type { GradeContext, Item, Reply, RunPythonProgram } from "../core/types.ts";
import type { DatasetFiles } from "../datasets/index.ts";
import {
  awaitsGrading,
  type ContextLength,
  describeSource,
  isFinished,
  JOURNAL_VERSION,
  type JournalRecord,
  JournalWriter,
  journalPath,
  type ManifestTokenizer,
  manifestExists,
  newManifest,
  quarantineLines,
  quarantineWarning,
  readJournal,
  readManifest,
  resumeCommand,
  resumeManifest,
  setVariantStatus,
  type UnreadableLine,
  unitKey,
  writeManifest,
} from "../journal/index.ts";
import type { Task } from "../tasks/index.ts";
import {
  ContextFitter,
  ContextTooShortError,
  type FitRecord,
  type FitTrace,
  PromptTooLongError,
} from "./context-fit.ts";
import { EndpointBreaker } from "./endpoint-breaker.ts";
import { withGradeContext } from "./grade-context.ts";
import { gradeSafely, type Verdict } from "./grade-safely.ts";
import { type LoadedTask, loadTasks } from "./load-tasks.ts";
import type { ProgressCounts, ProgressSink } from "./progress.ts";
import { RunLock } from "./run-lock.ts";
import { samplingParams } from "./sampling-params.ts";
import { type ServerHandle, ServerRegistry, startServer, stopServerLeftRunning, whileServerUp } from "./serve/index.ts";

export interface RunDeps {
  /** Package root: where evalsets/ and package.json live. */
  root: string;
  /** Folder the config's output paths are relative to. */
  cwd: string;
  /** The environment a served variant's server inherits (before its serve.env): the CLI's, not this process's. */
  env?: NodeJS.ProcessEnv;
  /** API key per variant name, resolved from the environment by cli.ts. */
  apiKeys: Readonly<Record<string, string | undefined>>;
  progress: ProgressSink;
  /** Hub dataset files for the tasks (src/datasets/hub.ts), resolved and recorded. */
  datasets: DatasetFiles;
  /** Aborted on SIGINT/SIGTERM: stop issuing, drop in-flight requests (they stay missing, so resume asks them). */
  signal?: AbortSignal;
  /**
   * The user's interrupt alone, when `signal` also stops for other reasons (a served variant's server died): only
   * an interrupt cuts gradings short (GRADING_GRACE_MS). Default: `signal`.
   */
  interrupt?: AbortSignal;
  now?: () => number;
  fetch?: typeof fetch;
  /**
   * The servers the run starts (serve blocks). The caller's, when its signal handler must kill them on a forced
   * exit; default a registry of the run's own.
   */
  servers?: ServerRegistry;
  /** Test seam: retry backoff sleeps. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Run only these variants now (one GPU: one server up at a time); the others keep their state. */
  only?: readonly string[];
  /** Kept up to date by the runner, for the interrupt message ("3 gradings pending"). */
  activity?: RunActivity;
  /** After an interrupt, how long started gradings may take before they are left for resume (GRADING_GRACE_MS). */
  gradingGraceMs?: number;
  /** The native Python executor for whole programs (SciCode), into the GradeContext. */
  python?: RunPythonProgram;
  /** Variant name → its model tokenizer (variants[].tokenizer), to count replies whose server streams no usage. */
  tokenizers?: ReadonlyMap<string, VariantTokenizer>;
}

/** A variant's model tokenizer: what counts with it, and what the manifest records of it. */
export interface VariantTokenizer {
  counter: UsageTokenizer;
  info: ManifestTokenizer;
}

/** What the run is doing now, for whoever reports on it while it runs. */
export interface RunActivity {
  /** Replies journalled whose grade is not yet. */
  pendingGradings: number;
}

export interface VariantOutcome {
  name: string;
  status: "done" | "failed" | "interrupted";
  error?: { code: string; message: string; hint: string };
}

export interface RunOutcome {
  runId: string;
  artifactsDir: string;
  resumed: boolean;
  interrupted: boolean;
  variants: VariantOutcome[];
  /** Requests this process recorded, and how many of them failed after retries. */
  recorded: number;
  errors: number;
  /** Tasks whose data could not be had in this session: N/A in the report, with why and the fix. */
  unavailable: { task: string; code: string; message: string; hint: string }[];
}

export function newRunId(now: number): string {
  const stamp = new Date(now).toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  return `${stamp}-${randomBytes(2).toString("hex")}`;
}

export async function runEvaluation(config: RunConfig, deps: RunDeps): Promise<RunOutcome> {
  const now = deps.now ?? Date.now;
  const artifactsDir = resolve(deps.cwd, config.output.artifacts);
  const runId = config.runId ?? newRunId(now());
  const selected = selectVariants(config, deps.only);
  const tasks = await loadTasks(config, deps.root, deps.datasets, (message) => deps.progress.log(message));
  const lock = RunLock.acquire(join(artifactsDir, runId), runId);
  try {
    // Closed however the run ends: gradings an interrupt left behind are rejected and stay ungraded for resume.
    return await withGradeContext(deps.python !== undefined ? { python: deps.python } : {}, (gradeContext) =>
      runLocked(config, deps, { artifactsDir, runId, selected, tasks, now, gradeContext }),
    );
  } finally {
    lock.release();
  }
}

interface RunSetup {
  artifactsDir: string;
  runId: string;
  selected: VariantConfig[];
  tasks: LoadedTask[];
  now: () => number;
  gradeContext: GradeContext;
}

async function runLocked(config: RunConfig, deps: RunDeps, setup: RunSetup): Promise<RunOutcome> {
  const { artifactsDir, runId, selected, tasks, now, gradeContext } = setup;
  const resumed = manifestExists(artifactsDir, runId);
  const session = randomBytes(4).toString("hex");
  const manifest = resumed
    ? resumeManifest(readManifest(artifactsDir, runId), config, tasks, now)
    : newManifest(runId, config, tasks, deps.root, now);
  manifest.sessions.push({ id: session, startedAt: new Date(now()).toISOString() });
  writeManifest(artifactsDir, manifest);

  // A killed session's servers (serve blocks) may still hold the port and the GPU: stopped before anything starts.
  for (const variant of config.variants) {
    await stopServerLeftRunning(variant, {
      runDir: join(artifactsDir, runId),
      log: (line) => deps.progress.log(line),
      ...(deps.now !== undefined ? { now: deps.now } : {}),
    });
  }
  const totals = { recorded: 0, errors: 0 };
  const servers = deps.servers ?? new ServerRegistry();
  const onServerReady = (name: string, startupSec: number): void => {
    const entry = manifest.variants.find((v) => v.name === name);
    if (entry === undefined) return;
    entry.serverStartupSec = startupSec;
    entry.serverStartupsSec = [...(entry.serverStartupsSec ?? []), startupSec];
    writeManifest(artifactsDir, manifest);
  };
  const onEngine = (name: string, engine: EngineInfo): void => {
    const entry = manifest.variants.find((v) => v.name === name);
    if (entry === undefined) return;
    entry.engine = engine;
    writeManifest(artifactsDir, manifest);
  };
  const onContextLength = (name: string, context: ContextLength): void => {
    const entry = manifest.variants.find((v) => v.name === name);
    if (entry === undefined) return;
    entry.contextLength = context;
    writeManifest(artifactsDir, manifest);
  };
  const runVariant = async (variant: VariantConfig): Promise<VariantOutcome> => {
    setVariantStatus(manifest, variant.name, "running");
    const tokenizer = deps.tokenizers?.get(variant.name)?.info;
    const entry = manifest.variants.find((v) => v.name === variant.name);
    if (tokenizer !== undefined && entry !== undefined) entry.tokenizer = tokenizer;
    writeManifest(artifactsDir, manifest);
    const outcome = await runOneVariant(variant, {
      config,
      deps,
      tasks,
      runId,
      session,
      artifactsDir,
      totals,
      now,
      servers,
      gradeContext,
      onServerReady,
      onContextLength,
      onEngine,
    });
    setVariantStatus(
      manifest,
      variant.name,
      outcome.status === "done" ? "done" : outcome.status === "failed" ? "failed" : "pending",
      outcome.error,
    );
    writeManifest(artifactsDir, manifest);
    return outcome;
  };
  const runInTurn = async (list: readonly VariantConfig[]): Promise<VariantOutcome[]> => {
    const outcomes: VariantOutcome[] = [];
    for (const variant of list) {
      if (deps.signal?.aborted) {
        outcomes.push({ name: variant.name, status: "interrupted" });
        continue;
      }
      outcomes.push(await runVariant(variant));
    }
    return outcomes;
  };

  const variants: VariantOutcome[] = [];
  if (config.schedule === "parallel") {
    // Variants quanteval serves itself share the GPU: they take turns, beside the variants already up elsewhere.
    const [direct, served] = await Promise.all([
      Promise.all(selected.filter((v) => v.serve === undefined).map(runVariant)),
      runInTurn(selected.filter((v) => v.serve !== undefined)),
    ]);
    const byName = new Map([...direct, ...served].map((o) => [o.name, o]));
    variants.push(...selected.flatMap((v) => byName.get(v.name) ?? []));
  } else {
    variants.push(...(await runInTurn(selected)));
  }

  const interrupted = deps.signal?.aborted ?? false;
  const current = manifest.sessions[manifest.sessions.length - 1];
  if (current !== undefined) {
    current.endedAt = new Date(now()).toISOString();
    current.outcome = interrupted ? "interrupted" : variants.some((v) => v.status === "failed") ? "failed" : "done";
  }
  manifest.updatedAt = new Date(now()).toISOString();
  writeManifest(artifactsDir, manifest);
  const unavailable = tasks.flatMap((t) =>
    t.info.unavailable === undefined ? [] : [{ task: t.task.name, ...t.info.unavailable }],
  );
  return { runId, artifactsDir, resumed, interrupted, variants, ...totals, unavailable };
}

function selectVariants(config: RunConfig, only: readonly string[] | undefined): VariantConfig[] {
  if (only === undefined) return config.variants;
  const names = config.variants.map((v) => v.name);
  const unknown = only.filter((name) => !names.includes(name));
  if (unknown.length > 0) {
    throw new ConfigError(
      unknown.map((name) => `flags: --only: no variant named "${name}"`),
      `use variant names from the config: ${names.join(", ")}`,
    );
  }
  return config.variants.filter((v) => only.includes(v.name));
}

interface VariantContext {
  config: RunConfig;
  deps: RunDeps;
  tasks: LoadedTask[];
  runId: string;
  session: string;
  artifactsDir: string;
  totals: { recorded: number; errors: number };
  now: () => number;
  /** Holds the servers the run starts until they are stopped. */
  servers: ServerRegistry;
  /** The sandboxes and math engine every grading of the run uses. */
  gradeContext: GradeContext;
  /** Records the startup time of a server quanteval started (manifest: serverStartupSec). */
  onServerReady: (variant: string, startupSec: number) => void;
  /** Records the context length found for the variant (manifest: contextLength). */
  onContextLength: (variant: string, context: ContextLength) => void;
  /** Records the engine and version found for the variant (manifest: engine). */
  onEngine: (variant: string, engine: EngineInfo) => void;
}

async function runOneVariant(variant: VariantConfig, ctx: VariantContext): Promise<VariantOutcome> {
  const pending = (): boolean =>
    ctx.tasks.some(
      (loaded) => loaded.info.unavailable === undefined && journalState(variant, loaded, ctx).pending.length > 0,
    );
  if (variant.serve === undefined)
    return await askVariant(variant, ctx, { check: true, warm: ctx.config.warmup.requests > 0 && pending() });
  // Everything answered in an earlier session: loading a model for minutes would buy nothing.
  if (!pending()) {
    ctx.deps.progress.log(`[${variant.name}] every item is in the journal: its server is not started`);
    return await askVariant(variant, ctx, { check: false, warm: false });
  }
  return await serveAndAsk(variant, ctx);
}

/** Start → ask → stop for a variant with a serve block; the server is stopped whatever happens in between. */
async function serveAndAsk(variant: VariantConfig, ctx: VariantContext): Promise<VariantOutcome> {
  const { deps } = ctx;
  const log = (line: string): void => deps.progress.log(line);
  const runDir = join(ctx.artifactsDir, ctx.runId);
  let server: ServerHandle;
  try {
    server = await startServer(variant, {
      servers: ctx.servers,
      logFile: join(runDir, variant.name, "server.log"),
      runDir,
      cwd: deps.cwd,
      apiKey: deps.apiKeys[variant.name],
      signal: deps.signal,
      log,
      fetch: deps.fetch,
      now: deps.now,
      env: deps.env,
    });
  } catch (error) {
    if (deps.signal?.aborted) return { name: variant.name, status: "interrupted" };
    return failed(variant, error, deps);
  }
  ctx.onServerReady(variant.name, server.startupSec);
  // A server that dies mid-run stops its variant at once, with the end of its log as the reason.
  const { result: outcome, diedWith } = await whileServerUp(
    server,
    deps.signal,
    { log, now: deps.now },
    // The server dying stops the asking, but it is no interrupt: gradings still finish (they need no server).
    (signal) => {
      const interrupt = deps.interrupt ?? deps.signal;
      return askVariant(
        variant,
        { ...ctx, deps: { ...deps, signal, ...(interrupt !== undefined ? { interrupt } : {}) } },
        { check: true, warm: true },
      );
    },
  );
  // All answered before it died: the items count; the crash is in its log.
  if (diedWith !== undefined && outcome.status !== "done" && deps.signal?.aborted !== true)
    return failed(variant, diedWith, deps);
  return outcome;
}

/** A typed error fails the variant (the others go on); anything else is a bug and propagates. */
function failed(variant: VariantConfig, error: unknown, deps: RunDeps): VariantOutcome {
  if (!(error instanceof QuantevalError)) throw error;
  deps.progress.log(`[${variant.name}] failed: error[${error.code}]: ${error.message}`);
  return {
    name: variant.name,
    status: "failed",
    error: { code: error.code, message: error.message, hint: error.hint },
  };
}

/** Check the model is served, warm up, then every task in turn. */
async function askVariant(
  variant: VariantConfig,
  ctx: VariantContext,
  steps: { check: boolean; warm: boolean },
): Promise<VariantOutcome> {
  const { config, deps } = ctx;
  const endpoint = new Endpoint({
    baseUrl: variant.baseUrl,
    replicas: variant.replicas,
    model: variant.model,
    extraBody: variant.extraBody,
    stream: config.stream,
    log: (line: string) => deps.progress.log(`[${variant.name}] ${line}`),
    timeoutMs: config.timeoutSec * 1000,
    retry: config.retry,
    // An engine that streams no usage is counted here and the journal says how (Reply.usageCountedBy).
    countMissingUsage: true,
    usageTokenizer: deps.tokenizers?.get(variant.name)?.counter,
    ...(deps.apiKeys[variant.name] !== undefined ? { apiKey: deps.apiKeys[variant.name] } : {}),
    ...(deps.fetch !== undefined ? { fetch: deps.fetch } : {}),
    ...(deps.now !== undefined ? { now: deps.now } : {}),
    ...(deps.sleep !== undefined ? { sleep: deps.sleep } : {}),
  });
  try {
    if (steps.check) await endpoint.checkServed(deps.signal);
  } catch (error) {
    if (deps.signal?.aborted) return { name: variant.name, status: "interrupted" };
    if (!(error instanceof QuantevalError)) throw error;
    deps.progress.log(`[${variant.name}] skipped: error[${error.code}]: ${error.message}`);
    return {
      name: variant.name,
      status: "failed",
      error: { code: error.code, message: error.message, hint: error.hint },
    };
  }
  if (steps.check) {
    const engine = await detectEngine({
      baseUrl: variant.baseUrl,
      model: variant.model,
      apiKey: deps.apiKeys[variant.name],
      fetch: deps.fetch,
      signal: deps.signal,
      serveCommand: variant.serve?.command,
    });
    if (engine !== undefined) {
      deps.progress.log(`[${variant.name}] engine: ${engineLabel(engine)} (${engine.evidence})`);
      ctx.onEngine(variant.name, engine);
    }
  }
  const fitter = new ContextFitter(endpoint, config.contextPolicy, variant.maxModelLen);
  if (steps.check) {
    deps.progress.log(`[${variant.name}] ${describeContext(fitter, ctx.tasks)}`);
    if (fitter.context !== undefined) ctx.onContextLength(variant.name, fitter.context);
    // Under "fail", a task that asks more than the whole context stops the variant before anything is asked.
    try {
      for (const loaded of ctx.tasks)
        if (loaded.info.unavailable === undefined) fitter.checkTask(loaded.task.name, loaded.info.maxTokens);
    } catch (error) {
      if (!(error instanceof ContextTooShortError)) throw error;
      return failed(variant, error, deps);
    }
  }
  if (steps.warm) await warmUp(variant, endpoint, ctx);
  for (const loaded of ctx.tasks) {
    if (deps.signal?.aborted) return { name: variant.name, status: "interrupted" };
    if (loaded.info.unavailable !== undefined) continue;
    const failure = await runOneTask(variant, fitter, loaded, ctx);
    if (failure !== undefined) return { name: variant.name, status: "failed", error: failure };
  }
  if (fitter.context !== undefined && fitter.context.source === "server-error")
    ctx.onContextLength(variant.name, fitter.context);
  return { name: variant.name, status: deps.signal?.aborted ? "interrupted" : "done" };
}

/** What the console says before asking: the context length found, and what is done with it. */
function describeContext(fitter: ContextFitter, tasks: readonly LoadedTask[]): string {
  const asked = Math.max(0, ...tasks.filter((t) => t.info.unavailable === undefined).map((t) => t.info.maxTokens));
  const context = fitter.context;
  if (context === undefined) {
    return (
      `context length: not stated by the server (GET /v1/models has no max_model_len; set variants[].maxModelLen to give it); ` +
      (fitter.policy === "fit"
        ? "a request refused as too long is asked again once with the max_tokens that fits"
        : "a request refused as too long is recorded as the server's error (contextPolicy fail)")
    );
  }
  const found = `context length ${context.tokens} tokens (${describeSource(context)})`;
  if (asked < context.tokens)
    return `${found}; tasks ask max_tokens up to ${asked}: a request whose prompt leaves less room is ${fitter.policy === "fit" ? "fitted to it" : "refused by the server (contextPolicy fail)"}`;
  return fitter.policy === "fit"
    ? `${found}; tasks ask max_tokens up to ${asked}: each request's max_tokens is lowered to what fits (context − its prompt, counted by the server), and the report counts them as capped`
    : `${found}; tasks ask max_tokens up to ${asked} (contextPolicy fail)`;
}

/**
 * Warm-up: the first items of the first task, asked before the tasks and neither journalled nor timed, so a
 * cold server's first requests (lazy compilation, allocator growth, cold caches) do not weigh on the throughput.
 * Capped at WARMUP_MAX_TOKENS: those effects are in the first tokens, and a 32k-token reasoning reply would only
 * cost minutes. A failed warm-up request is said and skipped: the tasks' own requests are retried and journalled.
 */
const WARMUP_MAX_TOKENS = 256;

async function warmUp(variant: VariantConfig, endpoint: Endpoint, ctx: VariantContext): Promise<void> {
  const { config, deps } = ctx;
  const count = config.warmup.requests;
  const first = ctx.tasks.find((t) => t.info.unavailable === undefined && t.items.length > 0);
  if (count === 0 || first === undefined) return;
  const params = samplingParams(config.sampling, Math.min(first.info.maxTokens, WARMUP_MAX_TOKENS));
  deps.progress.log(
    `[${variant.name}] warm-up: ${count} request(s) from ${first.task.name} (not journalled, not timed)`,
  );
  let failures = 0;
  const ask = async (index: number): Promise<void> => {
    const item = first.items[index % first.items.length];
    if (item === undefined || deps.signal?.aborted) return;
    try {
      await endpoint.chat(item.messages, params, deps.signal);
    } catch (error) {
      if (deps.signal?.aborted) return;
      if (!(error instanceof RequestFailedError)) throw error;
      failures += 1;
    }
  };
  // As many at once as the tasks will send, so batched paths are warmed too.
  for (let start = 0; start < count; start += config.concurrency) {
    await Promise.all(Array.from({ length: Math.min(config.concurrency, count - start) }, (_v, i) => ask(start + i)));
  }
  if (failures > 0) deps.progress.log(`[${variant.name}] warm-up: ${failures} of ${count} request(s) failed; going on`);
}

/** What the journal holds for a variant's task: each unit's latest record, and the units still to ask or grade. */
function journalState(variant: VariantConfig, loaded: LoadedTask, ctx: Pick<VariantContext, "artifactsDir" | "runId">) {
  const file = journalPath(ctx.artifactsDir, ctx.runId, variant.name, loaded.task.name);
  const contents = readJournal(file);
  const latest = new Map<string, JournalRecord>();
  for (const record of contents.records) latest.set(unitKey(record.itemId, record.sample), record);
  const units = loaded.items.flatMap((item) =>
    Array.from({ length: loaded.info.samples }, (_, sample) => ({ item, sample })),
  );
  const latestOf = (u: Unit): JournalRecord | undefined => latest.get(unitKey(u.item.id, u.sample));
  const pending = units.filter((u) => {
    const r = latestOf(u);
    return r === undefined || !isFinished(r);
  });
  const ungraded = units.filter((u) => {
    const r = latestOf(u);
    return r !== undefined && awaitsGrading(r);
  });
  return { file, latestOf, units, pending, ungraded, unreadable: contents.unreadable };
}

interface Unit {
  item: Item;
  sample: number;
}

/**
 * Gradings left after an interrupt get this long to finish; the rest are left for resume (their replies are in the
 * journal, so resume grades them without asking the server).
 */
export const GRADING_GRACE_MS = 10_000;

/**
 * Asks every unit the journal lacks and grades every reply it holds without a verdict. Each reply is journalled
 * the moment it is complete, before grading; its grade record follows when grading ends. Returns an error when
 * the endpoint went down mid-task (the rest stays missing, for --resume).
 */
async function runOneTask(
  variant: VariantConfig,
  fitter: ContextFitter,
  loaded: LoadedTask,
  ctx: VariantContext,
): Promise<VariantOutcome["error"]> {
  const { config, deps, now } = ctx;
  const { task } = loaded;
  const { samples } = loaded.info;
  const then = `resume with \`${resumeCommand(config, ctx.runId)}\``;
  const state = journalState(variant, loaded, ctx);
  const { file, units } = state;
  if (state.unreadable.length > 0) quarantine(variant, task.name, file, state.unreadable, ctx, then);
  const { pending, ungraded, latestOf } = state.unreadable.length > 0 ? journalState(variant, loaded, ctx) : state;

  const counts: ProgressCounts = {
    done: 0,
    total: units.length,
    graded: 0,
    correct: 0,
    errors: 0,
    completionTokens: 0,
  };
  for (const u of units) {
    const record = latestOf(u);
    if (record !== undefined && isFinished(record)) countRecord(counts, record);
  }
  deps.progress.start(variant.name, task.name, counts);
  if (pending.length === 0 && ungraded.length === 0) {
    deps.progress.finish(variant.name, task.name, counts);
    return undefined;
  }

  const paramsFor = (sample: number): SamplingParams => samplingParams(config.sampling, loaded.info.maxTokens, sample);
  const timeoutOption =
    loaded.info.requestTimeoutSec !== undefined ? { timeoutMs: loaded.info.requestTimeoutSec * 1000 } : {};
  const requestParamsFor = (sample: number, maxTokens?: number) => ({
    ...buildRequestParams(
      { ...paramsFor(sample), ...(maxTokens !== undefined ? { maxTokens } : {}) },
      variant.extraBody,
    ),
    stream: config.stream,
  });
  const writer = new JournalWriter(file, then);
  const variantAbort = new AbortController();
  const signal = deps.signal === undefined ? variantAbort.signal : AbortSignal.any([deps.signal, variantAbort.signal]);
  const queue = new PQueue({ concurrency: config.concurrency });
  const breaker = new EndpointBreaker(fitter.baseUrl, ctx.runId);
  let down: VariantOutcome["error"];
  let crashed: unknown;
  const crash = (error: unknown): void => {
    crashed ??= error;
    variantAbort.abort(error);
  };

  const base = (
    item: Item,
    sample: number,
    fit?: FitRecord,
  ): Omit<JournalRecord, "attempts" | "reply" | "grade" | "error" | "recordedAt"> => ({
    v: JOURNAL_VERSION,
    runId: ctx.runId,
    session: ctx.session,
    variant: variant.name,
    task: task.name,
    itemId: item.id,
    ...(samples > 1 ? { sample } : {}),
    request: { model: variant.model, messages: item.messages, params: requestParamsFor(sample, fit?.sent) },
    ...(fit !== undefined ? { fit } : {}),
    gold: item.gold,
    labels: labelsOf(task, item),
  });

  /** A reply, or a request that failed after retries: on disk before anything else happens to it. */
  const recordAttempt = (entry: JournalRecord): void => {
    writer.append(entry);
    ctx.totals.recorded += 1;
    if (entry.error !== undefined) ctx.totals.errors += 1;
    countRecord(counts, entry);
    deps.progress.update(variant.name, task.name, counts);
  };

  // Grading runs outside the request queue: a slow grader (code in a sandbox) must not hold a request slot, or
  // it would lower the concurrency the server sees and the throughput measured from these requests.
  const gradings = new Set<Promise<void>>();
  const activity = deps.activity;
  const grade = (item: Item, sample: number, reply: Reply): void => {
    if (activity !== undefined) activity.pendingGradings += 1;
    const grading = gradeSafely(task, item, reply, ctx.gradeContext)
      .then((verdict) => {
        // Given up on after an interrupt: the reply stays ungraded in the journal, and resume grades it.
        if (writer.closed) return;
        writer.append({
          v: JOURNAL_VERSION,
          kind: "grade",
          session: ctx.session,
          itemId: item.id,
          ...(samples > 1 ? { sample } : {}),
          ...verdict,
          recordedAt: now(),
        });
        if (verdict.error !== undefined) ctx.totals.errors += 1;
        countVerdict(counts, verdict);
        deps.progress.update(variant.name, task.name, counts);
      })
      .catch(crash)
      .finally(() => {
        gradings.delete(grading);
        if (activity !== undefined) activity.pendingGradings -= 1;
      });
    gradings.add(grading);
  };

  const ask = async (item: Item, sample: number): Promise<void> => {
    if (signal.aborted) return;
    // What a failed request had sent (a fitted max_tokens) and the requests before its last: journalled as they were.
    const trace: FitTrace = { attempts: 0 };
    try {
      const { reply, attempts, fit } = await fitter.chat(
        item.messages,
        paramsFor(sample),
        signal,
        timeoutOption,
        trace,
      );
      breaker.succeeded();
      recordAttempt({ ...base(item, sample, fit), attempts, reply, recordedAt: now() });
      grade(item, sample, reply);
    } catch (error) {
      if (signal.aborted && !(error instanceof OutputWriteError)) return; // interrupted or down: asked again on resume
      if (error instanceof PromptTooLongError) {
        // About this item's prompt, not the server: recorded, and the breaker is not told.
        recordAttempt({
          ...base(item, sample, trace.fit),
          attempts: error.attempts,
          error: { code: error.code, message: error.message },
          recordedAt: now(),
        });
        return;
      }
      if (!(error instanceof RequestFailedError)) throw error;
      recordAttempt({
        ...base(item, sample, trace.fit),
        attempts: trace.attempts,
        error: {
          code: error.code,
          message: error.message,
          ...(error.status !== undefined ? { status: error.status } : {}),
        },
        recordedAt: now(),
      });
      const stop = breaker.failed(error);
      if (stop !== undefined && down === undefined) {
        down = stop;
        deps.progress.log(`[${variant.name}] ${down.message}`);
        variantAbort.abort(new Error(down.code));
        queue.clear();
      }
    }
  };

  // On abort the queue is cleared, which rejects the jobs not yet started: those rejections are expected.
  const onAbort = () => queue.clear();
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    // Replies an earlier session received but did not grade: graded now, never asked again.
    for (const u of ungraded) {
      const reply = latestOf(u)?.reply;
      if (reply !== undefined) grade(u.item, u.sample, reply);
    }
    for (const { item, sample } of pending) {
      queue
        .add(() => ask(item, sample))
        .catch((error: unknown) => {
          if (signal.aborted && error instanceof DOMException && error.name === "AbortError") return;
          crash(error);
        });
    }
    await queue.onIdle();
    await settleGradings(gradings, deps, `[${variant.name}] ${task.name}`, then);
    if (crashed !== undefined) throw crashed;
  } finally {
    signal.removeEventListener("abort", onAbort);
    writer.close();
    deps.progress.finish(variant.name, task.name, counts);
  }
  return down;
}

/**
 * Every grading started is awaited, unless the user interrupts: then they get GRADING_GRACE_MS to finish, and the
 * rest are left for resume (their replies are already in the journal). Resolves when that is decided.
 */
async function settleGradings(
  gradings: ReadonlySet<Promise<void>>,
  deps: RunDeps,
  label: string,
  then: string,
): Promise<void> {
  if (gradings.size === 0) return;
  const all = Promise.all([...gradings]).then(() => true);
  const signal = deps.interrupt ?? deps.signal;
  if (signal === undefined) {
    await all;
    return;
  }
  const graceMs = deps.gradingGraceMs ?? GRADING_GRACE_MS;
  // Cancelled once the race is decided, so neither the abort listener nor the timer outlives the gradings.
  const decided = new AbortController();
  const graceOver = (async (): Promise<false> => {
    if (!signal.aborted) await once(signal, "abort", { signal: decided.signal });
    await setTimeout(graceMs, undefined, { signal: decided.signal });
    return false;
  })().catch((): false => false);
  try {
    if (await Promise.race([all, graceOver])) return;
  } finally {
    decided.abort();
  }
  deps.progress.log(
    `${label}: ${gradings.size} grading(s) did not finish within ${graceMs / 1000} s of the interrupt; ` +
      `their replies are in the journal: ${then} to grade them (no request is sent again)`,
  );
}

/** Unreadable journal lines go to a side file, loudly; the units they held count as never asked. */
function quarantine(
  variant: VariantConfig,
  task: string,
  file: string,
  lines: readonly UnreadableLine[],
  ctx: VariantContext,
  then: string,
): void {
  const side = quarantineLines(file, lines, then);
  ctx.deps.progress.log(`[${variant.name}] ${task}: ${quarantineWarning(lines, `moved to ${side}`)}`);
}

function countRecord(counts: ProgressCounts, record: JournalRecord): void {
  if (isFinished(record)) counts.done += 1;
  countVerdict(counts, record);
  counts.completionTokens += record.reply?.usage.completionTokens ?? 0;
}

function countVerdict(counts: ProgressCounts, verdict: Verdict): void {
  if (verdict.grade !== undefined) {
    counts.graded += 1;
    if (verdict.grade.correct) counts.correct += 1;
  }
  if (verdict.error !== undefined) counts.errors += 1;
}

function labelsOf(task: Task, item: Item): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const key of task.breakdowns) {
    const value = item.meta[key];
    if (value !== undefined && value !== null) labels[key] = String(value);
  }
  return labels;
}
