/**
 * Attaching a `bench --find-max-rate` result to a run: read the bench.json, check its variants against the run's
 * (capacity-match.ts), and store what the report needs in artifacts/<run-id>/capacity.json, where every later report
 * of the run finds it. Attaching the same bench again writes the same bytes; another bench replaces it.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { readManifest } from "../journal/index.ts";
import { type CapacityAttachment, capacityPath, writeCapacityAttachment } from "./capacity-attachment.ts";
import { capacityFromBench } from "./capacity-bench.ts";
import { checkCapacityMatch, runVariantsOf } from "./capacity-match.ts";

export interface AttachedBench {
  attachment: CapacityAttachment;
  /** Where it was stored. */
  file: string;
  /** "new": no bench was attached; "same": this one already was (nothing changed); "replaced": another one was. */
  change: "new" | "same" | "replaced";
  /** The bench it replaced. */
  replacedId?: string;
}

export function attachBench(options: { artifactsDir: string; runId: string; benchFile: string }): AttachedBench {
  const manifest = readManifest(options.artifactsDir, options.runId);
  const attachment = capacityFromBench(readFileSync(options.benchFile, "utf8"), options.benchFile);
  checkCapacityMatch(attachment.variants, `bench ${attachment.bench.id}`, runVariantsOf(manifest));
  const file = capacityPath(options.artifactsDir, options.runId);
  const before = existsSync(file) ? readFileSync(file, "utf8") : undefined;
  writeCapacityAttachment(options.artifactsDir, options.runId, attachment);
  if (before === undefined) return { attachment, file, change: "new" };
  if (before === readFileSync(file, "utf8")) return { attachment, file, change: "same" };
  const replacedId = previousBenchId(before);
  return { attachment, file, change: "replaced", ...(replacedId === undefined ? {} : { replacedId }) };
}

/** Removes the run's attached bench: its id ("?" when its file is damaged), or undefined when none was attached. */
export function detachBench(artifactsDir: string, runId: string): string | undefined {
  readManifest(artifactsDir, runId);
  const file = capacityPath(artifactsDir, runId);
  if (!existsSync(file)) return undefined;
  const id = previousBenchId(readFileSync(file, "utf8")) ?? "?";
  rmSync(file, { force: true });
  return id;
}

/** The bench id of a capacity.json being replaced, if it can be read (a damaged one is replaced all the same). */
function previousBenchId(text: string): string | undefined {
  const match = /"id":\s*"([^"]*)"/.exec(text);
  return match?.[1];
}
