/**
 * Divergence journals made by hand (issue 18): forced records in the format `quanteval diverge` writes, and a
 * manifest to read them with. Logprobs are given as probabilities, so the expected KL can be worked by hand.
 */

import type { ForcedRecord } from "../../src/journal/forced-record.ts";
import { forcedJournalPath, JournalWriter } from "../../src/journal/index.ts";
import type { Manifest } from "../../src/journal/manifest.ts";
import { itemDivergence, itemLnPplRatio } from "../../src/metrics/index.ts";
import { pairForcedRecords } from "../../src/report/divergence-pairing.ts";
import type { RunDivergence } from "../../src/report/divergence-types.ts";
import { manifest } from "./manifest-fixture.ts";

export const RUN_ID = "r-div";
/** Prompt token ids; the reply's follow at REPLY_START. */
export const PROMPT = [101, 7, 8];
export const REPLY_START = PROMPT.length;

/** One reply position: the own token's probability under this side and the listed top-k, as probabilities. */
export interface PositionSpec {
  token: number;
  top: Record<number, number>;
}

export function forced(
  variant: string,
  itemId: string,
  positions: readonly PositionSpec[] | { error: string },
  extra: Partial<ForcedRecord> = {},
): ForcedRecord {
  const base = {
    v: 1 as const,
    kind: "forced" as const,
    runId: RUN_ID,
    session: "s1",
    variant,
    task: "suite40",
    itemId,
    sample: 0,
    replyFrom: "bf16",
    topK: 3,
    url: `http://127.0.0.1/${variant}/v1/completions`,
    model: `m-${variant}`,
    attempts: 1,
    recordedAt: 1_700_000_000_000,
  };
  if ("error" in positions) return { ...base, error: { code: "E_REQUEST_FAILED", message: positions.error }, ...extra };
  return {
    ...base,
    replyStart: REPLY_START,
    replyTokens: positions.length,
    scored: positions.length,
    // ids and positions last, as the command writes them: a reader parses the line's head alone.
    ids: [...PROMPT, ...positions.map((p) => p.token)],
    positions: positions.map((p) => ({
      lp: Math.log(p.top[p.token] ?? 0.01),
      top: Object.fromEntries(Object.entries(p.top).map(([id, prob]) => [id, Math.log(prob)])),
    })),
    ...extra,
  };
}

/**
 * The variant's record with its figures against the reference's record, as `quanteval diverge` writes it: computed
 * from both sides' positions (the metrics are tested on their own), ids and positions last on the line.
 */
export function withFigures(record: ForcedRecord, reference: ForcedRecord): ForcedRecord {
  const ids = reference.ids ?? [];
  const start = reference.replyStart ?? 0;
  const positions = (reference.positions ?? []).map((p, i) => ({
    token: String(ids[start + i]),
    reference: p.top,
    variant: record.positions?.[i]?.top ?? {},
    referenceTokenLogprob: p.lp,
    variantTokenLogprob: record.positions?.[i]?.lp ?? 0,
  }));
  const { ids: own, positions: scores, ...head } = record;
  const divergence = { ...itemDivergence(positions), lnPplRatio: itemLnPplRatio(positions) ?? 0 };
  return {
    ...head,
    divergence,
    ...(own === undefined ? {} : { ids: own }),
    ...(scores === undefined ? {} : { positions: scores }),
  };
}

/** Writes each record to its variant's and task's divergence journal under artifactsDir, as the command does. */
export function writeForced(artifactsDir: string, records: readonly ForcedRecord[]): void {
  const writers = new Map<string, JournalWriter<ForcedRecord>>();
  for (const record of records) {
    const file = forcedJournalPath(artifactsDir, RUN_ID, record.variant, record.task);
    const writer = writers.get(file) ?? new JournalWriter<ForcedRecord>(file);
    writers.set(file, writer);
    writer.append(record);
  }
  for (const writer of writers.values()) writer.close();
}

/** bf16 (the reference), fp8 and nvfp4 on suite40: the run the divergence journals belong to. */
export function divergenceManifest(): Manifest {
  return { ...manifest(), runId: RUN_ID };
}

/** Two reply positions, tokens 5 then 6, as the reference gave them. */
export const REFERENCE: PositionSpec[] = [
  { token: 5, top: { 5: 0.5, 6: 0.3, 9: 0.2 } },
  { token: 6, top: { 6: 0.7, 5: 0.1 } },
];
/** Position 0's top-1 moves to token 6: KL 0.0566979 there, 0 at position 1. */
export const SHIFTED: PositionSpec[] = [
  { token: 5, top: { 5: 0.35, 6: 0.45, 9: 0.2 } },
  { token: 6, top: { 6: 0.7, 5: 0.1 } },
];
/** Both positions move: KL 0.0566979 at position 0, 0.7·ln(0.7/0.4) + 0.1·ln(0.1/0.3) + 0.2·ln(0.2/0.3) at 1. */
export const FAR: PositionSpec[] = [
  { token: 5, top: { 5: 0.35, 6: 0.45, 9: 0.2 } },
  { token: 6, top: { 6: 0.4, 5: 0.3 } },
];

/**
 * The divergence of fixture.ts's suite40 (flips there: fp8 q2 lost, q3 gained; nvfp4 q1 lost). fp8: q1 and q4 as
 * the reference, q2 FAR, q3 SHIFTED, q5 failed; q2's reply was 10 tokens, cut at 2. nvfp4: q1 FAR, q2 as the
 * reference, nothing more.
 */
export function fixtureDivergence(): RunDivergence {
  const byItem = (records: readonly ForcedRecord[]) => new Map(records.map((r) => [r.itemId, r]));
  const reference = byItem(
    ["q1", "q2", "q3", "q4", "q5"].map((id) => forced("bf16", id, REFERENCE, id === "q2" ? { replyTokens: 10 } : {})),
  );
  const scored = (record: ForcedRecord) => {
    const against = reference.get(record.itemId);
    return record.error === undefined && against !== undefined ? withFigures(record, against) : record;
  };
  const fp8 = byItem(
    [
      forced("fp8", "q1", REFERENCE),
      forced("fp8", "q2", FAR, { replyTokens: 10 }),
      forced("fp8", "q3", SHIFTED),
      forced("fp8", "q4", REFERENCE),
      forced("fp8", "q5", { error: "HTTP 500" }),
    ].map(scored),
  );
  const nvfp4 = byItem([forced("nvfp4", "q1", FAR), forced("nvfp4", "q2", REFERENCE)].map(scored));
  const whole = (record: ForcedRecord) => record;
  return {
    reference: "bf16",
    pairs: [
      pairForcedRecords("suite40", "nvfp4", reference, nvfp4, whole),
      pairForcedRecords("suite40", "fp8", reference, fp8, whole),
    ],
    unreadable: [],
  };
}
