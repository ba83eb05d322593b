/**
 * The run config: zod schemas (types come from z.infer, defaults live in the schema), loading from YAML or
 * JSON, and CLI overrides merged before parsing so one schema checks both. Only this file and cli.ts read
 * environment variables.
 */
import { readFileSync } from "node:fs";
import { parseDocument } from "yaml";
import { z } from "zod";
import { ConfigError } from "./errors.ts";
import { formatIssue } from "./zod-issues.ts";

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export const VariantSchema = z.strictObject({
  /** Used as a folder name and a table column: "bf16", "fp8", "nvfp4". */
  name: z.string().regex(NAME_PATTERN, "must be letters, digits, '.', '_' or '-' (it names a folder)"),
  // Without `protocol`, "localhost:8000" passes as a URL with scheme "localhost".
  baseUrl: z.url({ protocol: /^https?$/, error: "must be an http(s) URL such as http://127.0.0.1:8000/v1" }),
  /** The served model name, as vLLM lists it in GET /v1/models. */
  model: z.string().min(1),
  /** Name of the environment variable holding the API key; the key itself never enters config or artifacts. */
  apiKeyEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name").optional(),
  /** Merged into every request body, e.g. { chat_template_kwargs: { enable_thinking: false } }. */
  extraBody: z.record(z.string(), z.unknown()).default({}),
});

export const SamplingSchema = z.strictObject({
  temperature: z.number().min(0).max(2).default(0),
  /** Unset: each task's own default (reasoning tasks need more). */
  maxTokens: z.int().positive().optional(),
  topP: z.number().gt(0).lte(1).optional(),
  seed: z.int().optional(),
});

export const RetrySchema = z.strictObject({
  /** Attempts per request, the first included. */
  maxAttempts: z.int().min(1).max(20).default(4),
  baseDelayMs: z.int().nonnegative().default(1000),
  maxDelayMs: z.int().nonnegative().default(30_000),
});

export const OutputSchema = z.strictObject({
  artifacts: z.string().min(1).default("artifacts"),
  reports: z.string().min(1).default("reports"),
});

export const RunConfigSchema = z
  .strictObject({
    variants: z.array(VariantSchema).min(1, "list at least one variant"),
    /** The variant deltas are measured against; default: the first variant. */
    reference: z.string().optional(),
    tasks: z.array(z.string().min(1)).min(1, "list at least one task"),
    sampling: SamplingSchema.default({ temperature: 0 }),
    /** Requests in flight at once, per variant. */
    concurrency: z.int().positive().max(4096).default(16),
    /** Ask only the first N items of each task. */
    limit: z.int().positive().optional(),
    stream: z.boolean().default(true),
    /** Per-attempt request timeout. */
    timeoutSec: z.number().positive().default(1800),
    /** Retries of 429, 5xx, dropped connections and timeouts: exponential backoff with jitter. */
    retry: RetrySchema.default({ maxAttempts: 4, baseDelayMs: 1000, maxDelayMs: 30_000 }),
    /** "sequential": one variant after another (one GPU); "parallel": all at once (separate endpoints). */
    schedule: z.enum(["sequential", "parallel"]).default("sequential"),
    output: OutputSchema.default({ artifacts: "artifacts", reports: "reports" }),
    runId: z.string().regex(NAME_PATTERN, "must be letters, digits, '.', '_' or '-' (it names a folder)").optional(),
  })
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.variants.forEach((variant, index) => {
      if (seen.has(variant.name)) {
        ctx.addIssue({ code: "custom", path: ["variants", index, "name"], message: `duplicate variant name "${variant.name}"` });
      }
      seen.add(variant.name);
    });
    if (config.reference !== undefined && !seen.has(config.reference)) {
      ctx.addIssue({ code: "custom", path: ["reference"], message: `must be one of variants[].name (${[...seen].join(", ")})` });
    }
  });

export type RunConfig = z.infer<typeof RunConfigSchema>;
export type VariantConfig = z.infer<typeof VariantSchema>;
export type SamplingConfig = z.infer<typeof SamplingSchema>;

/** The reference variant's name: the configured one, else the first variant. */
export function referenceOf(config: RunConfig): string {
  const first = config.variants[0];
  return config.reference ?? (first === undefined ? "" : first.name);
}

/** Reads a YAML or JSON file (YAML is a superset of JSON) into a plain object, or throws ConfigError. */
export function readConfigFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ConfigError([`${file}: cannot read the file (${error instanceof Error ? error.message : String(error)})`],
      "pass an existing YAML or JSON file with --config, or configure the run with flags alone");
  }
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(doc.errors.map((e) => `${file}: ${e.message.split("\n")[0] ?? e.message}`),
      "fix the YAML/JSON syntax at the line shown");
  }
  const value: unknown = doc.toJS();
  return value ?? {};
}

/** Parses merged raw config; on failure lists every issue as `source: path: problem (got …)`. */
export function parseRunConfig(raw: unknown, source: string): RunConfig {
  const result = RunConfigSchema.safeParse(raw);
  if (result.success) return result.data;
  throw new ConfigError(result.error.issues.map((issue) => formatIssue(issue, raw, source, suggestKey)));
}

/** Every field name the schemas know, for "did you mean" on a typo or a snake_case spelling. */
const KNOWN_KEYS: readonly string[] = [
  ...Object.keys(VariantSchema.shape), ...Object.keys(SamplingSchema.shape), ...Object.keys(OutputSchema.shape), ...Object.keys(RetrySchema.shape),
  "variants", "reference", "tasks", "sampling", "concurrency", "limit", "stream", "timeoutSec", "retry", "schedule", "output", "runId",
];

function suggestKey(key: string): string | undefined {
  const camel = key.replace(/[_-]([a-z])/g, (_m, c: string) => c.toUpperCase());
  if (camel !== key && KNOWN_KEYS.includes(camel)) return camel;
  let best: string | undefined;
  let bestDistance = 3;
  for (const known of KNOWN_KEYS) {
    const d = editDistance(key.toLowerCase(), known.toLowerCase());
    if (d < bestDistance) { best = known; bestDistance = d; }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_v, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] ?? 0;
      row[j] = Math.min(above + 1, (row[j - 1] ?? 0) + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length] ?? 0;
}

/** Flags of `quanteval run`, as commander hands them over (all optional). */
export interface RunFlags {
  config?: string;
  variant?: string[];
  baseUrl?: string[];
  model?: string[];
  apiKeyEnv?: string;
  reference?: string;
  tasks?: string;
  limit?: string;
  concurrency?: string;
  maxTokens?: string;
  temperature?: string;
  topP?: string;
  seed?: string;
  stream?: boolean;
  timeoutSec?: string;
  maxAttempts?: string;
  retryDelayMs?: string;
  schedule?: string;
  artifacts?: string;
  reports?: string;
  runId?: string;
  set?: string[];
}

/**
 * Every top-level config key must decide how a flag overrides it (vitest's cli-config does this with a mapped
 * type): adding a config field without deciding its flag fails to compile.
 */
const FLAG_FOR_KEY: { readonly [K in keyof z.input<typeof RunConfigSchema>]-?: string } = {
  variants: "--variant/--base-url/--model (repeat for several variants)",
  reference: "--reference", tasks: "--tasks", sampling: "--temperature/--max-tokens/--top-p/--seed",
  concurrency: "--concurrency", limit: "--limit", stream: "--no-stream", timeoutSec: "--timeout-sec",
  retry: "--max-attempts/--retry-delay-ms", schedule: "--schedule", output: "--artifacts/--reports", runId: "--run-id",
};
export const CONFIG_FLAGS: Readonly<Record<string, string>> = FLAG_FOR_KEY;

/**
 * Merges CLI flags over the raw config object (before validation). Numbers stay strings here when they do not
 * parse, so the schema reports them by field path with the value the user typed.
 */
export function applyFlags(raw: unknown, flags: RunFlags): Record<string, unknown> {
  const base: Record<string, unknown> = isRecord(raw) ? structuredClone(raw) : {};
  const variants = variantsFromFlags(flags, base);
  if (variants !== undefined) base.variants = variants;
  if (flags.apiKeyEnv !== undefined && Array.isArray(base.variants)) {
    for (const variant of base.variants) if (isRecord(variant)) variant.apiKeyEnv = flags.apiKeyEnv;
  }
  if (flags.reference !== undefined) base.reference = flags.reference;
  if (flags.tasks !== undefined) base.tasks = flags.tasks.split(",").map((t) => t.trim()).filter((t) => t !== "");
  if (flags.limit !== undefined) base.limit = numeric(flags.limit);
  if (flags.concurrency !== undefined) base.concurrency = numeric(flags.concurrency);
  if (flags.timeoutSec !== undefined) base.timeoutSec = numeric(flags.timeoutSec);
  const retry: Record<string, unknown> = isRecord(base.retry) ? base.retry : {};
  if (flags.maxAttempts !== undefined) retry.maxAttempts = numeric(flags.maxAttempts);
  if (flags.retryDelayMs !== undefined) retry.baseDelayMs = numeric(flags.retryDelayMs);
  if (Object.keys(retry).length > 0) base.retry = retry;
  if (flags.schedule !== undefined) base.schedule = flags.schedule;
  if (flags.stream === false) base.stream = false;
  if (flags.runId !== undefined) base.runId = flags.runId;
  const sampling: Record<string, unknown> = isRecord(base.sampling) ? base.sampling : {};
  if (flags.temperature !== undefined) sampling.temperature = numeric(flags.temperature);
  if (flags.maxTokens !== undefined) sampling.maxTokens = numeric(flags.maxTokens);
  if (flags.topP !== undefined) sampling.topP = numeric(flags.topP);
  if (flags.seed !== undefined) sampling.seed = numeric(flags.seed);
  if (Object.keys(sampling).length > 0) base.sampling = sampling;
  const output: Record<string, unknown> = isRecord(base.output) ? base.output : {};
  if (flags.artifacts !== undefined) output.artifacts = flags.artifacts;
  if (flags.reports !== undefined) output.reports = flags.reports;
  if (Object.keys(output).length > 0) base.output = output;
  for (const assignment of flags.set ?? []) applySet(base, assignment);
  return base;
}

/** `--variant`, `--base-url` and `--model` repeat in step; a single value is shared by every variant. */
function variantsFromFlags(flags: RunFlags, base: Record<string, unknown>): unknown[] | undefined {
  const names = flags.variant ?? [];
  const urls = flags.baseUrl ?? [];
  const models = flags.model ?? [];
  const count = Math.max(names.length, urls.length, models.length);
  if (count === 0) return undefined;
  const problems: string[] = [];
  for (const [flag, values] of [["--variant", names], ["--base-url", urls], ["--model", models]] as const) {
    if (values.length !== count && values.length > 1) {
      problems.push(`flags: ${flag}: given ${values.length} times but other variant flags ${count} times (give it once to share, or once per variant)`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const existing = Array.isArray(base.variants) ? base.variants : [];
  return Array.from({ length: count }, (_v, i) => {
    const previous = existing[i];
    const variant: Record<string, unknown> = isRecord(previous) ? { ...previous } : {};
    const pick = (values: readonly string[]) => (values.length === 1 ? values[0] : values[i]);
    const name = pick(names);
    const url = pick(urls);
    const model = pick(models);
    if (name !== undefined) variant.name = name;
    if (url !== undefined) variant.baseUrl = url;
    if (model !== undefined) variant.model = model;
    if (variant.name === undefined && typeof variant.model === "string") variant.name = defaultVariantName(variant.model);
    return variant;
  });
}

/** "Qwen/Qwen3-32B-FP8" → "Qwen3-32B-FP8": a usable folder name when --variant is not given. */
function defaultVariantName(model: string): string {
  const last = model.split("/").filter((p) => p !== "").pop() ?? model;
  return last.replace(/[^A-Za-z0-9._-]/g, "-").replace(/^[^A-Za-z0-9]+/, "") || "model";
}

/** `--set sampling.seed=1`, `--set variants[0].extraBody.chat_template_kwargs.enable_thinking=false`. */
function applySet(target: Record<string, unknown>, assignment: string): void {
  const eq = assignment.indexOf("=");
  if (eq <= 0) throw new ConfigError([`flags: --set ${assignment}: expected path=value`], "write e.g. --set sampling.seed=1");
  const path = parseSetPath(assignment.slice(0, eq));
  if (path === undefined) throw new ConfigError([`flags: --set ${assignment}: cannot read the path`], "write e.g. --set variants[0].extraBody.top_k=20");
  const value: unknown = parseDocument(assignment.slice(eq + 1)).toJS();
  let node: Record<string | number, unknown> | unknown[] = target;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i] ?? "";
    const nextIsIndex = typeof path[i + 1] === "number";
    const child: unknown = readKey(node, key);
    if (isRecord(child) || Array.isArray(child)) { node = child; continue; }
    const created: Record<string, unknown> | unknown[] = nextIsIndex ? [] : {};
    writeKey(node, key, created);
    node = created;
  }
  writeKey(node, path[path.length - 1] ?? "", value);
}

function readKey(node: Record<string | number, unknown> | unknown[], key: string | number): unknown {
  return Array.isArray(node) ? (typeof key === "number" ? node[key] : undefined) : node[key];
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
    if (m[1] !== undefined) { if (!expectKey) return undefined; parts.push(m[1]); expectKey = false; }
    else if (m[2] !== undefined) { parts.push(Number(m[2])); expectKey = false; }
    else { if (expectKey) return undefined; expectKey = true; }
    if (re.lastIndex === text.length) return expectKey ? undefined : parts;
  }
  return undefined;
}

function numeric(text: string): number | string {
  const n = Number(text);
  return text.trim() !== "" && Number.isFinite(n) ? n : text;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The config as stored in the manifest: no secrets can be in it (keys live in env vars), so it is copied whole. */
export function configForManifest(config: RunConfig): RunConfig {
  return structuredClone(config);
}

/**
 * The fields that shape what is sent to the model. A resumed run must agree on all of them, or the journal
 * would mix answers to different questions.
 */
export function requestFingerprint(config: RunConfig): string {
  return JSON.stringify({
    variants: config.variants.map((v) => ({ name: v.name, model: v.model, extraBody: v.extraBody })),
    tasks: config.tasks, sampling: config.sampling, limit: config.limit ?? null, stream: config.stream,
  });
}
