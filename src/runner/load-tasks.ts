/** Loads each task's items (first `limit`), with what the manifest records about its data. */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { RunConfig } from "../config.ts";
import { resolveTasks } from "../tasks/index.ts";
import type { Item, Task } from "../tasks/types.ts";
import type { ManifestTask } from "./manifest.ts";

export interface LoadedTask { task: Task; items: Item[]; info: ManifestTask }

export async function loadTasks(config: RunConfig, root: string): Promise<LoadedTask[]> {
  const loaded: LoadedTask[] = [];
  for (const task of resolveTasks(config.tasks)) {
    const all = await task.load({ root });
    const items = config.limit === undefined ? all : all.slice(0, config.limit);
    const files = task.source.kind === "bundled" ? [{ path: task.source.path, sha256: sha256File(join(root, task.source.path)) }] : [];
    loaded.push({
      task, items,
      info: { name: task.name, family: task.family, source: task.source, breakdowns: [...task.breakdowns], itemCount: items.length, maxTokens: config.sampling.maxTokens ?? task.defaults.maxTokens, files },
    });
  }
  return loaded;
}

function sha256File(file: string): string {
  return createHash("sha256").update(readFileSync(file)).digest("hex");
}
