/** Hand-built journal records for the metrics and report tests: every number in them is chosen, none computed. */
import type { JournalRecord } from "../../src/journal/record.ts";

export interface RecordSpec {
  variant?: string;
  task?: string;
  itemId: string;
  /** Sample index, for tasks asked several times per item; absent means 0. */
  sample?: number;
  session?: string;
  labels?: Record<string, string>;
  /** "correct" | "wrong" | "unanswered": graded; "request-error": no reply; "grading-error": reply, no grade. */
  outcome: "correct" | "wrong" | "unanswered" | "request-error" | "grading-error";
  finishReason?: string;
  /** Epoch ms. */
  sentAt?: number;
  firstTokenAt?: number;
  firstAnswerTokenAt?: number;
  doneAt?: number;
  promptTokens?: number;
  completionTokens?: number;
  /** The answer the grader extracted (for maj@n); absent: none recorded. */
  extracted?: string;
}

export function makeRecord(spec: RecordSpec): JournalRecord {
  const base = {
    v: 1 as const,
    runId: "run-1",
    session: spec.session ?? "s1",
    variant: spec.variant ?? "bf16",
    task: spec.task ?? "suite40",
    itemId: spec.itemId,
    ...(spec.sample !== undefined ? { sample: spec.sample } : {}),
    attempts: 1,
    request: {
      model: "m",
      messages: [{ role: "user" as const, content: `question ${spec.itemId}` }],
      params: { temperature: 0 },
    },
    gold: "42",
    labels: spec.labels ?? {},
    recordedAt: spec.doneAt ?? 2000,
  };
  if (spec.outcome === "request-error") {
    return { ...base, attempts: 3, error: { code: "E_REQUEST_FAILED", message: "HTTP 500", status: 500 } };
  }
  const reply = {
    text: spec.outcome === "unanswered" ? "I am not sure." : "Answer: 42",
    finishReason: spec.finishReason ?? "stop",
    usage: { promptTokens: spec.promptTokens ?? 100, completionTokens: spec.completionTokens ?? 10 },
    timing: {
      sentAt: spec.sentAt ?? 1000,
      ...(spec.firstTokenAt !== undefined ? { firstTokenAt: spec.firstTokenAt } : {}),
      ...(spec.firstAnswerTokenAt !== undefined ? { firstAnswerTokenAt: spec.firstAnswerTokenAt } : {}),
      doneAt: spec.doneAt ?? 2000,
    },
  };
  if (spec.outcome === "grading-error") {
    return { ...base, reply, error: { code: "E_GOLD_PARSE", message: "gold does not parse" } };
  }
  const grade = {
    correct: spec.outcome === "correct",
    answered: spec.outcome !== "unanswered",
    rule: "answer-line/integer-equal",
    ...(spec.extracted !== undefined ? { extracted: spec.extracted } : {}),
  };
  return { ...base, reply, grade };
}
