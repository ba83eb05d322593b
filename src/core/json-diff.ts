/** Where two JSON values differ, by path: what a refusal names, so no one has to compare two blobs by eye. */
import { isRecord } from "./is-record.ts";

export interface Difference {
  /** Dotted, from the prefix given: `customTasks.capitals.answer.ignoreCase`. */
  path: string;
  /** `undefined` where the key is absent on that side. */
  before: unknown;
  after: unknown;
}

/** Objects are walked key by key (before's keys first); anything else, arrays included, is compared whole. */
export function differingPaths(before: unknown, after: unknown, path: string): Difference[] {
  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((key) => differingPaths(before[key], after[key], `${path}.${key}`));
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [{ path, before, after }];
}
