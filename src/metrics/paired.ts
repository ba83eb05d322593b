/**
 * A paired accuracy delta: two variants compared only on the items both graded, so an item one variant lost to a
 * request error cannot move the difference. Pure.
 */
import { mcnemarExactP } from "./stats.ts";

export interface PairedDelta {
  /** Items both sides graded. */
  paired: number;
  /** Of those, how many each side got right. */
  referenceCorrect: number;
  variantCorrect: number;
  /** (variantCorrect − referenceCorrect) / paired in percentage points; null when nothing is paired. */
  deltaPp: number | null;
  /** Discordant pairs: reference right and variant wrong (↓), reference wrong and variant right (↑). */
  referenceRightVariantWrong: number;
  referenceWrongVariantRight: number;
  /** McNemar exact two-sided p on the discordant pairs; null when nothing is paired. */
  pValue: number | null;
}

/** Both maps go from item id to "graded correct"; an item absent from either side is not paired. */
export function pairedDelta(
  reference: ReadonlyMap<string, boolean>,
  variant: ReadonlyMap<string, boolean>,
): PairedDelta {
  let paired = 0;
  let referenceCorrect = 0;
  let variantCorrect = 0;
  let down = 0;
  let up = 0;
  for (const [itemId, referenceRight] of reference) {
    const variantRight = variant.get(itemId);
    if (variantRight === undefined) continue;
    paired += 1;
    if (referenceRight) referenceCorrect += 1;
    if (variantRight) variantCorrect += 1;
    if (referenceRight && !variantRight) down += 1;
    if (!referenceRight && variantRight) up += 1;
  }
  return {
    paired,
    referenceCorrect,
    variantCorrect,
    deltaPp: paired === 0 ? null : ((up - down) / paired) * 100,
    referenceRightVariantWrong: down,
    referenceWrongVariantRight: up,
    pValue: paired === 0 ? null : mcnemarExactP(down, up),
  };
}
