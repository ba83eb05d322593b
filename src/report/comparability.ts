/**
 * Whether runs made at different times may be joined by `compare`: they must have asked the same questions the same
 * way — same tasks and items, same data (file sha256), same task options, max_tokens, samples and sampling — and
 * byte-identical prompts; otherwise the paired comparison would compare different experiments.
 */
import { createHash } from "node:crypto";
import type { JournalRecord, Manifest } from "../journal/index.ts";
import { resolveTasks } from "../tasks/index.ts";
import { lmEvalTaskDifferences } from "./lm-eval-comparability.ts";

/** What must be equal for two runs' answers to be compared item by item. */
function taskFingerprint(task: Manifest["tasks"][number]): string {
  return JSON.stringify({
    itemCount: task.itemCount,
    maxTokens: task.maxTokens,
    samples: task.samples,
    options: withDefaults(task),
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
  // A preset only names values: the same values written out ask the same way.
  const { limit, stream } = m.config;
  const { preset: _name, ...sampling } = m.config.sampling;
  return JSON.stringify({ sampling, limit: limit ?? null, stream });
}

/** Every difference that makes the runs incomparable, as `run B: …` lines. */
export function comparabilityProblems(
  manifests: readonly Manifest[],
  prompts: ReadonlyMap<string, readonly PromptPrint[]>,
): string[] {
  const [first, ...rest] = manifests;
  if (first === undefined) return [];
  const problems: string[] = [];
  const firstTasks = first.tasks.filter((t) => t.unavailable === undefined);
  for (const other of rest) {
    const where = `run ${other.runId} vs ${first.runId}`;
    if (samplingFingerprint(other) !== samplingFingerprint(first))
      problems.push(
        `${where}: sampling, limit or streaming differ (${samplingFingerprint(other)} vs ${samplingFingerprint(first)})`,
      );
    const otherTasks = other.tasks.filter((t) => t.unavailable === undefined);
    const names = (ts: readonly { name: string }[]) =>
      ts
        .map((t) => t.name)
        .sort()
        .join(", ");
    if (names(otherTasks) !== names(firstTasks))
      problems.push(`${where}: tasks differ ([${names(otherTasks)}] vs [${names(firstTasks)}])`);
    for (const task of otherTasks) {
      const mine = firstTasks.find((t) => t.name === task.name);
      // Imported answers: their samples files differ by design, so the task configs are compared instead.
      if (mine !== undefined && (mine.lmEval !== undefined || task.lmEval !== undefined)) {
        const items = {
          mine: itemIds(prompts, first.runId, task.name),
          other: itemIds(prompts, other.runId, task.name),
        };
        problems.push(...lmEvalTaskDifferences(mine, task, items).map((p) => `${where}: ${p}`));
      } else if (mine !== undefined && taskFingerprint(mine) !== taskFingerprint(task)) {
        problems.push(
          `${where}: task ${task.name} differs in items, data revision (sha256), options, max_tokens or samples`,
        );
      }
    }
  }
  problems.push(...promptProblems(manifests, prompts));
  return problems;
}

/** The ids of the items a run's journals hold for `task`. */
function itemIds(prompts: ReadonlyMap<string, readonly PromptPrint[]>, runId: string, task: string): Set<string> {
  const prefix = `${task}/`;
  const keys = (prompts.get(runId) ?? []).map((p) => p.key).filter((k) => k.startsWith(prefix));
  return new Set(keys.map((k) => k.slice(prefix.length)));
}

/** What compare keeps of each record's prompt: the item, and a digest of the messages sent (not their text). */
export interface PromptPrint {
  key: string;
  digest: string;
}

export function promptPrint(record: JournalRecord): PromptPrint {
  const digest = createHash("sha256").update(JSON.stringify(record.request.messages)).digest("base64");
  return { key: `${record.task}/${record.itemId}`, digest };
}

/** The same item must have been sent the same messages in every run (the first record of each item is enough). */
function promptProblems(
  manifests: readonly Manifest[],
  prompts: ReadonlyMap<string, readonly PromptPrint[]>,
): string[] {
  const seen = new Map<string, { runId: string; digest: string }>();
  const problems: string[] = [];
  for (const m of manifests) {
    for (const { key, digest } of prompts.get(m.runId) ?? []) {
      const before = seen.get(key);
      if (before === undefined) seen.set(key, { runId: m.runId, digest });
      else if (before.digest !== digest && before.runId !== m.runId && problems.length < 5) {
        problems.push(`run ${m.runId} vs ${before.runId}: ${key} was asked with a different prompt`);
      }
    }
  }
  return problems;
}
