/**
 * A run's divergence journals (issue 18), read for the report: per task, the reference's forced records, then each
 * other variant's, paired by item (divergence-pairing.ts). A task's reference records are held, positions and all,
 * while its variants are paired, one variant's journal at a time; once paired, only each item's figures are kept.
 * Peak memory is then about two journals of one task as parsed objects, not the run's.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { forcedJournalPath, type Manifest, readForcedJournal } from "../journal/index.ts";
import { pairForcedRecords } from "./divergence-pairing.ts";
import type { RunDivergence, TaskVariantDivergence } from "./divergence-types.ts";

/** The run's divergence, or undefined when it has no divergence journal at all (the report then shows none). */
export function readRunDivergence(artifactsDir: string, manifest: Manifest): RunDivergence | undefined {
  if (!existsSync(join(artifactsDir, manifest.runId, "divergence"))) return undefined;
  const { reference } = manifest;
  const pairs: TaskVariantDivergence[] = [];
  const unreadable: RunDivergence["unreadable"] = [];
  const read = (variant: string, task: string) => {
    const file = forcedJournalPath(artifactsDir, manifest.runId, variant, task);
    const contents = readForcedJournal(file);
    if (contents.unreadable.length > 0) unreadable.push({ variant, task, file, lines: contents.unreadable });
    return contents.records;
  };
  for (const task of manifest.tasks) {
    const others = manifest.config.variants.filter((v) => v.name !== reference);
    const files = others.filter((v) => existsSync(forcedJournalPath(artifactsDir, manifest.runId, v.name, task.name)));
    if (files.length === 0) continue;
    const referenceRecords = read(reference, task.name);
    for (const variant of files) {
      pairs.push(pairForcedRecords(task.name, variant.name, referenceRecords, read(variant.name, task.name)));
    }
  }
  if (pairs.length === 0 && unreadable.length === 0) return undefined;
  return { reference, pairs, unreadable };
}
