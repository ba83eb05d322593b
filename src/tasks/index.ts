/**
 * The task registry: an explicit list, no decorators or global mutation. Family names expand ("aime" → aime24,
 * aime25; "gpqa" → its three sets); `name:subset` narrows a task that has subsets (`mmlu_pro:law`,
 * `livecodebench:release_v5`). `resolveTasks` keeps the user's order and drops repeats.
 */
import { ConfigError, TaskNotSupportedError, UnknownTaskError } from "../core/errors.ts";
import type { CustomTaskDefinition } from "../custom-task-config.ts";
import { aime24, aime25 } from "./aime.ts";
import { customTask } from "./custom/task.ts";
import { gpqaDiamond, gpqaExtended, gpqaMain } from "./gpqa.ts";
import { hle } from "./hle.ts";
import { livecodebench } from "./livecodebench.ts";
import { math500 } from "./math500.ts";
import { mmluPro } from "./mmlu-pro.ts";
import { scicode } from "./scicode.ts";
import { suite40 } from "./suite40.ts";
import type { ScoringInfo, Task } from "./types.ts";

export { type CustomTaskDefinition, CustomTaskSchema } from "../custom-task-config.ts";
// For `quanteval grade`, which grades one reply the way a task would.
export { gradeChoice, LETTERS, lettersFor } from "./choice.ts";
export { gradeAimeAnswer, gradeMathAnswer } from "./math-answer.ts";
export type { AnswerKey, ScoringInfo, Task } from "./types.ts";

export const TASKS: readonly Task[] = [
  suite40,
  mmluPro,
  gpqaDiamond,
  gpqaMain,
  gpqaExtended,
  math500,
  aime24,
  aime25,
  livecodebench,
  hle,
  scicode,
];

/** Benchmarks from the users' reports that cannot run yet, and why: `tasks` lists them, `run` refuses them. */
export const UNSUPPORTED_TASKS: readonly { name: string; reason: string }[] = [];

/**
 * The built-in tasks followed by the config's own (`customTasks`), which may not reuse a built-in name: `tasks:`
 * would then mean two things.
 */
export function taskRegistry(custom: readonly CustomTaskDefinition[] = []): readonly Task[] {
  if (custom.length === 0) return TASKS;
  const builtIn = new Set(TASKS.flatMap((t) => [t.name, t.family]));
  const problems: string[] = [];
  custom.forEach((def, index) => {
    if (builtIn.has(def.name))
      problems.push(`customTasks[${index}].name: "${def.name}" is a built-in task or family; give yours another name`);
    if (custom.findIndex((d) => d.name === def.name) < index)
      problems.push(`customTasks[${index}].name: "${def.name}" is defined twice`);
  });
  if (problems.length > 0) throw new ConfigError(problems, "give each custom task its own name");
  return [...TASKS, ...custom.map(customTask)];
}

/** Names users can type: every task name and every family name. */
export function knownTaskNames(registry: readonly Task[] = TASKS): string[] {
  return [...new Set(registry.flatMap((t) => [t.name, t.family]))].sort();
}

/**
 * How a task recorded in a manifest as `name` (`mmlu_pro:law` included) with `options` scored its replies, for the
 * report; `undefined` for tasks with one way to score, or a name this version does not know.
 */
export function scoringOf(name: string, options: Record<string, unknown>): ScoringInfo | undefined {
  const [base] = splitSubset(name);
  return TASKS.find((t) => t.name === base)?.scoring?.(options);
}

/** The label that groups a task's items into main problems (`Task.problemLabel`), for the report. */
export function problemLabelOf(name: string): string | undefined {
  const [base] = splitSubset(name);
  return TASKS.find((t) => t.name === base)?.problemLabel;
}

/** A task chosen by name, with its subset bound: `name` becomes `mmlu_pro:law` in journals and reports. */
export interface ResolvedTask {
  task: Task;
  baseName: string;
  subset?: string;
}

export function resolveTasks(names: readonly string[], registry: readonly Task[] = TASKS): ResolvedTask[] {
  const out: ResolvedTask[] = [];
  for (const raw of names) {
    const [name = raw, subset] = splitSubset(raw);
    const unsupported = UNSUPPORTED_TASKS.find((u) => u.name === name);
    if (unsupported !== undefined) throw new TaskNotSupportedError(unsupported.name, unsupported.reason);
    const matches = registry.filter((t) => t.name === name || t.family === name);
    if (matches.length === 0) throw new UnknownTaskError(raw, knownTaskNames(registry));
    for (const task of matches) {
      const resolved = subset === undefined ? { task, baseName: task.name } : withSubset(task, subset, raw);
      if (!out.some((r) => r.task.name === resolved.task.name)) out.push(resolved);
    }
  }
  return out;
}

function splitSubset(raw: string): [string, string | undefined] {
  const at = raw.indexOf(":");
  return at < 0 ? [raw, undefined] : [raw.slice(0, at), raw.slice(at + 1)];
}

function withSubset(task: Task, subset: string, raw: string): ResolvedTask {
  if (task.subsets === undefined) {
    throw new ConfigError([`tasks: "${raw}": ${task.name} has no subsets`], `name the task alone: ${task.name}`);
  }
  const problem = task.subsets.check(subset);
  if (problem !== undefined)
    throw new ConfigError([`tasks: "${raw}": ${problem}`], `${task.name}:<subset> takes ${task.subsets.describe}`);
  const name = `${task.name}:${subset}`;
  return {
    baseName: task.name,
    subset,
    task: {
      ...task,
      name,
      load: (opts) => task.load({ ...opts, subset }),
      files: (_s, options) => task.files(subset, options),
    },
  };
}

/** A task's options with every default applied (what `files()` and the listing assume). */
export function defaultOptions(task: Task): Record<string, unknown> {
  return task.options === undefined ? {} : task.options.parse({});
}
