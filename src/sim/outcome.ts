/**
 * Whether a variant answers an item right, wrong, or not at all. Decided by hashes of (seed, model, item),
 * so a retry or a rerun gets the same outcome, as a model at temperature 0 would.
 *
 * Variants of one model mostly agree on which items are hard: with probability SHARED_DIFFICULTY a
 * variant's draw for an item is the item's shared draw, otherwise its own. Either way the draw is uniform,
 * so each variant's accuracy is still exactly its profile's, but paired deltas look like real quantization
 * (a few items flip, in both directions) instead of two independent coin series.
 */
import type { AnswerKey } from "../tasks/index.ts";
import type { SimVariantProfile } from "./profiles.ts";
import { pick, unitHash } from "./seeded-random.ts";

const SHARED_DIFFICULTY = 0.8;

export type Outcome =
  | { kind: "correct"; answerLine: string }
  | { kind: "wrong"; answerLine: string }
  | { kind: "unanswered" };

export interface OutcomeItem {
  key: string;
  category?: string;
  answers: AnswerKey;
}

/** The uniform draw in [0, 1) that decides the outcome; exported for tests of the band arithmetic. */
export function outcomeDraw(seed: number, model: string, itemKey: string): number {
  const shared = unitHash(seed, "difficulty", itemKey);
  const own = unitHash(seed, "variant", model, itemKey);
  return unitHash(seed, "shared", model, itemKey) < SHARED_DIFFICULTY ? shared : own;
}

/**
 * A sample's draw: with chance sampleSpread its own (keyed by the sample), else the item's. Both are uniform, so the
 * accuracy stays the profile's in expectation, while the spread sets how much an item's samples agree.
 */
function sampledDraw(seed: number, profile: SimVariantProfile, itemKey: string, sampleKey: string): number {
  if (sampleKey === "") return outcomeDraw(seed, profile.model, itemKey);
  const fresh = unitHash(seed, "spread", profile.model, itemKey, sampleKey) < (profile.sampleSpread ?? 1);
  return outcomeDraw(seed, profile.model, fresh ? `${itemKey}${sampleKey}` : itemKey);
}

export function accuracyFor(profile: SimVariantProfile, category: string | undefined): number {
  const byCategory = category === undefined ? undefined : profile.accuracyByCategory?.[category];
  return byCategory ?? profile.accuracy;
}

/**
 * Bands of one draw: [0, accuracy) correct, then unansweredRate wide unanswered, the rest wrong. An item
 * with no wrong answers to give is unanswered where it would be wrong.
 */
export function decideOutcome(seed: number, profile: SimVariantProfile, item: OutcomeItem, sampleKey = ""): Outcome {
  const draw = sampledDraw(seed, profile, item.key, sampleKey);
  const accuracy = accuracyFor(profile, item.category);
  if (draw < accuracy) return { kind: "correct", answerLine: item.answers.correct };
  if (draw < accuracy + profile.unansweredRate) return { kind: "unanswered" };
  const wrong = pick(item.answers.wrong, unitHash(seed, "wrong", profile.model, `${item.key}${sampleKey}`));
  return wrong === undefined ? { kind: "unanswered" } : { kind: "wrong", answerLine: wrong };
}
