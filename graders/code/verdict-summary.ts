/** How a code verdict reads in a grade: the rule (`code-block/<first failure>`) and a one-line detail. */
import type { CodeVerdict } from "./types.ts";

export function codeVerdictRule(verdict: CodeVerdict): string {
  return `code-block/${verdict.passed ? "all-tests-passed" : (verdict.tests.find((t) => t.status !== "passed")?.status ?? "no-tests")}`;
}

/** "3/4 tests passed; test 4: wrong_answer: …", saying when the run stopped at the first failure. */
export function codeVerdictDetail(verdict: CodeVerdict, total: number): string {
  const passed = verdict.tests.filter((t) => t.status === "passed").length;
  const failed = verdict.tests.find((t) => t.status !== "passed");
  const ran =
    verdict.tests.length < total ? ` (stopped after the first failure: ${verdict.tests.length} of ${total} run)` : "";
  return `${passed}/${total} tests passed${ran}${failed !== undefined ? `; test ${verdict.tests.indexOf(failed) + 1}: ${failed.status}${failed.detail !== undefined ? `: ${failed.detail}` : ""}` : ""}`;
}
