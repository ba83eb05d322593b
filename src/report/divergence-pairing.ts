/**
 * One variant's forced records against the reference's on one task (issue 18): paired by item, checked to be the
 * same token sequence, and turned into per-item divergence figures. Pure: divergence-input.ts reads the journals.
 * Items that cannot be paired are counted by why, never dropped unsaid.
 */
import { pairPositions } from "../client/index.ts";
import { TokenizationMismatchError } from "../core/errors.ts";
import type { ForcedRecord } from "../journal/index.ts";
import { type ItemDivergence, itemDivergence, itemLnPplRatio, type PositionLogprobs } from "../metrics/index.ts";

/** One item both sides scored. */
export interface PairedDivergenceItem {
  itemId: string;
  divergence: ItemDivergence;
  /** ln(PPL(variant)/PPL(reference)) of the reference's reply over the scored positions. */
  lnPplRatio: number | null;
  /** The reply's length in tokens before the positions cap; divergence.positions of them were scored. */
  replyTokens: number;
}

/** Items of either journal that have no pair, by why (each item counted once, in this order). */
export interface UnpairedCounts {
  /** The variant has a record, the reference none. */
  noReference: number;
  /** The reference's latest record is an error. */
  referenceErrors: number;
  /** The reference scored the item, the variant has no record of it. */
  noVariant: number;
  /** The variant's latest record is an error. */
  variantErrors: number;
  /** The reference's reply has no tokens: no position to compare. */
  emptyReplies: number;
}

export interface TaskVariantDivergence {
  task: string;
  variant: string;
  /** In the reference journal's item order. */
  items: PairedDivergenceItem[];
  unpaired: UnpairedCounts;
  /** The top-k asked, over both sides' paired records, distinct and ascending. */
  topK: number[];
}

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
    noVariant: 0,
    variantErrors: 0,
    emptyReplies: 0,
  };
  const items: PairedDivergenceItem[] = [];
  const topK = new Set<number>();
  for (const itemId of records.keys()) if (!reference.has(itemId)) unpaired.noReference++;
  for (const [itemId, ref] of reference) {
    const mine = records.get(itemId);
    if (ref.error !== undefined || ref.positions === undefined) {
      // A reference that failed has no reply positions: the variant could not have been asked, whatever it holds.
      if (mine !== undefined) unpaired.referenceErrors++;
      continue;
    }
    if (mine === undefined) unpaired.noVariant++;
    else if (mine.error !== undefined || mine.positions === undefined) unpaired.variantErrors++;
    else if (ref.positions.length === 0) unpaired.emptyReplies++;
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
 * Both sides' reply positions as divergence.ts takes them, by the client's own pairing (the check the diverge
 * command made when it asked). The variant's "url" names the item too, so the refusal says which item it was.
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
  const reference = forcedLogprobsOf(ref, ref.url);
  const variant = forcedLogprobsOf(mine, `${task} item ${itemId}: ${mine.variant} at ${mine.url}`);
  return pairPositions(reference, variant);
}

type ForcedLogprobs = Parameters<typeof pairPositions>[0];

/** A forced record as the client returned it (the record's error was checked by the caller). */
function forcedLogprobsOf(record: ForcedRecord, url: string): ForcedLogprobs {
  const positions = (record.positions ?? []).map((p) => ({ top: p.top, tokenLogprob: p.lp }));
  const ids = record.ids ?? [];
  const replyStart = record.replyStart ?? 0;
  return {
    url,
    ids,
    replyStart,
    replyTokens: record.replyTokens ?? positions.length,
    positions,
    requests: record.requests,
  };
}
