/**
 * lm-evaluation-harness's output for one model, as `lm_eval --output_path <dir> --log_samples` writes it
 * (lm_eval/loggers/evaluation_tracker.py): `<dir>/<model_name_sanitized>/results_<date_id>.json`, and beside it
 * `samples_<task>_<date_id>.jsonl` per task, sharing the results file's `<date_id>`. The results file's layout is
 * lm_eval/result_schema.py's `EvalResults`: "results", "configs", "versions", "n-shot", "config", "git_hash",
 * "lm_eval_version", "model_name".
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { z } from "zod";
import { LmEvalFormatError } from "../core/errors.ts";

const RERUN = "run lm-eval with --output_path <dir> --log_samples, and import that <dir> (or its model folder)";

/** The fields quanteval reads; lm-eval writes many more (environment, tokenizer), kept only in the file itself. */
const ResultsSchema = z.object({
  results: z.record(z.string(), z.record(z.string(), z.unknown())),
  configs: z.record(z.string(), z.record(z.string(), z.unknown())),
  versions: z.record(z.string(), z.union([z.string(), z.number(), z.null()])).optional(),
  "n-shot": z.record(z.string(), z.union([z.number().int().nonnegative(), z.null()])).optional(),
  config: z.object({ model: z.string().nullable().optional(), model_args: z.unknown().optional() }).loose().optional(),
  git_hash: z.string().nullable().optional(),
  lm_eval_version: z.string().nullable().optional(),
  model_name: z.string().nullable().optional(),
});
export type LmEvalResults = z.infer<typeof ResultsSchema>;

export interface LmEvalOutput {
  resultsFile: string;
  /** The `<date_id>` shared by the results file and its samples files. */
  dateId: string;
  results: LmEvalResults;
}

/** `path` is lm-eval's --output_path, its model folder, or one results file. */
export function readLmEvalOutput(path: string): LmEvalOutput {
  const resultsFile = findResultsFile(path);
  const dateId = basename(resultsFile, ".json").split("_").at(-1) ?? "";
  return { resultsFile, dateId, results: parseResults(resultsFile) };
}

function findResultsFile(path: string): string {
  if (!existsSync(path)) throw new LmEvalFormatError(path, "no such file or folder", RERUN);
  if (statSync(path).isFile()) return path;
  const here = resultsFilesIn(path);
  // --output_path <dir> puts the files in a folder named for the model: look one level down.
  const found =
    here.length > 0
      ? here
      : readdirSync(path, { withFileTypes: true })
          .filter((e) => e.isDirectory())
          .flatMap((e) => resultsFilesIn(join(path, e.name)));
  if (found.length === 0) throw new LmEvalFormatError(path, "no results_*.json here or in a folder below", RERUN);
  if (found.length > 1)
    throw new LmEvalFormatError(
      path,
      `${found.length} results files (${found.map((f) => basename(f)).join(", ")}): which run to import is not clear`,
      "pass the one results_<date>.json to import instead of the folder; its samples files must be beside it",
    );
  return found[0] ?? path;
}

function resultsFilesIn(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => /^results_.+\.json$/.test(name))
    .sort()
    .map((name) => join(dir, name));
}

function parseResults(file: string): LmEvalResults {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new LmEvalFormatError(
      file,
      `not JSON (${error instanceof Error ? error.message : String(error)})`,
      "lm-eval writes it whole: copy it again from where it came from",
      { cause: error },
    );
  }
  if (typeof json === "object" && json !== null && !("configs" in json))
    throw new LmEvalFormatError(
      file,
      'no "configs" block: without the task configs the runs cannot be checked for asking the same questions',
      `the file comes from lm-eval before 0.4 or was cut down; ${RERUN} on lm-eval 0.4 or later`,
    );
  const parsed = ResultsSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new LmEvalFormatError(
      file,
      `not an lm-eval results file: ${issue === undefined ? "invalid" : `${issue.path.join(".") || "(top)"}: ${issue.message}`}`,
      RERUN,
    );
  }
  return parsed.data;
}

/** lm-eval's samples file of `task` beside the results file, or an error that says to rerun with --log_samples. */
export function samplesFileOf(output: LmEvalOutput, task: string): string {
  const dir = dirname(output.resultsFile);
  const name = `samples_${task}_${output.dateId}.jsonl`;
  const file = join(dir, name);
  if (existsSync(file)) return file;
  const anySamples = readdirSync(dir).some((n) => /^samples_.+\.jsonl$/.test(n));
  throw new LmEvalFormatError(
    file,
    anySamples
      ? `no samples file for task ${task} (the results file ${basename(output.resultsFile)} names it)`
      : `no samples files beside ${basename(output.resultsFile)}: lm-eval ran without --log_samples`,
    "rerun lm-eval with --log_samples (per-item answers are what the paired comparison needs), or leave the task " +
      "out with --tasks",
  );
}
