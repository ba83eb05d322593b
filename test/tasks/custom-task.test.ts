/** A custom task's items: prompts from `{field}` templates, choice golds as letters, ids, breakdowns. */
import { join } from "node:path";
import { expect, test } from "vitest";
import { createMathEngine } from "../../graders/math/index.ts";
import { fillTemplate, templateFields } from "../../src/tasks/custom/template.ts";
import { CustomTaskSchema, taskRegistry } from "../../src/tasks/index.ts";
import { localDatasets, ROOT } from "../helpers/task-data.ts";

const FIXTURES = join(ROOT, "test/fixtures/custom-tasks");

function nth<T>(list: readonly T[], index: number): T {
  const value = list[index];
  if (value === undefined) throw new Error(`no item ${index}`);
  return value;
}

async function itemsOf(fields: Record<string, unknown>) {
  const def = CustomTaskSchema.parse({ name: "mine", ...fields });
  const task = taskRegistry([def]).find((t) => t.name === "mine");
  if (task === undefined) throw new Error("not registered");
  return { task, items: await task.load({ root: ROOT, data: localDatasets(), options: {}, notice: () => {} }) };
}

test("templates: {field} is replaced once, {{ and }} are literal braces, unknown names stay", () => {
  expect(templateFields("Solve {problem} in \\frac{{1}}{{2}} of {time}, then {problem}")).toStrictEqual([
    "problem",
    "time",
  ]);
  expect(fillTemplate("{q} costs {{$}}{n}", { q: "{n} $& x", n: "5" })).toBe("{n} $& x costs {$}5");
});

test("choice golds given as a letter, a 0-based index or an option's text all become letters", async () => {
  const { items } = await itemsOf({
    data: { file: join(FIXTURES, "planets.jsonl") },
    id: "id",
    prompt: "{question}",
    gold: "answer",
    answer: { type: "choice", options: "choices" },
    breakdowns: ["subject"],
  });
  expect(items.map((i) => [i.id, i.gold, i.meta])).toStrictEqual([
    ["largest", { answer: "B", options: ["Mars", "Jupiter", "Venus", "Earth"] }, { subject: "astronomy" }],
    ["red", { answer: "A", options: ["Mars", "Jupiter", "Venus"] }, { subject: "astronomy" }],
    ["gas", { answer: "C", options: ["Nitrogen", "Carbon dioxide", "Oxygen", "Helium"] }, { subject: "chemistry" }],
    ["water", { answer: "B", options: ["One", "Two", "Three", "Four", "Five"] }, { subject: "chemistry" }],
  ]);
  expect(items[1]?.messages).toStrictEqual([
    {
      role: "user",
      content:
        'Which planet is called the red planet?\n\nA) Mars\nB) Jupiter\nC) Venus\n\nThink step by step, then end your reply with a final line of the form "Answer: <letter>", where <letter> is one of A, B, C.',
    },
  ]);
});

test("A–D columns: a blank column ends the options; {options} places them; instruction replaces the default", async () => {
  const { items } = await itemsOf({
    data: { file: join(FIXTURES, "elements.csv") },
    prompt: "Question: {question}\nOptions:\n{options}",
    instruction: "Reply with one of {letters} on a line of its own, as 'Answer: X'.",
    gold: "answer",
    answer: { type: "choice", options: ["A", "B", "C", "D"] },
  });
  expect(items.map((i) => i.gold)).toStrictEqual([
    { answer: "B", options: ["Ag", "Au", "Gd", "Go"] },
    { answer: "B", options: ["Helium", "Hydrogen", "Lithium"] },
    { answer: "A", options: ["Neon", "Sodium", "Iron", "Carbon"] },
  ]);
  expect(items[1]?.messages[0]?.content).toBe(
    "Question: Which element has atomic number 1?\nOptions:\nA) Helium\nB) Hydrogen\nC) Lithium\n\nReply with one of A, B, C on a line of its own, as 'Answer: X'.",
  );
  expect(items[2]?.messages[0]?.content).toContain('Which of these is a noble gas, "inert" in most reactions?');
});

test("math: the boxed instruction, and answer keys whose wrong answers the grader rejects", async () => {
  const { task, items } = await itemsOf({
    data: { file: join(FIXTURES, "algebra.jsonl") },
    prompt: "{problem}",
    gold: "solution",
    answer: { type: "math" },
  });
  expect(items[0]?.messages[0]?.content).toBe(
    "Simplify $\\frac{6}{8}$.\n\nPlease reason step by step, and put your final answer within \\boxed{}.",
  );
  const math = createMathEngine();
  expect(task.answerKey(nth(items, 0), math)).toStrictEqual({
    correct: "\\boxed{\\frac{3}{4}}",
    wrong: ["\\boxed{\\frac{3}{4}+1}", "\\boxed{2(\\frac{3}{4})}", "\\boxed{0}"],
  });
});

test("exact: wrong answers for the simulator are other rows' golds that normalise differently", async () => {
  const { task, items } = await itemsOf({
    data: { file: join(FIXTURES, "capitals.jsonl") },
    prompt: "Capital of {country}?",
    gold: "capital",
    answer: { type: "exact", ignoreCase: true },
  });
  const key = task.answerKey(nth(items, 3), createMathEngine());
  expect(key).toStrictEqual({
    correct: "Answer: Washington, D.C.",
    wrong: ["Answer: Paris", "Answer: Tokyo", "Answer: Nairobi"],
  });
});

test("code: functional tests become one JSON argument per line; the prompt names the function", async () => {
  const { items } = await itemsOf({
    data: { file: join(FIXTURES, "functions.jsonl") },
    prompt: "{problem}",
    answer: { type: "code", tests: "tests", mode: "functional", functionName: "{entry_point}", language: "javascript" },
  });
  expect(items[0]?.gold).toStrictEqual({
    answer: "2 tests",
    tests: [
      { input: "3\n7", output: "7", testtype: "functional" },
      { input: "-1\n-5", output: "-1", testtype: "functional" },
    ],
    funcName: "larger",
  });
  expect(items[1]?.messages[0]?.content).toBe(
    "Return the list of words of a sentence, split on spaces.\n\nWrite a JavaScript function named words that returns the answer. Give the code in one fenced block (```javascript).",
  );
});
