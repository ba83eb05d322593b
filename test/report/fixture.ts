/**
 * A fixed, hand-built run: three variants (bf16 the reference, fp8 with a resumed error and two errors, nvfp4 failed
 * partway), two tasks (suite40 broken down by category, mini without breakdowns). The expected numbers in the
 * tests were counted from this list by hand.
 */

import type { JournalRecord } from "../../src/journal/record.ts";
import type { ReportInput } from "../../src/report/report-types.ts";
import { makeRecord, type RecordSpec } from "../metrics/records.ts";

const ALGEBRA = { category: "algebra" };
const GEOMETRY = { category: "geometry" };

function suite(
  variant: string,
  itemId: string,
  outcome: RecordSpec["outcome"],
  extra: Partial<RecordSpec> = {},
): JournalRecord {
  const labels = ["q1", "q2", "q3"].includes(itemId) ? ALGEBRA : GEOMETRY;
  return makeRecord({ variant, task: "suite40", itemId, labels, outcome, ...extra });
}

function mini(variant: string, itemId: string, outcome: RecordSpec["outcome"]): JournalRecord {
  return makeRecord({ variant, task: "mini", itemId, outcome });
}

export const RECORDS: readonly JournalRecord[] = [
  // bf16 suite40: 3 of 5 correct; q5 unanswered and cut at max_tokens.
  suite("bf16", "q1", "correct"),
  suite("bf16", "q2", "correct"),
  suite("bf16", "q3", "wrong"),
  suite("bf16", "q4", "correct"),
  suite("bf16", "q5", "unanswered", { finishReason: "length" }),
  // fp8 suite40: q1 failed, then succeeded on resume (the last record wins); q4 failed for good; q5's grading failed.
  suite("fp8", "q1", "request-error"),
  suite("fp8", "q2", "wrong"),
  suite("fp8", "q3", "correct"),
  suite("fp8", "q4", "request-error"),
  suite("fp8", "q5", "grading-error"),
  suite("fp8", "q1", "correct", { session: "s2" }),
  // nvfp4 suite40: its server went away after two items; q3–q5 are missing.
  suite("nvfp4", "q1", "wrong"),
  suite("nvfp4", "q2", "correct"),
  // mini: bf16 2/2 with m3 missing; fp8 2/3; nvfp4 nothing.
  mini("bf16", "m1", "correct"),
  mini("bf16", "m2", "correct"),
  mini("fp8", "m1", "correct"),
  mini("fp8", "m2", "wrong"),
  mini("fp8", "m3", "correct"),
  // Records of a variant and a task the run does not list are not part of this report.
  suite("int4", "q1", "wrong"),
  makeRecord({ variant: "bf16", task: "gpqa_diamond", itemId: "g1", outcome: "wrong" }),
];

export function reportInput(overrides: Partial<ReportInput> = {}): ReportInput {
  return {
    runId: "20250101-120000-ab12",
    reference: "bf16",
    variants: [
      {
        name: "nvfp4",
        model: "Qwen/Qwen3-32B-NVFP4",
        endpoint: "http://127.0.0.1:8001/v1",
        status: "failed",
        error: "E_ENDPOINT_DOWN: http://127.0.0.1:8001/v1 stopped answering",
      },
      { name: "fp8", model: "Qwen/Qwen3-32B-FP8", endpoint: "http://127.0.0.1:8002/v1", status: "done" },
      { name: "bf16", model: "Qwen/Qwen3-32B", endpoint: "http://127.0.0.1:8003/v1", status: "done" },
    ],
    tasks: [
      { name: "suite40", breakdowns: ["category"], itemCount: 5 },
      { name: "mini", breakdowns: [], itemCount: 3 },
    ],
    sampling: { temperature: 0, maxTokens: 4096 },
    concurrency: 16,
    stream: true,
    records: RECORDS,
    ...overrides,
  };
}

/**
 * A run big enough for the paired statistics to say something: suite40 with 40 items (q1–q20 algebra, q21–q40
 * geometry), bf16 right on q1–q30; fp8 loses q1–q5 (↓ 5, ↑ 0: McNemar p = 2/2⁵ = 0.0625); nvfp4 loses q1–q4 and
 * gains q31–q34 (↓ 4, ↑ 4: p = 1). math10 with 10 items, bf16 right on all; fp8 wrong on m1–m6 (↓ 6: p = 2/2⁶ = 0.03125);
 * nvfp4 the same as bf16 (no flips). The config records bf16 batch-invariant, fp8 not, nvfp4 says nothing.
 */
export function fortyItemInput(overrides: Partial<ReportInput> = {}): ReportInput {
  const records: JournalRecord[] = [];
  for (let i = 1; i <= 40; i++) {
    const itemId = `q${i}`;
    const labels = { category: i <= 20 ? "algebra" : "geometry" };
    const bf16 = i <= 30;
    const fp8 = i <= 5 ? false : bf16;
    const nvfp4 = i <= 4 ? false : i >= 31 && i <= 34 ? true : bf16;
    for (const [variant, right] of [
      ["bf16", bf16],
      ["fp8", fp8],
      ["nvfp4", nvfp4],
    ] as const) {
      records.push(makeRecord({ variant, task: "suite40", itemId, labels, outcome: right ? "correct" : "wrong" }));
    }
  }
  for (let i = 1; i <= 10; i++) {
    const itemId = `m${i}`;
    records.push(makeRecord({ variant: "bf16", task: "math10", itemId, outcome: "correct" }));
    records.push(makeRecord({ variant: "fp8", task: "math10", itemId, outcome: i <= 6 ? "wrong" : "correct" }));
    records.push(makeRecord({ variant: "nvfp4", task: "math10", itemId, outcome: "correct" }));
  }
  return {
    runId: "20250102-090000-cd34",
    reference: "bf16",
    variants: [
      {
        name: "bf16",
        model: "Qwen/Qwen3-32B",
        endpoint: "http://127.0.0.1:8003/v1",
        status: "done",
        batchInvariant: true,
      },
      {
        name: "fp8",
        model: "Qwen/Qwen3-32B-FP8",
        endpoint: "http://127.0.0.1:8002/v1",
        status: "done",
        batchInvariant: false,
      },
      { name: "nvfp4", model: "Qwen/Qwen3-32B-NVFP4", endpoint: "http://127.0.0.1:8001/v1", status: "done" },
    ],
    tasks: [
      { name: "suite40", breakdowns: ["category"], itemCount: 40 },
      { name: "math10", breakdowns: [], itemCount: 10 },
    ],
    sampling: { temperature: 0, maxTokens: 4096 },
    concurrency: 16,
    stream: true,
    records,
    ...overrides,
  };
}

/**
 * Repeats: task "code" asked 3 times per item at temperature 0. bf16: a ✓✓✓, b ✓✗✓, c ✗✗✗, d ✓✓ then a failed
 * request (left out: not every repeat graded). fp8: a ✓✓✓, b ✓✓✓, c ✗✗✓.
 * bf16 over a–c: repeats 2/3, 1/3, 2/3 → mean 5/9, sample SD √3/9; agreement 2/3 (a and c).
 * fp8 over a–c: repeats 2/3, 2/3, 1 → mean 7/9, sample SD √3/9 as well; agreement 2/3 (a and b).
 */
export function repeatsInput(overrides: Partial<ReportInput> = {}): ReportInput {
  const plan: Record<string, Record<string, ("correct" | "wrong" | "request-error")[]>> = {
    bf16: {
      a: ["correct", "correct", "correct"],
      b: ["correct", "wrong", "correct"],
      c: ["wrong", "wrong", "wrong"],
      d: ["correct", "correct", "request-error"],
    },
    fp8: {
      a: ["correct", "correct", "correct"],
      b: ["correct", "correct", "correct"],
      c: ["wrong", "wrong", "correct"],
    },
  };
  const records = Object.entries(plan).flatMap(([variant, items]) =>
    Object.entries(items).flatMap(([itemId, outcomes]) =>
      outcomes.map((outcome, sample) => makeRecord({ variant, task: "code", itemId, sample, outcome })),
    ),
  );
  return {
    runId: "20250103-100000-ef56",
    reference: "bf16",
    variants: [
      { name: "bf16", model: "m", endpoint: "http://127.0.0.1:8003/v1", status: "done", batchInvariant: true },
      { name: "fp8", model: "m-fp8", endpoint: "http://127.0.0.1:8002/v1", status: "done" },
    ],
    tasks: [{ name: "code", breakdowns: [], itemCount: 4, samples: 3 }],
    sampling: { temperature: 0 },
    concurrency: 4,
    stream: true,
    records,
    ...overrides,
  };
}
