/**
 * Text widths for vega's layout in Node. Without a canvas vega guesses 0.8 em per character, about 1.5× what Arial
 * draws, so titles and subtitles pushed every chart out with empty space on the right. This estimator uses
 * Arial's advance widths (Helvetica's AFM; Liberation Sans has the same metrics), which the charts ask for first.
 * It depends on no installed font, so the SVG stays the same on every machine. vl-convert (Vega's own exporter)
 * replaces `textMetrics.width` the same way.
 */
import * as vega from "vega";

/** Advance widths in thousandths of an em for the printable ASCII characters, from space (32) to tilde (126). */
const ASCII_WIDTHS = [
  278,
  278,
  355,
  556,
  556,
  889,
  667,
  191,
  333,
  333,
  389,
  584,
  278,
  333,
  278,
  278, // space ! " # $ % & ' ( ) * + , - . /
  556,
  556,
  556,
  556,
  556,
  556,
  556,
  556,
  556,
  556,
  278,
  278,
  584,
  584,
  584,
  556, // 0-9 : ; < = > ?
  1015,
  667,
  667,
  722,
  722,
  667,
  611,
  778,
  722,
  278,
  500,
  667,
  556,
  833,
  722,
  778, // @ A-O
  667,
  778,
  722,
  667,
  611,
  722,
  667,
  944,
  667,
  667,
  611,
  278,
  278,
  278,
  469,
  556, // P-Z [ \ ] ^ _
  333,
  556,
  556,
  500,
  556,
  556,
  278,
  556,
  556,
  222,
  222,
  500,
  222,
  833,
  556,
  556, // ` a-o
  556,
  556,
  333,
  500,
  278,
  556,
  500,
  722,
  500,
  500,
  500,
  334,
  260,
  334,
  584, // p-z { | } ~
];
/** The non-ASCII characters the charts print; anything else counts as a wide 0.75 em. */
const OTHER_WIDTHS: Record<string, number> = {
  "—": 1000,
  "–": 556,
  "−": 584,
  Δ: 668,
  "→": 1000,
  "½": 834,
  "…": 1000,
  "×": 584,
  "·": 278,
};
/** Bold runs about 7% wider in Arial; the margin covers a fallback to the wider DejaVu Sans. */
const BOLD_FACTOR = 1.07;
const MARGIN = 1.04;

export function estimateTextWidth(text: string, fontSizePx: number, bold = false): number {
  let thousandths = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    thousandths += (code >= 32 && code <= 126 ? ASCII_WIDTHS[code - 32] : OTHER_WIDTHS[ch]) ?? 750;
  }
  return (thousandths / 1000) * fontSizePx * (bold ? BOLD_FACTOR : 1) * MARGIN;
}

/** The scenegraph item fields vega's own estimator reads (vega-scenegraph textMetrics). */
interface TextItem {
  fontSize?: number | string;
  fontWeight?: number | string;
  limit?: number;
  text?: unknown;
}

/**
 * Installs the estimator into vega's text metrics. Idempotent: charts.ts calls it before every render, so the
 * result never depends on what ran before. Vega keeps this setting process-wide; nothing else in quanteval draws text.
 */
export function useArialTextMetrics(): void {
  const metrics: unknown = Reflect.get(vega, "textMetrics");
  if (typeof metrics !== "object" || metrics === null)
    throw new Error("vega no longer exports textMetrics: update src/report/text-width.ts");
  Reflect.set(metrics, "width", (item: TextItem, text: unknown) => {
    const size = item.fontSize === undefined ? 11 : Number(item.fontSize) || 0;
    const bold = item.fontWeight === "bold" || Number(item.fontWeight) >= 600;
    const line = text === null || text === undefined ? "" : String(text).trim();
    const width = estimateTextWidth(line, size, bold);
    // Vega draws a label longer than its limit cut with an ellipsis, so it takes at most the limit.
    return item.limit !== undefined && item.limit > 0 ? Math.min(width, item.limit) : width;
  });
}
