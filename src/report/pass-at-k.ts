/** pass@k per variant on a task asked several times per item. */
import { passAtK } from "../../graders/code/index.ts";
import { mean } from "../metrics/index.ts";
import type { ReportRecord } from "./report-record.ts";
import type { PassAtK } from "./report-types.ts";

/** k = 1, 2, 5, 10, 20, 50, 100 up to n, and n itself. */
export function passKs(n: number): number[] {
  return [...new Set([1, 2, 5, 10, 20, 50, 100].filter((k) => k <= n).concat(n))].sort((a, b) => a - b);
}

export function passAtKOf(
  variant: string,
  n: number,
  bySample: ReadonlyMap<string, ReadonlyMap<number, ReportRecord>> | undefined,
): PassAtK {
  const correctCounts: number[] = [];
  for (const samples of bySample?.values() ?? []) {
    const graded = [...samples.values()].filter((r) => r.grade !== undefined && (r.sample ?? 0) < n);
    if (graded.length < n) continue; // a problem with samples missing or failed would bias the estimate
    correctCounts.push(graded.filter((r) => r.grade?.correct === true).length);
  }
  const values = passKs(n).map((k) => ({
    k,
    value: correctCounts.length === 0 ? null : mean(correctCounts.map((c) => passAtK(n, c, k))),
  }));
  return { variant, problems: correctCounts.length, samplesPerProblem: n, values };
}
