/**
 * The run config: zod schemas (types come from z.infer, defaults live in the schema), loading from YAML or
 * JSON, and CLI overrides merged before parsing so one schema checks both. Only this file and cli.ts read
 * environment variables.
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseDocument } from "yaml";
import { z } from "zod";
import { ConfigError } from "./core/errors.ts";
import { isRecord } from "./core/is-record.ts";
import { differingPaths } from "./core/json-diff.ts";
import { type CustomTaskDefinition, CustomTaskSchema } from "./custom-task-config.ts";
import { SAMPLING_PRESET_NAMES, SAMPLING_PRESETS, VLLM_SAMPLING_KEYS } from "./sampling-presets.ts";
import { formatIssue } from "./zod-issues.ts";

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Environment variable names that hold credentials by convention (HF_TOKEN, VLLM_API_KEY, AWS_SECRET_ACCESS_KEY). */
export function looksLikeSecretName(name: string): boolean {
  const upper = name.toUpperCase();
  return /(^|_)(KEY|TOKEN)$/.test(upper) || upper.includes("SECRET") || upper.includes("PASSWORD");
}

/** What a server URL field says when it is not one ("127.0.0.1:8000/v1", "", "http://"). */
function urlProblem(example: string): string {
  return `must be an http(s) URL: write it with its scheme, e.g. ${example}`;
}

/** vLLM flags whose value is a credential: it would be stored in the manifest and the server log's header. */
const SECRET_FLAGS = ["--api-key", "--hf-token"];

/**
 * How quanteval starts the variant's server itself (src/runner/serve/): spawned before the variant's items,
 * stopped after them, so a whole matrix on one GPU runs unattended. Stored in the manifest like the rest of the
 * config, so it holds no secrets: the server inherits quanteval's own environment.
 */
export const ServeSchema = z.strictObject({
  /** argv, no shell: ["vllm", "serve", "Qwen/Qwen3-32B-FP8", "--port", "8000"]; YAML's `--port, 8000` (a number) is taken as written. */
  command: z
    .array(z.union([z.string().min(1), z.number(), z.boolean()]).transform(String))
    .min(1, 'give the program and its arguments, e.g. [vllm, serve, Qwen/Qwen3-32B-FP8, --port, "8000"]'),
  /**
   * Added to the environment the server inherits from quanteval. YAML reads `CUDA_VISIBLE_DEVICES: 0` as a number:
   * numbers and booleans are taken as the text they were written as.
   */
  env: z
    .record(
      z.string().regex(ENV_NAME_PATTERN, "must be an environment variable name"),
      z.union([z.string(), z.number(), z.boolean()]).transform(String),
    )
    .optional(),
  /** The server's working folder, relative to the folder quanteval runs in; default that folder. */
  cwd: z.string().min(1).optional(),
  /** Polled until it answers 200; default <baseUrl origin>/health (vLLM's). */
  healthUrl: z.url({ protocol: /^https?$/, error: urlProblem("http://127.0.0.1:8000/health") }).optional(),
  /** Loading a 32B model's weights and compiling takes minutes; the default leaves room for a cold cache. */
  startupTimeoutSec: z.number().positive().default(1800),
  /** After SIGTERM, how long the server may take to exit before its process group gets SIGKILL. */
  stopGraceSec: z.number().nonnegative().default(30),
  /** After stopping, wait until nvidia-smi no longer lists the server's processes (skipped without nvidia-smi). */
  waitGpuFree: z.boolean().default(true),
});

/** Requests sent to each variant before its tasks: not journalled, not timed, so throughput excludes a cold start. */
export const WarmupSchema = z.strictObject({
  requests: z.int().nonnegative().max(1000).default(0),
});

// Without `protocol`, "localhost:8000" passes as a URL with scheme "localhost".
const ServerUrlSchema = z
  .url({ protocol: /^https?$/, error: urlProblem("http://127.0.0.1:8000/v1") })
  // A user:password@ part would be stored in the manifest and reports; credentials belong in apiKeyEnv. zod runs
  // this check even when the URL check above failed, so a value URL cannot parse passes here (already reported).
  .refine((url) => {
    const u = URL.parse(url);
    return u === null || (u.username === "" && u.password === "");
  }, "must not contain credentials (user:key@); put the key in an environment variable and name it in apiKeyEnv");

export const VariantSchema = z.strictObject({
  /** Used as a folder name and a table column: "bf16", "fp8", "nvfp4". */
  name: z.string().regex(NAME_PATTERN, "must be letters, digits, '.', '_' or '-' (it names a folder)"),
  baseUrl: ServerUrlSchema,
  /**
   * More servers of the same model (data-parallel replicas), besides baseUrl. Each request goes to the one with the
   * fewest requests in flight; one that stops answering is left aside and checked again later. Throughput is the
   * variant's, all servers together; each journalled reply says which server answered.
   */
  replicas: z.array(ServerUrlSchema).exactOptional(),
  /** The served model name, as vLLM lists it in GET /v1/models. */
  model: z.string().min(1),
  /** Name of the environment variable holding the API key; the key itself never enters config or artifacts. */
  apiKeyEnv: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name")
    .optional(),
  /** Merged into every request body, e.g. { chat_template_kwargs: { enable_thinking: false } }. */
  extraBody: z.record(z.string(), z.unknown()).default({}),
  /**
   * Whether vLLM was started with VLLM_BATCH_INVARIANT=1 (batch-invariant kernels), so temperature-0 output does not
   * depend on batching. Recorded for the report only (it says per variant whether repeats can differ); quanteval does
   * not check it. Absent: not recorded.
   */
  batchInvariant: z.boolean().optional(),
  /** Start (and stop) this variant's server as part of the run; absent: the server is already up at baseUrl. */
  serve: ServeSchema.optional(),
  /**
   * The server's context length, for servers that do not state it in GET /v1/models (llama.cpp, some proxies); when
   * both are known the smaller counts. max_tokens is fitted to it (contextPolicy).
   */
  maxModelLen: z.int().positive().optional(),
  /**
   * The model's tokenizer (a model folder, or a hub id such as Qwen/Qwen3-8B), as bench's --tokenizer takes it: for
   * an engine that streams no usage, replies are counted with it (prompt through its chat template, completion from
   * the text). Absent: such replies count completion tokens as streamed chunks and leave the prompt unknown.
   */
  tokenizer: z.string().min(1).optional(),
});

const SamplingFieldsSchema = z.strictObject({
  /** A model card's recommended settings by name (src/sampling-presets.ts); the fields set beside it win. */
  preset: z
    .enum(SAMPLING_PRESET_NAMES, {
      error: `unknown sampling preset; known presets: ${SAMPLING_PRESET_NAMES.join(", ")}`,
    })
    .optional(),
  /** Unset: the preset's, else 0. */
  temperature: z.number().min(0).max(2).optional(),
  /** Unset: each task's own default (reasoning tasks need more). */
  maxTokens: z.int().positive().optional(),
  topP: z.number().gt(0).lte(1).optional(),
  /** vLLM's top_k: sample from the k likeliest tokens; -1 (and 0 on recent vLLM) means all of them. */
  topK: z.int().min(-1).optional(),
  /** vLLM's min_p: drop tokens less likely than min_p times the likeliest one. */
  minP: z.number().min(0).max(1).optional(),
  seed: z.int().optional(),
});

/**
 * The settings as sent: the preset's values, overridden by the fields set beside it, temperature 0 when neither says.
 * The preset's name is kept for the manifest and report; re-parsing the result (a manifest) gives it back unchanged.
 */
export const SamplingSchema = SamplingFieldsSchema.transform(({ preset, ...own }) => {
  const card = preset === undefined ? undefined : SAMPLING_PRESETS[preset];
  const topP = own.topP ?? card?.topP;
  const topK = own.topK ?? card?.topK;
  const minP = own.minP ?? card?.minP;
  // A fixed key order: the request fingerprint compares these objects as JSON.
  return {
    ...(preset !== undefined ? { preset } : {}),
    temperature: own.temperature ?? card?.temperature ?? 0,
    ...(own.maxTokens !== undefined ? { maxTokens: own.maxTokens } : {}),
    ...(topP !== undefined ? { topP } : {}),
    ...(topK !== undefined ? { topK } : {}),
    ...(minP !== undefined ? { minP } : {}),
    ...(own.seed !== undefined ? { seed: own.seed } : {}),
  };
});
export type SamplingConfig = z.infer<typeof SamplingSchema>;

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
  /**
   * The non-inferiority margin: "1pp" (default; a bare number is pp too) or a recovery, "99%". `--fail-below`
   * overrides it. Kept as written (the manifest stores it); marginOf reads it.
   */
  margin: z
    .union([z.number(), z.string()])
    .optional()
    .superRefine((value, ctx) => {
      if (value === undefined) return;
      const margin = marginOf(value);
      if (typeof margin === "string") ctx.addIssue({ code: "custom", message: margin });
    }),
  /** The tasks `--fail-below` gates (task or family names of this run); default every task. */
  gate: z.array(z.string().min(1)).min(1).optional(),
});

/** A non-inferiority margin: absolute in percentage points, or relative as a recovery ratio (0.99 = 99%). */
export type MarginSetting = { kind: "pp"; pp: number } | { kind: "recovery"; ratio: number };

/**
 * `report.margin` or `--fail-below`: "1pp", "0.5 pp", 2 (pp), or "99%" / "99.5 %" (recovery). Returns the margin,
 * or a message saying what is wrong and what is accepted.
 */
export function marginOf(value: string | number): MarginSetting | string {
  const accepted = 'give a margin in pp ("1pp", or a number: 1) or a recovery ("99%")';
  const text = String(value).trim();
  const match = /^(\d+(?:\.\d+)?)\s*(pp|%)?$/i.exec(text);
  if (match === null) return `"${text}" is not a margin: ${accepted}`;
  const number = Number(match[1]);
  if (match[2] === "%") {
    if (!(number > 0 && number <= 100)) return `a recovery margin must be above 0% and at most 100% (got ${text})`;
    // "1%" is read as a recovery of 1%, which every variant clears; people who write it mean a 1-point drop.
    if (number < 50)
      return `"${text}" would be a recovery of ${number}%, which any variant clears: for a ${number}-point drop write "${number}pp"; a recovery margin is 50% to 100%, e.g. "99%"`;
    return { kind: "recovery", ratio: number / 100 };
  }
  if (!(number < 100)) return `a margin in pp must be below 100 (got ${text})`;
  return { kind: "pp", pp: number };
}

export const RunConfigSchema = z
  .strictObject({
    variants: z
      .array(VariantSchema, {
        error: (issue) =>
          issue.input === undefined
            ? "missing: list variants in a config file (-c run.yaml) or give --base-url and --model"
            : undefined,
      })
      .min(1, "list at least one variant"),
    /** The variant deltas are measured against; default: the first variant. */
    reference: z.string().optional(),
    tasks: z
      .array(z.string().min(1), {
        error: (issue) =>
          issue.input === undefined
            ? "missing: name tasks in the config or with --tasks (e.g. --tasks suite40)"
            : undefined,
      })
      .min(1, "list at least one task"),
    /**
     * Tasks from the user's own files (docs/tasks.md "Your own task"), named in `tasks` like built-in ones. An entry
     * is a definition, or the path of a YAML file holding one; readConfigFile reads such files and makes every path
     * absolute, so the manifest holds the whole definition.
     */
    customTasks: z.array(CustomTaskSchema).min(1).optional(),
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
    /** Warm-up requests per variant before its tasks: `{ requests: 2 }` (the first items of the first task). */
    warmup: WarmupSchema.default({ requests: 0 }),
    /**
     * When a request's prompt + max_tokens would exceed the server's context length (vLLM's --max-model-len):
     * "fit" lowers its max_tokens to what fits and records it; "fail" asks as configured and stops a variant whose
     * tasks ask more than its whole context. A resumed run may change it.
     */
    contextPolicy: z.enum(["fit", "fail"]).default("fit"),
    runId: z.string().regex(NAME_PATTERN, "must be letters, digits, '.', '_' or '-' (it names a folder)").optional(),
  })
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.variants.forEach((variant, index) => {
      if (seen.has(variant.name)) {
        ctx.addIssue({
          code: "custom",
          path: ["variants", index, "name"],
          message: `duplicate variant name "${variant.name}"`,
        });
      }
      seen.add(variant.name);
      if (variant.serve !== undefined) checkServe(variant.serve, variant.baseUrl, ["variants", index, "serve"], ctx);
      checkSamplingClash(variant.extraBody, config.sampling, ["variants", index, "extraBody"], ctx);
    });
    if (config.reference !== undefined && !seen.has(config.reference)) {
      ctx.addIssue({
        code: "custom",
        path: ["reference"],
        message: `must be one of variants[].name (${[...seen].join(", ")})`,
      });
    }
  });

/**
 * top_k and min_p may be sent through extraBody, but not beside sampling.topK/minP: extraBody would silently win
 * over a preset, and the manifest would record values that were not sent. Checked here to fail before any request.
 */
function checkSamplingClash(
  extraBody: Record<string, unknown>,
  sampling: SamplingConfig,
  path: (string | number)[],
  ctx: z.RefinementCtx,
): void {
  for (const [key, field] of Object.entries(VLLM_SAMPLING_KEYS)) {
    if (!Object.hasOwn(extraBody, key) || sampling[field] === undefined) continue;
    const from = sampling.preset !== undefined ? ` (here from sampling.preset ${sampling.preset})` : "";
    ctx.addIssue({
      code: "custom",
      path: [...path, key],
      message: `sampling.${field} sets ${key} too${from}: drop one of the two`,
    });
  }
}

/**
 * What the serve block's own schema cannot see: secrets (the block is written to the manifest) and a `--port`
 * that differs from baseUrl's (quanteval would wait for a server on a port nobody listens on).
 */
function checkServe(
  serve: z.infer<typeof ServeSchema>,
  baseUrl: string,
  path: (string | number)[],
  ctx: z.RefinementCtx,
): void {
  for (const name of Object.keys(serve.env ?? {})) {
    if (!looksLikeSecretName(name)) continue;
    ctx.addIssue({
      code: "custom",
      path: [...path, "env"],
      message: `${name} looks like a secret, and serve.env is written to the manifest: drop it and \`export ${name}=...\` in the shell quanteval runs in (the server inherits quanteval's environment)`,
    });
  }
  serve.command.forEach((arg, i) => {
    const flag = SECRET_FLAGS.find((f) => arg === f || arg.startsWith(`${f}=`));
    if (flag === undefined) return;
    const variable = flag === "--api-key" ? "VLLM_API_KEY" : "HF_TOKEN";
    ctx.addIssue({
      code: "custom",
      path: [...path, "command"],
      message: `argument ${i} (${flag}) passes a secret, and serve.command is written to the manifest and the server log: drop it and \`export ${variable}=...\` instead (vLLM reads it from the environment it inherits)${flag === "--api-key" ? `; set apiKeyEnv: ${variable} so quanteval sends it too` : ""}`,
    });
  });
  const portAt = serve.command.findIndex((arg) => arg === "--port" || arg.startsWith("--port="));
  const portArg =
    portAt < 0
      ? undefined
      : serve.command[portAt]?.startsWith("--port=") === true
        ? serve.command[portAt]?.slice("--port=".length)
        : serve.command[portAt + 1];
  const url = URL.parse(baseUrl);
  const urlPort = url === null ? "" : url.port !== "" ? url.port : url.protocol === "https:" ? "443" : "80";
  if (portArg !== undefined && url !== null && portArg !== urlPort) {
    ctx.addIssue({
      code: "custom",
      path: [...path, "command"],
      message: `--port ${portArg} but baseUrl ${baseUrl} is on port ${urlPort}: quanteval waits for the server at baseUrl, so make the two agree`,
    });
  }
}

export type RunConfig = z.infer<typeof RunConfigSchema>;
export type ServeConfig = z.infer<typeof ServeSchema>;
export type VariantConfig = z.infer<typeof VariantSchema>;
export type DataConfig = z.infer<typeof DataSchema>;

/** The reference variant's name: the configured one, else the first variant. */
export function referenceOf(config: RunConfig): string {
  const first = config.variants[0];
  return config.reference ?? (first === undefined ? "" : first.name);
}

/** "Qwen/Qwen3-32B-FP8" → "Qwen3-32B-FP8": a usable folder name when --variant is not given (run flags, import). */
export function defaultVariantName(model: string): string {
  const last =
    model
      .split("/")
      .filter((p) => p !== "")
      .pop() ?? model;
  return last.replace(/[^A-Za-z0-9._-]/g, "-").replace(/^[^A-Za-z0-9]+/, "") || "model";
}

/**
 * Reads a YAML or JSON file (YAML is a superset of JSON) into a plain object, or throws ConfigError. A relative
 * `file` is read from `cwd` (the CLI's CliIo.cwd, not this process's) and named as the user gave it.
 */
export function readConfigFile(file: string, cwd: string): unknown {
  const value = readYaml(
    file,
    cwd,
    "pass an existing YAML or JSON file with --config, or configure the run with flags alone",
  );
  return withCustomTaskFiles(value ?? {}, dirname(resolve(cwd, file)), file);
}

function readYaml(file: string, cwd: string, missingHint: string): unknown {
  let text: string;
  try {
    text = readFileSync(resolve(cwd, file), "utf8");
  } catch (error) {
    throw new ConfigError(
      [`${file}: cannot read the file (${error instanceof Error ? error.message : String(error)})`],
      missingHint,
    );
  }
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => `${file}: ${e.message.split("\n")[0] ?? e.message}`),
      "fix the YAML/JSON syntax at the line shown",
    );
  }
  const value: unknown = doc.toJS();
  return value;
}

/**
 * `customTasks` with each named YAML file read in (checked against the schema there, so errors name that file) and
 * every data path made absolute from the folder of the file that wrote it: the manifest then holds definitions
 * that a regrade or resume finds from any folder.
 */
function withCustomTaskFiles(value: unknown, dir: string, source: string): unknown {
  if (!isRecord(value) || !Array.isArray(value.customTasks)) return value;
  const customTasks = value.customTasks.map((entry: unknown) => {
    if (typeof entry !== "string") return isRecord(entry) ? withAbsolutePaths(entry, dir) : entry;
    const path = resolve(dir, entry);
    const raw = readYaml(entry, dir, `fix the path in ${source}'s customTasks (relative to ${source}'s folder)`);
    const parsed = CustomTaskSchema.safeParse(isRecord(raw) ? withAbsolutePaths(raw, dirname(path)) : raw);
    if (!parsed.success)
      throw new ConfigError(
        parsed.error.issues.map((issue) => formatIssue(issue, raw, entry, { suggest: suggestKey })),
        "fix the task definition; docs/tasks.md (Your own task) describes every field",
        "task definition",
      );
    const def: CustomTaskDefinition = { ...parsed.data, definedIn: path };
    return def;
  });
  return { ...value, customTasks };
}

function withAbsolutePaths(def: Record<string, unknown>, dir: string): Record<string, unknown> {
  const out = { ...def };
  const absolute = (data: unknown): unknown =>
    // A hub file's path is inside its repo, not on this machine.
    isRecord(data) && typeof data.file === "string" && data.hub === undefined
      ? { ...data, file: resolve(dir, data.file) }
      : data;
  out.data = absolute(out.data);
  if (isRecord(out.fewShot)) out.fewShot = { ...out.fewShot, data: absolute(out.fewShot.data) };
  return out;
}

/** Parses merged raw config; on failure lists every issue as `source: path: problem (got …)`. */
export function parseRunConfig(raw: unknown, source: string): RunConfig {
  const result = RunConfigSchema.safeParse(raw);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) =>
      formatIssue(issue, raw, source, { suggest: suggestKey, secretFields: ["apiKeyEnv", "env", "command"] }),
    ),
  );
}

/** Every field name the schemas know, for "did you mean" on a typo or a snake_case spelling. */
const KNOWN_KEYS: readonly string[] = [
  ...Object.keys(VariantSchema.shape),
  ...Object.keys(SamplingFieldsSchema.shape),
  ...Object.keys(OutputSchema.shape),
  ...Object.keys(RetrySchema.shape),
  ...Object.keys(ServeSchema.shape),
  ...Object.keys(WarmupSchema.shape),
  ...Object.keys(ReportConfigSchema.shape),
  "variants",
  "reference",
  "tasks",
  "sampling",
  "concurrency",
  "limit",
  "stream",
  "timeoutSec",
  "retry",
  "schedule",
  "output",
  "runId",
  "warmup",
  "contextPolicy",
  "report",
  "taskOptions",
  "data",
  "customTasks",
  ...Object.keys(CustomTaskSchema.shape),
];

function suggestKey(key: string): string | undefined {
  const camel = key.replace(/[_-]([a-z])/g, (_m, c: string) => c.toUpperCase());
  if (camel !== key && KNOWN_KEYS.includes(camel)) return camel;
  let best: string | undefined;
  let bestDistance = 3;
  for (const known of KNOWN_KEYS) {
    const d = editDistance(key.toLowerCase(), known.toLowerCase());
    if (d < bestDistance) {
      best = known;
      bestDistance = d;
    }
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
  return JSON.stringify(requestFields(config));
}

/**
 * The fields of requestFingerprint that differ between a run (`before`) and the config resuming it, one line each:
 * `tasks: ["suite40"] in run r1, ["suite40","aime24"] now`.
 */
export function requestDifferences(before: RunConfig, after: RunConfig, runId: string): string[] {
  const was = requestFields(before);
  const now = requestFields(after);
  const keys = Object.keys(was) as (keyof typeof was)[];
  const line = (path: string, before: string, after: string) => `${path}: ${before} in run ${runId}, ${after} now`;
  return keys.flatMap((key) => {
    if (key === "customTasks") return customTaskDifferences(was.customTasks, now.customTasks, line);
    return JSON.stringify(was[key]) === JSON.stringify(now[key])
      ? []
      : [line(key, shownValue(was[key]), shownValue(now[key]))];
  });
}

/**
 * A custom task's definition is long (its prompt alone may be a paragraph): name each field that differs,
 * `customTasks.capitals.prompt`, and each task defined on one side only.
 */
function customTaskDifferences(
  before: readonly CustomTaskDefinition[],
  after: readonly CustomTaskDefinition[],
  line: (path: string, before: string, after: string) => string,
): string[] {
  const now = new Map(after.map((def) => [def.name, def]));
  const was = new Set(before.map((def) => def.name));
  return [
    ...before.flatMap((def) => {
      const other = now.get(def.name);
      if (other === undefined) return [line(`customTasks.${def.name}`, "defined", "not")];
      return differingPaths(def, other, `customTasks.${def.name}`).map((d) =>
        line(d.path, shownValue(d.before), shownValue(d.after)),
      );
    }),
    ...after.filter((def) => !was.has(def.name)).map((def) => line(`customTasks.${def.name}`, "not", "defined")),
  ];
}

function requestFields(config: RunConfig) {
  // The preset only names the values: asking with the same values written out is asking the same way.
  const { maxTokens: _perRequest, preset: _name, ...sampling } = config.sampling;
  return {
    variants: config.variants.map((v) => ({ name: v.name, model: v.model, extraBody: v.extraBody })),
    tasks: config.tasks,
    // A custom task's definition shapes its prompts (template, instruction, few-shot, answer type).
    customTasks: config.customTasks ?? [],
    taskOptions: withoutPerRequestLimits(config.taskOptions),
    sampling,
    limit: config.limit ?? null,
    stream: config.stream,
  };
}

function shownValue(value: unknown): string {
  const text = value === null || value === undefined ? "none" : JSON.stringify(value);
  return text.length > 100 ? `${text.slice(0, 97)}...` : text;
}

/**
 * A request timeout changes how long quanteval waits, not what it asks; max_tokens is recorded with every request
 * (and fitted to the server's context anyway), and the report says when a task's items were asked with different
 * limits: a resume may change either.
 */
function withoutPerRequestLimits(taskOptions: RunConfig["taskOptions"]): RunConfig["taskOptions"] {
  return Object.fromEntries(
    Object.entries(taskOptions).map(([key, options]) => {
      const { requestTimeoutSec: _timeout, maxTokens: _maxTokens, ...rest } = options;
      return [key, rest];
    }),
  );
}

/** API keys come from the environment variables the config names; a named but unset variable is an error. */
export function resolveApiKeys(config: RunConfig, env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  const keys: Record<string, string | undefined> = {};
  const problems: string[] = [];
  config.variants.forEach((variant, index) => {
    if (variant.apiKeyEnv === undefined) return;
    const value = env[variant.apiKeyEnv];
    if (value === undefined || value === "")
      problems.push(`variants[${index}].apiKeyEnv: environment variable ${variant.apiKeyEnv} is not set`);
    else keys[variant.name] = value;
  });
  if (problems.length > 0)
    throw new ConfigError(
      problems,
      "export the variable (e.g. `export VLLM_API_KEY=...`) or drop apiKeyEnv for servers started without --api-key",
    );
  return keys;
}
