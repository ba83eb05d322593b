import { describe, expect, test } from "vitest";
import type { JournalRecord } from "../../src/journal/record.ts";
import { errorGroups } from "../../src/report/error-groups.ts";

function failed(
  variant: string,
  itemId: string,
  message: string,
  status?: number,
  code = "E_REQUEST_FAILED",
): JournalRecord {
  return {
    v: 2,
    runId: "r",
    session: "s",
    variant,
    task: "suite40",
    itemId,
    attempts: 1,
    request: { model: "m", messages: [], params: {} },
    gold: null,
    labels: {},
    recordedAt: 0,
    error: { code, message, ...(status !== undefined ? { status } : {}) },
  };
}

function withoutError(record: JournalRecord): JournalRecord {
  const { error: _dropped, ...rest } = record;
  return rest;
}

describe("errorGroups", () => {
  test("one row per error shape (numbers and ids aside) per variant and task, most items first, with a message in full", () => {
    const long = (n: number) =>
      `request failed: HTTP 400 This model's maximum context length is 4096 tokens. However, your request has ${n} input tokens.`;
    const groups = errorGroups([
      failed("fp8", "a", long(5000), 400),
      failed("fp8", "b", long(6100), 400),
      failed("fp8", "c", "HTTP 500 boom", 500),
      failed("bf16", "a", long(5000), 400),
      failed("fp8", "d", "gold does not parse", undefined, "E_GOLD_PARSE"),
      withoutError(failed("fp8", "e", "")),
    ]);
    expect(groups).toEqual([
      { variant: "bf16", task: "suite40", code: "E_REQUEST_FAILED", status: 400, count: 1, example: long(5000) },
      { variant: "fp8", task: "suite40", code: "E_REQUEST_FAILED", status: 400, count: 2, example: long(5000) },
      { variant: "fp8", task: "suite40", code: "E_REQUEST_FAILED", status: 500, count: 1, example: "HTTP 500 boom" },
      { variant: "fp8", task: "suite40", code: "E_GOLD_PARSE", count: 1, example: "gold does not parse" },
    ]);
  });

  test("a whole HTML page as a message is cut to its first 600 characters", () => {
    const [group] = errorGroups([failed("fp8", "a", `<html>${"x".repeat(5000)}</html>`, 502)]);
    expect(group?.example).toHaveLength(601);
    expect(group?.example.endsWith("…")).toBe(true);
  });
});
