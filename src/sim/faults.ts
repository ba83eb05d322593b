/**
 * Fault injection, decided per attempt and deterministically: one uniform draw per
 * (seed, model, item, attempt number) falls into the band of at most one fault, so each rate is exactly
 * that fault's probability. `onAttempts` limits the rates to some attempt numbers, which is how a test
 * says "every item's first attempt gets a 500, the second succeeds": `{ http500Rate: 1, onAttempts: [1] }`.
 *
 * Two faults are not per attempt but per server: `slowStartSec` (the server answers 503 "loading" for its first
 * seconds, as a server still loading weights behind a proxy would) and `dieAfterRequests` (the server crashes:
 * listener and every socket closed). Both are plain facts of the options, so they are as deterministic as the rest.
 */
import { z } from "zod";
import { unitHash } from "./seeded-random.ts";

const rate = z.number().min(0).max(1);

/** Rates keyed by an HTTP error status: "429", "500", "503"… (a refinement, so the message names the key). */
const StatusRatesSchema = z.record(z.string(), rate).superRefine((rates, ctx) => {
  for (const key of Object.keys(rates)) {
    if (!/^[45]\d\d$/.test(key))
      ctx.addIssue({
        code: "custom",
        path: [key],
        message: 'must be an HTTP error status from 400 to 599, e.g. "503"',
      });
  }
});

export const SimFaultsSchema = z
  .strictObject({
    /** HTTP 500 with a vLLM-shaped error body. */
    http500Rate: rate.exactOptional(),
    /** HTTP 429 (as a rate-limiting proxy in front of vLLM would answer), with Retry-After. */
    http429Rate: rate.exactOptional(),
    /** Error rate per status: `{ "429": 0.05, "500": 0.02, "503": 0.01 }`; 429 and 503 carry Retry-After. */
    statusRates: StatusRatesSchema.exactOptional(),
    /** Seconds sent in Retry-After with 429 and 503 (default 1). */
    retryAfterSec: z.int().nonnegative().exactOptional(),
    /** The connection is destroyed mid-stream (after half the tokens), or before a non-streamed reply. */
    dropRate: rate.exactOptional(),
    /**
     * The reply ends cleanly but early: a stream stops after half the tokens with no finish_reason, no usage and no
     * [DONE]; a non-streamed body is cut in half (so it is not JSON).
     */
    truncateRate: rate.exactOptional(),
    /** One `data:` line that is not JSON, halfway through a stream (the rest follows as usual); a non-streamed body that is not JSON. */
    malformedRate: rate.exactOptional(),
    /** No usage: no usage chunk even when stream_options.include_usage asks for it; no `usage` in a non-streamed body. */
    missingUsageRate: rate.exactOptional(),
    /** HTTP 200 with empty content and no reasoning. */
    emptyRate: rate.exactOptional(),
    /** HTTP 200 with junk text that holds no answer. */
    garbledRate: rate.exactOptional(),
    /** Item ids that always get HTTP 500, on every attempt (`onAttempts` does not limit them). */
    alwaysFail: z.array(z.string()).exactOptional(),
    /** 1-based attempt numbers the rates apply to; default: every attempt. Attempts are counted per model and item. */
    onAttempts: z.array(z.int().positive()).exactOptional(),
    /** For this many seconds after it starts, /health, /v1/models and chat answer 503 "loading" with Retry-After. */
    slowStartSec: z.number().nonnegative().exactOptional(),
    /** After answering this many chat requests the server dies: the next one makes it close its listener and every socket. */
    dieAfterRequests: z.int().nonnegative().exactOptional(),
  })
  .refine((f) => totalRate(f) <= 1 + 1e-9, {
    message: "the fault rates must add up to at most 1 (at most one fault per attempt)",
  });

export type SimFaults = z.infer<typeof SimFaultsSchema>;

/** The per-attempt rates (a structural type, so the schema's own refinement can use it). */
type RateKey =
  | "http500Rate"
  | "http429Rate"
  | "dropRate"
  | "emptyRate"
  | "garbledRate"
  | "truncateRate"
  | "malformedRate"
  | "missingUsageRate";
type FaultRates = { readonly [K in RateKey]?: number | undefined } & {
  readonly statusRates?: Readonly<Record<string, number>> | undefined;
};
/** `http<status>` answers that status; the others change a 200 reply. */
export type FaultKind = `http${number}` | "drop" | "truncate" | "malformed" | "missingUsage" | "empty" | "garbled";

export interface FaultTarget {
  model: string;
  itemKey: string;
  itemId: string;
  attempt: number;
}

/** The status of an `http<status>` fault, else undefined. */
export function faultStatus(kind: FaultKind | undefined): number | undefined {
  return kind?.startsWith("http") === true ? Number(kind.slice(4)) : undefined;
}

/** The fault for this attempt, or undefined for a normal reply. */
export function decideFault(seed: number, faults: SimFaults, target: FaultTarget): FaultKind | undefined {
  if (faults.alwaysFail?.includes(target.itemId) === true) return "http500";
  if (faults.onAttempts !== undefined && !faults.onAttempts.includes(target.attempt)) return undefined;
  const draw = unitHash(seed, "fault", target.model, target.itemKey, target.attempt);
  let upper = 0;
  for (const [kind, probability] of bands(faults)) {
    upper += probability;
    if (draw < upper) return kind;
  }
  return undefined;
}

/**
 * The bands in a fixed order. The original five come first, so adding a new kind (at rate 0) moves no draw of an
 * existing configuration; statuses go in numeric order, so the key order of `statusRates` does not matter.
 */
function bands(faults: FaultRates): [FaultKind, number][] {
  const statuses = Object.entries(faults.statusRates ?? {})
    .map(([status, probability]): [FaultKind, number] => [`http${Number(status)}`, probability])
    .sort(([a], [b]) => (faultStatus(a) ?? 0) - (faultStatus(b) ?? 0));
  return [
    ["http500", faults.http500Rate ?? 0],
    ["http429", faults.http429Rate ?? 0],
    ["drop", faults.dropRate ?? 0],
    ["empty", faults.emptyRate ?? 0],
    ["garbled", faults.garbledRate ?? 0],
    ...statuses,
    ["truncate", faults.truncateRate ?? 0],
    ["malformed", faults.malformedRate ?? 0],
    ["missingUsage", faults.missingUsageRate ?? 0],
  ];
}

function totalRate(faults: FaultRates): number {
  return bands(faults).reduce((sum, [, probability]) => sum + probability, 0);
}
