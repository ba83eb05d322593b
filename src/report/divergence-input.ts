/**
 * A run's divergence journals (issue 18), read for the report: per task, the heads of the reference's forced records,
 * then each other variant's, paired by item (divergence-pairing.ts). Heads only: a variant's record carries its
 * figures, so no position is parsed (a journal can hold gigabytes of them) unless a record lacks its figures, and then
 * only that item's two lines are read whole.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { forcedJournalPath, type Manifest, readForcedHeads, readForcedRecordAt } from "../journal/index.ts";
import { pairForcedRecords } from "./divergence-pairing.ts";
import type { RunDivergence, TaskVariantDivergence } from "./divergence-types.ts";

/** The run's divergence, or undefined when it has no divergence journal at all (the report then shows none). */
export function readRunDivergence(artifactsDir: string, manifest: Manifest): RunDivergence | undefined {
  if (!existsSync(join(artifactsDir, manifest.runId, "divergence"))) return undefined;
  const { reference } = manifest;
  const pairs: TaskVariantDivergence[] = [];
  const unreadable: RunDivergence["unreadable"] = [];
  const fileOf = (variant: string, task: string) => forcedJournalPath(artifactsDir, manifest.runId, variant, task);
  const read = (variant: string, task: string) => {
    const file = fileOf(variant, task);
    const contents = readForcedHeads(file);
    if (contents.unreadable.length > 0) unreadable.push({ variant, task, file, lines: contents.unreadable });
    return contents.records;
  };
  for (const task of manifest.tasks) {
    const others = manifest.config.variants.filter((v) => v.name !== reference);
    const files = others.filter((v) => existsSync(fileOf(v.name, task.name)));
    if (files.length === 0) continue;
    const referenceHeads = read(reference, task.name);
    for (const variant of files) {
      const heads = read(variant.name, task.name);
      pairs.push(
        pairForcedRecords(task.name, variant.name, referenceHeads, heads, (head) =>
          readForcedRecordAt(fileOf(head.variant, task.name), head.at),
        ),
      );
    }
  }
  if (pairs.length === 0 && unreadable.length === 0) return undefined;
  return { reference, pairs, unreadable };
}
