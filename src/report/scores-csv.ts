/** scores.csv: one row per variant × task × breakdown value, written by csv-stringify (RFC 4180 quoting). */
import { stringify } from "csv-stringify/sync";
import { CAPACITY_CSV_COLUMNS, capacityCsvValues } from "./capacity-csv.ts";
import { hasClientCounts } from "./client-counts.ts";
import { DIVERGENCE_CSV_COLUMNS, divergenceCsvValues } from "./divergence-csv.ts";
import { ALL, type ReportData } from "./report-types.ts";

const CSV_COLUMNS = [
  "run_id",
  "task",
  "breakdown",
  "value",
  "variant",
  "is_reference",
  "n",
  "graded",
  "correct",
  "unanswered",
  "truncated",
  "capped",
  "errors",
  "missing",
  "accuracy",
  "ci95_low",
  "ci95_high",
  "paired_n",
  "delta_pp",
  "delta_ci95_low_pp",
  "delta_ci95_high_pp",
  "ref_right_variant_wrong",
  "ref_wrong_variant_right",
  "mcnemar_p",
  "mde_pp",
  "requests",
  "ok",
  "request_errors",
  "total_time_s",
  "qps",
  "prompt_tps",
  "decode_tps",
  "latency_p50_s",
  "latency_p95_s",
  "latency_mean_s",
  "ttft_p50_s",
  "ttft_p95_s",
  "ttft_answer_p50_s",
  "tpot_p50_ms",
  "ms_per_output_token",
  "samples",
  "decision_delta_pp",
  "decision_delta_ci95_low_pp",
  "decision_delta_ci95_high_pp",
  "recovery",
  "recovery_ci95_low",
  "recovery_ci95_high",
  "margin",
  "verdict",
  "items_needed",
  "decode_speedup",
  "qps_speedup",
  "latency_p50_speedup",
  "completion_tokens_change",
  "completion_tokens_change_ci95_low",
  "completion_tokens_change_ci95_high",
  "truncation_change_pp",
  "tokens_per_correct",
  "seconds_per_correct",
] as const;

/**
 * One row per variant × task × breakdown value; the task's own row has breakdown and value "all". Numbers are
 * unrounded, fractions as fractions (accuracy 0.85, not 85.0%); empty = does not apply. Delta columns are empty
 * for the reference, throughput columns for breakdown rows (throughput is per task). delta_ci95_low_pp/high_pp =
 * the paired bootstrap 95% percentile interval of delta_pp (empty when no item flipped); mde_pp = the minimum
 * detectable difference at 80% power, α = 0.05 (Connor 1987), both in percentage points like delta_pp.
 * The decision columns (last, so older readers keep their positions) are on every sample: with samples > 1,
 * decision_delta_pp is on item means (avg@k) with an item-clustered interval, where delta_pp is sample 0's.
 * recovery = variant ÷ reference accuracy with its paired bootstrap interval (recovery_ci95_high "inf" when unbounded
 * above); verdict = non-inferiority at `margin` ("1pp" or "99%"), read from the interval's lower bound (one-sided
 * 97.5%); items_needed = paired items that would decide at 80% power if the observed differences held.
 * The speed columns (task rows only) compare with the reference on the same requests: *_speedup = variant ÷
 * reference (latency: reference p50 ÷ variant p50, so above 1 is faster); completion_tokens_change = paired mean
 * change per item with its item-clustered bootstrap interval; truncation_change_pp = the paired change in the share
 * cut at max_tokens; tokens_per_correct and seconds_per_correct over every sample (the reference's too).
 * A run with a bench attached gets the capacity columns next (capacity-csv.ts). A run where some server sent no
 * usage gets client_counted_tokenizer and client_counted_chunks (task rows: how many of the variant's replies
 * quanteval counted itself, with the model's tokenizer or by streamed chunks). One with divergence journals gets the
 * divergence columns last (divergence-csv.ts).
 */
export function renderCsv(report: ReportData): string {
  const rows: (string | number | boolean | null | undefined)[][] = [];
  const margin = marginText(report);
  const { divergence, capacity } = report;
  // Only runs with client-side counts get their columns, so every other run's CSV keeps its bytes.
  const withClientCounts = hasClientCounts(report);
  for (const task of report.tasks) {
    for (const row of task.rows) {
      for (const score of row.scores) {
        const delta = row.deltas.find((d) => d.variant === score.variant);
        const decision = delta?.decision;
        const speed = row.breakdown === ALL ? task.speed?.find((x) => x.variant === score.variant) : undefined;
        const throughput = row.breakdown === ALL ? task.throughput.find((x) => x.variant === score.variant) : undefined;
        const t = throughput?.summary;
        const values: Record<(typeof CSV_COLUMNS)[number], string | number | boolean | null | undefined> = {
          run_id: report.runId,
          task: task.name,
          breakdown: row.breakdown,
          value: row.value,
          variant: score.variant,
          is_reference: score.variant === report.reference,
          n: score.n,
          graded: score.graded,
          correct: score.correct,
          unanswered: score.unanswered,
          truncated: score.truncated,
          capped: score.capped,
          errors: score.errors,
          missing: score.missing,
          accuracy: score.accuracy,
          ci95_low: score.ci95?.low,
          ci95_high: score.ci95?.high,
          paired_n: delta?.paired,
          delta_pp: delta?.deltaPp,
          delta_ci95_low_pp: delta?.ci95Pp?.low,
          delta_ci95_high_pp: delta?.ci95Pp?.high,
          ref_right_variant_wrong: delta?.referenceRightVariantWrong,
          ref_wrong_variant_right: delta?.referenceWrongVariantRight,
          mcnemar_p: delta?.pValue,
          mde_pp: delta?.mdePp,
          requests: t?.requests,
          ok: t?.ok,
          request_errors: t?.errors,
          total_time_s: t?.total_time_s,
          qps: t?.qps,
          prompt_tps: t?.derived.prompt_tps,
          decode_tps: t?.derived.decode_tps,
          latency_p50_s: t?.latency_s.p50,
          latency_p95_s: t?.latency_s.p95,
          latency_mean_s: t?.latency_s.mean,
          ttft_p50_s: t?.ttft_s.p50,
          ttft_p95_s: t?.ttft_s.p95,
          ttft_answer_p50_s: t?.ttft_answer_s.p50,
          tpot_p50_ms: t?.tpot_ms.p50,
          ms_per_output_token: t?.derived.ms_per_output_token,
          samples: task.samples,
          decision_delta_pp: decision?.deltaPp,
          decision_delta_ci95_low_pp: decision?.ci95Pp?.low,
          decision_delta_ci95_high_pp: decision?.ci95Pp?.high,
          recovery: decision?.recovery?.value,
          recovery_ci95_low: decision?.recovery?.ci95.low,
          recovery_ci95_high: decision?.recovery == null ? undefined : (decision.recovery.ci95.high ?? "inf"),
          margin: delta === undefined ? undefined : margin,
          verdict: decision?.nonInferiority?.verdict,
          items_needed: decision?.nonInferiority?.itemsNeeded,
          decode_speedup: speed?.decodeSpeedup,
          qps_speedup: speed?.qpsSpeedup,
          latency_p50_speedup: speed?.latencyP50Speedup,
          completion_tokens_change: speed?.completionTokens?.change,
          completion_tokens_change_ci95_low: speed?.completionTokens?.ci95?.low,
          completion_tokens_change_ci95_high: speed?.completionTokens?.ci95?.high,
          truncation_change_pp: speed?.truncation == null ? undefined : speed.truncation.change * 100,
          tokens_per_correct: speed?.tokensPerCorrect,
          seconds_per_correct: speed?.secondsPerCorrect,
        };
        rows.push([
          ...CSV_COLUMNS.map((column) => values[column]),
          ...(capacity === undefined
            ? []
            : capacityCsvValues(capacity, row.breakdown === ALL ? score.variant : undefined)),
          ...(!withClientCounts
            ? []
            : throughput === undefined
              ? [undefined, undefined]
              : [throughput.clientCounted?.tokenizer ?? 0, throughput.clientCounted?.chunks ?? 0]),
          ...(divergence === undefined
            ? []
            : divergenceCsvValues(divergence, task.name, row.breakdown === ALL ? score.variant : undefined)),
        ]);
      }
    }
  }
  // Booleans as true/false (csv-stringify's default writes 1 and an empty field); null and undefined as empty fields.
  const columns = [
    ...CSV_COLUMNS,
    ...(capacity === undefined ? [] : CAPACITY_CSV_COLUMNS),
    ...(withClientCounts ? ["client_counted_tokenizer", "client_counted_chunks"] : []),
    ...(divergence === undefined ? [] : DIVERGENCE_CSV_COLUMNS),
  ];
  return stringify(rows, { header: true, columns, cast: { boolean: (value) => String(value) } });
}

/** The verdicts' margin as report.margin spells it: "1pp" or "99%". */
export function marginText(report: ReportData): string {
  const margin = report.decision?.margin ?? { kind: "pp", pp: 1 };
  return margin.kind === "pp" ? `${margin.pp}pp` : `${+(margin.ratio * 100).toFixed(6)}%`;
}
