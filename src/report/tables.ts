/**
 * ReportData → report.md, the terminal score table, scores.csv and scores.json. Every table carries a legend that
 * says what each number is, its n and how it was computed: a statistic without its method is not a result.
 * report.md: header, accuracy, deltas (bootstrap interval, McNemar, MDE, reading), what this n can show, repeats,
 * counts, throughput, pass@k, tasks and data, incomplete variants, and last the flipped items linked to index.html.
 */
import { mdeFloor } from "../metrics/power.ts";
import { type ContextLength, describeSource } from "../runner/context-length.ts";
import {
  NONE, SCORING_LEGEND, deltaCell, fixed, integer, mdeCell, pValue, perSecond, percent, qps, scoreCell, scoringCell,
  seconds,
} from "./format.ts";
import { type Column, markdownTable } from "./markdown-table.ts";
import { ALL, type Delta, type Flip, type ReportData, type ScoreRow, type TaskReport } from "./report-types.ts";
import { deltaReading } from "./delta-reading.ts";

const OVERALL_LABEL = "Overall (macro mean over tasks)";
/** Marks breakdown rows under their task row. GitHub trims leading spaces in a cell, so the indent is a glyph. */
const BREAKDOWN_MARK = "└ ";

export function renderMarkdown(report: ReportData): string {
  const sections = [
    header(report),
    `## Accuracy\n\n${renderScoreTable(report)}`,
    `## Delta vs reference (${report.reference})\n\n${deltaTable(report)}`,
    ...(report.variants.length > 1 ? [`## What this n can show\n\n${detectableSection(report)}`] : []),
    ...(report.tasks.some((t) => t.samples > 1) ? [`## Repeats (noise floor)\n\n${repeatsTable(report)}`] : []),
    `## Counts\n\n${countsTable(report)}`,
    ...(report.errors.length > 0 ? [`## Errors\n\n${errorsTable(report)}`] : []),
    `## Throughput\n\n${throughputTable(report)}`,
    ...(report.serving.length > 0 ? [`## Server start-up (with / without load time)\n\n${servingTable(report)}`] : []),
    ...(report.tasks.some((t) => t.samples > 1) ? [`## pass@k (several samples per item)\n\n${passAtKTable(report)}`] : []),
    `## Tasks and data\n\n${tasksTable(report)}`,
  ];
  const incomplete = incompleteVariants(report);
  if (incomplete !== "") sections.push(incomplete);
  if (report.variants.length > 1) sections.push(`## Flipped items\n\n${flipsSection(report)}`);
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
    ...officialNote(report),
  ];
  const notApplicable = report.tasks.filter((t) => t.unavailable !== undefined)
    .map((t) => `N/A ${t.name}: error[${t.unavailable?.code}]: ${t.unavailable?.message}. Fix: ${t.unavailable?.hint}.`);
  return `${markdownTable(columns, rows)}\n\n${quote(legend)}${notApplicable.length > 0 ? `\n\n${notApplicable.join("\n")}` : ""}`;
}

/** Which tasks were scored by the benchmark's own extraction: their numbers are not the strict reader's. */
function officialNote(report: ReportData): string[] {
  const official = report.tasks.filter((t) => t.scoring?.mode === "official").map((t) => t.name);
  return official.length === 0 ? [] : [
    `Scored with the benchmark's own extraction (scoring: official): ${official.join(", ")}; see Tasks and data.`,
  ];
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
    { header: "Scoring", align: "left" }, { header: "Data (dataset@revision file sha256)", align: "left" },
    { header: "Notes", align: "left" },
  ];
  const rows = report.tasks.map((t) => [
    t.name, String(t.itemCount), t.maxTokens !== undefined ? String(t.maxTokens) : NONE, scoringCell(t),
    t.files.map((f) => `${f.dataset !== undefined ? `${f.dataset}@${(f.revision ?? "").slice(0, 7)} ` : ""}${f.path} ${f.sha256.slice(0, 12)}`).join("; ") || NONE,
    [...(t.unavailable !== undefined ? [`N/A: ${t.unavailable.message}`] : []), ...t.notices].join("; ") || "",
  ]);
  const legend = [
    "n = items asked per variant. Data = the files the items were read from, with the hub revision and the first 12 hex",
    "digits of each file's sha256 (the manifest has them whole), so a result can be tied to the exact data it scored.",
    ...SCORING_LEGEND,
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
    ...(report.serving.length > 0 ? [`Server start-up (with / without load time):\n\n${servingTable(report)}`] : []),
  ].join("\n\n");
}

export function renderJson(report: ReportData): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

const CSV_COLUMNS = [
  "run_id", "task", "breakdown", "value", "variant", "is_reference",
  "n", "graded", "correct", "unanswered", "truncated", "capped", "errors", "missing", "accuracy", "ci95_low", "ci95_high",
  "paired_n", "delta_pp", "delta_ci95_low_pp", "delta_ci95_high_pp", "ref_right_variant_wrong", "ref_wrong_variant_right", "mcnemar_p",
  "mde_pp",
  "requests", "ok", "request_errors", "total_time_s", "qps", "prompt_tps", "decode_tps",
  "latency_p50_s", "latency_p95_s", "latency_mean_s", "ttft_p50_s", "ttft_p95_s", "ttft_answer_p50_s", "tpot_p50_ms",
  "ms_per_output_token",
] as const;

/**
 * One row per variant × task × breakdown value; the task's own row has breakdown and value "all". Numbers are
 * unrounded, fractions as fractions (accuracy 0.85, not 85.0%); empty = does not apply. Delta columns are empty
 * for the reference, throughput columns for breakdown rows (throughput is per task). delta_ci95_low_pp/high_pp =
 * the paired bootstrap 95% percentile interval of delta_pp (empty when no item flipped); mde_pp = the minimum
 * detectable difference at 80% power, α = 0.05 (Connor 1987), both in percentage points like delta_pp.
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
          n: score.n, graded: score.graded, correct: score.correct, unanswered: score.unanswered, truncated: score.truncated, capped: score.capped,
          errors: score.errors, missing: score.missing, accuracy: score.accuracy, ci95_low: score.ci95?.low, ci95_high: score.ci95?.high,
          paired_n: delta?.paired, delta_pp: delta?.deltaPp, delta_ci95_low_pp: delta?.ci95Pp?.low, delta_ci95_high_pp: delta?.ci95Pp?.high,
          ref_right_variant_wrong: delta?.referenceRightVariantWrong, ref_wrong_variant_right: delta?.referenceWrongVariantRight,
          mcnemar_p: delta?.pValue, mde_pp: delta?.mdePp,
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
    [{ header: "Variant", align: "left" }, { header: "Model", align: "left" }, { header: "Endpoint", align: "left" }, { header: "Status", align: "left" },
      { header: "Batch-invariant", align: "left" }, { header: "Context", align: "left" }],
    report.variants.map((v) => [v.isReference ? `${v.name} (ref)` : v.name, `\`${v.model}\``, v.endpoint, v.status, batchInvariance(report, v.name),
      contextCell(v.contextLength)]),
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

/** "4096 tokens (GET /v1/models max_model_len)": the context max_tokens was fitted to, and where it was read. */
export function contextCell(context: ContextLength | undefined): string {
  return context === undefined ? NONE : `${context.tokens} tokens (${describeSource(context)})`;
}

function deltaTable(report: ReportData, options: { breakdowns: boolean } = { breakdowns: true }): string {
  const columns: Column[] = [
    { header: "Task", align: "left" }, { header: "Variant", align: "left" }, { header: "Paired n", align: "right" },
    { header: "Δ pp [95% CI]", align: "right" }, { header: "↓ ref right, variant wrong", align: "right" },
    { header: "↑ ref wrong, variant right", align: "right" }, { header: "McNemar p", align: "right" },
    { header: "MDE pp", align: "right" }, { header: "Reading", align: "left" },
  ];
  const shown = (row: ScoreRow) => options.breakdowns || row.breakdown === ALL;
  const rows = report.tasks.flatMap((task) => task.rows.filter(shown).flatMap((row) => row.deltas.map((d) => [
    rowLabel(row), d.variant, String(d.paired), deltaCell(d.deltaPp, d.ci95Pp ?? null), String(d.referenceRightVariantWrong),
    String(d.referenceWrongVariantRight), pValue(d.pValue), mdeCell(d.mdePp ?? null, d.mdeBasis ?? null), reading(d, report.significanceLevel),
  ])));
  for (const o of report.overall) {
    if (o.variant === report.reference) continue;
    rows.push([OVERALL_LABEL, o.variant, o.deltaTasks === 0 ? NONE : String(o.deltaPaired), deltaCell(o.macroDeltaPp, o.macroDeltaCi95Pp),
      NONE, NONE, NONE, NONE, overallReading(o.macroDeltaPp, o.macroDeltaCi95Pp, o.deltaTasks)]);
  }
  const alpha = fixed(report.significanceLevel, 2);
  const { resamples, seed } = report.bootstrap;
  const legend = [
    `Paired: each variant is compared with ${report.reference} only on the items both graded (paired n), so an error or`,
    `missing item on either side cannot move the difference. Δ pp = variant accuracy − ${report.reference} accuracy on those`,
    "items, in percentage points. ↓ = items the reference got right and the variant wrong; ↑ = the reverse.",
    `[95% CI] = paired bootstrap percentile interval: the paired items are resampled with replacement (n of n, ${integer(resamples)}`,
    `resamples, seed ${seed}, xoshiro128** generator), Δ is recomputed on each, and the 2.5th and 97.5th percentiles are shown.`,
    "[no flips] = no item's verdict differs, so every resample gives 0 and the bootstrap has no interval to give.",
    "McNemar p = exact two-sided test on the ↓/↑ pairs (binomial, ½): how often a split at least this uneven arises",
    "when both are equally accurate.",
    `MDE pp = minimum detectable difference: the smallest |Δ| this paired n detects with ${fixed(report.mde.power * 100, 0)}% power at α = ${fixed(report.mde.alpha, 2)}`,
    "two-sided, by Connor's (1987) normal approximation for McNemar's test, n = (z₀.₉₇₅·√ψ + z₀.₈·√(ψ − δ²))² / δ², solved",
    "for δ with ψ = the share of paired items that flipped ((↓ + ↑) / paired n). (best case) = fewer items flipped than",
    "that δ would need (or none), so ψ = δ is used: every flip in one direction, the smallest difference n items can show.",
    `Reading: "not distinguishable from noise" when the interval covers 0 and p ≥ ${alpha}; "unlikely to be noise" when it`,
    `excludes 0 and p < ${alpha}; "not established" when the two disagree. They do with few flips nearly all one way: the`,
    "percentile interval excludes 0 from about 4 one-way flips, the exact test only from 6; treat it as not shown.",
    "Overall: the unweighted mean of the task deltas (each task counts once, whatever its n); its interval is a stratified",
    "bootstrap: each resample resamples the items within every task and averages the task deltas. No McNemar test for a",
    "mean over tasks; paired n there is the sum over the tasks.",
    `With many rows some reach p < ${alpha} by chance (about 1 in ${Math.round(1 / report.significanceLevel)} when there is no real difference).`,
  ];
  return `${markdownTable(columns, rows)}\n\n${quote(legend)}`;
}

function reading(delta: Delta, alpha: number): string {
  const a = fixed(alpha, 2);
  switch (delta.reading ?? deltaReading(delta.pValue, delta.ci95Pp ?? null, alpha)) {
    case "nothing-paired": return "nothing paired";
    case "noise": return `not distinguishable from noise at n = ${delta.paired}`;
    case "difference": return `${(delta.deltaPp ?? 0) < 0 ? "lower" : "higher"}, unlikely to be noise (p < ${a}, CI excludes 0)`;
    case "borderline": return (delta.pValue ?? 1) < alpha
      ? `not established at n = ${delta.paired}: p < ${a} but the CI covers 0`
      : `not established at n = ${delta.paired}: the CI excludes 0 but p ≥ ${a}`;
  }
}

function overallReading(deltaPp: number | null, ci: { low: number; high: number } | null, tasks: number): string {
  if (deltaPp === null) return "nothing paired";
  const over = `${tasks} task${tasks === 1 ? "" : "s"}`;
  if (ci === null || (ci.low <= 0 && ci.high >= 0)) return `not distinguishable from noise (CI covers 0; ${over})`;
  return `${deltaPp < 0 ? "lower" : "higher"}, CI excludes 0 (${over}; no test)`;
}

/** One sentence per task: the smallest difference its n can show at 80% power, best case and at the flips seen. */
function detectableSection(report: ReportData): string {
  const power = `${fixed(report.mde.power * 100, 0)}% power`;
  const lines = report.tasks.flatMap((task) => {
    if (task.unavailable !== undefined) return [];
    const row = task.rows[0];
    const floor = mdeFloor(task.itemCount);
    const head = floor === null
      ? `- **${task.name}**, n = ${task.itemCount}: too few items for a paired test to detect any difference at ${power}.`
      : `- **${task.name}**, n = ${task.itemCount}: differences smaller than ~${fixed(floor * 100, 1)} pp cannot be told from noise at ${power}, even if every flipped item went the same way.`;
    const observed = (row?.deltas ?? []).filter((d) => d.mdePp !== undefined && d.mdePp !== null).map((d) => {
      const flipped = d.referenceRightVariantWrong + d.referenceWrongVariantRight;
      return `${d.variant} ~${fixed(d.mdePp ?? null, 1)} pp (${flipped} of ${d.paired} paired items flipped${d.mdeBasis === "floor" ? ": best case" : ""})`;
    });
    return [observed.length === 0 ? head : `${head} At the flips seen: ${observed.join("; ")}.`];
  });
  const legend = [
    `The minimum detectable difference (MDE) at ${power}, α = ${fixed(report.mde.alpha, 2)} two-sided, for a paired comparison by McNemar's test,`,
    "from Connor (1987, Biometrics 43:207–211) solved for the difference: δ = √ψ · (z₀.₉₇₅·√n + z₀.₈·√(n − z₀.₉₇₅² + z₀.₈²)) / (n + z₀.₈²),",
    "ψ = the share of items whose verdict differs. The first figure takes ψ = δ (every flip in one direction), the best",
    "case for n items; the figures per variant take ψ as observed. A smaller true difference can be real and still",
    "not show at this n; quadrupling n halves the MDE. A normal approximation: at small counts the exact test needs more.",
  ];
  return `${lines.join("\n")}\n\n${quote(legend)}`;
}

/** Per task with samples > 1 and variant: each repeat's accuracy, mean ± SD over repeats, and agreement. */
function repeatsTable(report: ReportData): string {
  const sampled = report.tasks.filter((t) => t.samples > 1);
  const columns: Column[] = [
    { header: "Task", align: "left" }, { header: "Variant", align: "left" }, { header: "Batch-invariant", align: "left" },
    { header: "Repeats", align: "right" }, { header: "Items", align: "right" }, { header: "Accuracy per repeat", align: "left" },
    { header: "Mean ± SD", align: "right" }, { header: "Agreement", align: "right" },
  ];
  const rows = sampled.flatMap((t) => t.repeats.map((r) => [
    t.name, r.variant, batchInvariance(report, r.variant), String(r.repeats), String(r.items),
    r.items === 0 ? NONE : r.accuracies.map((a) => percent(a)).join(", "),
    r.mean === null ? NONE : `${percent(r.mean)} ± ${r.sd === null ? NONE : `${fixed(r.sd * 100, 1)} pp`}`,
    r.agreement === null ? NONE : `${percent(r.agreement)} (${r.agreeingItems}/${r.items})`,
  ]));
  const hot = report.sampling.temperature > 0;
  const legend = [
    "A task asked several times per item (taskOptions.<task>.samples = k): repeat i is every item's sample i.",
    hot
      ? `Sampling here is at temperature ${report.sampling.temperature}, so the repeats are random draws: their spread is sampling noise plus run-to-run noise.`
      : "At temperature 0 each repeat is the same run again, so any spread between repeats is run-to-run noise (GPU non-determinism: batching, kernel choice), not precision.",
    "Items = items whose every repeat was graded; each repeat's accuracy = correct / Items, so all repeats score the same items.",
    "Mean ± SD = mean and sample standard deviation (n − 1) of the per-repeat accuracies, SD in percentage points.",
    "Agreement = share of Items whose verdict is the same in every repeat.",
    "Read the precision deltas against this spread: a Δ about the size of the repeats' SD, or within what the items that",
    "disagree between repeats can move, is within run-to-run noise even when a test calls it significant.",
    "Batch-invariant: as the variant's config records it (variants[].batchInvariant): \"batch-invariant\" = vLLM ran",
    "batch-invariant kernels (VLLM_BATCH_INVARIANT=1), so temperature-0 output does not depend on batching.",
  ];
  return `${markdownTable(columns, rows)}\n\n${quote(legend)}`;
}

/** What the variant's config says about batch-invariant kernels, in words. */
export function batchInvariance(report: ReportData, variant: string): string {
  const recorded = report.variants.find((v) => v.name === variant)?.batchInvariant;
  if (recorded === undefined) return "not recorded";
  return recorded ? "batch-invariant" : "not batch-invariant: temperature-0 output can vary with batching";
}

/** At most this many item links per task, variant and direction in the flips section; the rest are in index.html. */
export const FLIPS_SHOWN = 50;

/** The items whose verdict differs from the reference, per task and variant, each linked to its entry in index.html. */
function flipsSection(report: ReportData): string {
  const blocks: string[] = [];
  for (const task of report.tasks) {
    for (const variant of report.variants) {
      if (variant.isReference) continue;
      const mine = report.flips.filter((f) => f.task === task.name && f.variant === variant.name);
      if (mine.length === 0) continue;
      const lost = mine.filter((f) => f.direction === "lost");
      const gained = mine.filter((f) => f.direction === "gained");
      blocks.push([
        `### ${task.name}: ${variant.name} vs ${report.reference}`,
        "",
        `- ↓ lost (ref right, variant wrong), ${lost.length}: ${flipLinks(lost)}`,
        `- ↑ gained (ref wrong, variant right), ${gained.length}: ${flipLinks(gained)}`,
      ].join("\n"));
    }
  }
  const legend = [
    `Items graded by both ${report.reference} and the variant whose verdicts differ (sample 0 of each item), per task and variant;`,
    "their counts are the ↓ and ↑ columns of the task rows above. Each links to the item in index.html (the HTML report",
    `in this folder): question, both replies and grades. At most ${FLIPS_SHOWN} per direction are listed here.`,
  ];
  if (blocks.length === 0) return `No item's verdict differs from ${report.reference}'s.\n\n${quote(legend)}`;
  return `${quote(legend)}\n\n${blocks.join("\n\n")}`;
}

function flipLinks(flips: readonly Flip[]): string {
  if (flips.length === 0) return "none";
  const links = flips.slice(0, FLIPS_SHOWN).map((f) => `[${markdownText(f.itemId)}](index.html#${f.anchor})`);
  const more = flips.length - FLIPS_SHOWN;
  return more > 0 ? `${links.join(", ")} … and ${more} more, see index.html` : links.join(", ");
}

/** An item id as literal Markdown link text: characters that would start emphasis, code, a link or HTML escaped. */
function markdownText(text: string): string {
  return text.replace(/[\\`*_[\]<>]/g, (ch) => `\\${ch}`);
}

function countsTable(report: ReportData): string {
  const columns: Column[] = [
    { header: "Task", align: "left" }, { header: "Variant", align: "left" },
    ...["n", "graded", "correct", "unanswered", "truncated", "capped", "errors", "missing"].map((header): Column => ({ header, align: "right" })),
  ];
  const rows = report.tasks.flatMap((task) => (task.rows[0]?.scores ?? []).map((s) => [
    task.name, s.variant, ...[s.n, s.graded, s.correct, s.unanswered, s.truncated, s.capped, s.errors, s.missing].map(String),
  ]));
  const legend = [
    "n = items the run meant to ask = graded + errors + missing. Correct and unanswered are parts of graded.",
    "Truncated = the reply was cut at max_tokens (finish reason \"length\"); it is still graded.",
    ...CAPPED_LEGEND,
    "Errors = the item's last record is a failure: the request failed after retries, or grading itself failed.",
    "Missing = no verdict yet: never recorded (the run was interrupted, or a variant failed), or replied but not yet graded",
    "(Tasks and data says so): `quanteval run --resume <run-id>` asks the first and grades the second without asking again.",
    "When an item was asked again on resume, its last record counts. scores.csv has these counts per breakdown value too.",
    ...(report.errors.length > 0 ? ["Errors says what each error was."] : []),
  ];
  return `${markdownTable(columns, rows)}\n\n${quote(legend)}`;
}

export const CAPPED_LEGEND: readonly string[] = [
  "Capped = asked with a lower max_tokens than the task's, to fit the server's context length (max_model_len − the prompt's",
  "tokens, counted by the server; contextPolicy fit): a capped reply that ran out of room is counted in truncated too.",
];

export const ERRORS_LEGEND: readonly string[] = [
  "Each row: items of this variant and task whose last record is this error, and the message as the server (or the grader)",
  "gave it; messages that differ only in numbers and ids are one row, and one of them is shown. An error is never counted as a",
  "wrong answer: a request refused for the same reason every time is a setting to fix (the message names it), then resume.",
];

function errorsTable(report: ReportData): string {
  const columns: Column[] = [
    { header: "Variant", align: "left" }, { header: "Task", align: "left" }, { header: "items", align: "right" }, { header: "Error", align: "left" },
  ];
  const rows = report.errors.map((e) => [e.variant, e.task, String(e.count), `${e.code}${e.status !== undefined ? ` (HTTP ${e.status})` : ""}: ${e.example}`]);
  return `${markdownTable(columns, rows)}\n\n${quote(ERRORS_LEGEND)}`;
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

/** Exported for index.html's legend: the same words in both. */
export const SERVING_LEGEND: readonly string[] = [
  "For variants whose server quanteval started (variants[].serve). Start-up = spawning the server → /health and /v1/models answer",
  "(loading weights, compiling, warming caches), summed over the sessions that started it. Serving = the throughput table's wall",
  "time summed over tasks (warm-up requests excluded). decode tok/s = completion tokens / serving time; \"with start-up\" divides",
  "by serving + start-up time, as a report that reloads the engine per run would quote it \"with load time\".",
];

function servingTable(report: ReportData): string {
  const columns: Column[] = [
    { header: "Variant", align: "left" },
    ...["starts", "start-up s", "serving s", "serving + start-up s", "completion tokens", "decode tok/s", "decode tok/s with start-up"]
      .map((header): Column => ({ header, align: "right" })),
  ];
  const rows = report.serving.map((s) => [
    s.variant, String(s.starts), fixed(s.startupSec, 1), fixed(s.servingSec, 1), fixed(s.servingSec + s.startupSec, 1),
    integer(s.completionTokens), perSecond(s.decodeTps), perSecond(s.decodeTpsWithStartup),
  ]);
  return `${markdownTable(columns, rows)}\n\n${quote(SERVING_LEGEND)}`;
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
