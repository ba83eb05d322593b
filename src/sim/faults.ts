/**
 * Fault injection, decided per attempt and deterministically: one uniform draw per
 * (seed, model, item, attempt number) falls into the band of at most one fault, so each rate is exactly
 * that fault's probability. `onAttempts` limits the rates to some attempt numbers, which is how a test
 * says "every item's first attempt gets a 500, the second succeeds": `{ http500Rate: 1, onAttempts: [1] }`.
 */
import { z } from "zod";
import { unitHash } from "./seeded-random.ts";

const rate = z.number().min(0).max(1);

export const SimFaultsSchema = z.strictObject({
  /** HTTP 500 with a vLLM-shaped error body. */
  http500Rate: rate.exactOptional(),
  /** HTTP 429 (as a rate-limiting proxy in front of vLLM would answer). */
  http429Rate: rate.exactOptional(),
  /** The connection is destroyed mid-stream (after half the tokens), or before a non-streamed reply. */
  dropRate: rate.exactOptional(),
  /** HTTP 200 with empty content and no reasoning. */
  emptyRate: rate.exactOptional(),
  /** HTTP 200 with junk text that holds no answer. */
  garbledRate: rate.exactOptional(),
  /** Item ids that always get HTTP 500, on every attempt (`onAttempts` does not limit them). */
  alwaysFail: z.array(z.string()).exactOptional(),
  /** 1-based attempt numbers the rates apply to; default: every attempt. Attempts are counted per model and item. */
  onAttempts: z.array(z.int().positive()).exactOptional(),
}).refine(
  (f) => (f.http500Rate ?? 0) + (f.http429Rate ?? 0) + (f.dropRate ?? 0) + (f.emptyRate ?? 0) + (f.garbledRate ?? 0) <= 1,
  { message: "the fault rates must add up to at most 1 (at most one fault per attempt)" },
);

export type SimFaults = z.infer<typeof SimFaultsSchema>;
export type FaultKind = "http500" | "http429" | "drop" | "empty" | "garbled";

export interface FaultTarget { model: string; itemKey: string; itemId: string; attempt: number }

/** The fault for this attempt, or undefined for a normal reply. */
export function decideFault(seed: number, faults: SimFaults, target: FaultTarget): FaultKind | undefined {
  if (faults.alwaysFail?.includes(target.itemId) === true) return "http500";
  if (faults.onAttempts !== undefined && !faults.onAttempts.includes(target.attempt)) return undefined;
  const bands: readonly [FaultKind, number][] = [
    ["http500", faults.http500Rate ?? 0], ["http429", faults.http429Rate ?? 0], ["drop", faults.dropRate ?? 0],
    ["empty", faults.emptyRate ?? 0], ["garbled", faults.garbledRate ?? 0],
  ];
  const draw = unitHash(seed, "fault", target.model, target.itemKey, target.attempt);
  let upper = 0;
  for (const [kind, probability] of bands) {
    upper += probability;
    if (draw < upper) return kind;
  }
  return undefined;
}
