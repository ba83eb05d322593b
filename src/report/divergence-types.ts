/**
 * The shapes of the report's divergence (issue 18), apart from the modules that compute them, so report-types.ts can
 * name them without an import cycle: a run's paired items as read (RunDivergence, ReportInput.divergence) and the
 * per task × variant figures (DivergenceReport, ReportData.divergence, hence scores.json's field names).
 */
import type { UnreadableLine } from "../journal/index.ts";
import type { DivergenceSummary, ItemDivergence } from "../metrics/index.ts";

/** One item both sides scored. */
export interface PairedDivergenceItem {
  itemId: string;
  divergence: ItemDivergence;
  /** ln(PPL(variant)/PPL(reference)) of the reference's reply over the scored positions. */
  lnPplRatio: number | null;
  /** The reply's length in tokens before the positions cap; divergence.positions of them were scored. */
  replyTokens: number;
}

/** Items of either journal that have no pair, by why (each item counted once, under the first reason that holds). */
export interface UnpairedCounts {
  /** The variant has a record, the reference none. */
  noReference: number;
  /** The reference's latest record is an error. */
  referenceErrors: number;
  /** The reference's reply has no tokens: no position to compare. */
  emptyReplies: number;
  /** The reference scored the item, the variant has no record of it. */
  noVariant: number;
  /** The variant's latest record is an error. */
  variantErrors: number;
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

export interface RunDivergence {
  reference: string;
  /** Per task (manifest order) and variant (config order) whose divergence journal exists; the reference has none. */
  pairs: TaskVariantDivergence[];
  /** Lines of the divergence journals that could not be read: their items count as having no record. */
  unreadable: { variant: string; task: string; file: string; lines: readonly UnreadableLine[] }[];
}

/** One task × variant against the reference. */
export interface DivergenceRow {
  task: string;
  variant: string;
  /** Items scored on both sides: the n of every figure in summary. */
  n: number;
  /** Items of either journal without a pair, by why. */
  unpaired: UnpairedCounts;
  /** The prompt_logprobs k asked, distinct and ascending (one value unless the settings changed between runs). */
  topK: number[];
  /**
   * Reply positions scored, summed over the n items, of the reply tokens there were; cutItems replies were longer
   * than the positions cap and were scored on their first `cap` tokens (cap null: no reply was cut).
   */
  positions: { scored: number; replyTokens: number; cutItems: number; cap: number | null };
  /** Null when no item is paired. */
  summary: DivergenceSummary | null;
}

export interface DivergenceReport {
  reference: string;
  /** The intervals: percentile bootstrap over items, the report's resamples and seed, one stream per row. */
  bootstrap: {
    resamples: number;
    seed: number;
    level: number;
    method: "percentile bootstrap over items";
    stream: string;
  };
  rows: DivergenceRow[];
  /** What the divergence journals say that the table cannot: unreadable lines. */
  notices: string[];
}
