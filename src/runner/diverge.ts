/**
 * `quanteval diverge`'s core (issue 18): on an existing run, every variant scores the reference variant's own
 * replies token by token (teacher forcing, client/teacher-forcing.ts), and each answer goes to the divergence
 * journal (journal/forced-record.ts) the moment it arrives. The report computes KL, top-1 agreement and first
 * divergence from those journals.
 *
 * The reference goes first: its records are the cache every other variant is compared with, so variants that
 * share one GPU (serve blocks) can take turns as they do in `run`. Each variant checks at once that its token ids
 * equal the reference's (pairPositions): a mismatch stops that variant, since every later item would differ too.
 * Resumable: an item with a record is not asked again, one whose request failed is. Replies are read from the
 * journals as they were graded: sample 0 of each item, with its reasoning.
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import PQueue from "p-queue";
import { Endpoint, type ForcedLogprobs, pairPositions } from "../client/index.ts";
import type { RunConfig, VariantConfig } from "../config.ts";
import { referenceOf } from "../config.ts";
import { ConfigError, QuantevalError, RequestFailedError } from "../core/errors.ts";
import type { ExitCode } from "../core/exit-codes.ts";
import { digestOf } from "../core/seeded-random.ts";
import type { Message } from "../core/types.ts";
import {
  FORCED_JOURNAL_VERSION,
  type ForcedHead,
  type ForcedRecord,
  forcedJournalPath,
  type JournalRecord,
  JournalWriter,
  journalPath,
  type LineAt,
  type Manifest,
  readForcedHeads,
  readForcedRecordAt,
  readJournalAs,
} from "../journal/index.ts";
import { itemDivergence, itemLnPplRatio } from "../metrics/index.ts";
import { RunLock } from "./run-lock.ts";
import { type ServerHandle, ServerRegistry, startServer, whileServerUp } from "./serve/index.ts";

export interface DivergePlan {
  /** prompt_logprobs per position. */
  topK: number;
  /** Score at most this many tokens of each reply (the first ones); undefined: all. */
  maxPositions: number | undefined;
  /**
   * At most this many items per task: a subset fixed by the item ids alone (the same in every session and for every
   * variant), so a 12,000-item task costs what 1,000 do; undefined: every item.
   */
  items: number | undefined;
  /** Only these tasks (names); default every task of the run that has replies. */
  tasks?: readonly string[] | undefined;
  /** Only these variants besides the reference; default all. */
  variants?: readonly string[] | undefined;
  /** Requests in flight per variant. */
  concurrency: number;
}

export interface DivergeDeps {
  artifactsDir: string;
  /** Folder a serve block's relative cwd is resolved against. */
  cwd: string;
  env?: NodeJS.ProcessEnv | undefined;
  apiKeys: Readonly<Record<string, string | undefined>>;
  log: (line: string) => void;
  signal?: AbortSignal | undefined;
  servers?: ServerRegistry | undefined;
  fetch?: typeof fetch | undefined;
  now?: (() => number) | undefined;
}

export interface VariantDivergence {
  variant: string;
  status: "done" | "failed" | "interrupted";
  /** Items scored in this session, items already on disk, items whose request failed (asked again on resume). */
  asked: number;
  before: number;
  failed: number;
  /** Items the reference has no scores for (its request failed, or it stopped): not asked of this variant. */
  withoutReference: number;
  error?: { code: string; message: string; hint: string; exitCode: ExitCode };
}

/** One item as the reference answered it: what to force. */
interface ForcedItem {
  task: string;
  itemId: string;
  messages: Message[];
  reply: { text: string; reasoning?: string };
}

/** Per task, the items whose reference reply (sample 0) is on disk and not empty, in journal order. */
function referenceReplies(
  artifactsDir: string,
  runId: string,
  reference: string,
  tasks: readonly string[],
): Map<string, ForcedItem[]> {
  const byTask = new Map<string, ForcedItem[]>();
  for (const task of tasks) {
    const { records } = readJournalAs(journalPath(artifactsDir, runId, reference, task), (record) => {
      if ((record.sample ?? 0) !== 0 || record.reply === undefined) return undefined;
      const { text, reasoning } = record.reply;
      if (text === "" && (reasoning ?? "") === "") return undefined;
      const reply = reasoning === undefined ? { text } : { text, reasoning };
      // Typed as a reader's kept record (which a grade record could fold into); grades are not read here.
      const item: ForcedItem & Pick<JournalRecord, "grade" | "error"> = {
        task,
        itemId: record.itemId,
        messages: record.request.messages,
        reply,
      };
      return item;
    });
    // The latest reply per item: the one its grade is about.
    byTask.set(task, [...new Map(records.map((item) => [item.itemId, item])).values()]);
  }
  return byTask;
}

/** The first `n` items of each task in an order fixed by a hash of their ids: a stable, unbiased subset. */
function subset(byTask: Map<string, ForcedItem[]>, n: number | undefined): Map<string, ForcedItem[]> {
  if (n === undefined) return byTask;
  const rank = (item: ForcedItem): string => digestOf(["divergence subset", item.task, item.itemId]).toString("hex");
  return new Map(
    [...byTask].map(([task, items]) => [
      task,
      items.length <= n
        ? items
        : items
            .map((item) => ({ item, key: rank(item) }))
            .sort((a, b) => (a.key < b.key ? -1 : 1))
            .slice(0, n)
            .map((x) => x.item),
    ]),
  );
}

/** Runs divergence for the run in `manifest` (its config, endpoints maybe overridden by the caller). */
export async function runDivergence(
  config: RunConfig,
  manifest: Manifest,
  plan: DivergePlan,
  deps: DivergeDeps,
): Promise<VariantDivergence[]> {
  const reference = referenceOf(config);
  const variants = orderVariants(config, reference, plan.variants);
  const tasks = selectTasks(manifest, plan.tasks);
  const items = subset(referenceReplies(deps.artifactsDir, manifest.runId, reference, tasks), plan.items);
  const lock = RunLock.acquire(join(deps.artifactsDir, manifest.runId), manifest.runId);
  const session = randomBytes(4).toString("hex");
  const servers = deps.servers ?? new ServerRegistry();
  const out: VariantDivergence[] = [];
  try {
    for (const variant of variants) {
      if (deps.signal?.aborted === true) {
        out.push(empty(variant.name, "interrupted"));
        continue;
      }
      const ctx = { config, manifest, plan, deps, reference, items, session, servers };
      const result = await divergeVariant(variant, ctx);
      out.push(result);
      // Without the reference's scores no variant has anything to be compared with.
      if (variant.name === reference && result.status === "failed") break;
    }
  } finally {
    lock.release();
  }
  return out;
}

interface VariantContext {
  config: RunConfig;
  manifest: Manifest;
  plan: DivergePlan;
  deps: DivergeDeps;
  reference: string;
  items: Map<string, ForcedItem[]>;
  session: string;
  servers: ServerRegistry;
}

/** The reference first, then the others in config order (or as `only` names them). */
function orderVariants(config: RunConfig, reference: string, only: readonly string[] | undefined): VariantConfig[] {
  const names = config.variants.map((v) => v.name);
  for (const name of only ?? [])
    if (!names.includes(name))
      throw new ConfigError(
        [`flags: --variants: "${name}" is not a variant of this run (variants: ${names.join(", ")})`],
        "name variants of the run",
      );
  if (names.length < 2 && only === undefined)
    throw new ConfigError(
      [`variants: the run has one variant (${names.join("")}); divergence needs a reference and another variant`],
      "add the variants to compare to the run (quanteval run --resume with -c), then diverge",
    );
  const first = config.variants.find((v) => v.name === reference);
  if (first === undefined) throw new ConfigError([`reference: "${reference}" is not a variant`], "name a variant");
  const others = config.variants.filter((v) => v.name !== reference && (only === undefined || only.includes(v.name)));
  return [first, ...others];
}

function selectTasks(manifest: Manifest, only: readonly string[] | undefined): string[] {
  const available = manifest.tasks.filter((t) => t.unavailable === undefined && t.lmEval === undefined);
  const names = available.map((t) => t.name);
  for (const name of only ?? [])
    if (!names.includes(name))
      throw new ConfigError(
        [`flags: --tasks: "${name}" is not a task of run ${manifest.runId} with replies (tasks: ${names.join(", ")})`],
        "name tasks the run asked",
      );
  if (names.length === 0)
    throw new ConfigError(
      [`run ${manifest.runId}: no task has replies quanteval asked for (imported from lm-eval, or N/A)`],
      "diverge a run made by `quanteval run`",
    );
  return only === undefined ? names : names.filter((n) => only.includes(n));
}

function empty(variant: string, status: VariantDivergence["status"]): VariantDivergence {
  return { variant, status, asked: 0, before: 0, failed: 0, withoutReference: 0 };
}

/** An item to ask, and where the reference's scores of it are (none when asking the reference itself). */
interface Work {
  item: ForcedItem;
  reference: { file: string; at: LineAt } | undefined;
}

/** What one variant still has to ask; the reference's scores are read one item at a time, when asked. */
function workOf(variant: string, ctx: VariantContext): { result: VariantDivergence; work: Work[] } {
  const { deps, manifest, plan } = ctx;
  const result = empty(variant, "done");
  const work: Work[] = [];
  for (const [task, items] of ctx.items) {
    const ownFile = forcedJournalPath(deps.artifactsDir, manifest.runId, variant, task);
    const own = readForcedHeads(ownFile);
    const referenceFile = forcedJournalPath(deps.artifactsDir, manifest.runId, ctx.reference, task);
    const references = variant === ctx.reference ? undefined : readForcedHeads(referenceFile);
    for (const item of items) {
      const existing = own.records.get(item.itemId);
      if (existing !== undefined && existing.error === undefined) {
        refuseOtherSettings(existing, plan, ownFile);
        result.before++;
        continue;
      }
      const reference = references?.records.get(item.itemId);
      if (references !== undefined && (reference === undefined || reference.error !== undefined)) {
        result.withoutReference++;
        continue;
      }
      work.push({ item, reference: reference === undefined ? undefined : { file: referenceFile, at: reference.at } });
    }
  }
  return { result, work };
}

/**
 * A resumed divergence must score as it started: the same top-k and the same cut of each reply. A record covers
 * min(reply tokens, --max-positions) positions; any other count would pair it with a sequence of another length
 * (a reference cut at 5 against a variant cut at 4096 reads as a tokenization mismatch).
 */
function refuseOtherSettings(record: ForcedHead, plan: DivergePlan, file: string): void {
  const scored = record.scored ?? 0;
  const replyTokens = record.replyTokens ?? scored;
  const sameCut = scored === Math.min(replyTokens, plan.maxPositions ?? Number.POSITIVE_INFINITY);
  if (record.topK === plan.topK && sameCut) return;
  const cut = scored < replyTokens ? String(scored) : sameCut ? undefined : "all";
  const was = `--top-k ${record.topK}${cut === undefined ? "" : ` and --max-positions ${cut}`}`;
  const now = `--top-k ${plan.topK}${plan.maxPositions === undefined ? "" : ` and --max-positions ${plan.maxPositions}`}`;
  throw new ConfigError(
    [`${file}: scored with ${was}; this session asks ${now}`],
    "give the settings the divergence started with, or delete the run's divergence/ folder to start it again",
  );
}

async function divergeVariant(variant: VariantConfig, ctx: VariantContext): Promise<VariantDivergence> {
  const { result, work } = workOf(variant.name, ctx);
  const { deps } = ctx;
  if (work.length === 0) {
    deps.log(`[${variant.name}] divergence: every item is in the journal (${result.before})`);
    return result;
  }
  if (variant.serve === undefined) return await askAll(variant, work, result, ctx, deps.signal);
  let server: ServerHandle;
  const runDir = join(deps.artifactsDir, ctx.manifest.runId);
  try {
    server = await startServer(variant, {
      servers: ctx.servers,
      logFile: join(runDir, variant.name, "server.log"),
      runDir,
      cwd: deps.cwd,
      apiKey: deps.apiKeys[variant.name],
      signal: deps.signal,
      log: deps.log,
      fetch: deps.fetch,
      env: deps.env,
    });
  } catch (error) {
    if (deps.signal?.aborted === true) return { ...result, status: "interrupted" };
    return failed(result, error);
  }
  const { result: outcome, diedWith } = await whileServerUp(server, deps.signal, { log: deps.log }, (signal) =>
    askAll(variant, work, result, ctx, signal),
  );
  if (diedWith !== undefined && deps.signal?.aborted !== true) return failed(outcome, diedWith);
  return outcome;
}

function failed(result: VariantDivergence, error: unknown): VariantDivergence {
  if (!(error instanceof QuantevalError)) throw error;
  const { code, message, hint, exitCode } = error;
  return { ...result, status: "failed", error: { code, message, hint, exitCode } };
}

/** Asks every item of `work`, `concurrency` at a time, writing each answer before the next is counted. */
async function askAll(
  variant: VariantConfig,
  work: readonly Work[],
  result: VariantDivergence,
  ctx: VariantContext,
  signal: AbortSignal | undefined,
): Promise<VariantDivergence> {
  const { deps, plan, config, manifest } = ctx;
  const endpoint = new Endpoint({
    baseUrl: variant.baseUrl,
    replicas: variant.replicas,
    model: variant.model,
    extraBody: variant.extraBody,
    timeoutMs: config.timeoutSec * 1000,
    retry: config.retry,
    log: (line: string) => deps.log(`[${variant.name}] ${line}`),
    ...(deps.apiKeys[variant.name] !== undefined ? { apiKey: deps.apiKeys[variant.name] } : {}),
    ...(deps.fetch !== undefined ? { fetch: deps.fetch } : {}),
  });
  const counts = { ...result };
  try {
    await endpoint.checkServed(signal);
  } catch (error) {
    if (signal?.aborted === true) return { ...counts, status: "interrupted" };
    return failed(counts, error);
  }
  const writers = new Map<string, JournalWriter<ForcedRecord>>();
  const writerFor = (task: string): JournalWriter<ForcedRecord> => {
    let writer = writers.get(task);
    if (writer === undefined) {
      const then = `run \`quanteval diverge ${manifest.runId}\` again: it asks only what is missing`;
      writer = new JournalWriter<ForcedRecord>(
        forcedJournalPath(deps.artifactsDir, manifest.runId, variant.name, task),
        then,
      );
      writers.set(task, writer);
    }
    return writer;
  };
  // A refusal (mismatch, too few logprobs, no prompt_logprobs) or a write failure stops the variant at once.
  const stop = new AbortController();
  const inner = signal === undefined ? stop.signal : AbortSignal.any([signal, stop.signal]);
  let fatal: unknown;
  const now = deps.now ?? Date.now;
  const base = (item: ForcedItem) => ({
    v: FORCED_JOURNAL_VERSION,
    kind: "forced" as const,
    runId: manifest.runId,
    session: ctx.session,
    variant: variant.name,
    task: item.task,
    itemId: item.itemId,
    sample: 0,
    replyFrom: ctx.reference,
    topK: plan.topK,
    url: endpoint.replicaUrls[0] ?? endpoint.baseUrl,
    model: variant.model,
  });
  const queue = new PQueue({ concurrency: plan.concurrency });
  let done = 0;
  const total = work.length;
  deps.log(`[${variant.name}] divergence: ${total} item(s) to score, top-${plan.topK}, ${plan.concurrency} in flight`);
  for (const { item, reference } of work) {
    void queue.add(async () => {
      if (inner.aborted) return;
      try {
        const forced = await endpoint.forced(item.messages, item.reply, {
          k: plan.topK,
          maxPositions: plan.maxPositions,
          signal: inner,
        });
        const divergence =
          reference === undefined
            ? undefined
            : divergenceOf(pairPositions(forcedOfRecord(readForcedRecordAt(reference.file, reference.at)), forced));
        // ids and positions last: a reader parses the head alone (journal/forced-record.ts).
        writerFor(item.task).append({
          ...base(item),
          url: forced.url,
          replyStart: forced.replyStart,
          replyTokens: forced.replyTokens,
          scored: forced.positions.length,
          ...(divergence === undefined ? {} : { divergence }),
          attempts: forced.attempts,
          recordedAt: now(),
          ids: forced.ids,
          positions: forced.positions.map((p) => ({ lp: p.tokenLogprob, top: p.top })),
        });
        counts.asked++;
      } catch (error) {
        if (inner.aborted) return;
        if (error instanceof RequestFailedError) {
          writerFor(item.task).append({
            ...base(item),
            attempts: error.attempts,
            error: {
              code: error.code,
              message: error.message,
              ...(error.status === undefined ? {} : { status: error.status }),
            },
            recordedAt: now(),
          });
          counts.failed++;
          return;
        }
        fatal ??= error;
        stop.abort(error);
        return;
      }
      done++;
      if (done % 100 === 0 || done === total) deps.log(`[${variant.name}] divergence: ${done}/${total} scored`);
    });
  }
  await queue.onIdle();
  for (const writer of writers.values()) writer.close();
  if (fatal !== undefined) return failed(counts, fatal);
  if (signal?.aborted === true) return { ...counts, status: "interrupted" };
  return counts;
}

/** The item's figures (metrics/divergence.ts), the variant's log-likelihood of the reference's reply among them. */
function divergenceOf(positions: ReturnType<typeof pairPositions>): NonNullable<ForcedRecord["divergence"]> {
  // Every paired position has both token logprobs (pairPositions), so the ratio is never null here.
  return { ...itemDivergence(positions), lnPplRatio: itemLnPplRatio(positions) ?? Number.NaN };
}

/** A stored record as the client's ForcedLogprobs, for pairPositions' check of the ids (also the bench's). */
export function forcedOfRecord(record: ForcedRecord): ForcedLogprobs {
  return {
    url: record.url,
    ids: record.ids ?? [],
    replyStart: record.replyStart ?? 0,
    replyTokens: record.replyTokens ?? 0,
    positions: (record.positions ?? []).map((p) => ({ top: p.top, tokenLogprob: p.lp })),
  };
}
