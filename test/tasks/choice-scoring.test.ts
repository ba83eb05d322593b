/** `scoring: official` for mmlu_pro and gpqa_*: the benchmarks' own extraction, chosen per task and recorded. */
import { describe, expect, test } from "vitest";
import type { Item, Reply } from "../../src/core/types.ts";
import { officialGuess } from "../../src/tasks/choice.ts";
import { scoringOf } from "../../src/tasks/index.ts";
import { testGradeContext } from "../helpers/grade-context.ts";
import { loadForTest } from "../helpers/task-data.ts";

const grading = testGradeContext();

function reply(text: string): Reply {
  const timing = { sentAt: 0, doneAt: 1 };
  return { text, finishReason: "stop", usage: { promptTokens: 1, completionTokens: 1 }, timing };
}

async function loadOne(name: string, taskOptions: Record<string, Record<string, unknown>> = {}) {
  const { loaded } = await loadForTest([name], { taskOptions });
  const [first] = loaded;
  const item = first?.items[0];
  if (first === undefined || item === undefined) throw new Error(`nothing loaded for ${name}`);
  return { ...first, item, gold: String(item.gold) };
}

/** A letter among the item's options other than the gold one. */
function otherLetter(item: Item, gold: string): string {
  const count = Array.isArray(item.meta.options) ? item.meta.options.length : 4;
  return "ABCDEFGHIJ".slice(0, count).replace(gold, "").charAt(0);
}

describe("mmlu_pro scoring", () => {
  test("strict is the default, recorded with the task's options", async () => {
    const { info, task, item, gold } = await loadOne("mmlu_pro");
    expect(info.options).toMatchObject({ shots: 0, scoring: "strict" });
    expect(scoringOf(task.name, info.options)?.mode).toBe("strict");
    const wrong = otherLetter(item, gold);
    // Strict: the answer stated last wins; a stray letter is no answer.
    const corrected = `The answer is (${wrong}). Wait, recomputing the rate: the answer is (${gold}).`;
    expect(await task.grade(item, reply(corrected), grading)).toMatchObject({
      correct: true,
      rule: "answer-is/letter-equal",
    });
    expect(await task.grade(item, reply(`Option ${gold} looks plausible but I am unsure.`), grading)).toMatchObject({
      answered: false,
      rule: "none/no-answer",
    });
  });

  test("official: first 'answer is', then 'Answer:', then the last stray letter (evaluate_from_api.py)", async () => {
    const { info, task, item, gold } = await loadOne("mmlu_pro", { mmlu_pro: { scoring: "official" } });
    expect(info.options).toMatchObject({ scoring: "official" });
    expect(scoringOf(task.name, info.options)).toMatchObject({
      mode: "official",
      description: expect.stringMatching(/evaluate_from_api\.py.*random guess/),
    });
    const wrong = otherLetter(item, gold);
    const corrected = `The answer is (${wrong}). Wait, recomputing the rate: the answer is (${gold}).`;
    expect(await task.grade(item, reply(corrected), grading)).toEqual({
      correct: false,
      answered: true,
      rule: "official/answer-is/letter-equal",
      extracted: wrong,
    });
    expect(await task.grade(item, reply(`Reasoning first.\nAnswer: ${gold}`), grading)).toMatchObject({
      correct: true,
      rule: "official/answer-colon/letter-equal",
    });
    expect(
      await task.grade(item, reply(`Option ${gold} looks plausible, though the data are thin.`), grading),
    ).toMatchObject({ correct: true, answered: true, rule: "official/last-letter/letter-equal" });
    // The pronoun "I" is a stray letter to the official script: it is read as option I.
    expect(await task.grade(item, reply(`Option ${gold} looks plausible but I am unsure.`), grading)).toMatchObject({
      answered: true,
      rule: "official/last-letter/letter-equal",
      extracted: "I",
    });
  });

  test("official: no letter scores a guess seeded by item id; officialRandomGuess: false turns it off", async () => {
    const { task, item, gold } = await loadOne("mmlu_pro", { mmlu_pro: { scoring: "official" } });
    const none = "Both hydrolysis products fit the data equally well; no single option can be singled out.";
    const guessed = await task.grade(item, reply(none), grading);
    const guess = officialGuess(item.id, "ABCDEFGHIJ".slice(0, (item.meta.options as string[]).length));
    expect(guessed).toMatchObject({
      answered: false,
      rule: "official/random-guess",
      extracted: guess,
      correct: guess === gold,
    });
    expect(await task.grade(item, reply(none), grading)).toEqual(guessed); // reproducible
    const off = await loadOne("mmlu_pro", { mmlu_pro: { scoring: "official", officialRandomGuess: false } });
    expect(await off.task.grade(off.item, reply(none), grading)).toEqual({
      correct: false,
      answered: false,
      rule: "official/no-answer",
    });
    expect(scoringOf(off.task.name, off.info.options)?.description).toMatch(/officialRandomGuess: false/);
  });

  test("officialRandomGuess only with scoring: official; an unknown mode is refused by field path", async () => {
    await expect(
      loadForTest(["mmlu_pro"], { taskOptions: { mmlu_pro: { officialRandomGuess: false } } }),
    ).rejects.toThrow(/taskOptions\.mmlu_pro\.officialRandomGuess: applies only with scoring: official/);
    await expect(loadForTest(["mmlu_pro"], { taskOptions: { mmlu_pro: { scoring: "lenient" } } })).rejects.toThrow(
      /taskOptions\.mmlu_pro\.scoring/,
    );
  });

  test("the guess spreads over the letters and differs between items", () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 1000; i++) {
      const letter = officialGuess(String(i), "ABCDEFGHIJ");
      counts.set(letter, (counts.get(letter) ?? 0) + 1);
    }
    expect([...counts.keys()].sort().join("")).toBe("ABCDEFGHIJ");
    for (const count of counts.values()) expect(count).toBeGreaterThan(60); // 100 expected each
  });

  test("a manifest from before the option reads as strict; a mode this version does not know states nothing", () => {
    expect(scoringOf("mmlu_pro:law", { shots: 0 })?.mode).toBe("strict");
    expect(scoringOf("mmlu_pro", { shots: 0, scoring: "lenient" })).toBeUndefined();
    expect(scoringOf("math500", {})).toBeUndefined();
  });
});

describe("gpqa scoring", () => {
  test("official: simple-evals' first 'Answer: X', compared case-sensitively; strict reads the last", async () => {
    const official = await loadOne("gpqa_diamond", { gpqa: { scoring: "official" } });
    const { task, item, gold } = official;
    expect(official.info.options).toMatchObject({ scoring: "official", shuffleSeed: 0 });
    const wrong = otherLetter(item, gold);
    const twice = `Answer: ${wrong}\nOn reflection the ester would hydrolyse first.\nAnswer: ${gold}`;
    expect(await task.grade(item, reply(twice), grading)).toEqual({
      correct: false,
      answered: true,
      rule: "official/answer-colon/letter-equal",
      extracted: wrong,
    });
    expect(await task.grade(item, reply(`answer: ${gold.toLowerCase()}`), grading)).toMatchObject({
      correct: false,
      answered: true,
    });
    expect(await task.grade(item, reply(`The answer is (${gold}).`), grading)).toEqual({
      correct: false,
      answered: false,
      rule: "official/no-answer",
    });
    const strict = await loadOne("gpqa_diamond");
    expect(await strict.task.grade(strict.item, reply(twice), grading)).toMatchObject({
      correct: true,
      rule: "answer-line/letter-equal",
    });
    expect(scoringOf("gpqa_main", { shuffleSeed: 0, scoring: "official" })?.description).toMatch(
      /simple-evals gpqa_eval\.py/,
    );
  });
});
