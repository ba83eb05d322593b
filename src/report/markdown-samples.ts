/** report.md's tables for tasks asked several times per item: the repeats' spread and pass@k. */
import { fixed, NONE, percent } from "./format.ts";
import { legendLines } from "./legend-text.ts";
import { type Column, markdownTable, quote } from "./markdown-table.ts";
import type { PassAtK, ReportData } from "./report-types.ts";

/** Per task with samples > 1 and variant: each repeat's accuracy, mean ± SD over repeats, and agreement. */
export function repeatsTable(report: ReportData): string {
  const sampled = report.tasks.filter((t) => t.samples > 1);
  const columns: Column[] = [
    { header: "Task", align: "left" },
    { header: "Variant", align: "left" },
    { header: "Batch-invariant", align: "left" },
    { header: "Repeats", align: "right" },
    { header: "Items", align: "right" },
    { header: "Accuracy per repeat", align: "left" },
    { header: "Mean ± SD", align: "right" },
    { header: "Agreement", align: "right" },
  ];
  const rows = sampled.flatMap((t) =>
    t.repeats.map((r) => [
      t.name,
      r.variant,
      batchInvariance(report, r.variant),
      String(r.repeats),
      String(r.items),
      r.items === 0 ? NONE : r.accuracies.map((a) => percent(a)).join(", "),
      r.mean === null ? NONE : `${percent(r.mean)} ± ${r.sd === null ? NONE : `${fixed(r.sd * 100, 1)} pp`}`,
      r.agreement === null ? NONE : `${percent(r.agreement)} (${r.agreeingItems}/${r.items})`,
    ]),
  );
  const hot = report.sampling.temperature > 0;
  const legend = legendLines("markdown/repeats", { hot, temperature: report.sampling.temperature });
  return `${markdownTable(columns, rows)}\n\n${quote(legend)}`;
}

/** What the variant's config says about batch-invariant kernels, in words. */
export function batchInvariance(report: ReportData, variant: string): string {
  const recorded = report.variants.find((v) => v.name === variant)?.batchInvariant;
  if (recorded === undefined) return "not recorded";
  return recorded ? "batch-invariant" : "not batch-invariant: temperature-0 output can vary with batching";
}

/** pass@k per task with samples > 1, per variant. */
export function passAtKTable(report: ReportData): string {
  const sampled = report.tasks.filter((t) => t.samples > 1);
  const ks = [...new Set(sampled.flatMap((t) => t.passAtK.flatMap((p) => p.values.map((v) => v.k))))].sort(
    (a, b) => a - b,
  );
  const columns: Column[] = [
    { header: "Task", align: "left" },
    { header: "Variant", align: "left" },
    { header: "Problems", align: "right" },
    { header: "Samples", align: "right" },
    ...ks.map((k): Column => ({ header: `pass@${k}`, align: "right" })),
    { header: "maj@n", align: "right" },
  ];
  const rows = sampled.flatMap((t) =>
    t.passAtK.map((p) => [
      t.name,
      p.variant,
      String(p.problems),
      String(p.samplesPerProblem),
      ...ks.map((k) => {
        const v = p.values.find((x) => x.k === k);
        return v === undefined ? "" : percent(v.value);
      }),
      majorityCell(p.majority),
    ]),
  );
  const legend = legendLines("markdown/pass-at-k");
  return `${markdownTable(columns, rows)}\n\n${quote(legend)}`;
}

/** "61.3%", with the ties settled by first-seen answer and the problems left out, when there are any. */
export function majorityCell(majority: PassAtK["majority"]): string {
  if (majority === undefined) return "";
  const notes = [
    ...(majority.ties > 0 ? [`${majority.ties} tied`] : []),
    ...(majority.inconsistent > 0 ? [`${majority.inconsistent} left out`] : []),
  ];
  return `${percent(majority.value)}${notes.length > 0 ? ` (${notes.join(", ")})` : ""}`;
}
