/**
 * A ReportData built by hand for the per-precision table's renderers: every figure they print is written here, so
 * the expected tables can be read off this file. bf16 is the reference; fp8_dynamic and nvfp4 are compared.
 * - suite40 (40 items, 1 sample): fp8_dynamic inconclusive, nvfp4 inferior.
 * - aime24 (30 items, 4 samples): the rows' sample-0 accuracies (30%, 20%, 30%) must not be printed; avg@4 (pass@1
 *   over all samples) is 25%, 17.5%, 25%. fp8_dynamic's recovery interval is unbounded above; nvfp4 has no item
 *   that differs, so its Δ has no bootstrap interval.
 * - mmlu_pro (12,032 items): fp8_dynamic non-inferior, nvfp4 inferior.
 * - user_task&50%#1 (the name exercises LaTeX escaping): its data was N/A; nothing graded, nothing paired.
 */
import type {
  Decision,
  Delta,
  OverallScore,
  PassAtK,
  ReportData,
  Score,
  TaskReport,
} from "../../src/report/report-types.ts";

const VARIANTS = ["bf16", "fp8_dynamic", "nvfp4"] as const;

function score(variant: string, correct: number, graded: number, n = graded): Score {
  return {
    variant,
    n,
    graded,
    correct,
    unanswered: 0,
    truncated: 0,
    capped: 0,
    errors: 0,
    missing: n - graded,
    accuracy: graded === 0 ? null : correct / graded,
    ci95: graded === 0 ? null : { low: 0, high: 1 },
  };
}

/** A delta whose sample-0 figures differ from its decision's, so a test can tell which one was printed. */
function delta(variant: string, decision: Decision | null): Delta {
  return {
    variant,
    paired: decision?.paired ?? 0,
    referenceCorrect: 0,
    variantCorrect: 0,
    deltaPp: decision === null ? null : 99,
    referenceRightVariantWrong: 0,
    referenceWrongVariantRight: 0,
    pValue: decision === null ? null : 1,
    significant: decision === null ? null : false,
    ci95Pp: decision === null ? null : { low: 98, high: 100 },
    decision,
  };
}

function decision(
  fields: Pick<Decision, "samples" | "paired" | "deltaPp" | "ci95Pp">,
  recovery: { value: number; low: number; high: number | null } | null,
  verdict: "non-inferior" | "inferior" | "inconclusive",
): Decision {
  return {
    ...fields,
    referenceMean: 0.5,
    variantMean: 0.5,
    mdePp: 5,
    recovery:
      recovery === null
        ? null
        : { value: recovery.value, ci95: { low: recovery.low, high: recovery.high }, undefinedResamples: 0 },
    nonInferiority: {
      verdict,
      basis: fields.ci95Pp === null ? "no-item-differs" : "bootstrap",
      interval: fields.ci95Pp ?? { low: -10, high: 10 },
      threshold: -1,
      itemsNeeded: verdict === "inconclusive" ? 600 : null,
    },
  };
}

function passAt1(variant: string, value: number): PassAtK {
  return {
    variant,
    problems: 30,
    samplesPerProblem: 4,
    values: [
      { k: 1, value },
      { k: 4, value: 0.9 },
    ],
  };
}

function task(
  name: string,
  itemCount: number,
  scores: Score[],
  deltas: Delta[],
  extra: Partial<TaskReport> = {},
): TaskReport {
  return {
    name,
    itemCount,
    breakdowns: [],
    files: [],
    notices: [],
    samples: 1,
    passAtK: [],
    repeats: [],
    rows: [{ task: name, breakdown: "all", value: "all", label: name, scores, deltas }],
    throughput: [],
    speed: [],
    ...extra,
  };
}

/** Built afresh per call: a test may edit its copy. */
function tasks(): TaskReport[] {
  return [
    task(
      "suite40",
      40,
      [score("bf16", 30, 40), score("fp8_dynamic", 28, 40), score("nvfp4", 25, 40)],
      [
        delta(
          "fp8_dynamic",
          decision(
            { samples: 1, paired: 40, deltaPp: -5, ci95Pp: { low: -12.5, high: 2.5 } },
            { value: 0.7 / 0.75, low: 0.84, high: 1.04 },
            "inconclusive",
          ),
        ),
        delta(
          "nvfp4",
          decision(
            { samples: 1, paired: 40, deltaPp: -12.5, ci95Pp: { low: -22.5, high: -2.5 } },
            { value: 0.625 / 0.75, low: 0.72, high: 0.97 },
            "inferior",
          ),
        ),
      ],
    ),
    task(
      "aime24",
      30,
      [score("bf16", 9, 30), score("fp8_dynamic", 6, 30), score("nvfp4", 9, 30)],
      [
        delta(
          "fp8_dynamic",
          decision(
            { samples: 4, paired: 30, deltaPp: -7.5, ci95Pp: { low: -15, high: 0.8333 } },
            { value: 0.7, low: 0.4, high: null },
            "inconclusive",
          ),
        ),
        delta(
          "nvfp4",
          decision({ samples: 4, paired: 30, deltaPp: 0, ci95Pp: null }, { value: 1, low: 1, high: 1 }, "inconclusive"),
        ),
      ],
      { samples: 4, passAtK: [passAt1("bf16", 0.25), passAt1("fp8_dynamic", 0.175), passAt1("nvfp4", 0.25)] },
    ),
    task(
      "mmlu_pro",
      12032,
      [score("bf16", 8723, 12032), score("fp8_dynamic", 8699, 12032), score("nvfp4", 8494, 12032)],
      [
        delta(
          "fp8_dynamic",
          decision(
            { samples: 1, paired: 12032, deltaPp: -0.2, ci95Pp: { low: -0.6, high: 0.2 } },
            { value: 0.99725, low: 0.9914, high: 1.0029 },
            "non-inferior",
          ),
        ),
        delta(
          "nvfp4",
          decision(
            { samples: 1, paired: 12032, deltaPp: -1.9, ci95Pp: { low: -2.4, high: -1.4 } },
            { value: 0.9737, low: 0.966, high: 0.98 },
            "inferior",
          ),
        ),
      ],
    ),
    task(
      "user_task&50%#1",
      20,
      [score("bf16", 0, 0, 20), score("fp8_dynamic", 0, 0, 20), score("nvfp4", 0, 0, 20)],
      [delta("fp8_dynamic", null), delta("nvfp4", null)],
      { unavailable: { code: "E_DATASET_GATED", message: "org/data is gated", hint: "accept its terms" } },
    ),
  ];
}

function overall(variant: string, fields: Partial<OverallScore>): OverallScore {
  return {
    variant,
    macroAccuracy: 0,
    tasksScored: 3,
    macroDeltaPp: null,
    deltaTasks: 0,
    deltaPaired: 0,
    macroDeltaCi95Pp: null,
    ...fields,
  };
}

/** The fields of an overall decision the table does not print. */
const macroDecision = { tasks: 3, paired: 12102, referenceMean: 0.5, variantMean: 0.5 };

export function precisionReport(overrides: Partial<ReportData> = {}): ReportData {
  return {
    schemaVersion: 1,
    runId: "qwen3-32b",
    reference: "bf16",
    sampling: { temperature: 0.6, topP: 0.95 },
    concurrency: 16,
    stream: true,
    significanceLevel: 0.05,
    bootstrap: {
      resamples: 10000,
      seed: 0,
      level: 0.95,
      method: "paired percentile bootstrap",
      generator: "xoshiro128**",
    },
    mde: { power: 0.8, alpha: 0.05, method: "Connor 1987" },
    decision: { margin: { kind: "pp", pp: 1 }, marginSource: "default", oneSidedLevel: 0.975 },
    variants: VARIANTS.map((name) => ({
      name,
      model: `m-${name}`,
      endpoint: "http://127.0.0.1:8000/v1",
      status: "done" as const,
      isReference: name === "bf16",
    })),
    tasks: tasks(),
    serving: [],
    speed: [],
    overall: [
      // macroScore: the mean of the task rows' scores (aime24 at avg@4); decision: the macro Δ on every sample.
      overall("bf16", { macroScore: (0.75 + 0.25 + 8723 / 12032) / 3, decision: null, verdicts: [] }),
      overall("fp8_dynamic", {
        macroScore: (0.7 + 0.175 + 8699 / 12032) / 3,
        macroDeltaPp: 99,
        macroDeltaCi95Pp: { low: 98, high: 100 },
        decision: { ...macroDecision, deltaPp: -4.2333, ci95Pp: { low: -8.1, high: -0.4 } },
        recovery: { value: 0.92, ci95: { low: 0.85, high: 0.99 }, undefinedResamples: 0 },
        verdicts: [
          { task: "suite40", verdict: "inconclusive" },
          { task: "aime24", verdict: "inconclusive" },
          { task: "mmlu_pro", verdict: "non-inferior" },
        ],
      }),
      overall("nvfp4", {
        macroScore: (0.625 + 0.25 + 8494 / 12032) / 3,
        macroDeltaPp: 99,
        macroDeltaCi95Pp: { low: 98, high: 100 },
        decision: { ...macroDecision, deltaPp: -4.8, ci95Pp: { low: -8.3, high: -1.2 } },
        recovery: { value: 0.91, ci95: { low: 0.8, high: null }, undefinedResamples: 3 },
        verdicts: [
          { task: "suite40", verdict: "inferior" },
          { task: "aime24", verdict: "inconclusive" },
          { task: "mmlu_pro", verdict: "inferior" },
        ],
      }),
    ],
    flips: [],
    errors: [],
    ...overrides,
  };
}
