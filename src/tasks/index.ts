/**
 * The task registry: an explicit list, no decorators or global mutation. Family names expand
 * (later: "aime" → aime24, aime25); `resolveTasks` keeps the user's order and drops repeats.
 */
import { UnknownTaskError } from "../errors.ts";
import { suite40 } from "./suite40.ts";
import type { Task } from "./types.ts";

export type { AnswerKey, Grade, Item, LoadOptions, Message, Reply, Task, TaskSource } from "./types.ts";

export const TASKS: readonly Task[] = [suite40];

/** Names users can type: every task name and every family name. */
export function knownTaskNames(): string[] {
  return [...new Set(TASKS.flatMap((t) => [t.name, t.family]))].sort();
}

export function resolveTasks(names: readonly string[]): Task[] {
  const out: Task[] = [];
  for (const name of names) {
    const matches = TASKS.filter((t) => t.name === name || t.family === name);
    if (matches.length === 0) throw new UnknownTaskError(name, knownTaskNames());
    for (const task of matches) if (!out.includes(task)) out.push(task);
  }
  return out;
}
