/** report.md's flipped items: per task and variant, the items whose verdict differs, linked into index.html. */
import { legendLines } from "./legend-text.ts";
import { quote } from "./markdown-table.ts";
import type { Flip, ReportData } from "./report-types.ts";

/** At most this many item links per task, variant and direction in the flips section; the rest are in index.html. */
export const FLIPS_SHOWN = 50;

/** The items whose verdict differs from the reference, per task and variant, each linked to its entry in index.html. */
export function flipsSection(report: ReportData): string {
  const blocks: string[] = [];
  for (const task of report.tasks) {
    for (const variant of report.variants) {
      if (variant.isReference) continue;
      const mine = report.flips.filter((f) => f.task === task.name && f.variant === variant.name);
      if (mine.length === 0) continue;
      const lost = mine.filter((f) => f.direction === "lost");
      const gained = mine.filter((f) => f.direction === "gained");
      blocks.push(
        [
          `### ${task.name}: ${variant.name} vs ${report.reference}`,
          "",
          `- ↓ lost (ref right, variant wrong), ${lost.length}: ${flipLinks(lost)}`,
          `- ↑ gained (ref wrong, variant right), ${gained.length}: ${flipLinks(gained)}`,
        ].join("\n"),
      );
    }
  }
  const legend = legendLines("markdown/flips", { reference: report.reference, "flips-shown": FLIPS_SHOWN });
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
