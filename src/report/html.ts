/**
 * ReportData + journal records + charts → index.html: one self-contained file (inline CSS, script and SVG; it
 * loads nothing and its CSP forbids the network), readable offline from file://. It holds what report.md holds,
 * with filters by task and variant, the charts, and every flipped item with both replies. Every text from a journal
 * or config is escaped (html-escape.ts): a model reply is hostile input. Pure.
 */
import { createHash } from "node:crypto";
import type { JournalRecord } from "../journal/index.ts";
import type { Chart } from "./charts.ts";
import { clientCountedNotes } from "./client-counts.ts";
import { fixed, integer, NONE, percent, perSecond, scoringCell } from "./format.ts";
import { PAGE_SCRIPT, PAGE_STYLE } from "./html-assets.ts";
import { capacityTable } from "./html-capacity.ts";
import { chartsSection, paretoSection } from "./html-charts.ts";
import { deltaTable } from "./html-delta.ts";
import { divergenceSections } from "./html-divergence.ts";
import { escapeHtml } from "./html-escape.ts";
import { filterAttributes, flipsSection, indexOutcomes } from "./html-flips.ts";
import { problemRatesSection } from "./html-problems.ts";
import { type Cell, type Header, legend, type Row, table } from "./html-table.ts";
import { verdictsSection } from "./html-verdicts.ts";
import { legendLines } from "./legend-text.ts";
import { OVERALL_LABEL } from "./markdown-accuracy.ts";
import { contextCell, engineCell } from "./markdown-run.ts";
import { majorityCell } from "./markdown-samples.ts";
import { clientCountedIn, SPEED_COLUMNS, speedCells, speedClientNote, speedLegend } from "./markdown-speed.ts";
import { markClientCounted, markWarned, throughputCells, throughputWarnings } from "./markdown-throughput.ts";
import { ALL, type ReportData, type Score, type TaskReport } from "./report-types.ts";

export function renderHtml(report: ReportData, records: readonly JournalRecord[], charts: readonly Chart[]): string {
  const scriptHash = createHash("sha256").update(PAGE_SCRIPT).digest("base64");
  // Inline styles only (vega's SVG uses style attributes too); the one script by its hash; nothing fetched.
  const csp = `default-src 'none'; script-src 'sha256-${scriptHash}'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'`;
  // The page opens with what the ship decision rests on: the verdicts, then accuracy against speed.
  const sections: [string, string, string][] = [
    ["verdicts", `Verdicts: non-inferior to ${report.reference}?`, verdictsSection(report)],
    ["pareto", "Accuracy against decode speed", paretoSection(report, charts)],
    ["accuracy", "Accuracy", accuracyTable(report)],
    ["delta", `Delta vs reference (${report.reference})`, deltaTable(report)],
    ["counts", "Counts", countsTable(report)],
    ...(report.errors.length > 0 ? [["errors", "Errors", errorsTable(report)] as [string, string, string]] : []),
    ["throughput", "Throughput", throughputTable(report)],
    ...(report.variants.length > 1
      ? [["speed", `Speed × accuracy (vs ${report.reference})`, speedTable(report)] as [string, string, string]]
      : []),
    ...(report.capacity === undefined
      ? []
      : [
          [
            "capacity",
            `Capacity at SLO (vs ${report.reference})`,
            capacityTable(report.capacity, report.reference),
          ] as [string, string, string],
        ]),
    ...(report.serving.length > 0
      ? [["serving", "Server start-up (with / without load time)", servingTable(report)] as [string, string, string]]
      : []),
    ...(report.tasks.some((t) => t.problemRates !== undefined)
      ? [
          ["main-problems", "Main problems (all sub-steps passed)", problemRatesSection(report)] as [
            string,
            string,
            string,
          ],
        ]
      : []),
    ...(report.tasks.some((t) => t.samples > 1)
      ? [["pass-at-k", "pass@k (several samples per item)", passAtKTable(report)] as [string, string, string]]
      : []),
    ...(report.tasks.some((t) => t.samples > 1)
      ? [["repeats", "Repeats (noise floor)", repeatsTable(report)] as [string, string, string]]
      : []),
    ...divergenceSections(report),
    ["charts", "Charts", chartsSection(charts)],
    ["flips", `Flipped items (${report.flips.length})`, flipsSection(report, indexOutcomes(records))],
    ["tasks", "Tasks and data", tasksTable(report)],
  ];
  return [
    "<!doctype html>",
    `<html lang="en"><head><meta charset="utf-8">`,
    `<meta http-equiv="Content-Security-Policy" content="${csp}">`,
    `<meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<title>quanteval report: ${escapeHtml(report.runId)}</title>`,
    `<style>${PAGE_STYLE}</style>`,
    `</head><body><main>`,
    header(report),
    filters(report),
    ...sections.map(([id, title, body]) => `<section id="${id}"><h2>${escapeHtml(title)}</h2>\n${body}\n</section>`),
    incompleteVariants(report),
    `</main><script>${PAGE_SCRIPT}</script></body></html>`,
    "",
  ].join("\n");
}

function header(report: ReportData): string {
  const { sampling } = report;
  const samplingText = [
    `temperature ${sampling.temperature}`,
    sampling.maxTokens !== undefined ? `max_tokens ${sampling.maxTokens}` : "max_tokens per task (see Tasks and data)",
    ...(sampling.topP !== undefined ? [`top_p ${sampling.topP}`] : []),
    ...(sampling.seed !== undefined ? [`seed ${sampling.seed}`] : []),
  ].join(", ");
  const facts: [string, string][] = [
    ["Run", `<code>${escapeHtml(report.runId)}</code>`],
    ["Reference", `<b>${escapeHtml(report.reference)}</b> (deltas are measured against it)`],
    ["Sampling", escapeHtml(samplingText)],
    [
      "Concurrency",
      `${report.concurrency} requests in flight per variant, ${report.stream ? "streaming" : "not streaming (no TTFT)"}`,
    ],
  ];
  const withEngine = report.variants.some((v) => v.engine !== undefined);
  const variants = table(
    ["Variant", "Model", "Endpoint", ...(withEngine ? ["Engine"] : []), "Status", "Context"],
    report.variants.map((v) => ({
      attributes: filterAttributes(undefined, v.name),
      cells: [
        escapeHtml(v.isReference ? `${v.name} (ref)` : v.name),
        `<code>${escapeHtml(v.model)}</code>`,
        escapeHtml(v.endpoint),
        ...(withEngine ? [escapeHtml(engineCell(v.engine))] : []),
        escapeHtml(v.status + (v.error !== undefined ? `: ${v.error}` : "")),
        escapeHtml(contextCell(v.contextLength)),
      ],
    })),
  );
  return `<header><h1>quanteval report: ${escapeHtml(report.runId)}</h1>\n<dl class="run">${facts.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join("")}</dl>\n${variants}</header>`;
}

function filters(report: ReportData): string {
  const box = (kind: "task" | "variant", value: string, label: string) =>
    `<label><input type="checkbox" data-filter="${kind}" value="${escapeHtml(value)}" checked> ${escapeHtml(label)}</label>`;
  return [
    `<nav class="filters" aria-label="Filters">`,
    `<fieldset><legend>Tasks</legend>${report.tasks.map((t) => box("task", t.name, t.name)).join("")}</fieldset>`,
    `<fieldset><legend>Variants</legend>${report.variants.map((v) => box("variant", v.name, v.isReference ? `${v.name} (ref)` : v.name)).join("")}</fieldset>`,
    `<label><input type="checkbox" id="show-breakdowns" checked> breakdown rows</label>`,
    `<span class="note">Filters apply to the tables and flipped items; the charts show every task and variant.</span>`,
    `</nav>`,
  ].join("\n");
}

function accuracyTable(report: ReportData): string {
  // Cells carry their variant so the variant filter hides a column; rows carry their task.
  const byVariant = (html: string, i: number): Cell => ({
    html,
    attributes: filterAttributes(undefined, report.variants[i]?.name),
  });
  const headers: Header[] = [
    "Task",
    ...report.variants.map((v) => ({
      html: escapeHtml(v.isReference ? `${v.name} (ref)` : v.name),
      attributes: filterAttributes(undefined, v.name),
      numeric: true,
    })),
  ];
  const cell = (task: TaskReport, s: Score) => {
    if (task.unavailable !== undefined && s.graded === 0 && s.errors === 0) return "N/A";
    if (s.accuracy === null || s.ci95 === null) return `${NONE} <span class="ci">(0 graded)</span>`;
    return `${percent(s.accuracy)} <span class="ci">(${s.correct}/${s.graded}) [${fixed(s.ci95.low * 100, 1)}–${fixed(s.ci95.high * 100, 1)}]</span>`;
  };
  const rows: Row[] = report.tasks.flatMap((task) =>
    task.rows.map(
      (row): Row => ({
        attributes: filterAttributes(task.name, undefined),
        ...(row.breakdown === ALL ? {} : { className: "breakdown" }),
        cells: [escapeHtml(row.label), ...row.scores.map((s, i) => byVariant(cell(task, s), i))],
      }),
    ),
  );
  rows.push({
    className: "overall",
    cells: [
      OVERALL_LABEL,
      ...report.overall.map((o, i) =>
        byVariant(
          o.tasksScored < report.tasks.length && o.macroAccuracy !== null
            ? `${percent(o.macroAccuracy)} <span class="ci">(${o.tasksScored} of ${report.tasks.length} tasks)</span>`
            : percent(o.macroAccuracy),
          i,
        ),
      ),
    ],
  });
  return `${table(headers, rows)}\n${legend(legendLines("html/accuracy"))}`;
}

function countsTable(report: ReportData): string {
  const rows: Row[] = report.tasks.flatMap((task) =>
    (task.rows[0]?.scores ?? []).map(
      (s): Row => ({
        attributes: filterAttributes(task.name, s.variant),
        cells: [
          escapeHtml(task.name),
          escapeHtml(s.variant),
          ...[s.n, s.graded, s.correct, s.unanswered, s.truncated, s.capped, s.errors, s.missing].map(String),
        ],
      }),
    ),
  );
  return `${table(["Task", "Variant", "#n", "#graded", "#correct", "#unanswered", "#truncated", "#capped", "#errors", "#missing"], rows)}\n${legend(legendLines("html/counts", { "run-id": report.runId }))}`;
}

function errorsTable(report: ReportData): string {
  const rows: Row[] = report.errors.map(
    (e): Row => ({
      attributes: filterAttributes(e.task, e.variant),
      cells: [
        escapeHtml(e.variant),
        escapeHtml(e.task),
        String(e.count),
        escapeHtml(`${e.code}${e.status !== undefined ? ` (HTTP ${e.status})` : ""}: ${e.example}`),
      ],
    }),
  );
  return `${table(["Variant", "Task", "#items", "Error"], rows)}\n${legend(legendLines("errors"))}`;
}

/** report.md's speed × accuracy tables as one: a row per task and variant, then the overall rows. */
function speedTable(report: ReportData): string {
  const rows: Row[] = [
    ...report.tasks
      .filter((task) => task.throughput.some((t) => t.summary.ok > 0))
      .flatMap((task) =>
        task.speed.map(
          (s): Row => ({
            attributes: filterAttributes(task.name, s.variant),
            cells: [
              escapeHtml(task.name),
              ...speedCells(s, clientCountedIn([task], s.variant, report.reference)).map(escapeHtml),
            ],
          }),
        ),
      ),
    ...report.speed.map(
      (s): Row => ({
        cells: [
          "Overall",
          ...speedCells(s, clientCountedIn(report.tasks, s.variant, report.reference)).map(escapeHtml),
        ],
      }),
    ),
  ];
  const headers = ["Task", ...SPEED_COLUMNS.map((c) => (c.align === "right" ? `#${c.header}` : c.header))];
  const note = speedClientNote(report);
  const noteHtml = note === undefined ? "" : `<p class="client-counted">${escapeHtml(note)}</p>\n`;
  return `${table(headers, rows)}\n${noteHtml}${legend(speedLegend(report))}`;
}

function throughputTable(report: ReportData): string {
  const rows: Row[] = report.tasks.flatMap((task) =>
    task.throughput.map(
      ({ variant, summary: t, checks, clientCounted }): Row => ({
        attributes: filterAttributes(task.name, variant),
        cells: [
          escapeHtml(task.name),
          escapeHtml(variant),
          ...markClientCounted(markWarned(throughputCells(t), checks), clientCounted),
        ],
      }),
    ),
  );
  return `${table(
    [
      "Task",
      "Variant",
      "#requests",
      "#ok",
      "#errors",
      "#QPS",
      "#prompt tok/s",
      "#decode tok/s",
      "#latency p50 s",
      "#latency p95 s",
      "#latency mean s",
      "#TTFT p50 s",
      "#TTFT p95 s",
      "#ms/output token",
    ],
    rows,
  )}\n${throughputWarnings(report)
    .map((w) => `<p class="warning">${escapeHtml(w)}</p>\n`)
    .join("")}${clientCountedNotes(report)
    .map((note) => `<p class="client-counted">${escapeHtml(note)}</p>\n`)
    .join("")}${legend(legendLines("html/throughput", { concurrency: report.concurrency }))}`;
}

function servingTable(report: ReportData): string {
  const rows: Row[] = report.serving.map(
    (s): Row => ({
      attributes: filterAttributes(undefined, s.variant),
      cells: [
        escapeHtml(s.variant),
        String(s.starts),
        fixed(s.startupSec, 1),
        fixed(s.servingSec, 1),
        fixed(s.servingSec + s.startupSec, 1),
        integer(s.completionTokens),
        perSecond(s.decodeTps),
        perSecond(s.decodeTpsWithStartup),
      ],
    }),
  );
  return `${table(["Variant", "#starts", "#start-up s", "#serving s", "#serving + start-up s", "#completion tokens", "#decode tok/s", "#decode tok/s with start-up"], rows)}\n${legend(legendLines("serving"))}`;
}

function passAtKTable(report: ReportData): string {
  const sampled = report.tasks.filter((t) => t.samples > 1);
  const ks = [...new Set(sampled.flatMap((t) => t.passAtK.flatMap((p) => p.values.map((v) => v.k))))].sort(
    (a, b) => a - b,
  );
  const rows: Row[] = sampled.flatMap((t) =>
    t.passAtK.map(
      (p): Row => ({
        attributes: filterAttributes(t.name, p.variant),
        cells: [
          escapeHtml(t.name),
          escapeHtml(p.variant),
          String(p.problems),
          String(p.samplesPerProblem),
          ...ks.map((k) => {
            const v = p.values.find((x) => x.k === k);
            return v === undefined ? "" : percent(v.value);
          }),
          escapeHtml(majorityCell(p.majority)),
        ],
      }),
    ),
  );
  return `${table(["Task", "Variant", "#Problems", "#Samples", ...ks.map((k) => `#pass@${k}`), "maj@n"], rows)}\n${legend(legendLines("html/pass-at-k"))}`;
}

/** Per task with several samples per item: each repeat's accuracy, mean ± SD and per-item agreement. */
function repeatsTable(report: ReportData): string {
  const sampled = report.tasks.filter((t) => t.samples > 1);
  const rows: Row[] = sampled.flatMap((t) =>
    t.repeats.map(
      (r): Row => ({
        attributes: filterAttributes(t.name, r.variant),
        cells: [
          escapeHtml(t.name),
          escapeHtml(r.variant),
          String(r.items),
          escapeHtml(r.accuracies.map((a) => percent(a)).join(" · ")),
          r.mean === null ? "—" : `${percent(r.mean)}${r.sd === null ? "" : ` ± ${(100 * r.sd).toFixed(1)} pp`}`,
          r.agreement === null ? "—" : `${percent(r.agreement)} (${r.agreeingItems}/${r.items})`,
        ],
      }),
    ),
  );
  return `${table(["Task", "Variant", "#Items", "Accuracy per repeat", "Mean ± SD", "Agreement"], rows)}\n${legend(legendLines("html/repeats"))}`;
}

function tasksTable(report: ReportData): string {
  const rows: Row[] = report.tasks.map(
    (t): Row => ({
      attributes: filterAttributes(t.name, undefined),
      cells: [
        escapeHtml(t.name),
        String(t.itemCount),
        t.maxTokens !== undefined ? String(t.maxTokens) : NONE,
        escapeHtml(scoringCell(t)),
        escapeHtml(
          t.files
            .map(
              (f) =>
                `${f.dataset !== undefined ? `${f.dataset}@${(f.revision ?? "").slice(0, 7)} ` : ""}${f.path} ${f.sha256.slice(0, 12)}`,
            )
            .join("; ") || NONE,
        ),
        escapeHtml(
          [
            ...(t.unavailable !== undefined ? [`N/A: ${t.unavailable.message}. Fix: ${t.unavailable.hint}`] : []),
            ...t.notices,
          ].join("; "),
        ),
      ],
    }),
  );
  const headers = ["Task", "#n", "#max_tokens", "Scoring", "Data (dataset@revision file sha256)", "Notes"];
  return `${table(headers, rows)}\n${legend(legendLines("html/tasks"))}`;
}

function incompleteVariants(report: ReportData): string {
  const items = report.variants.flatMap((v) => {
    if (v.status === "failed")
      return [`<li><b>${escapeHtml(v.name)}</b> failed: ${escapeHtml(v.error ?? "no error recorded")}</li>`];
    if (v.status === "pending")
      return [
        `<li><b>${escapeHtml(v.name)}</b> did not finish (interrupted or not run yet)${v.error !== undefined ? `: ${escapeHtml(v.error)}` : ""}</li>`,
      ];
    return [];
  });
  if (items.length === 0) return "";
  return (
    `<section id="incomplete"><h2>Variants not complete</h2><ul>${items.join("")}</ul>` +
    `<p>Their tables count only what was recorded; <code>quanteval run --resume ${escapeHtml(report.runId)}</code> asks the missing items.</p></section>`
  );
}
