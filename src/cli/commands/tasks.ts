/** `quanteval tasks`: what can be run, with item counts, sources, revisions, and whether the data is here. */
import { existsSync } from "node:fs";
import { relative } from "node:path";
import { RunConfigSchema, readConfigFile } from "../../config.ts";
import { ConfigError } from "../../core/errors.ts";
import { isRecord } from "../../core/is-record.ts";
import type { DataAccessOptions } from "../../datasets/index.ts";
import { type CacheStatus, readDatasetRegistry, scanDatasetCache } from "../../datasets/index.ts";
import type { CustomTaskDefinition, Task } from "../../tasks/index.ts";
import { defaultOptions, taskRegistry, UNSUPPORTED_TASKS } from "../../tasks/index.ts";
import { formatIssue } from "../../zod-issues.ts";
import type { CliIo } from "../io.ts";
import { renderPlainTable } from "../plain-table.ts";

/** "yes", "no", or "3/6 files" for the files the task reads by default. */
function cachedState(task: Task, statuses: readonly CacheStatus[]): string {
  const files = task.files(undefined, defaultOptions(task));
  if (task.source.kind === "local") return task.source.paths.every(existsSync) ? "local" : "missing";
  if (files.length === 0) return "bundled";
  const here = files.filter((f) =>
    statuses.some((s) => s.dataset === f.dataset && s.path === f.path && s.cached),
  ).length;
  return here === files.length ? "yes" : here === 0 ? "no" : `${here}/${files.length} files`;
}

/** The `customTasks` of a run config, checked as `run` checks them. */
export function customTasksOf(file: string, cwd: string): CustomTaskDefinition[] {
  const raw = readConfigFile(file, cwd);
  const record = isRecord(raw) ? raw : {};
  const parsed = RunConfigSchema.shape.customTasks.safeParse(record.customTasks);
  if (!parsed.success)
    throw new ConfigError(
      parsed.error.issues.map((issue) => formatIssue({ ...issue, path: ["customTasks", ...issue.path] }, record, file)),
    );
  return parsed.data ?? [];
}

/** `custom`: the `customTasks` of the config given with -c, listed after the built-in tasks. */
export async function printTaskList(ctx: {
  root: string;
  io: CliIo;
  access: DataAccessOptions;
  custom?: readonly CustomTaskDefinition[];
}): Promise<void> {
  const registry = readDatasetRegistry(ctx.root);
  const statuses = await scanDatasetCache(registry, ctx.access);
  const rows = [["task", "family", "items", "max_tokens", "source@revision", "cached", "gated", "description"]];
  for (const task of taskRegistry(ctx.custom)) {
    const source =
      task.source.kind === "bundled"
        ? task.source.path
        : task.source.kind === "local"
          ? task.source.paths.map((path) => relative(ctx.io.cwd, path) || path).join(" | ")
          : task.source.datasets.map((id) => `${id}@${(registry.get(id)?.revision ?? "?").slice(0, 7)}`).join(" | ");
    rows.push([
      task.name,
      task.family,
      task.size,
      String(task.defaults.maxTokens),
      source,
      cachedState(task, statuses),
      task.gated === true ? "gated" : "",
      task.description,
    ]);
  }
  for (const u of UNSUPPORTED_TASKS)
    rows.push([u.name, u.name, "-", "-", "-", "-", "", `not supported yet: ${u.reason}`]);
  ctx.io.stdout(renderPlainTable(rows));
  ctx.io.stdout(
    `\ncache: ${ctx.access.dataDir !== undefined ? `--data-dir ${ctx.access.dataDir}` : ctx.access.cacheDir}. Fetch ahead with \`quanteval data pull <task…>\`; ` +
      "name a subset as task:subset (mmlu_pro:law, livecodebench:release_v5, hle:math); docs/tasks.md describes each task.\n",
  );
}
