/**
 * `quanteval import lm-eval`: one lm-eval output (one model, its --log_samples files) written as one variant of a
 * quanteval run: a manifest and one journal per task, in the format `report` and `compare` read. Each sample of the
 * chosen filter becomes one record: doc_id is the item id, lm-eval's context the prompt, its raw reply the reply,
 * its filtered answer the extracted answer, and the chosen 0/1 metric the verdict. Nothing is asked or graded again.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { ConfigError } from "../core/errors.ts";
import { isRecord } from "../core/is-record.ts";
import {
  JOURNAL_VERSION,
  type JournalRecord,
  JournalWriter,
  journalPath,
  type Manifest,
  type ManifestTask,
  manifestExists,
  newManifest,
  writeManifest,
} from "../journal/index.ts";
import { canonicalJson } from "./canonical-json.ts";
import { importConfig } from "./lm-eval-config.ts";
import { chooseMetric, type MetricChoice } from "./lm-eval-metric.ts";
import { type LmEvalOutput, readLmEvalOutput, samplesFileOf } from "./lm-eval-results.ts";
import { isAnswered, type LmEvalSample, readLmEvalSamples } from "./lm-eval-samples.ts";
import { comparableTaskConfig } from "./lm-eval-task-config.ts";

export interface ImportOptions {
  artifacts: string;
  variant?: string;
  runId?: string;
  tasks?: readonly string[];
  metrics: ReadonlyMap<string, { metric: string; filter?: string }>;
  /** The package root, for the tool versions recorded in the manifest. */
  root: string;
  now: () => number;
}

export interface ImportedTask {
  name: string;
  items: number;
  correct: number;
  metric: MetricChoice;
}

export interface ImportResult {
  runId: string;
  variant: string;
  resultsFile: string;
  tasks: ImportedTask[];
}

export function importLmEval(path: string, options: ImportOptions): ImportResult {
  const output = readLmEvalOutput(path);
  const { results } = output;
  const tasks = chosenTasks(output, options.tasks);
  checkMetricTasks(options.metrics, tasks);
  const { config, model, variant, runId } = importConfig(output, tasks, options);
  if (manifestExists(options.artifacts, runId))
    throw new ConfigError(
      [`run ${runId} already exists under ${options.artifacts}`],
      "import each model under its own --run-id (compare joins them), or delete the old run's folder first",
      "import options",
    );
  const at = options.now();
  const session = `import-${new Date(at).toISOString()}`;
  const read = tasks.map((task) => {
    const config = results.configs[task] ?? {};
    const metric = chooseMetric(
      task,
      config,
      results.results[task] ?? {},
      options.metrics.get(task),
      output.resultsFile,
    );
    const file = samplesFileOf(output, task);
    return { task, config, metric, file, samples: readLmEvalSamples(file, metric) };
  });
  const manifest = newManifest(
    runId,
    config,
    read.map((r) => ({ info: taskInfo(output, r.task, r.config, r.metric, r.file, r.samples.length) })),
    options.root,
    options.now,
  );
  for (const r of read) {
    const writer = new JournalWriter(journalPath(options.artifacts, runId, variant, r.task));
    try {
      for (const sample of r.samples) writer.append(recordOf(sample, { runId, session, variant, model, at, ...r }));
    } finally {
      writer.close();
    }
  }
  writeManifest(options.artifacts, finished(manifest, output, session, at));
  return {
    runId,
    variant,
    resultsFile: output.resultsFile,
    tasks: read.map((r) => ({
      name: r.task,
      items: r.samples.length,
      correct: r.samples.filter((s) => s.correct).length,
      metric: r.metric,
    })),
  };
}

/** The tasks of the results file that have a config (groups have none), or the `--tasks` subset of them. */
function chosenTasks(output: LmEvalOutput, wanted: readonly string[] | undefined): string[] {
  const known = Object.keys(output.results.configs);
  if (wanted === undefined) return known;
  const unknown = wanted.filter((t) => !known.includes(t));
  if (unknown.length > 0)
    throw new ConfigError(
      unknown.map((t) => `flags: --tasks: ${t} is not a task of ${output.resultsFile} (it has: ${known.join(", ")})`),
      "name tasks listed under the results file's configs",
      "import options",
    );
  return [...wanted];
}

/** A `--metric` for a task not imported (a typo, or one left out by --tasks) would silently change nothing. */
function checkMetricTasks(metrics: ImportOptions["metrics"], tasks: readonly string[]): void {
  const unknown = [...metrics.keys()].filter((t) => !tasks.includes(t));
  if (unknown.length > 0)
    throw new ConfigError(
      unknown.map((t) => `flags: --metric ${t}=…: ${t} is not an imported task (imported: ${tasks.join(", ")})`),
      "name the task as lm-eval does, one of the imported tasks",
      "import options",
    );
}

function taskInfo(
  output: LmEvalOutput,
  task: string,
  config: Record<string, unknown>,
  metric: MetricChoice,
  samplesFile: string,
  itemCount: number,
): ManifestTask {
  const { results } = output;
  const maxGenToks = isRecord(config.generation_kwargs) ? config.generation_kwargs.max_gen_toks : undefined;
  // Hashes what compare compares: the config without the model's own metadata keys.
  const configHash = createHash("sha256")
    .update(canonicalJson(comparableTaskConfig(config)))
    .digest("hex");
  const how =
    metric.source === "flag"
      ? "--metric"
      : 'the first metric of the task\'s metric_list, under the first filter of its filter_list ("none" without one)';
  return {
    name: task,
    family: typeof config.task === "string" ? config.task : task,
    source: { kind: "lm-eval", path: resolve(samplesFile) },
    breakdowns: [],
    options: {},
    itemCount,
    // lm-eval's own default generation length (lm_eval/api/model.py) when the task sets none.
    maxTokens: typeof maxGenToks === "number" && Number.isInteger(maxGenToks) && maxGenToks > 0 ? maxGenToks : 256,
    samples: 1,
    files: [{ path: resolve(samplesFile), sha256: sha256Of(samplesFile) }],
    notices: [
      `imported from lm-eval ${results.lm_eval_version ?? "(version not recorded)"}: correct = ` +
        `${metric.metric},${metric.filter} (${how}); task config sha256 ${configHash.slice(0, 12)}`,
    ],
    lmEval: {
      taskVersion: results.versions?.[task] ?? null,
      nShot: results["n-shot"]?.[task] ?? null,
      metric: metric.metric,
      filter: metric.filter,
      metricSource: metric.source,
      configHash,
      config,
    },
  };
}

function recordOf(
  sample: LmEvalSample,
  r: { runId: string; session: string; variant: string; task: string; model: string; at: number; metric: MetricChoice },
): JournalRecord {
  return {
    v: JOURNAL_VERSION,
    runId: r.runId,
    session: r.session,
    variant: r.variant,
    task: r.task,
    itemId: String(sample.docId),
    // Asked by lm-eval, not by quanteval.
    attempts: 0,
    request: { model: r.model, messages: [{ role: "user", content: sample.prompt }], params: sample.params },
    gold: sample.target,
    labels: {},
    // lm-eval records no timings, token counts or finish reason.
    reply: {
      text: sample.response,
      finishReason: "unknown",
      usage: { promptTokens: 0, completionTokens: 0 },
      timing: { sentAt: r.at, doneAt: r.at },
    },
    grade: {
      correct: sample.correct,
      answered: isAnswered(sample),
      rule: `lm-eval/${r.metric.metric},${r.metric.filter}`,
      extracted: sample.filtered,
      detail: `${r.metric.metric}=${String(sample.value)} (samples file line ${sample.line})`,
    },
    recordedAt: r.at,
  };
}

function finished(manifest: Manifest, output: LmEvalOutput, session: string, at: number): Manifest {
  const { results } = output;
  const iso = new Date(at).toISOString();
  return {
    ...manifest,
    variants: manifest.variants.map((v) => ({
      ...v,
      status: "done" as const,
      imported: {
        tool: "lm-evaluation-harness" as const,
        version: results.lm_eval_version ?? null,
        gitHash: results.git_hash ?? null,
        model: results.config?.model ?? null,
        modelArgs: results.config?.model_args ?? null,
        resultsFile: resolve(output.resultsFile),
        resultsSha256: sha256Of(output.resultsFile),
      },
    })),
    sessions: [{ id: session, startedAt: iso, endedAt: iso, outcome: "imported from lm-eval" }],
  };
}

function sha256Of(file: string): string {
  return createHash("sha256").update(readFileSync(file)).digest("hex");
}
