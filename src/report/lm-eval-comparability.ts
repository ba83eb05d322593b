/**
 * Whether two imports of an lm-eval task asked the same questions the same way: their task config blocks (the
 * results file's `configs.<task>`, stored in the manifest) must agree field by field (of `metadata`, only `version`:
 * see comparableTaskConfig), and correctness must be read
 * from the same metric and filter. The samples files themselves differ by design (they hold each model's answers).
 */
import { isRecord } from "../core/is-record.ts";
import { comparableTaskConfig } from "../import/index.ts";
import type { ManifestTask } from "../journal/index.ts";

/** Differences shown per task: enough to see what to fix without a wall of text. */
const MAX_FIELDS = 5;

/**
 * Every reason the imported task `other` cannot be paired with `mine`, as `task …: …` lines; `items` are the item
 * ids (doc_ids) each run's journal holds for the task.
 */
export function lmEvalTaskDifferences(
  mine: ManifestTask,
  other: ManifestTask,
  items?: { mine: ReadonlySet<string>; other: ReadonlySet<string> },
): string[] {
  const a = mine.lmEval;
  const b = other.lmEval;
  if (a === undefined && b === undefined) return [];
  if (a === undefined || b === undefined)
    return [`task ${other.name} was imported from lm-eval in one run and asked by quanteval in the other`];
  const problems: string[] = [];
  if (a.metric !== b.metric || a.filter !== b.filter)
    problems.push(
      `task ${other.name}: correct is read from ${b.metric},${b.filter} vs ${a.metric},${a.filter} ` +
        "(import both with the same --metric)",
    );
  if (a.nShot !== b.nShot) problems.push(`task ${other.name}: n-shot differs (${b.nShot} vs ${a.nShot})`);
  if (String(a.taskVersion) !== String(b.taskVersion))
    problems.push(`task ${other.name}: task version differs (${b.taskVersion} vs ${a.taskVersion})`);
  const fields = differingFields(comparableTaskConfig(b.config), comparableTaskConfig(a.config), "");
  for (const f of fields.slice(0, MAX_FIELDS))
    problems.push(`task ${other.name}: lm-eval task config field ${f.path} differs (${f.theirs} vs ${f.ours})`);
  if (fields.length > MAX_FIELDS)
    problems.push(`task ${other.name}: and ${fields.length - MAX_FIELDS} more config fields differ`);
  if (fields.length > 0) return problems;
  if (mine.itemCount !== other.itemCount)
    problems.push(`task ${other.name}: items differ (${other.itemCount} vs ${mine.itemCount}; was --limit used?)`);
  else if (items !== undefined) problems.push(...unpairedDocs(other.name, items));
  return problems;
}

/** As many items but not the same doc_ids (another --limit window, a shuffled or edited dataset): nothing pairs. */
function unpairedDocs(task: string, items: { mine: ReadonlySet<string>; other: ReadonlySet<string> }): string[] {
  const only = (a: ReadonlySet<string>, b: ReadonlySet<string>) =>
    [...a].filter((id) => !b.has(id)).sort((x, y) => x.localeCompare(y, "en", { numeric: true }));
  const [theirs, ours] = [only(items.other, items.mine), only(items.mine, items.other)];
  if (theirs.length === 0 && ours.length === 0) return [];
  const few = (ids: string[]) => ids.slice(0, MAX_FIELDS).join(", ") + (ids.length > MAX_FIELDS ? ", …" : "");
  return [`task ${task}: doc_ids differ (unpaired: ${few(theirs) || "none"} vs ${few(ours) || "none"})`];
}

interface FieldDifference {
  path: string;
  theirs: string;
  ours: string;
}

/** The leaves where two JSON values differ, by dotted path (`generation_kwargs.until`, `metric_list[0].metric`). */
function differingFields(theirs: unknown, ours: unknown, path: string): FieldDifference[] {
  if (isRecord(theirs) && isRecord(ours)) {
    const keys = [...new Set([...Object.keys(ours), ...Object.keys(theirs)])].sort();
    return keys.flatMap((k) => differingFields(theirs[k], ours[k], path === "" ? k : `${path}.${k}`));
  }
  if (Array.isArray(theirs) && Array.isArray(ours) && theirs.length === ours.length)
    return theirs.flatMap((t: unknown, i) => differingFields(t, ours[i], `${path}[${i}]`));
  const [t, o] = [shown(theirs), shown(ours)];
  return t === o ? [] : [{ path: path === "" ? "(whole)" : path, theirs: t, ours: o }];
}

function shown(value: unknown): string {
  if (value === undefined) return "absent";
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
