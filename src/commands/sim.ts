/** `quanteval sim`: the simulator, told the answer key of the tasks it should recognise. */
import { readFileSync } from "node:fs";
import type { CliIo } from "../cli.ts";
import { splitList } from "../config-flags.ts";
import { ConfigError } from "../errors.ts";
import { DEMO_PROFILES, type SimItem, type SimVariantProfile, SimServer, parseSimProfiles } from "../sim/index.ts";
import { resolveTasks } from "../tasks/index.ts";
import type { Task } from "../tasks/types.ts";

/** The simulator recognises a request by its last user message, and answers from the task's answer key. */
export async function simItemsFromTasks(tasks: readonly Task[], root: string): Promise<SimItem[]> {
  const out: SimItem[] = [];
  for (const task of tasks) {
    for (const item of await task.load({ root })) {
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

export async function startSimCommand(
  flags: { host: string; port: string; tasks: string; profiles?: string; seed: string },
  ctx: { root: string; io: CliIo },
): Promise<void> {
  const port = Number(flags.port);
  const seed = Number(flags.seed);
  const problems: string[] = [];
  if (!Number.isInteger(port) || port < 0 || port > 65535) problems.push(`flags: --port: must be an integer 0–65535 (got ${JSON.stringify(flags.port)})`);
  if (!Number.isInteger(seed)) problems.push(`flags: --seed: must be an integer (got ${JSON.stringify(flags.seed)})`);
  if (problems.length > 0) throw new ConfigError(problems);
  const tasks = resolveTasks(splitList(flags.tasks));
  const profiles = loadProfiles(flags.profiles);
  const sim = await SimServer.start({ host: flags.host, port, seed, variants: profiles, items: await simItemsFromTasks(tasks, ctx.root) });
  const models = profiles.map((p) => p.model);
  ctx.io.stdout(`quanteval simulator (NOT a real model) listening on ${sim.baseUrl}\nserved models: ${models.join(", ")}\ntasks recognised: ${tasks.map((t) => t.name).join(", ")}\n`);
  await new Promise<void>((resolveStop) => {
    const stop = () => { process.off("SIGINT", stop); process.off("SIGTERM", stop); resolveStop(); };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  await sim.close();
}
