/**
 * The Pareto chart's points: per task and overall, one per variant, accuracy with its interval against decode
 * tokens/s from the same requests, and where each point's name goes so that labels do not overlap. Scales are fixed
 * here, not left to vega, because the label positions are worked out in pixels. Pure.
 */

import { variantLabel } from "./chart-data.ts";
import { fixed, percent } from "./format.ts";
import type { ReportData } from "./report-types.ts";
import { estimateTextWidth } from "./text-width.ts";

/** One panel's plot height in px and the name labels' font size; the width depends on how many panels there are. */
export const PARETO_PANEL = { height: 200, labelFontSize: 10 } as const;
/** Plot width by panel count: one or two panels get more room, three or more share a row of about 1100 px. */
const PANEL_WIDTHS = [400, 400, 320, 250] as const;
/** The overall panel's name, in the panel title and the marks' descriptions. */
export const OVERALL_PANEL = "overall";
/** Vertical distance between the middles of two name labels that would otherwise overlap, in px. */
const LABEL_GAP_PX = 12;
/** The label starts this far right of its point, in px (the chart's text mark uses the same dx). */
export const LABEL_DX_PX = 7;
/** The label's baseline sits this far above its anchor, so a dashed line through the point never strikes it out. */
export const LABEL_DY_PX = 2;

export interface ParetoPoint {
  panel: string;
  variant: string;
  variantLabel: string;
  role: "reference" | "variant";
  /** Percent. */
  accuracy: number;
  /** The interval's ends in percent: Wilson 95% for a task; null for overall (no interval exists for a macro mean). */
  low: number | null;
  high: number | null;
  decodeTps: number;
  /** The name label's anchor (it sits just above), in percent: the point's own accuracy, moved to clear other labels. */
  labelAccuracy: number;
  description: string;
}

export interface ParetoPanel {
  name: string;
  /** "n = 40 graded per variant", "n = 3–5 graded", or how many tasks the macro mean covers. */
  nText: string;
  points: ParetoPoint[];
  /** Variants with no point in this panel, each with why ("fp8: none graded"). */
  missing: string[];
  /** Plot area width in px. */
  width: number;
  xDomain: [number, number];
  yDomain: [number, number];
}

/** Panels in report order, overall last (left out when there is one task: it would repeat that task's panel). */
export function paretoPanels(report: ReportData): ParetoPanel[] {
  const role = (variant: string) => (variant === report.reference ? "reference" : "variant");
  const panels = report.tasks.map((task) => {
    const points: Omit<ParetoPoint, "labelAccuracy">[] = [];
    const missing: string[] = [];
    const graded: number[] = [];
    for (const s of task.rows[0]?.scores ?? []) {
      const summary = task.throughput.find((t) => t.variant === s.variant)?.summary;
      if (s.accuracy === null || s.ci95 === null) {
        missing.push(`${s.variant}: ${task.unavailable !== undefined ? "N/A" : "none graded"}`);
        continue;
      }
      if (summary === undefined || summary.ok === 0) {
        missing.push(`${s.variant}: no replies`);
        continue;
      }
      graded.push(s.graded);
      const tps = summary.derived.decode_tps;
      const wilson = `${fixed(s.ci95.low * 100, 1)}–${fixed(s.ci95.high * 100, 1)}`;
      points.push({
        panel: task.name,
        variant: s.variant,
        variantLabel: variantLabel(report, s.variant),
        role: role(s.variant),
        accuracy: s.accuracy * 100,
        low: s.ci95.low * 100,
        high: s.ci95.high * 100,
        decodeTps: tps,
        description: `${task.name}, ${s.variant}: accuracy ${percent(s.accuracy)} (${s.correct}/${s.graded}, Wilson 95% ${wilson}) at ${fixed(tps, 1)} decode tok/s (${summary.ok} replies)`,
      });
    }
    const low = Math.min(...graded);
    const high = Math.max(...graded);
    const nText = low === high ? `n = ${low} graded per variant` : `n = ${low}–${high} graded`;
    return { name: task.name, nText: graded.length === 0 ? "nothing to plot" : nText, points, missing };
  });
  if (report.tasks.length > 1) panels.push(overallPanel(report, role));
  const drawn = panels.filter((p) => p.points.length > 0);
  const width = PANEL_WIDTHS[Math.min(drawn.length, PANEL_WIDTHS.length - 1)] ?? 250;
  return drawn.map((p) => layOut(p, width));
}

/** A panel before its scales are fixed and its labels placed. */
interface RawPanel {
  name: string;
  nText: string;
  points: Omit<ParetoPoint, "labelAccuracy">[];
  missing: string[];
}

/**
 * Macro mean accuracy (no interval exists for it) against decode tok/s pooled over tasks, as report.md's Speed ×
 * accuracy has it (ReportData.speed): completion tokens summed over the tasks ÷ their wall time summed.
 */
function overallPanel(report: ReportData, role: (variant: string) => ParetoPoint["role"]): RawPanel {
  const points: Omit<ParetoPoint, "labelAccuracy">[] = [];
  const missing: string[] = [];
  const tasksScored: { variant: string; tasks: number }[] = [];
  for (const o of report.overall) {
    const speed = report.speed.find((s) => s.variant === o.variant);
    if (o.macroAccuracy === null) {
      missing.push(`${o.variant}: none graded`);
      continue;
    }
    if (speed === undefined || speed.tasks.length === 0 || speed.wallTimeS <= 0) {
      missing.push(`${o.variant}: no replies`);
      continue;
    }
    tasksScored.push({ variant: o.variant, tasks: o.tasksScored });
    points.push({
      panel: OVERALL_PANEL,
      variant: o.variant,
      variantLabel: variantLabel(report, o.variant),
      role: role(o.variant),
      accuracy: o.macroAccuracy * 100,
      low: null,
      high: null,
      decodeTps: speed.decodeTps,
      description: `${OVERALL_PANEL}, ${o.variant}: accuracy ${percent(o.macroAccuracy)} (macro mean over ${o.tasksScored} tasks, no interval) at ${fixed(speed.decodeTps, 1)} decode tok/s (tokens and time summed over ${speed.tasks.join(", ")})`,
    });
  }
  const most = Math.max(0, ...tasksScored.map((t) => t.tasks));
  const fewer = tasksScored.filter((t) => t.tasks < most).map((t) => `; ${t.variant} over ${t.tasks}`);
  const nText = `macro mean over ${most} tasks${fewer.join("")}`;
  return { name: OVERALL_PANEL, nText, points, missing };
}

/** Fixes the scales (x from 0, with room on the right for the last label) and places the name labels. */
function layOut({ name, nText, points, missing }: RawPanel, width: number): ParetoPanel {
  const { height, labelFontSize } = PARETO_PANEL;
  const labelWidth = (p: { variantLabel: string }) => estimateTextWidth(p.variantLabel, labelFontSize);
  const widest = Math.max(0, ...points.map(labelWidth));
  const fastest = Math.max(0, ...points.map((p) => p.decodeTps));
  // The fastest point's label must end inside the plot: x1 − fastest leaves its width plus the offset.
  const xMax = fastest > 0 ? fastest / (1 - Math.min(0.6, (widest + LABEL_DX_PX + 4) / width)) : 1;
  const lows = points.map((p) => p.low ?? p.accuracy);
  const highs = points.map((p) => p.high ?? p.accuracy);
  const bottom = Math.min(100, ...lows);
  const top = Math.max(0, ...highs);
  const pad = Math.max(2, (top - bottom) * 0.1);
  const yDomain: [number, number] = [Math.max(0, bottom - pad), Math.min(100, top + pad)];
  const toPx = (accuracy: number) => height * (1 - (accuracy - yDomain[0]) / (yDomain[1] - yDomain[0]));
  const fromPx = (px: number) => yDomain[0] + (1 - px / height) * (yDomain[1] - yDomain[0]);

  // Top to bottom, each label moves down until it clears every label already placed that it would overlap sideways.
  const placed: { x: number; y: number; w: number }[] = [];
  const labelled = new Map<Omit<ParetoPoint, "labelAccuracy">, number>();
  for (const p of [...points].sort((a, b) => b.accuracy - a.accuracy || a.decodeTps - b.decodeTps)) {
    const box = { x: (width * p.decodeTps) / xMax + LABEL_DX_PX, y: toPx(p.accuracy), w: labelWidth(p) };
    const sideways = placed.filter((q) => box.x < q.x + q.w + 4 && q.x < box.x + box.w + 4);
    for (let moved = true; moved; ) {
      moved = false;
      for (const q of sideways) {
        // The second test ends the loop: q.y + gap − q.y can round below the gap, which moved a label forever.
        if (Math.abs(box.y - q.y) < LABEL_GAP_PX && box.y < q.y + LABEL_GAP_PX) {
          box.y = q.y + LABEL_GAP_PX;
          moved = true;
        }
      }
    }
    placed.push(box);
    labelled.set(p, fromPx(box.y));
  }
  return {
    name,
    nText,
    points: points.map((p) => ({ ...p, labelAccuracy: labelled.get(p) ?? p.accuracy })),
    missing,
    width,
    xDomain: [0, xMax],
    yDomain,
  };
}
