/** pass@k in the report, from records with several samples per item; values computed by hand. */
import { describe, expect, test } from "vitest";
import type { JournalRecord } from "../../src/journal/record.ts";
import { renderHtml } from "../../src/report/html.ts";
import { passKs } from "../../src/report/pass-at-k.ts";
import { buildReport } from "../../src/report/summary.ts";
import { makeRecord } from "../metrics/records.ts";

function sample(itemId: string, sample: number, outcome: "correct" | "wrong" | "request-error"): JournalRecord {
  return { ...makeRecord({ variant: "bf16", task: "code", itemId, outcome }), sample };
}

describe("pass@k", () => {
  test("k = 1, 2, 5, 10, … up to n, and n itself", () => {
    expect(passKs(1)).toEqual([1]);
    expect(passKs(3)).toEqual([1, 2, 3]);
    expect(passKs(16)).toEqual([1, 2, 5, 10, 16]);
  });

  test("averaged over the problems whose every sample was graded; sample 0 alone feeds the accuracy table", () => {
    const records = [
      // p1: 1 of 3 pass → pass@1 1/3, pass@2 1 − C(2,2)/C(3,2) = 2/3, pass@3 1
      sample("p1", 0, "wrong"),
      sample("p1", 1, "correct"),
      sample("p1", 2, "wrong"),
      // p2: 3 of 3 → 1, 1, 1
      sample("p2", 0, "correct"),
      sample("p2", 1, "correct"),
      sample("p2", 2, "correct"),
      // p3: a sample failed after retries, so p3 is left out rather than counted as 2 samples
      sample("p3", 0, "correct"),
      sample("p3", 1, "request-error"),
      sample("p3", 2, "correct"),
    ];
    const report = buildReport({
      runId: "r",
      reference: "bf16",
      variants: [{ name: "bf16", model: "m", endpoint: "http://127.0.0.1:1/v1", status: "done" }],
      tasks: [{ name: "code", breakdowns: [], itemCount: 3, samples: 3 }],
      sampling: { temperature: 0.8 },
      concurrency: 1,
      stream: true,
      records,
    });
    const task = report.tasks[0];
    expect(task?.samples).toBe(3);
    const p = task?.passAtK[0];
    expect(p?.problems).toBe(2);
    expect(p?.values.map((v) => v.k)).toEqual([1, 2, 3]);
    expect(p?.values[0]?.value).toBeCloseTo((1 / 3 + 1) / 2, 12);
    expect(p?.values[1]?.value).toBeCloseTo((2 / 3 + 1) / 2, 12);
    expect(p?.values[2]?.value).toBe(1);
    // avg@3 counts p3 too, by its two graded samples (both right): (1/3 + 1 + 1) / 3 over the items with any graded
    // sample, the items the decision pairs. maj@3: the code grader records no extracted answer, so there is none.
    expect(p?.average).toBeCloseTo((1 / 3 + 1 + 1) / 3, 12);
    expect(p?.averageItems).toBe(3);
    expect(p?.majority?.value).toBeNull();
    // The accuracy row is sample 0: p1 wrong, p2 right, p3 right.
    expect(task?.rows[0]?.scores[0]).toMatchObject({ graded: 3, correct: 2 });
    // index.html shows pass@k and the repeats' spread too.
    const html = renderHtml(report, records, []);
    expect(html).toContain("pass@k (several samples per item)");
    expect(html).toMatch(/<th[^>]*>maj@n<\/th>/);
    expect(html).toMatch(/Repeats \(noise floor\)[\s\S]*<td>code<\/td>/);
  });
});
