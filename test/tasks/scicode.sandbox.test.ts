/**
 * scicode: loading (items, labels, SciCode's prompts with and without background, N/A without test_data.h5) and
 * grading through Python with numpy and scipy: the reference code passes every sub-step, near misses fail with
 * the rule that says why. Fixtures: our own rows in the hub schema and an h5 file of our own targets. Skipped,
 * with the reason, where bubblewrap or python3 with numpy and scipy cannot run.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ScicodeTargetsMissingError } from "../../src/core/errors.ts";
import type { GradeContext, Item, Reply } from "../../src/core/types.ts";
import { scicode } from "../../src/tasks/scicode.ts";
import { writeScicodeTargets } from "../fixtures/make-scicode-fixtures.ts";
import { scicodePython } from "../helpers/native-python.ts";
import { loadOptions, localDatasets, REAL_DATA } from "../helpers/task-data.ts";

const H5 = join(mkdtempSync(join(tmpdir(), "qe-scicode-")), "test_data.h5");
beforeAll(() => writeScicodeTargets(H5));

const options = (extra: Record<string, unknown> = {}) => ({
  h5: H5,
  withBackground: false,
  timeoutSec: 60,
  memoryMb: 2048,
  ...extra,
});
const load = (extra: Record<string, unknown> = {}) => scicode.load(loadOptions({ options: options(extra) }));
const prompt = (item: Item | undefined): string => item?.messages[0]?.content ?? "";

describe("loading", () => {
  test("one item per sub-step, id = SciCode's step number, labelled with its main problem", async () => {
    const items = await load();
    expect(items.map((i) => [i.id, i.meta.problem])).toEqual([
      ["1.1", "1"],
      ["1.2", "1"],
      ["1.3", "1"],
      ["2.1", "2"],
      ["2.2", "2"],
      ["2.3", "2"],
      ["2.4", "2"],
    ]);
    expect(items.every((i) => i.messages.length === 1 && i.messages[0]?.role === "user")).toBe(true);
    const options = loadOptions({ options: { h5: H5, withBackground: false, timeoutSec: 60, memoryMb: 2048 } });
    await scicode.load(options);
    expect(options.notices).toEqual([expect.stringMatching(/^numeric targets from .*test_data\.h5 \(\d+ bytes\)$/)]);
  });

  test("without background (the default): SciCode's template asks for the background; earlier steps carry code", async () => {
    const [first, second] = await load();
    expect(prompt(first)).toMatch(/^PROBLEM DESCRIPTION:\nYou will be provided with the main description/);
    expect(prompt(first)).toContain("PREVIOUS STEPS DESCRIPTION:\n\n\nNEXT STEP - PROBLEM DESCRIPTION AND FUNCTION");
    expect(prompt(first)).toContain("    '''\n\n    return E\n\nDEPENDENCIES:");
    expect(prompt(first)).not.toContain("Background\nKinetic energy is half");
    // Step 1.2 shows step 1.1's description and its (reference) code, not step 1.2's own code.
    expect(prompt(second)).toContain(
      "Write a function that returns the kinetic energy 1/2 m v^2 of each speed.\n\n\ndef kinetic_energy(m, v):",
    );
    expect(prompt(second)).toContain("    E = 0.5 * m * np.asarray(v) ** 2\n    return E\n\n\nNEXT STEP");
    expect(prompt(second)).not.toContain("return (kinetic_energy(m, v), m * g * h)");
  });

  test("with background: SciCode's multistep template, each step's background after its description", async () => {
    const [, second] = await load({ withBackground: true });
    expect(prompt(second)).toMatch(/^PROBLEM DESCRIPTION:\nYou will be provided with problem steps along with/);
    expect(prompt(second)).toContain(
      "each speed.\nBackground\nKinetic energy is half the mass times the speed squared.",
    );
    expect(prompt(second)).toContain("the potential energy m g h.\nBackground\nPotential energy near the ground");
    expect(prompt(second)).toContain("DEPENDENCIES:\nUse only the following dependencies in your solution.");
  });

  test("without test_data.h5 the task is N/A, naming where the file comes from and the flag", async () => {
    const missing = scicode.load(loadOptions({ options: { withBackground: false, timeoutSec: 60, memoryMb: 2048 } }));
    await expect(missing).rejects.toThrow(ScicodeTargetsMissingError);
    await expect(missing).rejects.toThrow(/no test_data\.h5 was given/);
    const error = await load({ h5: "/nonexistent/test_data.h5" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScicodeTargetsMissingError);
    expect((error as ScicodeTargetsMissingError).message).toMatch(/\/nonexistent\/test_data\.h5 does not exist/);
    expect((error as ScicodeTargetsMissingError).hint).toMatch(/drive\.google\.com.*--scicode-h5 <file>/);
  });
});

const python = await scicodePython();
afterAll(async () => {
  if (python.skip === undefined) await python.close();
});
const LONG = { timeout: 600_000 };

describe.skipIf(python.skip !== undefined)(
  `grading in native Python${python.skip ? ` (skipped: ${python.skip})` : ""}`,
  () => {
    const ctx = { python: python.skip === undefined ? python.run : undefined } as GradeContext;
    const reply = (text: string): Reply => ({
      text,
      finishReason: "stop",
      usage: { promptTokens: 0, completionTokens: 0 },
      timing: { sentAt: 0, doneAt: 0 },
    });
    const fence = (code: string) => `Background: ...\n\`\`\`python\n${code}\n\`\`\``;

    // Each program is a fresh CPython importing numpy: seconds apiece on a loaded machine, hence the time limits.
    test("the reference code passes every sub-step; each wrong answer of the simulator fails", LONG, async () => {
      for (const item of await load()) {
        const key = scicode.answerKey(item, undefined as never);
        const right = await scicode.grade(item, reply(key.correct), ctx);
        expect(right, item.id).toMatchObject({ correct: true, answered: true, rule: "python-fence/passed" });
        if (item.id !== "1.3" && item.id !== "2.1") continue; // the wrong answers have the same shape for every step
        for (const wrong of key.wrong) {
          const graded = await scicode.grade(item, reply(wrong), ctx);
          expect(graded.correct, `${item.id}: ${wrong}`).toBe(false);
          expect(graded.rule).toMatch(/^python-fence\/(assertion-failed|runtime-error)$/);
        }
      }
    });

    test("tolerances are the tests' own: np.allclose's rtol 1e-5 passes 1e-7 off, fails 1e-3 off", LONG, async () => {
      const items = await load();
      const first = items[0];
      if (first === undefined) throw new Error("no items");
      const scaled = (factor: string) =>
        fence(`def kinetic_energy(m, v):\n    return 0.5 * m * np.asarray(v) ** 2 * ${factor}`);
      expect((await scicode.grade(first, reply(scaled("(1 + 1e-7)")), ctx)).rule).toBe("python-fence/passed");
      const off = await scicode.grade(first, reply(scaled("(1 + 1e-3)")), ctx);
      expect(off).toMatchObject({ correct: false, rule: "python-fence/assertion-failed" });
      expect(off.detail).toMatch(/AssertionError/);
    });

    test(
      "a later step runs on the earlier steps' reference code, and imports in the reply are dropped",
      LONG,
      async () => {
        const count = (await load()).find((i) => i.id === "1.3");
        if (count === undefined) throw new Error("no 1.3");
        // Calls kinetic_energy, defined only by step 1.1's reference code; its own import line is removed.
        const code =
          "import os\ndef count_above(m, v, threshold):\n    return int((kinetic_energy(m, v) > threshold).sum())";
        expect((await scicode.grade(count, reply(fence(code)), ctx)).correct).toBe(true);
      },
    );

    test("no code is unanswered; a string or dict near miss fails its comparison", LONG, async () => {
      const items = await load();
      const phase = items.find((i) => i.id === "2.1");
      const margin = items.find((i) => i.id === "2.2");
      if (phase === undefined || margin === undefined) throw new Error("missing items");
      expect(await scicode.grade(phase, reply("```python\n```"), ctx)).toMatchObject({
        correct: false,
        answered: false,
        rule: "python-fence/no-code",
      });
      const liquidEverywhere = fence('def phase_of(T):\n    return "Solid" if T < 273.15 else "liquid"');
      expect((await scicode.grade(phase, reply(liquidEverywhere), ctx)).rule).toBe("python-fence/assertion-failed");
      // Keys as strings where SciCode's dict has float keys: are_dicts_close says no.
      const stringKeys = fence("def boiling_margin(temps):\n    return {str(T): 373.15 - T for T in temps}");
      expect((await scicode.grade(margin, reply(stringKeys), ctx)).rule).toBe("python-fence/assertion-failed");
    });

    test("a program past its time limit is killed and fails as time-limit", LONG, async () => {
      const [first] = await scicode.load(loadOptions({ options: options({ timeoutSec: 1 }) }));
      if (first === undefined) throw new Error("no items");
      const endless = fence("def kinetic_energy(m, v):\n    while True:\n        pass");
      expect(await scicode.grade(first, reply(endless), ctx)).toMatchObject({
        correct: false,
        rule: "python-fence/time-limit",
      });
    });
  },
);

describe.skipIf(REAL_DATA === undefined)("the real validation split (QUANTEVAL_REAL_DATA)", () => {
  test("15 problems, 50 sub-steps; every prompt is SciCode's and step 1 of a problem has no earlier steps", async () => {
    const items = await scicode.load({
      ...loadOptions({ options: options() }),
      data: localDatasets(REAL_DATA),
    });
    expect(items).toHaveLength(50);
    expect(new Set(items.map((i) => i.meta.problem)).size).toBe(15);
    expect(items[0]?.id).toBe("10.1");
    for (const item of items) {
      expect(item.id.startsWith(`${String(item.meta.problem)}.`), item.id).toBe(true);
      expect(prompt(item)).toMatch(/^PROBLEM DESCRIPTION:\n/);
      expect(prompt(item)).not.toMatch(/\{(problem_steps_str|next_step_str|dependencies)\}/);
    }
    expect(prompt(items[0])).toContain("PREVIOUS STEPS DESCRIPTION:\n\n\nNEXT STEP");
    expect(prompt(items[1])).toContain("def get_alpha(recvec, alpha_scaling=5):");
  });
});
