/**
 * One variant's forced records against the reference's on one task (issue 18): paired by item, checked to be the
 * same token sequence, and turned into per-item divergence figures. Pure: divergence-input.ts reads the journals.
 * Items that cannot be paired are counted by why, never dropped unsaid.
 */
import { TokenizationMismatchError } from "../core/errors.ts";
import type { ForcedRecord } from "../journal/index.ts";
import { itemDivergence, itemLnPplRatio, type PositionLogprobs } from "../metrics/index.ts";
import type { PairedDivergenceItem, TaskVariantDivergence, UnpairedCounts } from "./divergence-types.ts";

/**
 * Pairs the latest record per item of each side. Throws TokenizationMismatchError for a pair whose token ids, reply
 * start or scored positions differ: their logprobs are not of the same sequence, so no figure of the run would mean
 * what it says.
 */
export function pairForcedRecords(
  task: string,
  variant: string,
  reference: ReadonlyMap<string, ForcedRecord>,
  records: ReadonlyMap<string, ForcedRecord>,
): TaskVariantDivergence {
  const unpaired: UnpairedCounts = {
    noReference: 0,
    referenceErrors: 0,
    emptyReplies: 0,
    noVariant: 0,
    variantErrors: 0,
  };
  const items: PairedDivergenceItem[] = [];
  const topK = new Set<number>();
  for (const itemId of records.keys()) if (!reference.has(itemId)) unpaired.noReference++;
  for (const [itemId, ref] of reference) {
    const mine = records.get(itemId);
    // A reference that failed, or whose reply is empty, has no positions: the variant had nothing to be asked.
    if (ref.error !== undefined || ref.positions === undefined) unpaired.referenceErrors++;
    else if (ref.positions.length === 0) unpaired.emptyReplies++;
    else if (mine === undefined) unpaired.noVariant++;
    else if (mine.error !== undefined || mine.positions === undefined) unpaired.variantErrors++;
    else {
      const positions = pairedPositions(task, itemId, ref, mine);
      items.push({
        itemId,
        divergence: itemDivergence(positions),
        lnPplRatio: itemLnPplRatio(positions),
        replyTokens: ref.replyTokens ?? positions.length,
      });
      topK.add(ref.topK).add(mine.topK);
    }
  }
  return { task, variant, items, unpaired, topK: [...topK].sort((a, b) => a - b) };
}

/**
 * Both sides' reply positions as divergence.ts takes them, the token being the reference's id at that position. The
 * diverge command checked the same when it asked; this checks the journals, which may come from separate sessions.
 */
function pairedPositions(task: string, itemId: string, ref: ForcedRecord, mine: ForcedRecord): PositionLogprobs[] {
  for (const record of [ref, mine]) {
    const ids = record.ids?.length ?? 0;
    const start = record.replyStart ?? 0;
    const scored = record.positions?.length ?? 0;
    if (scored !== ids - start)
      throw new TokenizationMismatchError(
        `${task} item ${itemId}: the record of ${record.variant} at ${record.url}`,
        start + Math.min(scored, ids - start),
        `${ids - start} reply tokens, ${scored} positions scored`,
        "ask this item's divergence again: its record does not describe one sequence",
      );
  }
  const what = `${task} item ${itemId}: ${mine.variant} at ${mine.url} against the reference ${ref.url}`;
  const refIds = ref.ids ?? [];
  const ids = mine.ids ?? [];
  const differ = refIds.findIndex((id, i) => id !== ids[i]);
  if (differ !== -1 || refIds.length !== ids.length) {
    const at = differ === -1 ? Math.min(refIds.length, ids.length) : differ;
    const [a, b] = [refIds[at], ids[at]].map((id) => (id === undefined ? "none" : `id ${id}`));
    throw new TokenizationMismatchError(what, at, `reference ${a}, variant ${b}`);
  }
  const start = ref.replyStart ?? 0;
  if (mine.replyStart !== start)
    throw new TokenizationMismatchError(
      what,
      Math.min(start, mine.replyStart ?? 0),
      `the reply starts at ${start} for the reference, at ${mine.replyStart} for the variant`,
    );
  const others = mine.positions ?? [];
  return (ref.positions ?? []).map((position, index) => {
    const other = others[index];
    const id = refIds[start + index];
    // Equal ids and reply starts, each record's positions its reply's: equal lengths. The guard keeps tsc honest.
    if (other === undefined || id === undefined) throw new RangeError("pairedPositions: positions out of step");
    return {
      token: String(id),
      reference: position.top,
      variant: other.top,
      referenceTokenLogprob: position.lp,
      variantTokenLogprob: other.lp,
    };
  });
}
