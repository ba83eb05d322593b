/**
 * The Pareto chart's vega-lite spec: per task and overall, accuracy against decode tokens/s, one point per variant
 * with its interval as a vertical whisker and its name beside it, the reference a grey diamond with a dashed line at
 * its accuracy. Up and to the right is better. charts.ts renders it with the others. Pure.
 */
import {
  LABEL_DX_PX,
  LABEL_DY_PX,
  OVERALL_PANEL,
  PARETO_PANEL,
  type ParetoPanel,
  paretoPanels,
} from "./chart-pareto-data.ts";
import type { ReportData } from "./report-types.ts";

export interface ParetoChartSpec {
  title: string;
  subtitle: string[];
  spec: object;
}

export function paretoSpec(
  report: ReportData,
  colors: { domain: string[]; range: string[] },
  maxRowWidth: number,
): ParetoChartSpec {
  const panels = paretoPanels(report);
  const hasOverall = panels.some((p) => p.name === OVERALL_PANEL);
  // Short lines: the title block sets the SVG's width when there are only one or two panels.
  const subtitle = [
    "point = accuracy (correct / graded, sample 0 of each item) against decode tok/s",
    `(completion tokens / wall time of the same requests, ${report.concurrency} in flight per variant)`,
    "whisker = Wilson 95% score interval; n in each panel's title",
    ...(hasOverall
      ? [
          "overall = macro mean of the task accuracies, with no whisker: no interval is computed for it;",
          "its tok/s = completion tokens summed over tasks / their wall time summed",
        ]
      : []),
    `diamond and dashed line = ${report.reference} (the reference); up and to the right is better`,
  ];
  const columns = Math.max(1, Math.floor(maxRowWidth / ((panels[0]?.width ?? 250) + 90)));
  return {
    title: "Accuracy against decode speed per task and overall (Pareto view)",
    subtitle,
    spec:
      panels.length === 0
        ? {
            width: 250,
            height: 40,
            // A text mark draws once per datum: one datum, or the note would not appear at all.
            data: { values: [{ note: "nothing to plot: no variant has both a graded item and a reply" }] },
            mark: { type: "text", align: "left", color: "#888", fontStyle: "italic" },
            encoding: { text: { field: "note" }, x: { value: 0 }, y: { value: 20 } },
          }
        : {
            concat: panels.map((p) => panelSpec(p, colors)),
            columns,
            resolve: { scale: { x: "independent", y: "independent" } },
          },
  };
}

function panelSpec(panel: ParetoPanel, colors: { domain: string[]; range: string[] }): object {
  const x = {
    field: "decodeTps",
    type: "quantitative",
    scale: { domain: panel.xDomain, nice: false, zero: true },
    title: "decode tok/s",
  } as const;
  const y = (field: string) =>
    ({
      field,
      type: "quantitative",
      scale: { domain: panel.yDomain, nice: false, zero: false },
      title: "accuracy (%)",
    }) as const;
  const color = {
    field: "variantLabel",
    type: "nominal",
    scale: { domain: colors.domain, range: colors.range },
    legend: null,
  } as const;
  return {
    width: panel.width,
    height: PARETO_PANEL.height,
    title: {
      text: `${panel.name} (${panel.nText})`,
      fontSize: 12,
      ...(panel.missing.length > 0 ? { subtitle: `not drawn: ${panel.missing.join("; ")}`, subtitleFontSize: 10 } : {}),
    },
    data: { values: panel.points },
    layer: [
      {
        transform: [{ filter: "datum.role == 'reference'" }],
        mark: { type: "rule", color: "#8a8a8a", strokeDash: [4, 3], aria: false },
        encoding: { y: y("accuracy") },
      },
      {
        transform: [{ filter: "datum.low != null" }],
        mark: { type: "rule", strokeWidth: 1.5, aria: false },
        encoding: { x, y: y("low"), y2: { field: "high" }, color },
      },
      {
        mark: { type: "point", filled: true, size: 70, opacity: 1 },
        encoding: {
          x,
          y: y("accuracy"),
          color,
          shape: {
            field: "role",
            type: "nominal",
            scale: { domain: ["reference", "variant"], range: ["diamond", "circle"] },
            legend: null,
          },
          description: { field: "description" },
        },
      },
      {
        mark: {
          type: "text",
          align: "left",
          baseline: "bottom",
          dx: LABEL_DX_PX,
          dy: -LABEL_DY_PX,
          fontSize: PARETO_PANEL.labelFontSize,
          aria: false,
        },
        encoding: { x, y: y("labelAccuracy"), text: { field: "variantLabel" }, color },
      },
    ],
  };
}
