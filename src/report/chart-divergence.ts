/**
 * The divergence chart's vega-lite spec (issue 18): per task, every paired item's mean KL(reference ‖ variant),
 * the items of each variant sorted by it (a line per variant, a quantile plot), the flipped items drawn over it as
 * triangles: down for lost, up for gained. Do the items that flipped sit at the high end? charts.ts renders it with
 * the others. Pure.
 */
import { variantColors, variantLabel } from "./chart-data.ts";
import type { DivergencePoint } from "./divergence-report.ts";
import { fixed } from "./format.ts";
import type { ReportData } from "./report-types.ts";

const PANEL_WIDTH = 300;
const PANEL_HEIGHT = 220;
/** Up to this many items in a panel, each is drawn as a dot too; past it the line alone shows them. */
const DOTS_UP_TO = 400;
const FLIP_LABELS = { lost: "lost (ref right)", gained: "gained (ref wrong)" } as const;

export interface DivergenceChartSpec {
  title: string;
  subtitle: string[];
  spec: object;
}

/** Null when no item is paired: then there is nothing to draw and no chart. */
export function divergenceSpec(
  report: ReportData,
  points: readonly DivergencePoint[],
  maxRowWidth: number,
): DivergenceChartSpec | null {
  if (points.length === 0) return null;
  const colors = variantColors(report);
  const others = colors.domain.flatMap((label, i) =>
    label === variantLabel(report, report.reference) ? [] : [{ label, color: colors.range[i] ?? "#4c78a8" }],
  );
  const tasks = report.tasks.map((t) => t.name).filter((task) => points.some((p) => p.task === task));
  const counts = report.divergence?.rows
    .filter((r) => r.n > 0)
    .map((r) => `${r.task} ${r.variant} ${r.n}`)
    .join(", ");
  const panels = tasks.map((task) => {
    const values = points
      .filter((p) => p.task === task)
      .map((p) => ({
        variantLabel: variantLabel(report, p.variant),
        rankPct: p.rank * 100,
        meanKl: p.meanKl,
        flip: p.flip === null ? null : FLIP_LABELS[p.flip],
        description:
          `${task}, ${p.variant}, item ${p.itemId}: mean KL ${fixed(p.meanKl, 4)} nats` +
          (p.flip === null ? "" : `, ${FLIP_LABELS[p.flip]}`),
      }));
    return {
      width: PANEL_WIDTH,
      height: PANEL_HEIGHT,
      title: { text: task, fontSize: 12 },
      data: { values },
      encoding: {
        x: {
          field: "rankPct",
          type: "quantitative",
          title: "items sorted by mean KL (%)",
          scale: { domain: [0, 100] },
        },
        y: { field: "meanKl", type: "quantitative", title: "mean KL per item (nats)" },
        color: {
          field: "variantLabel",
          type: "nominal",
          scale: { domain: others.map((o) => o.label), range: others.map((o) => o.color) },
          legend: { title: "variant", orient: "top" },
        },
      },
      layer: [
        { mark: { type: "line", strokeWidth: 1.5, aria: false } },
        ...(values.length <= DOTS_UP_TO
          ? [{ mark: { type: "point", filled: true, size: 16 }, encoding: { description: { field: "description" } } }]
          : []),
        {
          transform: [{ filter: "datum.flip != null" }],
          mark: { type: "point", filled: true, size: 90, stroke: "#111", strokeWidth: 1, opacity: 1 },
          encoding: {
            shape: {
              field: "flip",
              type: "nominal",
              scale: { domain: Object.values(FLIP_LABELS), range: ["triangle-down", "triangle-up"] },
              legend: { title: "flipped", orient: "top" },
            },
            description: { field: "description" },
          },
        },
      ],
    };
  });
  return {
    title: `Per-item mean KL vs ${report.reference} under teacher forcing, flipped items marked`,
    subtitle: [
      `y = an item's mean over its reply positions of KL(${report.reference} || variant), in nats: a lower bound`,
      "over the top-k both servers listed plus the rest of the mass as one bucket",
      "x = the item's rank among its variant's items (0% lowest KL); triangles = verdict flipped vs the reference",
      `items per task and variant: ${counts}`,
    ],
    spec: {
      concat: panels,
      columns: Math.max(1, Math.floor(maxRowWidth / (PANEL_WIDTH + 90))),
      resolve: { scale: { y: "independent" } },
    },
  };
}
