/**
 * One variant's forced records against the reference's on one task (issue 18): paired by item and turned into per-item
 * divergence figures. Pure but for `whole`, which reads a record's line in full. Items that cannot be paired are
 * counted by why, never dropped unsaid.
 *
 * A variant's record carries its figures (runner/diverge.ts computes them when the scores arrive, after checking its
 * token ids equal the reference's), so a pair is read from the two records' heads: no position is parsed. A record
 * without figures, or with figures older than the reference's record (computed against a reply since replaced), is
 * paired from both records' positions instead, its token ids checked here.
 */
import { TokenizationMismatchError } from "../core/errors.ts";
import type { ForcedHead, ForcedRecord } from "../journal/index.ts";
import { itemDivergence, itemLnPplRatio, type PositionLogprobs } from "../metrics/index.ts";
import type { PairedDivergenceItem, TaskVariantDivergence, UnpairedCounts } from "./divergence-types.ts";

/**
 * Pairs the latest record per item of each side. Throws TokenizationMismatchError for a pair whose reply start,
 * scored positions or token ids differ: their logprobs are not of the same sequence, so no figure of the run would
 * mean what it says.
 */
export function pairForcedRecords<H extends ForcedHead>(
  task: string,
  variant: string,
  reference: ReadonlyMap<string, H>,
  records: ReadonlyMap<string, H>,
  whole: (head: H) => ForcedRecord,
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
    if (ref.error !== undefined || ref.scored === undefined) unpaired.referenceErrors++;
    else if (ref.scored === 0) unpaired.emptyReplies++;
    else if (mine === undefined) unpaired.noVariant++;
    else if (mine.error !== undefined || mine.scored === undefined) unpaired.variantErrors++;
    else {
      refuseOtherSequence(task, itemId, ref, mine);
      const figures = mine.divergence;
      const item =
        figures !== undefined && mine.recordedAt >= ref.recordedAt
          ? {
              divergence: {
                meanKl: figures.meanKl,
                maxKl: figures.maxKl,
                top1Agreement: figures.top1Agreement,
                firstDivergence: figures.firstDivergence,
                positions: figures.positions,
              },
              // ln(PPL(variant)/PPL(reference)) = mean(ln p − ln q) = −mean(ln q − ln p); 0 − x keeps 0 positive.
              lnPplRatio: figures.lnPplRatio,
            }
          : fromPositions(task, itemId, whole(ref), whole(mine));
      items.push({ itemId, ...item, replyTokens: ref.replyTokens ?? item.divergence.positions });
      topK.add(ref.topK).add(mine.topK);
    }
  }
  return { task, variant, items, unpaired, topK: [...topK].sort((a, b) => a - b) };
}

/** The heads' own check: the reply starts at the same token and as many positions were scored on both sides. */
function refuseOtherSequence(task: string, itemId: string, ref: ForcedHead, mine: ForcedHead): void {
  const what = `${task} item ${itemId}: ${mine.variant} at ${mine.url} against the reference ${ref.url}`;
  const start = ref.replyStart ?? 0;
  if (mine.replyStart !== start)
    throw new TokenizationMismatchError(
      what,
      Math.min(start, mine.replyStart ?? 0),
      `the reply starts at ${start} for the reference, at ${mine.replyStart} for the variant`,
    );
  if (mine.scored !== ref.scored)
    throw new TokenizationMismatchError(
      what,
      start + Math.min(ref.scored ?? 0, mine.scored ?? 0),
      `${ref.scored} reply positions scored for the reference, ${mine.scored} for the variant`,
      "score every variant with the same --max-positions (delete the run's divergence/ folder to start again)",
    );
}

/** The figures from both records' positions, as the runner computes them. */
function fromPositions(
  task: string,
  itemId: string,
  ref: ForcedRecord,
  mine: ForcedRecord,
): Pick<PairedDivergenceItem, "divergence" | "lnPplRatio"> {
  const positions = pairedPositions(task, itemId, ref, mine);
  return { divergence: itemDivergence(positions), lnPplRatio: itemLnPplRatio(positions) };
}

/**
 * Both sides' reply positions as divergence.ts takes them, the token being the reference's id at that position (the
 * reply starts were checked on the heads). Refuses two records whose token ids differ, or a record whose positions
 * are not its reply's.
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
