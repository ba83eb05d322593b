/**
 * `quanteval compare <run-id…>`: one report from runs made at different times, e.g. one variant per run on a
 * single GPU. The runs must have asked the same questions the same way — same tasks and items, same data
 * (file sha256), same task options, max_tokens, samples and sampling — and byte-identical prompts; otherwise
 * the paired comparison would compare different experiments, so compare refuses and names every difference.
 */
import { join, resolve } from "node:path";
import type { CliIo } from "../io.ts";
import { ConfigError } from "../../core/errors.ts";
import { type Manifest, readManifest } from "../../runner/manifest.ts";
import type { JournalRecord } from "../../runner/record.ts";
import { resolveTasks } from "../../tasks/index.ts";
import { type ReportStatsOptions, type WrittenReport, readRunRecords, writeReportFiles } from "./report.ts";

export interface CompareOptions { artifacts: string; reports: string; name?: string; reference?: string }

/** What must be equal for two runs' answers to be compared item by item. */
function taskFingerprint(task: Manifest["tasks"][number]): string {
  return JSON.stringify({
    itemCount: task.itemCount, maxTokens: task.maxTokens, samples: task.samples, options: withDefaults(task),
    files: task.files.map((f) => [f.dataset ?? "", f.path, f.sha256]),
  });
}

/**
 * A task's recorded options with today's defaults filled in: a run recorded before an option existed (`scoring`
 * came with issue 14) used what is now its default, and must still join a run that records it.
 */
function withDefaults(task: Manifest["tasks"][number]): Record<string, unknown> {
  try {
    const schema = resolveTasks([task.name])[0]?.task.options;
    const parsed = schema?.safeParse(task.options);
    return parsed?.success === true ? parsed.data : task.options;
  } catch {
    // A task this version no longer knows: its options as recorded.
    return task.options;
  }
}

function samplingFingerprint(m: Manifest): string {
  const { sampling, limit, stream } = m.config;
  return JSON.stringify({ sampling, limit: limit ?? null, stream });
}

/** Every difference that makes the runs incomparable, as `run B: …` lines. */
export function comparabilityProblems(manifests: readonly Manifest[], records: ReadonlyMap<string, readonly JournalRecord[]>): string[] {
  const [first, ...rest] = manifests;
  if (first === undefined) return [];
  const problems: string[] = [];
  const firstTasks = first.tasks.filter((t) => t.unavailable === undefined);
  for (const other of rest) {
    const where = `run ${other.runId} vs ${first.runId}`;
    if (samplingFingerprint(other) !== samplingFingerprint(first)) problems.push(`${where}: sampling, limit or streaming differ (${samplingFingerprint(other)} vs ${samplingFingerprint(first)})`);
    const otherTasks = other.tasks.filter((t) => t.unavailable === undefined);
    const names = (ts: readonly { name: string }[]) => ts.map((t) => t.name).sort().join(", ");
    if (names(otherTasks) !== names(firstTasks)) problems.push(`${where}: tasks differ ([${names(otherTasks)}] vs [${names(firstTasks)}])`);
    for (const task of otherTasks) {
      const mine = firstTasks.find((t) => t.name === task.name);
      if (mine !== undefined && taskFingerprint(mine) !== taskFingerprint(task)) {
        problems.push(`${where}: task ${task.name} differs in items, data revision (sha256), options, max_tokens or samples`);
      }
    }
  }
  problems.push(...promptProblems(manifests, records));
  return problems;
}

/** The same item must have been sent the same messages in every run (the first record of each item is enough). */
function promptProblems(manifests: readonly Manifest[], records: ReadonlyMap<string, readonly JournalRecord[]>): string[] {
  const seen = new Map<string, { runId: string; messages: string }>();
  const problems: string[] = [];
  for (const m of manifests) {
    for (const record of records.get(m.runId) ?? []) {
      const key = `${record.task}/${record.itemId}`;
      const messages = JSON.stringify(record.request.messages);
      const before = seen.get(key);
      if (before === undefined) seen.set(key, { runId: m.runId, messages });
      else if (before.messages !== messages && before.runId !== m.runId && problems.length < 5) {
        problems.push(`run ${m.runId} vs ${before.runId}: ${key} was asked with a different prompt`);
      }
    }
  }
  return problems;
}

/** The runs as one: the first run's settings, every run's variants in the order given. */
export function joinManifests(manifests: readonly Manifest[], name: string, reference: string | undefined): Manifest {
  const [first] = manifests;
  if (first === undefined) throw new ConfigError(["compare: no run ids given"], "name two or more runs, e.g. `quanteval compare qwen3-nvfp4 qwen3-fp8 qwen3-bf16`");
  const owner = new Map<string, string>();
  const problems: string[] = [];
  for (const m of manifests) {
    for (const v of m.config.variants) {
      // A variant asked in several runs would have two answers per item: which one counts is not ours to pick.
      const earlier = owner.get(v.name);
      if (earlier !== undefined) problems.push(`variant ${v.name} is in run ${earlier} and in run ${m.runId}`);
      owner.set(v.name, m.runId);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems, "compare takes each variant from one run: name runs whose variants differ (run each variant under its own run id, or one run with --only)");
  const variants = manifests.flatMap((m) => m.config.variants);
  const names = variants.map((v) => v.name);
  const chosen = reference ?? (names.includes(first.reference) ? first.reference : names[0]);
  if (chosen === undefined || !names.includes(chosen)) {
    throw new ConfigError([`flags: --reference: "${reference ?? ""}" is not a variant of these runs (${names.join(", ")})`], "pass one of the listed variant names");
  }
  return {
    ...first,
    runId: name,
    reference: chosen,
    config: { ...first.config, variants, reference: chosen },
    variants: manifests.flatMap((m) => m.variants),
    sessions: manifests.flatMap((m) => m.sessions),
    // A task N/A in one run but loaded in another: the loaded record says what was asked.
    tasks: first.tasks.map((t) => (t.unavailable === undefined ? t : manifests.map((m) => m.tasks.find((x) => x.name === t.name && x.unavailable === undefined)).find((x) => x !== undefined) ?? t)),
  };
}

export async function compareRuns(runIds: readonly string[], options: CompareOptions, stats?: ReportStatsOptions): Promise<WrittenReport> {
  if (runIds.length < 2) throw new ConfigError([`compare: ${runIds.length} run id given`], "name two or more runs to join, e.g. `quanteval compare qwen3-nvfp4 qwen3-bf16`");
  const manifests = runIds.map((id) => readManifest(options.artifacts, id));
  const read = new Map(manifests.map((m) => [m.runId, readRunRecords(options.artifacts, m)] as const));
  const records = new Map([...read].map(([id, r]) => [id, r.records] as const));
  const problems = comparabilityProblems(manifests, records);
  if (problems.length > 0) {
    throw new ConfigError(problems, "join only runs that asked the same items the same way: same --tasks, task options, --limit, sampling and data; rerun a variant with the other run's settings (`quanteval run --resume <id>` keeps them)", "comparison");
  }
  const name = options.name ?? `compare-${runIds.join("+")}`.slice(0, 120).replace(/[^A-Za-z0-9._+-]/g, "_");
  const joined = joinManifests(manifests, name, options.reference);
  const unreadable = [...read.values()].flatMap((r) => r.unreadable);
  return writeReportFiles(join(options.reports, name), joined, [...records.values()].flat(), stats, unreadable);
}

export async function compareCommand(runIds: string[], flags: { artifacts: string; reports: string; name?: string; reference?: string }, io: CliIo, stats?: ReportStatsOptions): Promise<void> {
  const written = await compareRuns(runIds, {
    artifacts: resolve(io.cwd, flags.artifacts), reports: resolve(io.cwd, flags.reports),
    ...(flags.name !== undefined ? { name: flags.name } : {}), ...(flags.reference !== undefined ? { reference: flags.reference } : {}),
  }, stats);
  io.stdout(`${written.table}\n`);
  io.stderr(`joined ${runIds.length} runs; report written to ${written.dir} (report.md, index.html, scores.csv, scores.json, charts/)\n`);
}
