/**
 * artifacts/<run-id>/manifest.json: what was run and with what. The config is stored resolved and secret-free
 * (API keys are only ever named by their environment variable). Written atomically (temp file + rename), so
 * a crash leaves either the old or the new manifest.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { configForManifest, type RunConfig, RunConfigSchema, referenceOf, requestDifferences } from "../config.ts";
import { ConfigError, FormatTooNewError, JournalFormatError, RunNotFoundError } from "../core/errors.ts";
import { QUANTEVAL_VERSION } from "../version.ts";
import { isWriteFailure, writeFailure } from "./write-failure.ts";

/**
 * The format this quanteval writes (2 added variants[].contextLength; 3 added config.sampling's preset, topK and
 * minP, which an older quanteval's strict config schema would refuse; 4 added runs imported from lm-eval: tasks[].lmEval,
 * source kind "lm-eval" and variants[].imported; and user-defined tasks: config.customTasks, source kind "local";
 * 5 added tasks[].executor, the Python executor that graded the task; 6 added variants[].engine, the serving engine
 * and its version, which an older quanteval's strict schema would refuse); it reads every format up to it.
 */
export const MANIFEST_VERSION = 6;

const TaskSourceSchema = z.union([
  z.strictObject({ kind: z.literal("bundled"), path: z.string() }),
  z.strictObject({ kind: z.literal("hub"), datasets: z.array(z.string()) }),
  /** Answers imported from lm-evaluation-harness's `samples_<task>_<date>.jsonl` (`quanteval import lm-eval`). */
  z.strictObject({ kind: z.literal("lm-eval"), path: z.string() }),
  z.strictObject({ kind: z.literal("local"), paths: z.array(z.string()) }),
]);

/**
 * What an imported task was asked and how its correctness was read: lm-eval's task config block (from the results
 * file's `configs`), its sha256, and the per-sample metric that counts as correct. `compare` joins two imports of a
 * task only when their configs agree field by field and they read the same metric.
 */
const LmEvalTaskSchema = z.strictObject({
  /** `versions.<task>` of the results file: the task's own version. */
  taskVersion: z.union([z.string(), z.number(), z.null()]),
  /** `n-shot.<task>`. */
  nShot: z.number().int().nonnegative().nullable(),
  metric: z.string(),
  filter: z.string(),
  /** "default": chosen by quanteval from the task config; "flag": `--metric <task>=<metric>[,<filter>]`. */
  metricSource: z.enum(["default", "flag"]),
  /**
   * sha256 (hex) of `config` serialised as JSON with its keys sorted at every depth, leaving out `metadata` keys but
   * `version` (lm-eval 0.4.8+ copies --model_args there): the fields compare checks.
   */
  configHash: z.string(),
  config: z.record(z.string(), z.unknown()),
});

export const ManifestTaskSchema = z.strictObject({
  name: z.string(),
  family: z.string(),
  source: TaskSourceSchema,
  breakdowns: z.array(z.string()),
  /** The task's own options after defaults (taskOptions.<task>), so a report says what was asked. */
  options: z.record(z.string(), z.unknown()),
  itemCount: z.number().int().nonnegative(),
  maxTokens: z.number().int().positive(),
  /** Samples drawn per item (pass@k); 1 unless `taskOptions.<task>.samples` says otherwise. */
  samples: z.number().int().positive().default(1),
  /** `taskOptions.<task>.requestTimeoutSec`: this task's per-attempt request timeout, instead of the run's timeoutSec. */
  requestTimeoutSec: z.number().positive().optional(),
  /** Each data file read, with its hub dataset, revision and sha256, so a report can say exactly which data it scored. */
  files: z.array(
    z.strictObject({
      dataset: z.string().optional(),
      revision: z.string().optional(),
      path: z.string(),
      sha256: z.string(),
      bytes: z.number().int().nonnegative().optional(),
    }),
  ),
  /** What the loader said about the data (e.g. rows whose answer fields disagree, and which one was trusted). */
  notices: z.array(z.string()),
  /** Set when the data could not be had (gated, offline, …): the task is N/A in this session, with why and the fix. */
  unavailable: z.strictObject({ code: z.string(), message: z.string(), hint: z.string() }).optional(),
  /** Set when the task's answers were imported from lm-evaluation-harness rather than asked by quanteval. */
  lmEval: LmEvalTaskSchema.optional(),
  /**
   * Tasks that run Python: the sandbox that graded their programs, "pyodide" (WebAssembly) or "native" (CPython
   * in bubblewrap), as settled at load from the task's executor option (docs/code-executors.md).
   */
  executor: z.enum(["pyodide", "native"]).optional(),
});

export const VariantStatusSchema = z.enum(["pending", "running", "done", "failed"]);

export const ManifestEngineSchema = z.strictObject({
  name: z.enum(["vllm", "sglang", "lmdeploy", "trtllm", "llamacpp"]),
  version: z.string().optional(),
  source: z.enum(["server", "serve-command"]),
  versionFrom: z.literal("image-tag").optional(),
  evidence: z.string(),
});
export type ManifestEngine = z.infer<typeof ManifestEngineSchema>;

/** The model tokenizer a variant's client-side counts use (variants[].tokenizer): the files read, pinned by digest. */
const ManifestTokenizerSchema = z.strictObject({
  ref: z.string(),
  dir: z.string(),
  /** The hub commit, when read from a hub cache snapshot. */
  revision: z.string().optional(),
  tokenizerJsonSha256: z.string(),
  chatTemplateFrom: z.enum(["chat_template.jinja", "tokenizer_config.json"]),
  chatTemplateSha256: z.string(),
});
export type ManifestTokenizer = z.infer<typeof ManifestTokenizerSchema>;

export const ManifestSchema = z.strictObject({
  v: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4), z.literal(MANIFEST_VERSION)]),
  runId: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  tool: z.strictObject({
    name: z.string(),
    version: z.string(),
    node: z.string(),
    platform: z.string(),
    dependencies: z.record(z.string(), z.string()),
  }),
  config: RunConfigSchema,
  reference: z.string(),
  tasks: z.array(ManifestTaskSchema),
  variants: z.array(
    z.strictObject({
      name: z.string(),
      status: VariantStatusSchema,
      error: z.strictObject({ code: z.string(), message: z.string() }).optional(),
      /**
       * Seconds from spawning the variant's server (variants[].serve) to it being ready, in the latest session that
       * started it. Loading weights is not serving: kept apart from the throughput measured from the requests.
       */
      serverStartupSec: z.number().nonnegative().optional(),
      /** Every start-up of the variant's server, one per session that started it: "with load time" counts them all. */
      serverStartupsSec: z.array(z.number().nonnegative()).optional(),
      /** The context length max_tokens was fitted to, and where it came from (the latest session's). */
      contextLength: z
        .strictObject({ tokens: z.int().positive(), source: z.enum(["server", "config", "server-error"]) })
        .optional(),
      /** The engine that served the variant and its version, as the server or serve command said (client/engine.ts). */
      engine: ManifestEngineSchema.optional(),
      /**
       * variants[].tokenizer as loaded, when given: replies whose server streamed no usage were counted with it. An
       * older quanteval's strict schema refuses it, naming the field, as it refuses the config field.
       */
      tokenizer: ManifestTokenizerSchema.optional(),
      /** Where an imported variant's answers came from (`quanteval import lm-eval`): none of them were asked here. */
      imported: z
        .strictObject({
          tool: z.literal("lm-evaluation-harness"),
          /** `lm_eval_version` of the results file (absent in lm-eval before 0.4.3: null). */
          version: z.string().nullable(),
          gitHash: z.string().nullable(),
          /** `config.model` and `config.model_args` of the results file, as lm-eval recorded them. */
          model: z.string().nullable(),
          modelArgs: z.unknown(),
          resultsFile: z.string(),
          resultsSha256: z.string(),
        })
        .optional(),
    }),
  ),
  sessions: z.array(
    z.strictObject({
      id: z.string(),
      startedAt: z.string(),
      endedAt: z.string().optional(),
      outcome: z.string().optional(),
    }),
  ),
});

export type Manifest = z.infer<typeof ManifestSchema>;
export type ManifestTask = z.infer<typeof ManifestTaskSchema>;

export function manifestPath(artifactsDir: string, runId: string): string {
  return join(artifactsDir, runId, "manifest.json");
}

export function manifestExists(artifactsDir: string, runId: string): boolean {
  return existsSync(manifestPath(artifactsDir, runId));
}

export function readManifest(artifactsDir: string, runId: string): Manifest {
  const file = manifestPath(artifactsDir, runId);
  if (!existsSync(file)) throw new RunNotFoundError(runId, artifactsDir);
  const text = readFileSync(file, "utf8");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    if (looksCutShort(text)) {
      throw new JournalFormatError(
        file,
        lineCount(text),
        `the manifest is cut short: ${Buffer.byteLength(text)} bytes that end in the middle of its JSON`,
        "quanteval writes it whole (temp file + rename), so it was cut while being copied or restored: copy it again " +
          "from where it came from; the journals beside it are not affected",
      );
    }
    throw new JournalFormatError(
      file,
      1,
      `the manifest is not JSON (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  const version = typeof json === "object" && json !== null && "v" in json ? json.v : undefined;
  if (typeof version === "number" && version > MANIFEST_VERSION) {
    const tool = z.object({ tool: z.object({ version: z.string() }) }).safeParse(json);
    throw new FormatTooNewError(
      file,
      "manifest",
      version,
      MANIFEST_VERSION,
      tool.success ? tool.data.tool.version : undefined,
      QUANTEVAL_VERSION,
    );
  }
  const parsed = ManifestSchema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new JournalFormatError(
      file,
      1,
      `not a manifest: ${first ? `${first.path.join(".")}: ${first.message}` : "invalid"}`,
    );
  }
  return parsed.data;
}

/** A temp file left by a failed write; failing to remove it too must not hide why the write failed. */
function removeQuietly(file: string): void {
  try {
    rmSync(file, { force: true });
  } catch {
    // The write's own error is the one to report.
  }
}

/** Empty, or JSON that opens more brackets than it closes: a file cut off, rather than one that was edited. */
function looksCutShort(text: string): boolean {
  const trimmed = text.trim();
  return trimmed === "" || (trimmed.startsWith("{") && !trimmed.endsWith("}"));
}

function lineCount(text: string): number {
  return text.split("\n").length;
}

export function writeManifest(artifactsDir: string, manifest: Manifest): void {
  const dir = join(artifactsDir, manifest.runId);
  const file = manifestPath(artifactsDir, manifest.runId);
  const temp = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(temp, `${JSON.stringify(manifest, null, 2)}\n`);
    renameSync(temp, file);
  } catch (error) {
    removeQuietly(temp);
    if (isWriteFailure(error))
      throw writeFailure(error.path === temp ? file : (error.path ?? file), error, "run the command again");
    throw error;
  }
}

/** Versions of the tool and of the dependencies that shape results, read from the installed packages. */
export function toolInfo(root: string): Manifest["tool"] {
  const pkg = readPackageJson(join(root, "package.json"));
  const dependencies: Record<string, string> = {};
  for (const name of Object.keys(pkg.dependencies ?? {})) {
    const installed = readPackageJson(join(root, "node_modules", name, "package.json"));
    dependencies[name] = installed.version ?? "unknown";
  }
  return {
    name: pkg.name ?? "quanteval",
    version: pkg.version ?? "unknown",
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    dependencies,
  };
}

const PackageJsonSchema = z.object({
  name: z.string().optional(),
  version: z.string().optional(),
  dependencies: z.record(z.string(), z.string()).optional(),
});

/** A dependency not installed where we look (hoisted elsewhere) has no version to record: "unknown" says so. */
function readPackageJson(file: string): z.infer<typeof PackageJsonSchema> {
  if (!existsSync(file)) return {};
  const parsed = PackageJsonSchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
  return parsed.success ? parsed.data : {};
}

export function newManifest(
  runId: string,
  config: RunConfig,
  tasks: readonly { info: ManifestTask }[],
  root: string,
  now: () => number,
): Manifest {
  const at = new Date(now()).toISOString();
  return {
    v: MANIFEST_VERSION,
    runId,
    createdAt: at,
    updatedAt: at,
    tool: toolInfo(root),
    config: configForManifest(config),
    reference: referenceOf(config),
    tasks: tasks.map((t) => t.info),
    variants: config.variants.map((v) => ({ name: v.name, status: "pending" as const })),
    sessions: [],
  };
}

/** A resumed run must ask the same questions the same way, or its journal would mix two experiments. */
export function resumeManifest(
  existing: Manifest,
  config: RunConfig,
  tasks: readonly { info: ManifestTask }[],
  now: () => number,
): Manifest {
  const problems: string[] = [];
  problems.push(...requestDifferences(existing.config, config, existing.runId));
  for (const t of tasks) {
    const found = existing.tasks.find((e) => e.name === t.info.name);
    // A task that was N/A (or is now) has asked nothing under one of the two: nothing to mix.
    const before = found?.unavailable === undefined && t.info.unavailable === undefined ? found : undefined;
    // No files recorded: a run made when a second subset of one dataset recorded none (not a change of data).
    if (
      before !== undefined &&
      before.files.length > 0 &&
      JSON.stringify(before.files) !== JSON.stringify(t.info.files)
    ) {
      problems.push(
        `run ${existing.runId}: the data of task ${t.info.name} changed since the run started (sha256 differs)`,
      );
    }
    // Verdicts and time limits differ by executor: one run grades a task with one of them.
    if (before?.executor !== undefined && t.info.executor !== undefined && before.executor !== t.info.executor) {
      problems.push(
        `run ${existing.runId}: task ${t.info.name} was graded by the ${before.executor} Python executor, ` +
          `now it would be ${t.info.executor} (set taskOptions.${t.info.name}.executor: ${before.executor})`,
      );
    }
  }
  if (problems.length > 0) {
    throw new ConfigError(
      problems,
      `resume with the run's own settings (\`quanteval run --resume ${existing.runId}\` with no other flags), or start a new run with another --run-id`,
    );
  }
  // A task N/A now but loaded before keeps its earlier record: its journal lines still belong to this run.
  const merged = tasks.map((t) =>
    t.info.unavailable !== undefined
      ? (existing.tasks.find((e) => e.name === t.info.name && e.unavailable === undefined) ?? t.info)
      : t.info,
  );
  return {
    ...existing,
    v: MANIFEST_VERSION,
    config: configForManifest(config),
    updatedAt: new Date(now()).toISOString(),
    tasks: merged,
  };
}

export function setVariantStatus(
  manifest: Manifest,
  name: string,
  status: Manifest["variants"][number]["status"],
  error?: { code: string; message: string },
): void {
  const entry = manifest.variants.find((v) => v.name === name);
  if (entry === undefined) return;
  entry.status = status;
  if (error !== undefined) entry.error = { code: error.code, message: error.message };
  else delete entry.error;
}

/**
 * A run imported from lm-eval (`quanteval import lm-eval`) holds answers quanteval did not ask and verdicts lm-eval
 * gave: there is nothing to resume, and quanteval's own grader of a task with the same name would grade another way.
 */
export function refuseImported(manifest: Manifest, command: "run --resume" | "regrade"): void {
  const imported = manifest.variants.filter((v) => v.imported !== undefined).map((v) => v.name);
  if (imported.length === 0) return;
  throw new ConfigError(
    [
      `run ${manifest.runId}: variant ${imported.join(", ")} was imported from lm-eval, so \`quanteval ${command}\` has nothing to do`,
    ],
    "to count another metric as correct, import the lm-eval output again under a new --run-id with --metric <task>=<metric>[,<filter>]",
  );
}
