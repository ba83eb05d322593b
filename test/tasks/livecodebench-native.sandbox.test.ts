/**
 * LiveCodeBench graded by the native executor end to end: the fixture problems loaded with `executor: native`,
 * the simulator's answer key graded through the task, as the Pyodide run in standard.sandbox.test.ts does.
 * Skipped, with the reason, where bubblewrap cannot run.
 */
import { describe, expect, test } from "vitest";
import { detectNativePython } from "../../graders/code/index.ts";
import type { Reply } from "../../src/core/types.ts";
import { testGradeContext } from "../helpers/grade-context.ts";
import { loadForTest } from "../helpers/task-data.ts";

const native = await detectNativePython();
const skipped = native.available ? "" : ` (skipped: ${native.reason})`;
const grading = testGradeContext();

const reply = (text: string): Reply => ({
  text,
  finishReason: "stop",
  usage: { promptTokens: 1, completionTokens: 1 },
  timing: { sentAt: 0, doneAt: 1 },
});

describe.skipIf(!native.available)(`livecodebench with executor: native${skipped}`, () => {
  test("the answer key's right program passes and each wrong one fails its own way", async () => {
    const { loaded } = await loadForTest(["livecodebench:v6"], {
      taskOptions: { livecodebench: { executor: "native", timeoutSec: 2 } },
    });
    const [first] = loaded;
    if (first === undefined) throw new Error("nothing loaded");
    expect(first.info.executor).toBe("native");
    for (const item of first.items) {
      const key = first.task.answerKey(item, grading.math);
      expect((await first.task.grade(item, reply(key.correct), grading)).correct, item.id).toBe(true);
      const rules = [];
      for (const wrong of key.wrong) rules.push((await first.task.grade(item, reply(wrong), grading)).rule);
      expect(rules, item.id).toEqual([
        "code-block/wrong_answer",
        "code-block/runtime_error",
        "code-block/compile_error",
        "code-block/time_limit",
        "code-block/memory_limit",
      ]);
    }
    // Graded natively: native sandboxes started, no Pyodide worker.
    expect(grading.code.nativeStarts).toBeGreaterThan(0);
    expect(grading.code.sandboxStarts.python).toBe(0);
  });
});
