/**
 * One lm-eval `samples_<task>_<date>.jsonl` (`--log_samples`), as evaluation_tracker.py's save_results_samples
 * writes it: one line per document and filter, holding doc_id, doc, target (a string), arguments as
 * {"gen_args_<i>": {"arg_0": context, "arg_1": gen_kwargs or continuation}}, resps and filtered_resps (every leaf
 * turned into a string by sanitize_list), filter, metrics (their names) and each metric's value for the sample.
 * Only the lines of the chosen filter are kept, and of them only what a journal record holds.
 */
import { z } from "zod";
import { LmEvalFormatError } from "../core/errors.ts";
import { isRecord } from "../core/is-record.ts";
import { forEachLineSync } from "../datasets/index.ts";
import type { MetricChoice } from "./lm-eval-metric.ts";

/** The fixed fields of a sample line; the metric values are read by name beside them. */
const SampleLineSchema = z
  .object({
    doc_id: z.int().nonnegative(),
    target: z.unknown(),
    arguments: z.unknown(),
    resps: z.unknown(),
    filtered_resps: z.array(z.unknown()),
    /** Absent in lm-eval before the field was added: such files hold the "none" filter only. */
    filter: z.string().optional(),
  })
  .loose();

export interface LmEvalSample {
  docId: number;
  /** The first request's context (gen_args_0.arg_0): the prompt as lm-eval rendered it. */
  prompt: string;
  /** gen_args_0.arg_1 when it is generation kwargs; the continuations scored, for loglikelihood tasks. */
  params: Record<string, unknown>;
  /** The model's raw text for a generation; for loglikelihood tasks the filtered [logprob, is_greedy] pairs. */
  response: string;
  /** filtered_resps as a string: the answer lm-eval's filter extracted ("[invalid]" when its regex found none). */
  filtered: string;
  target: string;
  correct: boolean;
  /** The metric's value as written (0, 1, true or false). */
  value: number | boolean;
  line: number;
}

/** lm-eval's regex filter's fallback when no answer matched (lm_eval/filters/extraction.py RegexFilter). */
const NO_MATCH = "[invalid]";

export function isAnswered(sample: Pick<LmEvalSample, "filtered">): boolean {
  return sample.filtered !== NO_MATCH && sample.filtered.trim() !== "";
}

export function readLmEvalSamples(file: string, choice: MetricChoice): LmEvalSample[] {
  const samples: LmEvalSample[] = [];
  const seen = new Map<number, number>();
  const onLine = (number: number, bytes: Buffer) => {
    const text = bytes.toString("utf8");
    if (text.trim() === "") return;
    const sample = parseSample(file, number, text, choice);
    if (sample === undefined) return;
    const before = seen.get(sample.docId);
    if (before !== undefined)
      throw new LmEvalFormatError(
        `${file}:${number}`,
        `doc_id ${sample.docId} appears again under filter ${choice.filter} (first at line ${before})`,
        "each document has one line per filter in lm-eval's samples file: import an unedited file",
      );
    seen.set(sample.docId, number);
    samples.push(sample);
  };
  const last = forEachLineSync(file, ({ number, bytes }) => onLine(number, bytes));
  if (last !== undefined) onLine(last.number, last.bytes);
  if (samples.length === 0)
    throw new LmEvalFormatError(
      file,
      `no sample under filter ${choice.filter}`,
      "pick a filter the file holds with --metric <task>=<metric>,<filter>",
    );
  return samples;
}

function parseSample(file: string, line: number, text: string, choice: MetricChoice): LmEvalSample | undefined {
  const where = `${file}:${line}`;
  const hint = "lm-eval writes one JSON object per line: import an unedited samples file, or rerun with --log_samples";
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new LmEvalFormatError(where, `not JSON (${error instanceof Error ? error.message : String(error)})`, hint, {
      cause: error,
    });
  }
  const parsed = SampleLineSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const detail = issue === undefined ? "invalid" : `${issue.path.join(".") || "(line)"}: ${issue.message}`;
    throw new LmEvalFormatError(where, `not an lm-eval sample: ${detail}`, hint);
  }
  const row = parsed.data;
  if ((row.filter ?? "none") !== choice.filter) return undefined;
  const value = row[choice.metric];
  if (value === undefined)
    throw new LmEvalFormatError(
      where,
      `doc_id ${row.doc_id} has no metric "${choice.metric}" (it has: ${metricNames(row).join(", ") || "none"})`,
      "pick one of its metrics with --metric <task>=<metric>[,<filter>]",
    );
  if (!(value === 0 || value === 1 || typeof value === "boolean"))
    throw new LmEvalFormatError(
      where,
      `metric "${choice.metric}" of doc_id ${row.doc_id} is ${JSON.stringify(value)}, not 0 or 1: it is not a verdict`,
      "pick a per-sample 0/1 metric (acc, acc_norm, exact_match) with --metric <task>=<metric>[,<filter>]",
    );
  const args = argumentsOf(row.arguments);
  return {
    docId: row.doc_id,
    prompt: typeof args[0]?.[0] === "string" ? args[0][0] : "",
    params: paramsOf(args),
    response: responseOf(row.resps, row.filtered_resps),
    filtered: asText(row.filtered_resps.length === 1 ? row.filtered_resps[0] : row.filtered_resps),
    target: asText(row.target),
    correct: value === 1 || value === true,
    value,
    line,
  };
}

/** The metric names a line lists (its "metrics" field), for the error that a chosen one is missing. */
function metricNames(row: Record<string, unknown>): string[] {
  const names = row.metrics;
  return Array.isArray(names) ? names.filter((n): n is string => typeof n === "string") : [];
}

/** arguments as a list of requests, each a list of args: the on-disk dict shape, or the in-memory list shape. */
function argumentsOf(raw: unknown): unknown[][] {
  if (Array.isArray(raw)) return raw.map((a: unknown) => (Array.isArray(a) ? a : [a]));
  if (!isRecord(raw)) return [];
  return Object.keys(raw)
    .filter((k) => /^gen_args_\d+$/.test(k))
    .sort((a, b) => Number(a.slice(9)) - Number(b.slice(9)))
    .map((k) => {
      const request = raw[k];
      if (!isRecord(request)) return [];
      return Object.keys(request)
        .filter((a) => /^arg_\d+$/.test(a))
        .sort((a, b) => Number(a.slice(4)) - Number(b.slice(4)))
        .map((a) => request[a]);
    });
}

function paramsOf(args: readonly unknown[][]): Record<string, unknown> {
  const first = args[0]?.[1];
  if (isRecord(first)) return first;
  const continuations = args.map((a) => a[1]).filter((c): c is string => typeof c === "string");
  return continuations.length > 0 ? { continuations } : {};
}

function responseOf(resps: unknown, filtered: readonly unknown[]): string {
  // Generation: resps is [[text]] (requests × repeats); loglikelihood: [[[logprob, is_greedy]], …].
  const first = Array.isArray(resps) && Array.isArray(resps[0]) ? resps[0][0] : undefined;
  return typeof first === "string" ? first : JSON.stringify(filtered);
}

function asText(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}
