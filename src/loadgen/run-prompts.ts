/**
 * `bench --scenario dataset --from-run <artifacts>/<run-id> --task <task>`: an eval task's prompts as that run sent
 * them, each variant's output length taken from its own journal (usage.completionTokens of its reply to the item,
 * reasoning included), so a variant's speed reflects its own reasoning length. Requests take the units (item and
 * sample) that every variant answered, in unit order; an item a variant failed on is left out for all of them.
 */
import { join } from "node:path";
import { ConfigError } from "../core/errors.ts";
import type { Message } from "../core/types.ts";
import { type JournalRecord, readJournalAs, unitKey } from "../journal/index.ts";

export interface RunPrompts {
  run: string;
  task: string;
  /** `itemId#sample`, in the order requests take them. */
  units: readonly string[];
  prompts: readonly Message[][];
  /** Per variant name, the completion tokens of its reply to each unit (at least 1: max_tokens must be). */
  outputTokens: Readonly<Record<string, readonly number[]>>;
}

const HINT =
  "pass --from-run the folder of a `quanteval run` of the same variants (artifacts/<run-id>) and --task one of its " +
  "tasks; bench with the run's config (-c) so the variant names match";

/** What is kept of a reply record (the verdict fields only because the reader folds grades into them). */
type Answered = Pick<JournalRecord, "grade" | "error"> & {
  unit: string;
  messages: Message[];
  completionTokens: number;
};

/**
 * Reads `<runDir>/<variant>/<task>.jsonl` per variant; throws ConfigError naming what is missing. `shown` is the
 * folder as the user wrote it, for messages and bench.json.
 */
export function readRunPrompts(runDir: string, task: string, variants: readonly string[], shown = runDir): RunPrompts {
  const answered = variants.map((variant) => {
    const file = join(runDir, variant, `${task}.jsonl`);
    const { records } = readJournalAs<Answered>(file, (record) =>
      record.reply === undefined
        ? undefined
        : {
            unit: unitKey(record.itemId, record.sample),
            messages: record.request.messages,
            completionTokens: record.reply.usage.completionTokens,
          },
    );
    if (records.length === 0)
      throw new ConfigError(
        [`flags: --from-run ${shown}: ${file} has no replies (or is missing)`],
        HINT,
        "bench flags",
      );
    return new Map(records.map((r) => [r.unit, r]));
  });
  const [first, ...others] = answered;
  if (first === undefined) throw new ConfigError(["flags: --from-run: no variants to bench"], HINT, "bench flags");
  const units = [...first.keys()].filter((unit) => others.every((map) => map.has(unit))).sort();
  if (units.length === 0)
    throw new ConfigError(
      [`flags: --from-run ${shown}: no ${task} item was answered by every variant (${variants.join(", ")})`],
      HINT,
      "bench flags",
    );
  const outputTokens: Record<string, number[]> = {};
  variants.forEach((variant, i) => {
    outputTokens[variant] = units.map((unit) => Math.max(1, answered[i]?.get(unit)?.completionTokens ?? 1));
  });
  return { run: shown, task, units, prompts: units.map((unit) => first.get(unit)?.messages ?? []), outputTokens };
}
