/**
 * The charts of index.html: the Pareto view near the top, beside the verdicts, and the others in their own
 * section, each inline SVG in a figure whose caption names the chart's files. Pure.
 */
import { OVERALL_PANEL, paretoPanels } from "./chart-pareto-data.ts";
import type { Chart } from "./charts.ts";
import { escapeHtml } from "./html-escape.ts";
import { legendLines } from "./legend-text.ts";
import type { ReportData } from "./report-types.ts";

const PARETO = "pareto";

/** Every chart but the Pareto view, which paretoSection shows. */
export function chartsSection(charts: readonly Chart[]): string {
  const shown = charts.filter((c) => c.name !== PARETO);
  if (shown.length === 0) return '<p class="missing">No charts were rendered.</p>';
  return shown.map((c) => figure(c, escapeHtml(c.title))).join("\n");
}

/** The Pareto chart with a caption that gives n per panel and the interval method (legends/html/pareto.md). */
export function paretoSection(report: ReportData, charts: readonly Chart[]): string {
  const chart = charts.find((c) => c.name === PARETO);
  if (chart === undefined) return '<p class="missing">The Pareto chart was not rendered.</p>';
  const panels = paretoPanels(report);
  const lines = legendLines("html/pareto", {
    reference: report.reference,
    concurrency: report.concurrency,
    n: panels.length === 0 ? "nothing to plot" : panels.map((p) => `${p.name}, ${p.nText}`).join("; "),
    overall: panels.some((p) => p.name === OVERALL_PANEL),
  });
  return figure(chart, [`${chart.title}.`, ...lines].map(escapeHtml).join(" "));
}

/** A chart at 1.2× its drawn size (its 11 px text then matches the page's), never wider than the page. */
function figure(c: Chart, captionHtml: string): string {
  const width = Number(/^<svg[^>]*?\swidth="(\d+(?:\.\d+)?)"/.exec(c.svg)?.[1] ?? "0");
  const style = width > 0 ? ` style="width: ${Math.round(width * 1.2)}px"` : "";
  return (
    `<figure id="chart-${escapeHtml(c.name)}"><div class="chart"${style}>${c.svg}</div>` +
    `<figcaption>${captionHtml} (charts/${escapeHtml(c.name)}.svg, .png)</figcaption></figure>`
  );
}
