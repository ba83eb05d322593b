/** The flipped items: graded by both the reference and a variant, with different verdicts (sample 0). */
import type { JournalIndex } from "./journal-index.ts";
import type { Flip } from "./report-types.ts";

/** A stable HTML id for an item of a task under a variant. */
export function flipAnchor(task: string, itemId: string, variant: string): string {
  const slug = (s: string) => s.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "");
  return `flip-${slug(task)}-${slug(itemId)}-${slug(variant)}`;
}

export function flipsOf(task: string, variants: readonly string[], reference: string, journal: JournalIndex): Flip[] {
  const referenceOutcomes = journal.get(reference)?.get(task)?.last;
  if (referenceOutcomes === undefined) return [];
  const flips: Flip[] = [];
  for (const variant of variants) {
    if (variant === reference) continue;
    const outcomes = journal.get(variant)?.get(task)?.last;
    for (const [itemId, ref] of referenceOutcomes) {
      const mine = outcomes?.get(itemId);
      if (ref.grade === undefined || mine?.grade === undefined || ref.grade.correct === mine.grade.correct) continue;
      flips.push({
        task,
        itemId,
        variant,
        direction: ref.grade.correct ? "lost" : "gained",
        anchor: flipAnchor(task, itemId, variant),
      });
    }
  }
  return flips.sort(
    (a, b) => a.variant.localeCompare(b.variant) || a.itemId.localeCompare(b.itemId, undefined, { numeric: true }),
  );
}
