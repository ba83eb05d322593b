/**
 * Loads each task's items (first `limit`), with what the manifest records about its data: the hub files and
 * their sha256, the options the task ran with, and what the loader noticed. A task whose data cannot be had
 * (gated, offline and not cached, …) is kept as unavailable with the reason, so the other tasks go on and the
 * report shows it as N/A.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { detectNativePython, type NativeAvailability } from "../../graders/code/index.ts";
import type { RunConfig } from "../config.ts";
import { ConfigError, DatasetUnavailableError, NativePythonUnavailableError } from "../core/errors.ts";
import type { Item } from "../core/types.ts";
import type { DatasetFiles } from "../datasets/index.ts";
import type { ManifestTask } from "../journal/index.ts";
import type { Task } from "../tasks/index.ts";
import { type ResolvedTask, resolveTasks, taskRegistry } from "../tasks/index.ts";
import { formatIssue } from "../zod-issues.ts";
import { detectOnce, settlePythonExecutor } from "./python-executor.ts";

export interface LoadedTask {
  task: Task;
  items: Item[];
  info: ManifestTask;
}

export interface TaskSettings {
  options: Record<string, unknown>;
  maxTokens: number;
  samples: number;
  requestTimeoutSec?: number;
}

/** `maxTokens`, `samples` and `requestTimeoutSec` are every task's options; the rest belongs to the task's own schema. */
const MaxTokensSchema = z.int().positive().optional();
/** A reasoning task's 32k-token replies need longer than a multiple-choice task's; same bound as timeoutSec (none). */
const RequestTimeoutSchema = z.number().positive().optional();
/** Samples drawn per item (pass@k); each is journalled apart. 100 bounds a typo's cost. */
const SamplesSchema = z.int().min(1).max(100).default(1);

/**
 * Options for one task: `taskOptions.<family>`, then `.<task>`, then `.<task:subset>` (later wins), checked by the
 * task's schema so a typo fails before anything is asked. max_tokens: the task option, else sampling.maxTokens,
 * else the task's default.
 */
export type TaskSelection = Pick<RunConfig, "tasks" | "taskOptions" | "sampling" | "limit" | "customTasks">;

export function taskSettings(config: TaskSelection, resolved: ResolvedTask): TaskSettings {
  const { task, baseName } = resolved;
  const keys = [...new Set([task.family, baseName, task.name])];
  const merged: Record<string, unknown> = {};
  for (const key of keys) Object.assign(merged, config.taskOptions[key] ?? {});
  const key = keys.filter((k) => config.taskOptions[k] !== undefined).at(-1) ?? baseName;
  // `repeats` (run each item k times at temperature 0, for the noise floor) is the same mechanism as `samples`.
  const { maxTokens: rawMax, samples: givenSamples, repeats, requestTimeoutSec: rawTimeout, ...rest } = merged;
  const rawSamples = givenSamples ?? repeats;
  const issues: string[] = [];
  if (givenSamples !== undefined && repeats !== undefined)
    issues.push(
      `config: taskOptions.${key}: set samples or repeats, not both (they are the same: completions per item)`,
    );
  const max = MaxTokensSchema.safeParse(rawMax);
  if (!max.success)
    issues.push(`config: taskOptions.${key}.maxTokens: must be a positive integer (got ${JSON.stringify(rawMax)})`);
  const samples = SamplesSchema.safeParse(rawSamples);
  if (!samples.success)
    issues.push(`config: taskOptions.${key}.samples: must be an integer 1–100 (got ${JSON.stringify(rawSamples)})`);
  const timeout = RequestTimeoutSchema.safeParse(rawTimeout);
  if (!timeout.success)
    issues.push(
      `config: taskOptions.${key}.requestTimeoutSec: must be a positive number of seconds (got ${JSON.stringify(rawTimeout)})`,
    );
  const schema = task.options ?? z.strictObject({});
  const parsed = schema.safeParse(rest);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      issues.push(
        formatIssue(
          { ...issue, path: ["taskOptions", key, ...issue.path] },
          { taskOptions: { [key]: rest } },
          "config",
        ),
      );
    }
  }
  if (issues.length > 0 || !max.success || !samples.success || !timeout.success || !parsed.success)
    throw new ConfigError(issues, `fix the task options named above; docs/tasks.md lists each task's options`);
  return {
    options: parsed.data,
    maxTokens: max.data ?? config.sampling.maxTokens ?? task.defaults.maxTokens,
    samples: samples.data,
    ...(timeout.data !== undefined ? { requestTimeoutSec: timeout.data } : {}),
  };
}

/** Keys of `taskOptions` must name a task or family, or they would be silently ignored. */
export function checkTaskOptionKeys(config: Pick<RunConfig, "taskOptions" | "customTasks">): void {
  const known = new Set(taskRegistry(config.customTasks).flatMap((t) => [t.name, t.family]));
  const unknown = Object.keys(config.taskOptions).filter((key) => !known.has(key.split(":")[0] ?? key));
  if (unknown.length > 0) {
    throw new ConfigError(
      unknown.map((key) => `taskOptions.${key}: no task or family of that name`),
      `key taskOptions by task name: ${[...known].sort().join(", ")}`,
    );
  }
}

export async function loadTasks(
  config: TaskSelection,
  root: string,
  data: DatasetFiles,
  notice: (message: string) => void,
  detectNative: () => Promise<NativeAvailability> = detectNativePython,
): Promise<LoadedTask[]> {
  checkTaskOptionKeys(config);
  const detect = detectOnce(detectNative); // one trial sandbox for all the tasks that ask
  const resolved = resolveTasks(config.tasks, taskRegistry(config.customTasks));
  const settings = resolved.map((r) => taskSettings(config, r)); // all checked before any data is read
  const loaded: LoadedTask[] = [];
  for (const [index, r] of resolved.entries()) {
    const { task } = r;
    const { options, maxTokens, samples, requestTimeoutSec } = settings[index] ?? {
      options: {},
      maxTokens: task.defaults.maxTokens,
      samples: 1,
    };
    const notices: string[] = [];
    // The files this task asks for, whoever asked for them first (two subsets of one dataset read the same file).
    const asked = new Set<string>();
    const taskData: DatasetFiles = {
      path: (id, path, name, pin) => {
        asked.add(`${id}\u0000${path}`);
        return data.path(id, path, name, pin);
      },
      entry: (id) => data.entry(id),
      used: () => data.used(),
    };
    const info: ManifestTask = {
      name: task.name,
      family: task.family,
      source: task.source,
      breakdowns: [...task.breakdowns],
      options,
      itemCount: 0,
      maxTokens,
      samples,
      files: [],
      notices,
      ...(requestTimeoutSec !== undefined ? { requestTimeoutSec } : {}),
    };
    try {
      const choice = task.pythonExecutor?.(options);
      const settled = choice === undefined ? undefined : await settlePythonExecutor(task.name, choice, detect);
      if (settled !== undefined) info.executor = settled.executor;
      if (settled?.notice !== undefined) {
        notices.push(settled.notice);
        notice(`${task.name}: ${settled.notice}`);
      }
      const all = await task.load({
        root,
        data: taskData,
        options,
        notice: (message) => {
          notices.push(message);
          notice(`${task.name}: ${message}`);
        },
        ...(r.subset !== undefined ? { subset: r.subset } : {}),
        ...(settled !== undefined ? { pythonExecutor: settled.executor } : {}),
      });
      const items = config.limit === undefined ? all : all.slice(0, config.limit);
      info.itemCount = items.length;
      const localFiles =
        task.source.kind === "bundled"
          ? [{ path: task.source.path, sha256: sha256File(join(root, task.source.path)) }]
          : task.source.kind === "local"
            ? task.source.paths.map((path) => ({ path, sha256: sha256File(path) }))
            : [];
      // A custom task may read both: its own files and a hub dataset.
      const hubFiles = data
        .used()
        .filter((f) => asked.has(`${f.dataset}\u0000${f.path}`))
        .map((f) => ({ dataset: f.dataset, revision: f.revision, path: f.path, sha256: f.sha256, bytes: f.bytes }));
      info.files = [...localFiles, ...hubFiles];
      loaded.push({ task, items, info });
    } catch (error) {
      if (!(error instanceof DatasetUnavailableError || error instanceof NativePythonUnavailableError)) throw error;
      info.unavailable = { code: error.code, message: error.message, hint: error.hint };
      notice(`${task.name}: N/A: error[${error.code}]: ${error.message}\n  fix: ${error.hint}`);
      loaded.push({ task, items: [], info });
    }
  }
  return loaded;
}

function sha256File(file: string): string {
  return createHash("sha256").update(readFileSync(file)).digest("hex");
}
