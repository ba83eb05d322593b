/**
 * CLI flags over the run config: merged into the raw object before validation, so one schema checks both and
 * errors name the same field paths. `--set path=value` reaches any field.
 */
import { parseDocument } from "yaml";
import type { z } from "zod";
import { defaultVariantName, type RunConfigSchema } from "../config.ts";
import { ConfigError } from "../core/errors.ts";
import { isRecord } from "../core/is-record.ts";
import type { RunFlags } from "./flags.ts";

/**
 * Every top-level config key must decide how a flag overrides it (vitest's cli-config does this with a mapped
 * type): adding a config field without deciding its flag fails to compile.
 */
const FLAG_FOR_KEY: { readonly [K in keyof z.input<typeof RunConfigSchema>]-?: string } = {
  variants: "--variant/--base-url/--model (repeat for several variants)",
  reference: "--reference",
  tasks: "--tasks",
  customTasks: "none: define them in the config file (a task definition or the path of one)",
  sampling: "--sampling-preset/--temperature/--max-tokens/--top-p/--top-k/--min-p/--seed",
  concurrency: "--concurrency",
  limit: "--limit",
  stream: "--no-stream",
  timeoutSec: "--timeout-sec",
  retry: "--max-attempts/--retry-delay-ms",
  schedule: "--schedule",
  output: "--artifacts/--reports",
  runId: "--run-id",
  taskOptions: "--since/--until (livecodebench), --scicode-h5 (scicode), --set taskOptions.<task>.<option>=<value>",
  data: "--cache-dir/--data-dir/--offline",
  report:
    "--set report.bootstrapResamples=<n>, --set report.bootstrapSeed=<n> (`quanteval report --resamples <n>` overrides)",
  warmup: "--set warmup.requests=<n>",
  contextPolicy: "--context-policy fit|fail",
};
export const CONFIG_FLAGS: Readonly<Record<string, string>> = FLAG_FOR_KEY;

/**
 * Merges CLI flags (`run`'s, or any subset of them) over the raw config object (before validation). Numbers stay
 * strings here when they do not parse, so the schema reports them by field path with the value the user typed.
 */
export function applyFlags(raw: unknown, flags: Partial<RunFlags>): Record<string, unknown> {
  const base: Record<string, unknown> = isRecord(raw) ? structuredClone(raw) : {};
  const variants = variantsFromFlags(flags, base);
  if (variants !== undefined) base.variants = variants;
  if (flags.apiKeyEnv !== undefined && Array.isArray(base.variants)) {
    for (const variant of base.variants) if (isRecord(variant)) variant.apiKeyEnv = flags.apiKeyEnv;
  }
  if (flags.reference !== undefined) base.reference = flags.reference;
  if (flags.tasks !== undefined) base.tasks = splitList(flags.tasks);
  if (flags.limit !== undefined) base.limit = numeric(flags.limit);
  if (flags.concurrency !== undefined) base.concurrency = numeric(flags.concurrency);
  if (flags.timeoutSec !== undefined) base.timeoutSec = numeric(flags.timeoutSec);
  const retry: Record<string, unknown> = isRecord(base.retry) ? base.retry : {};
  if (flags.maxAttempts !== undefined) retry.maxAttempts = numeric(flags.maxAttempts);
  if (flags.retryDelayMs !== undefined) retry.baseDelayMs = numeric(flags.retryDelayMs);
  if (Object.keys(retry).length > 0) base.retry = retry;
  if (flags.schedule !== undefined) base.schedule = flags.schedule;
  if (flags.contextPolicy !== undefined) base.contextPolicy = flags.contextPolicy;
  if (flags.stream === false) base.stream = false;
  if (flags.runId !== undefined) base.runId = flags.runId;
  const data: Record<string, unknown> = isRecord(base.data) ? base.data : {};
  if (flags.cacheDir !== undefined) data.cacheDir = flags.cacheDir;
  if (flags.dataDir !== undefined) data.dataDir = flags.dataDir;
  if (flags.offline === true) data.offline = true;
  if (Object.keys(data).length > 0) base.data = data;
  // The date window is LiveCodeBench's (contest dates); other tasks have no dates to filter.
  if (flags.since !== undefined || flags.until !== undefined) {
    const taskOptions: Record<string, unknown> = isRecord(base.taskOptions) ? base.taskOptions : {};
    const lcb: Record<string, unknown> = isRecord(taskOptions.livecodebench) ? taskOptions.livecodebench : {};
    if (flags.since !== undefined) lcb.since = flags.since;
    if (flags.until !== undefined) lcb.until = flags.until;
    taskOptions.livecodebench = lcb;
    base.taskOptions = taskOptions;
  }
  if (flags.scicodeH5 !== undefined) {
    const taskOptions: Record<string, unknown> = isRecord(base.taskOptions) ? base.taskOptions : {};
    const scicode: Record<string, unknown> = isRecord(taskOptions.scicode) ? taskOptions.scicode : {};
    scicode.h5 = flags.scicodeH5;
    taskOptions.scicode = scicode;
    base.taskOptions = taskOptions;
  }
  const sampling: Record<string, unknown> = isRecord(base.sampling) ? base.sampling : {};
  if (flags.samplingPreset !== undefined) sampling.preset = flags.samplingPreset;
  if (flags.temperature !== undefined) sampling.temperature = numeric(flags.temperature);
  if (flags.maxTokens !== undefined) sampling.maxTokens = numeric(flags.maxTokens);
  if (flags.topP !== undefined) sampling.topP = numeric(flags.topP);
  if (flags.topK !== undefined) sampling.topK = numeric(flags.topK);
  if (flags.minP !== undefined) sampling.minP = numeric(flags.minP);
  if (flags.seed !== undefined) sampling.seed = numeric(flags.seed);
  if (Object.keys(sampling).length > 0) base.sampling = sampling;
  const output: Record<string, unknown> = isRecord(base.output) ? base.output : {};
  if (flags.artifacts !== undefined) output.artifacts = flags.artifacts;
  if (flags.reports !== undefined) output.reports = flags.reports;
  if (Object.keys(output).length > 0) base.output = output;
  for (const assignment of flags.set ?? []) applySet(base, assignment);
  return base;
}

/**
 * `--variant`, `--base-url` and `--model`: a flag given once applies to every variant (a config's variants keep
 * their number, so `--base-url` moves all of them to another port); given several times, once per variant in order.
 * Without variants in the config, the flags define them.
 */
function variantsFromFlags(flags: Partial<RunFlags>, base: Record<string, unknown>): unknown[] | undefined {
  const names = flags.variant ?? [];
  const urls = flags.baseUrl ?? [];
  const models = flags.model ?? [];
  const given = Math.max(names.length, urls.length, models.length);
  if (given === 0) return undefined;
  const existing = Array.isArray(base.variants) ? base.variants : [];
  const count = existing.length > 0 ? existing.length : given;
  const problems: string[] = [];
  for (const [flag, values] of [
    ["--variant", names],
    ["--base-url", urls],
    ["--model", models],
  ] as const) {
    if (values.length <= 1 || values.length === count) continue;
    problems.push(
      existing.length > 0
        ? `flags: ${flag}: given ${values.length} times but the config has ${count} variants (give it once for all, or once per variant)`
        : `flags: ${flag}: given ${values.length} times but other variant flags ${count} times (give it once to share, or once per variant)`,
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return Array.from({ length: count }, (_v, i) => {
    const previous = existing[i];
    const variant: Record<string, unknown> = isRecord(previous) ? { ...previous } : {};
    const pick = (values: readonly string[]) => (values.length === 1 ? values[0] : values[i]);
    const name = pick(names);
    const url = pick(urls);
    const model = pick(models);
    if (name !== undefined) variant.name = name;
    if (url !== undefined) {
      // The flag names the variant's servers: "a,b" is baseUrl a with replica b. Configured replicas are replaced
      // with the rest (or dropped), or a moved variant would keep sending part of its requests to the old servers.
      const [first, ...replicas] = url
        .split(",")
        .map((u) => u.trim())
        .filter((u) => u !== "");
      variant.baseUrl = first ?? url;
      if (replicas.length > 0) variant.replicas = replicas;
      else delete variant.replicas;
    }
    if (model !== undefined) variant.model = model;
    if (variant.name === undefined && typeof variant.model === "string")
      variant.name = defaultVariantName(variant.model);
    return variant;
  });
}

/** `--set sampling.seed=1`, `--set variants[0].extraBody.chat_template_kwargs.enable_thinking=false`. */
function applySet(target: Record<string, unknown>, assignment: string): void {
  const eq = assignment.indexOf("=");
  if (eq <= 0)
    throw new ConfigError([`flags: --set ${assignment}: expected path=value`], "write e.g. --set sampling.seed=1");
  const path = parseSetPath(assignment.slice(0, eq));
  if (path === undefined)
    throw new ConfigError(
      [`flags: --set ${assignment}: cannot read the path`],
      "write e.g. --set variants[0].extraBody.top_k=20",
    );
  // Walking into `__proto__` (or `constructor.prototype`) would write to Object.prototype, i.e. to every object in
  // the process; no config field has these names, so they are refused wherever they appear.
  const unsafe = path.find((key) => typeof key === "string" && UNSAFE_KEYS.has(key));
  if (unsafe !== undefined) {
    throw new ConfigError(
      [`flags: --set ${assignment}: "${unsafe}" is not a config field`],
      "name a config field, e.g. --set variants[0].extraBody.top_k=20",
    );
  }
  const value: unknown = parseDocument(assignment.slice(eq + 1)).toJS();
  let node: Record<string | number, unknown> | unknown[] = target;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i] ?? "";
    const nextIsIndex = typeof path[i + 1] === "number";
    const child: unknown = readKey(node, key);
    if (isRecord(child) || Array.isArray(child)) {
      node = child;
      continue;
    }
    const created: Record<string, unknown> | unknown[] = nextIsIndex ? [] : {};
    writeKey(node, key, created);
    node = created;
  }
  writeKey(node, path[path.length - 1] ?? "", value);
}

const UNSAFE_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/** Own keys only: an inherited one (`toString`) is not a config field to walk into. */
function readKey(node: Record<string | number, unknown> | unknown[], key: string | number): unknown {
  if (Array.isArray(node)) return typeof key === "number" ? node[key] : undefined;
  return Object.hasOwn(node, key) ? node[key] : undefined;
}

function writeKey(node: Record<string | number, unknown> | unknown[], key: string | number, value: unknown): void {
  if (Array.isArray(node)) {
    if (typeof key === "number") node[key] = value;
  } else {
    node[key] = value;
  }
}

function parseSetPath(text: string): (string | number)[] | undefined {
  const parts: (string | number)[] = [];
  const re = /([A-Za-z_][A-Za-z0-9_-]*)|\[(\d+)\]|(\.)/gy;
  let expectKey = true;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    if (m[1] !== undefined) {
      if (!expectKey) return undefined;
      parts.push(m[1]);
      expectKey = false;
    } else if (m[2] !== undefined) {
      parts.push(Number(m[2]));
      expectKey = false;
    } else {
      if (expectKey) return undefined;
      expectKey = true;
    }
    if (re.lastIndex === text.length) return expectKey ? undefined : parts;
  }
  return undefined;
}

/** "suite40, aime" → ["suite40", "aime"]: the comma lists of --tasks and --only. */
export function splitList(text: string): string[] {
  return text
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "");
}

function numeric(text: string): number | string {
  const n = Number(text);
  return text.trim() !== "" && Number.isFinite(n) ? n : text;
}
