/**
 * Which of an lm-eval task's per-sample metrics counts as "correct". lm-eval scores every sample under every
 * filter (`filter_list`) with every metric (`metric_list`), and reports each as "<metric>,<filter>" in the results
 * file. quanteval's paired statistics need one 0/1 verdict per item, so one pair is chosen per task:
 *   1. `--metric <task>=<metric>[,<filter>]` when given (the filter defaults as below);
 *   2. else the first metric of the task config's metric_list with the first filter of its filter_list ("none" when
 *      the task has no filter_list), e.g. gsm8k: exact_match,strict-match; arc_easy: acc,none.
 * The pair must be one the results file reports for the task; a sample whose value is not 0 or 1 is refused later.
 */
import { ConfigError, LmEvalFormatError } from "../core/errors.ts";
import { isRecord } from "../core/is-record.ts";

export interface MetricChoice {
  metric: string;
  filter: string;
  source: "default" | "flag";
}

/** `--metric gsm8k=exact_match,flexible-extract` (repeatable) → task → [metric, filter?]. */
export function parseMetricFlags(flags: readonly string[]): Map<string, { metric: string; filter?: string }> {
  const out = new Map<string, { metric: string; filter?: string }>();
  for (const flag of flags) {
    const match = /^([^=\s]+)=([^,\s]+)(?:,(\S+))?$/.exec(flag.trim());
    if (match === null || match[1] === undefined || match[2] === undefined)
      throw new ConfigError(
        [`flags: --metric ${flag}: not <task>=<metric>[,<filter>]`],
        "write it as lm-eval names its results, e.g. --metric gsm8k=exact_match,flexible-extract or --metric arc_easy=acc_norm",
        "import options",
      );
    out.set(match[1], { metric: match[2], ...(match[3] !== undefined ? { filter: match[3] } : {}) });
  }
  return out;
}

/** The metric and filter that decide correctness for `task` (see the file comment), checked against `reported`. */
export function chooseMetric(
  task: string,
  config: Record<string, unknown>,
  reported: Record<string, unknown>,
  flag: { metric: string; filter?: string } | undefined,
  resultsFile: string,
): MetricChoice {
  const filter = flag?.filter ?? namesOf(config.filter_list, "name")[0] ?? "none";
  const metric = flag?.metric ?? namesOf(config.metric_list, "metric")[0];
  const pairs = Object.keys(reported).filter((k) => k.includes(",") && !k.includes("_stderr,"));
  if (metric === undefined)
    throw new LmEvalFormatError(
      resultsFile,
      `configs.${task}.metric_list names no metric`,
      `pick the one that decides correctness with --metric ${task}=<metric>[,<filter>] (reported: ${pairs.join(" ")})`,
    );
  if (!pairs.includes(`${metric},${filter}`))
    throw new ConfigError(
      [`task ${task}: the results file reports no "${metric},${filter}" (it reports: ${pairs.join(" ") || "nothing"})`],
      `pick one of the reported pairs with --metric ${task}=<metric>,<filter>`,
      "import options",
    );
  return { metric, filter, source: flag === undefined ? "default" : "flag" };
}

/** The `key` field of each entry of a config list (metric_list, filter_list), in order. */
function namesOf(list: unknown, key: string): string[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((entry: unknown) => {
    const value = isRecord(entry) ? entry[key] : undefined;
    return typeof value === "string" ? [value] : [];
  });
}
