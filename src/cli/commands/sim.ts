/** `quanteval sim`: the simulator, told the answer key of the tasks it should recognise. */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { z } from "zod";
import { RunConfigSchema, readConfigFile } from "../../config.ts";
import { ConfigError } from "../../core/errors.ts";
import { dataAccessFor, openDatasets } from "../../datasets/index.ts";
import type { LoadedTask } from "../../runner/index.ts";
import { loadTasks } from "../../runner/index.ts";
import {
  DEMO_PROFILES,
  parseSimProfiles,
  SIM_DIALECT_NAMES,
  SIM_DIALECTS,
  type SimDialectName,
  type SimFaults,
  SimFaultsSchema,
  SimServer,
  type SimVariantProfile,
  simItemsFromTasks,
} from "../../sim/index.ts";
import { formatIssue } from "../../zod-issues.ts";
import { splitList } from "../config-flags.ts";
import type { SimContextFlags, SimFaultFlags, SimFlags } from "../flags.ts";
import type { CliIo } from "../io.ts";

/** The --profiles file (a relative one from `cwd`, the CLI's), or the demo's profiles. */
function loadProfiles(file: string | undefined, cwd: string): SimVariantProfile[] {
  if (file === undefined) return [...DEMO_PROFILES];
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(resolve(cwd, file), "utf8"));
  } catch (error) {
    throw new ConfigError(
      [`${file}: cannot read the profiles as JSON (${error instanceof Error ? error.message : String(error)})`],
      "pass a JSON array of variant profiles with --profiles",
    );
  }
  return parseSimProfiles(json, file);
}

/** The context flags as SimOptions fields; a ConfigError names the flag. */
export function simContextFromFlags(flags: Partial<SimContextFlags>): {
  maxModelLen?: number;
  maxLogprobs?: number;
  tokenize: boolean;
} {
  const maxModelLen = positiveIntFlag(flags.maxModelLen, "--max-model-len", "the context length in tokens");
  const maxLogprobs = positiveIntFlag(flags.maxLogprobs, "--max-logprobs", "the largest prompt_logprobs k");
  return {
    ...(maxModelLen === undefined ? {} : { maxModelLen }),
    ...(maxLogprobs === undefined ? {} : { maxLogprobs }),
    tokenize: flags.tokenize !== false,
  };
}

/** --dialect as a dialect name; a ConfigError lists the names. */
export function simDialectFromFlag(value: string | undefined): SimDialectName {
  const name = SIM_DIALECT_NAMES.find((dialect) => dialect === (value ?? "vllm"));
  if (name !== undefined) return name;
  throw new ConfigError(
    [`flags: --dialect: unknown engine (got ${JSON.stringify(value)})`],
    `give one of ${SIM_DIALECT_NAMES.join(", ")}`,
    "simulator options",
  );
}

/** A flag that mirrors a positive integer flag of `vllm serve`; undefined when not given. */
function positiveIntFlag(value: string | undefined, flag: string, what: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (value.trim() === "" || !Number.isSafeInteger(parsed) || parsed <= 0) {
    throw new ConfigError(
      [`flags: ${flag}: must be a positive integer (got ${JSON.stringify(value)})`],
      `give ${what}, as to \`vllm serve ${flag}\``,
      "simulator options",
    );
  }
  return parsed;
}

/** Each fault flag and the SimFaults field it sets. */
const FAULT_FLAGS = {
  statusRates: ["--status-rates", "statusRates"],
  retryAfter: ["--retry-after", "retryAfterSec"],
  dropRate: ["--drop-rate", "dropRate"],
  truncateRate: ["--truncate-rate", "truncateRate"],
  malformedRate: ["--malformed-rate", "malformedRate"],
  missingUsageRate: ["--missing-usage-rate", "missingUsageRate"],
  emptyRate: ["--empty-rate", "emptyRate"],
  garbledRate: ["--garbled-rate", "garbledRate"],
  slowStart: ["--slow-start", "slowStartSec"],
  dieAfter: ["--die-after", "dieAfterRequests"],
} as const satisfies Record<keyof SimFaultFlags, readonly [string, keyof SimFaults]>;

/**
 * The fault flags as SimFaults, checked by the simulator's own schema; errors name the flag. Numbers are
 * parsed here, ranges are the schema's ("must be at most 1", "must add up to at most 1").
 */
export function simFaultsFromFlags(flags: SimFaultFlags): SimFaults {
  const problems: string[] = [];
  const raw: Record<string, unknown> = {};
  const flagOf = new Map<string, string>();
  for (const [key, [flag, field]] of Object.entries(FAULT_FLAGS)) {
    const value = flags[key as keyof SimFaultFlags];
    if (value === undefined) continue;
    flagOf.set(field, flag);
    if (key === "statusRates") {
      const rates: Record<string, unknown> = {};
      for (const part of splitList(value)) {
        const match = /^\s*([^=\s]+)\s*=\s*(\S+)\s*$/.exec(part);
        if (match === null) {
          problems.push(
            `flags: ${flag}: expected status=rate pairs such as 429=0.05,503=0.01 (got ${JSON.stringify(part)})`,
          );
          continue;
        }
        rates[match[1] ?? ""] = Number(match[2]);
      }
      raw[field] = rates;
    } else {
      const number = Number(value);
      if (value.trim() === "" || !Number.isFinite(number))
        problems.push(`flags: ${flag}: must be a number (got ${JSON.stringify(value)})`);
      raw[field] = number;
    }
  }
  if (problems.length > 0)
    throw new ConfigError(
      problems,
      "fix the fault flags named above (`quanteval sim --help` lists them)",
      "simulator options",
    );
  const parsed = SimFaultsSchema.safeParse(raw);
  if (!parsed.success) {
    // Issue paths start with the SimFaults field; shown under the flag's name instead ("flags: --drop-rate: …").
    const byFlag = Object.fromEntries([...flagOf].map(([field, flag]) => [flag, raw[field]]));
    const issues = parsed.error.issues.map((issue) => {
      const [field, ...rest] = issue.path;
      const flag = typeof field === "string" ? flagOf.get(field) : undefined;
      return flag === undefined
        ? formatIssue(issue, raw, "flags")
        : formatIssue({ ...issue, path: [flag, ...rest] }, byFlag, "flags");
    });
    throw new ConfigError(
      issues,
      "fix the fault flags named above (`quanteval sim --help` lists them)",
      "simulator options",
    );
  }
  return parsed.data;
}

/** One line per fault in force, for the start-up banner. */
function describeFaults(faults: SimFaults): string[] {
  const lines: string[] = [];
  const statuses = Object.entries(faults.statusRates ?? {})
    .filter(([, r]) => r > 0)
    .map(([status, r]) => `${status} ${r}`);
  if (statuses.length > 0)
    lines.push(`error statuses: ${statuses.join(", ")} (Retry-After ${faults.retryAfterSec ?? 1} s on 429/503)`);
  const rates: [string, number | undefined][] = [
    ["dropped connections", faults.dropRate],
    ["truncated replies", faults.truncateRate],
    ["malformed JSON", faults.malformedRate],
    ["missing usage", faults.missingUsageRate],
    ["empty replies", faults.emptyRate],
    ["garbled replies", faults.garbledRate],
  ];
  for (const [what, rate] of rates) if (rate !== undefined && rate > 0) lines.push(`${what}: ${rate}`);
  if (faults.slowStartSec !== undefined && faults.slowStartSec > 0)
    lines.push(`slow start: 503 "loading" for the first ${faults.slowStartSec} s`);
  if (faults.dieAfterRequests !== undefined) lines.push(`dies after ${faults.dieAfterRequests} chat requests`);
  return lines;
}

/** Which tasks (and task options) the simulator knows: --tasks, or the tasks of a run config (-c) so prompts match. */
export async function loadSimTasks(
  flags: Omit<SimFlags, "host" | "port" | "profiles" | "seed" | "dialect">,
  ctx: { root: string; io: CliIo },
): Promise<LoadedTask[]> {
  const raw = flags.config !== undefined ? readConfigFile(flags.config, ctx.io.cwd) : {};
  const record = typeof raw === "object" && raw !== null ? (raw as Record<string, unknown>) : {};
  const parsed = SimSelectionSchema.safeParse({
    tasks: flags.config !== undefined && record.tasks !== undefined ? record.tasks : splitList(flags.tasks),
    taskOptions: record.taskOptions,
    customTasks: record.customTasks,
    sampling: record.sampling,
    data: record.data,
  });
  if (!parsed.success)
    throw new ConfigError(parsed.error.issues.map((i) => formatIssue(i, record, flags.config ?? "flags")));
  const data = { ...parsed.data.data };
  if (flags.dataDir !== undefined) data.dataDir = flags.dataDir;
  if (flags.cacheDir !== undefined) data.cacheDir = flags.cacheDir;
  if (flags.offline === true) data.offline = true;
  const datasets = openDatasets(
    ctx.root,
    dataAccessFor(data, ctx.io.env, flags.hfToken !== undefined ? { hfToken: flags.hfToken } : {}),
  );
  const loaded = await loadTasks(parsed.data, ctx.root, datasets, (message) => ctx.io.stderr(`${message}\n`));
  return loaded.filter((t) => t.info.unavailable === undefined);
}

const SimSelectionSchema = z.object({
  tasks: RunConfigSchema.shape.tasks,
  taskOptions: RunConfigSchema.shape.taskOptions,
  customTasks: RunConfigSchema.shape.customTasks,
  sampling: RunConfigSchema.shape.sampling,
  data: RunConfigSchema.shape.data,
});

export async function startSimCommand(flags: SimFlags, ctx: { root: string; io: CliIo }): Promise<void> {
  const port = Number(flags.port);
  const seed = Number(flags.seed);
  const problems: string[] = [];
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    problems.push(`flags: --port: must be an integer 0–65535 (got ${JSON.stringify(flags.port)})`);
  if (!Number.isInteger(seed)) problems.push(`flags: --seed: must be an integer (got ${JSON.stringify(flags.seed)})`);
  if (problems.length > 0) throw new ConfigError(problems);
  const faults = simFaultsFromFlags(flags);
  const context = simContextFromFlags(flags);
  const dialect = simDialectFromFlag(flags.dialect);
  const profiles = loadProfiles(flags.profiles, ctx.io.cwd);
  const tasks = await loadSimTasks(flags, ctx);
  // One line per request on stdout, as vLLM logs them: a served sim's server.log then shows each injected fault and retry.
  const sim = await SimServer.start({
    host: flags.host,
    port,
    seed,
    variants: profiles,
    items: simItemsFromTasks(tasks),
    faults,
    ...context,
    dialect,
    log: (line) => ctx.io.stdout(`${line}\n`),
    logRequests: flags.disableLogRequests !== true,
  });
  const models = profiles.map((p) => `${p.model} (max_model_len ${sim.maxModelLen(p.model) ?? "?"})`);
  const faultLines = describeFaults(faults)
    .map((line) => `fault: ${line}\n`)
    .join("");
  const tokenizeLine = context.tokenize ? "" : "no POST /tokenize (--no-tokenize), as on a server without vLLM's\n";
  const dialectLine = dialect === "vllm" ? "" : `dialect: ${SIM_DIALECTS[dialect].engine}'s (docs/engines.md)\n`;
  const recognised = tasks.map((t) => `${t.task.name} (${t.items.length})`).join(", ");
  ctx.io.stdout(
    `quanteval simulator (NOT a real model) listening on ${sim.baseUrl}\n` +
      `served models: ${models.join(", ")}\ntasks recognised: ${recognised}\n${dialectLine}${tokenizeLine}${faultLines}`,
  );
  await new Promise<void>((resolveStop) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolveStop();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  await sim.close();
}
