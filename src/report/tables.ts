/**
 * ReportData → report.md, the terminal score table, scores.csv and scores.json. Every table carries a legend that
 * says what each number is, its n and how it was computed: a statistic without its method is not a result.
 */
import { NONE, fixed, pValue, perSecond, percent, qps, scoreCell, seconds, signedPp } from "./format.ts";
import { type Column, markdownTable } from "./markdown-table.ts";
import { ALL, type Delta, type ReportData, type ScoreRow, type TaskReport } from "./summary.ts";

const OVERALL_LABEL = "Overall (macro mean over tasks)";
/** Marks breakdown rows under their task row. GitHub trims leading spaces in a cell, so the indent is a glyph. */
const BREAKDOWN_MARK = "└ ";

export function renderMarkdown(report: ReportData): string {
  const sections = [
    header(report),
    `## Accuracy\n\n${renderScoreTable(report)}`,
    `## Delta vs reference (${report.reference})\n\n${deltaTable(report)}`,
    `## Counts\n\n${countsTable(report)}`,
    `## Throughput\n\n${throughputTable(report)}`,
    ...(report.tasks.some((t) => t.samples > 1) ? [`## pass@k (several samples per item)\n\n${passAtKTable(report)}`] : []),
    `## Tasks and data\n\n${tasksTable(report)}`,
  ];
  const incomplete = incompleteVariants(report);
  if (incomplete !== "") sections.push(incomplete);
  return `${sections.join("\n\n")}\n`;
}

/** The accuracy table and its legend: what the CLI prints after a run. */
export function renderScoreTable(report: ReportData): string {
  const columns: Column[] = [
    { header: "Task", align: "left" },
    ...report.variants.map((v): Column => ({ header: v.isReference ? `${v.name} (ref)` : v.name, align: "right" })),
  ];
  const rows = report.tasks.flatMap((task) => task.rows.map((row) => [rowLabel(row), ...row.scores.map((score) => (isNotApplicable(task, score) ? "N/A" : scoreCell(score)))]));
  rows.push([OVERALL_LABEL, ...report.overall.map((o) =>
    o.tasksScored < report.tasks.length && o.macroAccuracy !== null ? `${percent(o.macroAccuracy)} (${o.tasksScored} of ${report.tasks.length} tasks)` : percent(o.macroAccuracy))]);
  const legend = [
    "Each cell: accuracy = correct / graded, then (correct/graded), then the Wilson 95% score interval in brackets.",
    "Graded = items whose reply was graded. Errors (request failed after retries, or grading failed) and missing items",
    "(never recorded, e.g. an interrupted run) are not graded and never counted as wrong; see Counts. Unanswered replies",
    "(no answer could be extracted) are graded and count as not correct.",
    `Rows marked ${BREAKDOWN_MARK.trim()} split the task by an item label; their items are those seen with that label in any variant's journal.`,
    "Overall: the unweighted mean of the task accuracies (macro mean over tasks: each task counts once, whatever its n),",
    "no interval; \"(k of N tasks)\" when a variant has nothing graded in some tasks.",
    `${NONE} = nothing graded. (ref) = the reference variant for deltas.`,
    ...(report.tasks.some((t) => t.unavailable !== undefined) ? ["N/A = the task's data could not be had (see below); it is left out of Overall."] : []),
  ];
  const notApplicable = report.tasks.filter((t) => t.unavailable !== undefined)
    .map((t) => `N/A ${t.name}: error[${t.unavailable?.code}]: ${t.unavailable?.message}. Fix: ${t.unavailable?.hint}.`);
  return `${markdownTable(columns, rows)}\n\n${quote(legend)}${notApplicable.length > 0 ? `\n\n${notApplicable.join("\n")}` : ""}`;
}

/** A task whose data was N/A and that this variant has nothing for (an earlier session may have graded some). */
function isNotApplicable(task: TaskReport, score: { graded: number; errors: number }): boolean {
  return task.unavailable !== undefined && score.graded === 0 && score.errors === 0;
}

/** pass@k per task with samples > 1, per variant. */
function passAtKTable(report: ReportData): string {
  const sampled = report.tasks.filter((t) => t.samples > 1);
  const ks = [...new Set(sampled.flatMap((t) => t.passAtK.flatMap((p) => p.values.map((v) => v.k))))].sort((a, b) => a - b);
  const columns: Column[] = [
    { header: "Task", align: "left" }, { header: "Variant", align: "left" }, { header: "Problems", align: "right" }, { header: "Samples", align: "right" },
    ...ks.map((k): Column => ({ header: `pass@${k}`, align: "right" })),
  ];
  const rows = sampled.flatMap((t) => t.passAtK.map((p) => [
    t.name, p.variant, String(p.problems), String(p.samplesPerProblem),
    ...ks.map((k) => { const v = p.values.find((x) => x.k === k); return v === undefined ? "" : percent(v.value); }),
  ]));
  const legend = [
    "pass@k = the chance that at least one of k samples passes, by the unbiased estimator 1 − C(n−c, k) / C(n, k)",
    "(Chen et al. 2021) with n samples per problem of which c passed, averaged over the problems whose n samples were",
    "all graded (Problems). pass@1 is the mean accuracy over all samples. The tables above use sample 0 of each item",
    "only, so that each variant answers each item once and the paired tests stay valid.",
  ];
  return `${markdownTable(columns, rows)}\n\n${quote(legend)}`;
}

/** Which data each task scored: dataset, revision, file sha256, max_tokens, and what the loader noticed. */
function tasksTable(report: ReportData): string {
  const columns: Column[] = [
    { header: "Task", align: "left" }, { header: "n", align: "right" }, { header: "max_tokens", align: "right" },
    { header: "Data (dataset@revision file sha256)", align: "left" }, { header: "Notes", align: "left" },
  ];
  const rows = report.tasks.map((t) => [
    t.name, String(t.itemCount), t.maxTokens !== undefined ? String(t.maxTokens) : NONE,
    t.files.map((f) => `${f.dataset !== undefined ? `${f.dataset}@${(f.revision ?? "").slice(0, 7)} ` : ""}${f.path} ${f.sha256.slice(0, 12)}`).join("; ") || NONE,
    [...(t.unavailable !== undefined ? [`N/A: ${t.unavailable.message}`] : []), ...t.notices].join("; ") || "",
  ]);
  const legend = [
    "n = items asked per variant. Data = the files the items were read from, with the hub revision and the first 12 hex",
    "digits of each file's sha256 (the manifest has them whole), so a result can be tied to the exact data it scored.",
  ];
  return `${markdownTable(columns, rows)}\n\n${quote(legend)}`;
}

/**
 * What the CLI prints after a run or `report`: the accuracy table, the task-level deltas and the throughput,
 * each with its legend (the per-breakdown deltas and the counts are in report.md).
 */
export function renderTerminalSummary(report: ReportData): string {
  return [
    renderScoreTable(report),
    `Delta vs reference (${report.reference}), task level:\n\n${deltaTable(report, { breakdowns: false })}`,
    `Throughput (from the same requests):\n\n${throughputTable(report)}`,
  ].join("\n\n");
}

export function renderJson(report: ReportData): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

const CSV_COLUMNS = [
  "run_id", "task", "breakdown", "value", "variant", "is_reference",
  "n", "graded", "correct", "unanswered", "truncated", "errors", "missing", "accuracy", "ci95_low", "ci95_high",
  "paired_n", "delta_pp", "ref_right_variant_wrong", "ref_wrong_variant_right", "mcnemar_p",
  "requests", "ok", "request_errors", "total_time_s", "qps", "prompt_tps", "decode_tps",
  "latency_p50_s", "latency_p95_s", "latency_mean_s", "ttft_p50_s", "ttft_p95_s", "ttft_answer_p50_s", "tpot_p50_ms",
  "ms_per_output_token",
] as const;

/**
 * One row per variant × task × breakdown value; the task's own row has breakdown and value "all". Numbers are
 * unrounded, fractions as fractions (accuracy 0.85, not 85.0%); empty = does not apply. Delta columns are empty
 * for the reference, throughput columns for breakdown rows (throughput is per task).
 */
export function renderCsv(report: ReportData): string {
  const lines = [CSV_COLUMNS.join(",")];
  for (const task of report.tasks) {
    for (const row of task.rows) {
      for (const score of row.scores) {
        const delta = row.deltas.find((d) => d.variant === score.variant);
        const t = row.breakdown === ALL ? task.throughput.find((x) => x.variant === score.variant)?.summary : undefined;
        const values: Record<(typeof CSV_COLUMNS)[number], string | number | boolean | null | undefined> = {
          run_id: report.runId, task: task.name, breakdown: row.breakdown, value: row.value, variant: score.variant,
          is_reference: score.variant === report.reference,
          n: score.n, graded: score.graded, correct: score.correct, unanswered: score.unanswered, truncated: score.truncated,
          errors: score.errors, missing: score.missing, accuracy: score.accuracy, ci95_low: score.ci95?.low, ci95_high: score.ci95?.high,
          paired_n: delta?.paired, delta_pp: delta?.deltaPp, ref_right_variant_wrong: delta?.referenceRightVariantWrong,
          ref_wrong_variant_right: delta?.referenceWrongVariantRight, mcnemar_p: delta?.pValue,
          requests: t?.requests, ok: t?.ok, request_errors: t?.errors, total_time_s: t?.total_time_s, qps: t?.qps,
          prompt_tps: t?.derived.prompt_tps, decode_tps: t?.derived.decode_tps, latency_p50_s: t?.latency_s.p50,
          latency_p95_s: t?.latency_s.p95, latency_mean_s: t?.latency_s.mean, ttft_p50_s: t?.ttft_s.p50,
          ttft_p95_s: t?.ttft_s.p95, ttft_answer_p50_s: t?.ttft_answer_s.p50, tpot_p50_ms: t?.tpot_ms.p50,
          ms_per_output_token: t?.derived.ms_per_output_token,
        };
        lines.push(CSV_COLUMNS.map((column) => csvField(values[column])).join(","));
      }
    }
  }
  return `${lines.join("\n")}\n`;
}

function header(report: ReportData): string {
  const { sampling } = report;
  const samplingText = [
    `temperature ${sampling.temperature}`, sampling.maxTokens !== undefined ? `max_tokens ${sampling.maxTokens}` : "max_tokens per task (see Tasks)",
    ...(sampling.topP !== undefined ? [`top_p ${sampling.topP}`] : []),
    ...(sampling.seed !== undefined ? [`seed ${sampling.seed}`] : []),
  ].join(", ");
  const variants = markdownTable(
    [{ header: "Variant", align: "left" }, { header: "Model", align: "left" }, { header: "Endpoint", align: "left" }, { header: "Status", align: "left" }],
    report.variants.map((v) => [v.isReference ? `${v.name} (ref)` : v.name, `\`${v.model}\``, v.endpoint, v.status]),
  );
  return [
    `# quanteval report: ${report.runId}`,
    "",
    `- Run: \`${report.runId}\``,
    `- Reference: **${report.reference}** (deltas are measured against it)`,
    `- Sampling: ${samplingText}`,
    `- Concurrency: ${report.concurrency} requests in flight per variant, ${report.stream ? "streaming" : "not streaming (no TTFT)"}`,
    "",
    variants,
  ].join("\n");
}

function deltaTable(report: ReportData, options: { breakdowns: boolean } = { breakdowns: true }): string {
  const columns: Column[] = [
    { header: "Task", align: "left" }, { header: "Variant", align: "left" }, { header: "Paired n", align: "right" },
    { header: "Δ pp", align: "right" }, { header: "↓ ref right, variant wrong", align: "right" },
    { header: "↑ ref wrong, variant right", align: "right" }, { header: "McNemar p", align: "right" }, { header: "Reading", align: "left" },
  ];
  const shown = (row: ScoreRow) => options.breakdowns || row.breakdown === ALL;
  const rows = report.tasks.flatMap((task) => task.rows.filter(shown).flatMap((row) => row.deltas.map((d) => [
    rowLabel(row), d.variant, String(d.paired), signedPp(d.deltaPp), String(d.referenceRightVariantWrong),
    String(d.referenceWrongVariantRight), pValue(d.pValue), reading(d, report.significanceLevel),
  ])));
  for (const o of report.overall) {
    if (o.variant === report.reference) continue;
    rows.push([OVERALL_LABEL, o.variant, NONE, signedPp(o.macroDeltaPp), NONE, NONE, NONE, "macro mean of the task deltas; no test"]);
  }
  const alpha = fixed(report.significanceLevel, 2);
  const legend = [
    `Paired: each variant is compared with ${report.reference} only on the items both graded (paired n), so an error or`,
    `missing item on either side cannot move the difference. Δ pp = variant accuracy − ${report.reference} accuracy on those`,
    "items, in percentage points. ↓ = items the reference got right and the variant wrong; ↑ = the reverse.",
    "McNemar p = exact two-sided test on the ↓/↑ pairs (binomial, ½): how often a split at least this uneven arises",
    `when both are equally accurate. At p ≥ ${alpha} the difference is not distinguishable from noise at this n.`,
    `With many rows some reach p < ${alpha} by chance (about 1 in ${Math.round(1 / report.significanceLevel)} when there is no real difference).`,
  ];
  return `${markdownTable(columns, rows)}\n\n${quote(legend)}`;
}

function reading(delta: Delta, alpha: number): string {
  if (delta.significant === null) return "nothing paired";
  if (delta.significant) return `unlikely to be noise (p < ${fixed(alpha, 2)})`;
  return "not distinguishable from noise at this n";
}

function countsTable(report: ReportData): string {
  const columns: Column[] = [
    { header: "Task", align: "left" }, { header: "Variant", align: "left" },
    ...["n", "graded", "correct", "unanswered", "truncated", "errors", "missing"].map((header): Column => ({ header, align: "right" })),
  ];
  const rows = report.tasks.flatMap((task) => (task.rows[0]?.scores ?? []).map((s) => [
    task.name, s.variant, ...[s.n, s.graded, s.correct, s.unanswered, s.truncated, s.errors, s.missing].map(String),
  ]));
  const legend = [
    "n = items the run meant to ask = graded + errors + missing. Correct and unanswered are parts of graded.",
    "Truncated = the reply was cut at max_tokens (finish reason \"length\"); it is still graded.",
    "Errors = the item's last record is a failure: the request failed after retries, or grading itself failed.",
    "Missing = never recorded (the run was interrupted, or a variant failed): `quanteval run --resume <run-id>` asks them.",
    "When an item was asked again on resume, its last record counts. scores.csv has these counts per breakdown value too.",
  ];
  return `${markdownTable(columns, rows)}\n\n${quote(legend)}`;
}

function throughputTable(report: ReportData): string {
  const columns: Column[] = [
    { header: "Task", align: "left" }, { header: "Variant", align: "left" },
    ...["requests", "ok", "errors", "QPS", "prompt tok/s", "decode tok/s", "latency p50 s", "latency p95 s", "latency mean s",
      "TTFT p50 s", "TTFT p95 s", "ms/output token"].map((header): Column => ({ header, align: "right" })),
  ];
  const rows = report.tasks.flatMap((task) => task.throughput.map(({ variant, summary: t }) => [
    task.name, variant, String(t.requests), String(t.ok), String(t.errors), qps(t.qps), perSecond(t.derived.prompt_tps),
    perSecond(t.derived.decode_tps), seconds(t.latency_s.p50), seconds(t.latency_s.p95), seconds(t.latency_s.mean),
    seconds(t.ttft_s.p50), seconds(t.ttft_s.p95), fixed(t.derived.ms_per_output_token, 1),
  ]));
  const legend = [
    "These come from the graded requests themselves: every request recorded for the variant and task, including failed",
    "attempts that a resume asked again. Errors count in requests, not in latency.",
    "Wall time = the sum over sessions of (last reply done − first request sent); idle time between a run and its resume",
    `is left out. QPS = ok / wall time. prompt and decode tok/s = server-reported prompt and completion tokens / wall time,`,
    `with ${report.concurrency} requests in flight: aggregate rates, not one request's speed. Latency = sent → last token.`,
    "TTFT = sent → first streamed token, reasoning included (— when not streaming). ms/output token = mean latency /",
    "mean completion tokens × 1000, as bench_openai.py defines it (it includes TTFT). p50/p95 interpolate linearly (numpy's default).",
  ];
  return `${markdownTable(columns, rows)}\n\n${quote(legend)}`;
}

function incompleteVariants(report: ReportData): string {
  const lines = report.variants.flatMap((v) => {
    if (v.status === "failed") return [`- **${v.name}** failed: ${v.error ?? "no error recorded"}`];
    if (v.status === "pending") return [`- **${v.name}** did not finish (interrupted or not run yet)${v.error !== undefined ? `: ${v.error}` : ""}`];
    return [];
  });
  if (lines.length === 0) return "";
  return [
    "## Variants not complete",
    "",
    ...lines,
    "",
    `Their tables above count only what was recorded; \`quanteval run --resume ${report.runId}\` asks the missing items.`,
  ].join("\n");
}

function rowLabel(row: ScoreRow): string {
  return row.breakdown === ALL ? row.label : `${BREAKDOWN_MARK}${row.label}`;
}

function quote(lines: readonly string[]): string {
  return lines.map((line) => `> ${line}`).join("\n");
}

/** RFC 4180: quote a field that holds a comma, quote or line break, doubling its quotes. */
function csvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return "";
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
