/**
 * Journal records → ReportData: per variant × task (and per breakdown value) counts, accuracy with a Wilson 95%
 * interval, paired deltas against the reference with a paired bootstrap 95% interval, McNemar's exact test and the
 * minimum detectable difference at this n, a macro mean over tasks (with a stratified bootstrap interval), the
 * spread between repeats of a task asked several times per item, and throughput from the same requests. Pure
 * (the bootstrap draws from a seeded generator): reading journals and writing files is write-report.ts's job.
 *
 * Counting rules (the legends in legends/*.md state them to the reader):
 * - Several records for one (variant, task, itemId) happen when a failed request is asked again on resume: the
 *   last one in input order is the item's outcome.
 * - accuracy = correct / graded. Errors (request or grading failures) and missing items are not graded, so they
 *   are never counted as wrong; unanswered replies are graded and are not correct.
 */
import { ConfigError } from "../core/errors.ts";
import {
  DEFAULT_BOOTSTRAP_SEED,
  DEFAULT_MARGIN,
  DEFAULT_RESAMPLES,
  MDE_ALPHA,
  MDE_POWER,
  ONE_SIDED_LEVEL,
} from "../metrics/index.ts";
import { capacityReport } from "./capacity.ts";
import { divergenceReport } from "./divergence-report.ts";
import { errorGroups } from "./error-groups.ts";
import { flipsOf } from "./flips.ts";
import { gateOf } from "./gate.ts";
import { indexRecords, lastOutcomes } from "./journal-index.ts";
import { overallScore, type TaskReplicates } from "./overall-score.ts";
import {
  type DecisionSettings,
  REPORT_SCHEMA_VERSION,
  type ReportData,
  type ReportInput,
  SIGNIFICANCE_LEVEL,
  type TaskReport,
} from "./report-types.ts";
import { servingTimes } from "./serving-times.ts";
import { overallSpeed, type SpeedDraws } from "./speed-accuracy.ts";
import { buildTask } from "./task-report.ts";

export function buildReport(input: ReportInput): ReportData {
  const variantNames = input.variants.map((v) => v.name);
  if (!variantNames.includes(input.reference)) {
    throw new ConfigError(
      [`reference: "${input.reference}" is not one of the variants (${variantNames.join(", ")})`],
      "set reference to one of variants[].name",
    );
  }
  const bootstrap = input.bootstrap ?? { resamples: DEFAULT_RESAMPLES, seed: DEFAULT_BOOTSTRAP_SEED };
  if (!Number.isInteger(bootstrap.resamples) || bootstrap.resamples < 1)
    throw new RangeError(`bootstrap resamples must be a positive integer (got ${bootstrap.resamples})`);
  const journal = indexRecords(input.records);
  const replicates: TaskReplicates = new Map();
  const speedDraws: SpeedDraws = new Map();
  const flips = input.tasks.flatMap((task) => flipsOf(task.name, variantNames, input.reference, journal));
  const tasks = input.tasks.map((task) =>
    buildTask(
      task,
      input.variants.map((v) => v.name),
      input.reference,
      journal,
      bootstrap,
      replicates,
      input.runId,
      input.decision?.margin ?? DEFAULT_MARGIN,
      speedDraws,
    ),
  );
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    runId: input.runId,
    reference: input.reference,
    sampling: { ...input.sampling },
    concurrency: input.concurrency,
    stream: input.stream,
    significanceLevel: SIGNIFICANCE_LEVEL,
    bootstrap: {
      resamples: bootstrap.resamples,
      seed: bootstrap.seed,
      level: 0.95,
      method: "paired percentile bootstrap",
      generator: "xoshiro128**",
    },
    mde: { power: MDE_POWER, alpha: MDE_ALPHA, method: "Connor 1987" },
    decision: decisionSettings(input, tasks),
    variants: input.variants.map((v) => ({ ...v, isReference: v.name === input.reference })),
    tasks,
    serving: servingTimes(input.variants, tasks),
    overall: variantNames.map((variant) => overallScore(variant, variant === input.reference, tasks, replicates)),
    flips,
    errors: errorGroups(lastOutcomes(journal)),
    speed: overallSpeed({ variants: variantNames, reference: input.reference, journal, bootstrap }, tasks, speedDraws),
    ...(input.capacity === undefined
      ? {}
      : { capacity: capacityReport(input.capacity, variantNames, input.reference) }),
    ...(input.divergence === undefined ? {} : { divergence: divergenceReport(input.divergence, flips, bootstrap) }),
  };
}

function decisionSettings(input: ReportInput, tasks: readonly TaskReport[]): DecisionSettings {
  const settings: DecisionSettings = {
    margin: input.decision?.margin ?? DEFAULT_MARGIN,
    marginSource: input.decision?.marginSource ?? "default",
    oneSidedLevel: ONE_SIDED_LEVEL,
  };
  const gate = input.decision?.gate;
  if (gate === undefined) return settings;
  const names = tasks.map((t) => t.name);
  const unknown = (gate.tasks ?? []).filter((t) => !names.includes(t));
  if (unknown.length > 0) {
    throw new ConfigError(
      unknown.map((t) => `report.gate: "${t}" is not a task of this run (${names.join(", ")})`),
      "name tasks of this run in report.gate, or leave it out to gate every task",
    );
  }
  const variants = input.variants.map((v) => v.name).filter((v) => v !== input.reference);
  return { ...settings, gate: gateOf(tasks, variants, gate.tasks ?? names) };
}
