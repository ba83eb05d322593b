/**
 * `artifacts/<run-id>/capacity.json`: a `bench --find-max-rate` result attached to a run, so every later report of
 * the run (`report`, `run --resume`, `regrade`, `diverge`) shows the capacity at SLO beside the speedups. It keeps
 * what the report needs from bench.json (the SLO, the percentile, each variant's searches) and the bench's id and
 * sha256, never a clock: attaching the same bench twice writes the same bytes.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { JournalFormatError } from "../core/errors.ts";
import { isWriteFailure, writeFailure } from "../journal/index.ts";
import { formatIssue } from "../zod-issues.ts";

export const CAPACITY_FILE = "capacity.json";

const MAX_RATE_STOPS = ["tolerance", "max-steps", "above-max-rate", "below-min-rate"] as const;

export const CapacityAttachmentSchema = z.strictObject({
  v: z.literal(1),
  bench: z.strictObject({ id: z.string(), created_at: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
  percentile: z.number().gt(0).lt(100),
  /** The targets, ms, as bench.json's settings.slo. */
  slo: z.strictObject({
    ttft_ms: z.number().positive().optional(),
    tpot_ms: z.number().positive().optional(),
    e2e_ms: z.number().positive().optional(),
  }),
  requests_per_trial: z.int().positive(),
  /** How the trials' requests arrived, and what they asked, in words (bench.json's settings). */
  arrivals: z.string(),
  workload: z.string(),
  variants: z
    .array(
      z.strictObject({
        variant: z.string(),
        model: z.string(),
        /** Median of the searches' results, req/s. */
        max_rate: z.number().nonnegative(),
        /** [min, max] of the searches and its confidence for the median; null for one search. */
        interval: z
          .strictObject({ low: z.number().nonnegative(), high: z.number().nonnegative(), confidence: z.number() })
          .nullable(),
        /** Each search's result and why it stopped (above-max-rate: the search's ceiling held, a lower bound). */
        searches: z
          .array(z.strictObject({ max_rate: z.number().nonnegative(), stopped: z.enum(MAX_RATE_STOPS) }))
          .min(1),
      }),
    )
    .min(1),
});
export type CapacityAttachment = z.infer<typeof CapacityAttachmentSchema>;

export function capacityPath(artifactsDir: string, runId: string): string {
  return join(artifactsDir, runId, CAPACITY_FILE);
}

/** The run's attached capacity, or undefined when none is attached. */
export function readCapacityAttachment(artifactsDir: string, runId: string): CapacityAttachment | undefined {
  const file = capacityPath(artifactsDir, runId);
  if (!existsSync(file)) return undefined;
  const hint = `attach the bench again (\`quanteval report ${runId} --bench <id>\`), or detach it (--detach-bench)`;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new JournalFormatError(file, 1, `not JSON (${error instanceof Error ? error.message : String(error)})`, hint);
  }
  const parsed = CapacityAttachmentSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const detail = issue === undefined ? "not a capacity attachment" : formatIssue(issue, json, "capacity attachment");
    throw new JournalFormatError(file, 1, detail, hint);
  }
  return parsed.data;
}

/** Whole or not at all (temp file + rename), as the manifest is written. */
export function writeCapacityAttachment(artifactsDir: string, runId: string, attachment: CapacityAttachment): void {
  const file = capacityPath(artifactsDir, runId);
  const temp = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(join(artifactsDir, runId), { recursive: true });
    writeFileSync(temp, `${JSON.stringify(attachment, null, 2)}\n`);
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    if (isWriteFailure(error)) throw writeFailure(file, error, "attach the bench again");
    throw error;
  }
}
