/** `quanteval sim`: the simulator, told the answer key of the tasks it should recognise. */
import { readFileSync } from "node:fs";
import type { CliIo } from "../cli.ts";
import { splitList } from "../config-flags.ts";
import { z } from "zod";
import { RunConfigSchema, readConfigFile } from "../config.ts";
import { dataAccessFor, openDatasets } from "../datasets/open.ts";
import { ConfigError } from "../errors.ts";
import { loadTasks } from "../runner/load-tasks.ts";
import { formatIssue } from "../zod-issues.ts";
import { DEMO_PROFILES, type SimItem, type SimVariantProfile, SimServer, parseSimProfiles } from "../sim/index.ts";
import type { LoadedTask } from "../runner/load-tasks.ts";

/** The simulator recognises a request by its last user message, and answers from the task's answer key. */
export function simItemsFromTasks(tasks: readonly LoadedTask[]): SimItem[] {
  const out: SimItem[] = [];
  for (const { task, items } of tasks) {
    for (const item of items) {
      const lastUser = item.messages.filter((m) => m.role === "user").pop();
      if (lastUser === undefined) continue;
      const category = item.meta.category;
      out.push({
        promptKey: lastUser.content, itemId: item.id, task: task.name, answers: task.answerKey(item),
        ...(typeof category === "string" ? { category } : {}),
      });
    }
  }
  return out;
}

function loadProfiles(file: string | undefined): SimVariantProfile[] {
  if (file === undefined) return [...DEMO_PROFILES];
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new ConfigError([`${file}: cannot read the profiles as JSON (${error instanceof Error ? error.message : String(error)})`], "pass a JSON array of variant profiles with --profiles");
  }
  return parseSimProfiles(json, file);
}

export interface SimFlags {
  host: string; port: string; tasks: string; profiles?: string; seed: string;
  config?: string; dataDir?: string; cacheDir?: string; offline?: boolean; hfToken?: string;
}

/** Which tasks (and task options) the simulator knows: --tasks, or the tasks of a run config (-c) so prompts match. */
export async function loadSimTasks(flags: Omit<SimFlags, "host" | "port" | "profiles" | "seed">, ctx: { root: string; io: CliIo }): Promise<LoadedTask[]> {
  const raw = flags.config !== undefined ? readConfigFile(flags.config) : {};
  const record = typeof raw === "object" && raw !== null ? raw as Record<string, unknown> : {};
  const parsed = SimSelectionSchema.safeParse({
    tasks: flags.config !== undefined && record.tasks !== undefined ? record.tasks : splitList(flags.tasks),
    taskOptions: record.taskOptions, sampling: record.sampling, data: record.data,
  });
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => formatIssue(i, record, flags.config ?? "flags")));
  const data = { ...parsed.data.data };
  if (flags.dataDir !== undefined) data.dataDir = flags.dataDir;
  if (flags.cacheDir !== undefined) data.cacheDir = flags.cacheDir;
  if (flags.offline === true) data.offline = true;
  const datasets = openDatasets(ctx.root, dataAccessFor(data, ctx.io.env, flags.hfToken !== undefined ? { hfToken: flags.hfToken } : {}));
  const loaded = await loadTasks(parsed.data, ctx.root, datasets, (message) => ctx.io.stderr(`${message}\n`));
  return loaded.filter((t) => t.info.unavailable === undefined);
}

const SimSelectionSchema = z.object({
  tasks: RunConfigSchema.shape.tasks,
  taskOptions: RunConfigSchema.shape.taskOptions,
  sampling: RunConfigSchema.shape.sampling,
  data: RunConfigSchema.shape.data,
});

export async function startSimCommand(flags: SimFlags, ctx: { root: string; io: CliIo }): Promise<void> {
  const port = Number(flags.port);
  const seed = Number(flags.seed);
  const problems: string[] = [];
  if (!Number.isInteger(port) || port < 0 || port > 65535) problems.push(`flags: --port: must be an integer 0–65535 (got ${JSON.stringify(flags.port)})`);
  if (!Number.isInteger(seed)) problems.push(`flags: --seed: must be an integer (got ${JSON.stringify(flags.seed)})`);
  if (problems.length > 0) throw new ConfigError(problems);
  const profiles = loadProfiles(flags.profiles);
  const tasks = await loadSimTasks(flags, ctx);
  const sim = await SimServer.start({ host: flags.host, port, seed, variants: profiles, items: simItemsFromTasks(tasks) });
  const models = profiles.map((p) => p.model);
  ctx.io.stdout(`quanteval simulator (NOT a real model) listening on ${sim.baseUrl}\nserved models: ${models.join(", ")}\ntasks recognised: ${tasks.map((t) => `${t.task.name} (${t.items.length})`).join(", ")}\n`);
  await new Promise<void>((resolveStop) => {
    const stop = () => { process.off("SIGINT", stop); process.off("SIGTERM", stop); resolveStop(); };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  await sim.close();
}
