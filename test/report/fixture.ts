/**
 * A fixed, hand-built run: three variants (bf16 the reference, fp8 with a resumed error and two errors, nvfp4 failed
 * partway), two tasks (suite40 broken down by category, mini without breakdowns). The expected numbers in the
 * tests were counted from this list by hand.
 */
import type { ReportInput } from "../../src/report/summary.ts";
import type { JournalRecord } from "../../src/runner/record.ts";
import { type RecordSpec, makeRecord } from "../metrics/records.ts";

const ALGEBRA = { category: "algebra" };
const GEOMETRY = { category: "geometry" };

function suite(variant: string, itemId: string, outcome: RecordSpec["outcome"], extra: Partial<RecordSpec> = {}): JournalRecord {
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
      { name: "nvfp4", model: "Qwen/Qwen3-32B-NVFP4", endpoint: "http://127.0.0.1:8001/v1", status: "failed", error: "E_ENDPOINT_DOWN: http://127.0.0.1:8001/v1 stopped answering" },
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
