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
  baseUrl: z.url({ protocol: /^https?$/, error: "must be an http(s) URL such as http://127.0.0.1:8000/v1" })
    // A user:password@ part would be stored in the manifest and reports; credentials belong in apiKeyEnv.
    .refine((url) => { const u = new URL(url); return u.username === "" && u.password === ""; },
      "must not contain credentials (user:key@); put the key in an environment variable and name it in apiKeyEnv"),
  /** The served model name, as vLLM lists it in GET /v1/models. */
  model: z.string().min(1),
  /** Name of the environment variable holding the API key; the key itself never enters config or artifacts. */
  apiKeyEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name").optional(),
  /** Merged into every request body, e.g. { chat_template_kwargs: { enable_thinking: false } }. */
  extraBody: z.record(z.string(), z.unknown()).default({}),
  /**
   * Whether vLLM was started with VLLM_BATCH_INVARIANT=1 (batch-invariant kernels), so temperature-0 output does not
   * depend on batching. Recorded for the report only (it says per variant whether repeats can differ); quanteval does
   * not check it. Absent: not recorded.
   */
  batchInvariant: z.boolean().optional(),
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

export const DataSchema = z.strictObject({
  /** Hugging Face cache folder (HF layout, shared with Python); default HF_HUB_CACHE, HF_HOME/hub, ~/.cache/huggingface/hub. */
  cacheDir: z.string().min(1).optional(),
  /** Local copies laid out as on the hub (`<dataDir>/<owner>/<name>/<file>`): no cache, no network. */
  dataDir: z.string().min(1).optional(),
  /** Read the cache only (also HF_HUB_OFFLINE=1). */
  offline: z.boolean().default(false),
});

/** How the report computes its statistics; changing these changes only the report, never what is asked. */
export const ReportConfigSchema = z.strictObject({
  /** Resamples of the paired bootstrap behind each delta's 95% interval (`quanteval report --resamples` overrides). */
  bootstrapResamples: z.int().min(100).max(1_000_000).default(10_000),
  /** Seed of the bootstrap's generator: the same seed gives the same intervals on every machine. */
  bootstrapSeed: z.int().nonnegative().default(0),
});

export const RunConfigSchema = z
  .strictObject({
    variants: z.array(VariantSchema, { error: (issue) => (issue.input === undefined ? "missing: list variants in a config file (-c run.yaml) or give --base-url and --model" : undefined) })
      .min(1, "list at least one variant"),
    /** The variant deltas are measured against; default: the first variant. */
    reference: z.string().optional(),
    tasks: z.array(z.string().min(1), { error: (issue) => (issue.input === undefined ? "missing: name tasks in the config or with --tasks (e.g. --tasks suite40)" : undefined) })
      .min(1, "list at least one task"),
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
    /**
     * Options per task, keyed by task or family name: `{ livecodebench: { since: "2025-01-01" }, aime24: { maxTokens: 38912 } }`.
     * Each task checks its own (`quanteval tasks` lists them); `maxTokens` is accepted by every task.
     */
    taskOptions: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
    /** Where dataset files come from. The HF token is never here: HF_TOKEN or --hf-token. */
    data: DataSchema.default({ offline: false }),
    /** Statistics of the report: `{ bootstrapResamples: 10000, bootstrapSeed: 0 }`. */
    report: ReportConfigSchema.default({ bootstrapResamples: 10_000, bootstrapSeed: 0 }),
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
export type DataConfig = z.infer<typeof DataSchema>;
export type ReportConfig = z.infer<typeof ReportConfigSchema>;

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
  throw new ConfigError(result.error.issues.map((issue) => formatIssue(issue, raw, source, { suggest: suggestKey, secretFields: ["apiKeyEnv"] })));
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
    tasks: config.tasks, taskOptions: config.taskOptions, sampling: config.sampling, limit: config.limit ?? null, stream: config.stream,
  });
}
