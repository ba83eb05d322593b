/**
 * Bad custom task definitions and data files fail with the file, row and field at fault, before anything is asked:
 * an unknown answer type lists the known ones, a template field the data lacks lists the fields it has.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { parseRunConfig, readConfigFile } from "../../src/config.ts";
import { DatasetFormatError, QuantevalError } from "../../src/core/errors.ts";
import { loadTasks } from "../../src/runner/load-tasks.ts";
import type { CustomTaskDefinition } from "../../src/tasks/index.ts";
import { CustomTaskSchema, taskRegistry } from "../../src/tasks/index.ts";
import { tempDir } from "../e2e/harness.ts";
import { issuesOf, MINIMAL_CONFIG } from "../helpers/config-issues.ts";
import { localDatasets, ROOT } from "../helpers/task-data.ts";

function withFile(name: string, text: string): string {
  const dir = tempDir("custom-errors");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

function definition(fields: Record<string, unknown>): CustomTaskDefinition {
  return CustomTaskSchema.parse({ name: "mine", prompt: "{question}", gold: "answer", ...fields });
}

/** The error loading `def` throws: its class and message. */
async function loadError(def: CustomTaskDefinition): Promise<[string, string]> {
  const config = { tasks: [def.name], taskOptions: {}, sampling: { temperature: 0 }, customTasks: [def] };
  try {
    await loadTasks(config, ROOT, localDatasets(), () => {});
  } catch (error) {
    if (error instanceof QuantevalError) return [error.code, error.message];
    throw error;
  }
  throw new Error("expected an error");
}

const ROWS = ['{"question": "1+1?", "answer": 2}', '{"question": "2+2?", "answer": 4}'];

test("an unknown answer type names the field and lists the known types", () => {
  const raw = {
    ...MINIMAL_CONFIG,
    customTasks: [{ name: "mine", data: { file: "q.jsonl" }, prompt: "{q}", gold: "a", answer: { type: "multiple" } }],
  };
  expect(issuesOf(() => parseRunConfig(raw, "run.yaml"))).toStrictEqual([
    'run.yaml: customTasks[0].answer.type: unknown answer type: use one of choice, integer, number, math, exact, code (got "multiple")',
  ]);
});

test("a misspelt definition field is refused, with the right spelling suggested", () => {
  const raw = {
    ...MINIMAL_CONFIG,
    customTasks: [
      {
        name: "mine",
        data: { file: "q.jsonl" },
        prompt: "{q}",
        gold: "a",
        answer: { type: "integer" },
        breakdown: ["x"],
      },
    ],
  };
  expect(issuesOf(() => parseRunConfig(raw, "run.yaml"))[0]).toBe(
    'run.yaml: customTasks[0]: unknown field "breakdown" (did you mean "breakdowns"?)',
  );
});

test("a missing field in row N names the file, the line and the field", async () => {
  const file = withFile("q.jsonl", [...ROWS, '{"answer": 6}', ""].join("\n"));
  const def = definition({ data: { file }, answer: { type: "integer" } });
  expect(await loadError(def)).toStrictEqual([
    "E_DATASET_FORMAT",
    `${file}:3: field "question" (named by the prompt) is missing`,
  ]);
});

test("a missing gold in row N names the file, the line and the gold field", async () => {
  const file = withFile("q.jsonl", [ROWS[0], '{"question": "3+3?"}', ""].join("\n"));
  const def = definition({ data: { file }, answer: { type: "integer" } });
  expect(await loadError(def)).toStrictEqual(["E_DATASET_FORMAT", `${file}:2: field "answer" (the gold) is missing`]);
});

test("a gold that is not of the answer type names the row and the value", async () => {
  const file = withFile("q.jsonl", [ROWS[0], '{"question": "3+3?", "answer": "six"}', ""].join("\n"));
  const def = definition({ data: { file }, answer: { type: "integer" } });
  expect(await loadError(def)).toStrictEqual([
    "E_DATASET_FORMAT",
    `${file}:2: field "answer" (the gold): "six" is not an integer`,
  ]);
  const numbers = definition({ data: { file }, answer: { type: "number", tolerance: 0.1 } });
  expect(await loadError(numbers)).toStrictEqual([
    "E_DATASET_FORMAT",
    `${file}:2: field "answer" (the gold): "six" is not a number`,
  ]);
});

test("a choice gold that is no letter, index or option text names the row and what it may be", async () => {
  const file = withFile("q.csv", ["question,A,B,C,answer", "Pick one,x,y,z,B", "Pick two,x,y,z,E", ""].join("\n"));
  const def = definition({ data: { file }, answer: { type: "choice", options: ["A", "B", "C"] } });
  expect(await loadError(def)).toStrictEqual([
    "E_DATASET_FORMAT",
    `${file} row 2: field "answer" (the gold): "E" is not a letter A–C, an index 0–2, or an option's text`,
  ]);
});

const NUMBER_OPTIONS = ["question,A,B,C,D,answer", "Pick,1,2,3,4,1", "Pick,1,2,3,4,2", ""].join("\n");

test("a choice gold that is both an index and an option's text is refused, naming the row", async () => {
  // Options 1–4 with gold "2": index 2 is C, the option "2" is B; guessing either grades every reply against a
  // gold the user may not have meant. Row 1's "1" is index 1 (B) and the option "1" (A): refused first.
  const file = withFile("q.csv", NUMBER_OPTIONS);
  const def = definition({ data: { file }, answer: { type: "choice", options: ["A", "B", "C", "D"] } });
  expect((await loadError(def))[1]).toBe(
    `${file} row 1: field "answer" (the gold): "1" is both an index (B) and an option's text (A): ` +
      "say which with answer.goldIs (letter, index or text)",
  );
});

test("a choice gold that is both a letter and an option's text is refused, naming the row", async () => {
  const file = withFile("q.csv", ["question,A,B,C,answer", "Pick,x,y,z,B", "Pick,B,A,C,A", ""].join("\n"));
  const def = definition({ data: { file }, answer: { type: "choice", options: ["A", "B", "C"] } });
  expect((await loadError(def))[1]).toBe(
    `${file} row 2: field "answer" (the gold): "A" is both a letter (A) and an option's text (B): ` +
      "say which with answer.goldIs (letter, index or text)",
  );
});

test("answer.goldIs settles an ambiguous choice gold, and refuses a gold that is not of its kind", async () => {
  const file = withFile("q.csv", NUMBER_OPTIONS);
  const golds = async (goldIs: string) => {
    const def = definition({ data: { file }, answer: { type: "choice", options: ["A", "B", "C", "D"], goldIs } });
    const [loaded] = await loadTasks(
      { tasks: ["mine"], taskOptions: {}, sampling: { temperature: 0 }, customTasks: [def] },
      ROOT,
      localDatasets(),
      () => {},
    );
    return loaded?.items.map((i) => (i.gold as { answer: string }).answer);
  };
  expect(await golds("text")).toStrictEqual(["A", "B"]);
  expect(await golds("index")).toStrictEqual(["B", "C"]);
  const def = definition({
    data: { file },
    answer: { type: "choice", options: ["A", "B", "C", "D"], goldIs: "letter" },
  });
  expect((await loadError(def))[1]).toBe(`${file} row 1: field "answer" (the gold): "1" is not a letter A–D`);
});

test("a template naming a field the data lacks is a config error listing the fields the file has", async () => {
  const file = withFile("q.jsonl", `${ROWS.join("\n")}\n`);
  const def = definition({
    data: { file },
    prompt: "Q: {qestion}",
    answer: { type: "integer" },
    breakdowns: ["level"],
  });
  expect(await loadError(def)).toStrictEqual([
    "E_CONFIG",
    `invalid run config:\n  customTasks.mine: prompt names {qestion}: ${file} has no field "qestion" (its fields: question, answer)\n  customTasks.mine: breakdowns: ${file} has no field "level" (its fields: question, answer)`,
  ]);
});

test("a data file whose format the extension does not say must name its format", async () => {
  const file = withFile("q.txt", `${ROWS.join("\n")}\n`);
  expect(await loadError(definition({ data: { file }, answer: { type: "integer" } }))).toStrictEqual([
    "E_DATASET_FORMAT",
    `${file}: cannot tell the format from the extension ".txt": name it with data.format (jsonl, csv, parquet)`,
  ]);
  const named = definition({ data: { file, format: "jsonl" }, answer: { type: "integer" } });
  const [loaded] = await loadTasks(
    { tasks: ["mine"], taskOptions: {}, sampling: { temperature: 0 }, customTasks: [named] },
    ROOT,
    localDatasets(),
    () => {},
  );
  expect(loaded?.items.map((i) => i.gold)).toStrictEqual([{ answer: "2" }, { answer: "4" }]);
});

test("a missing data file makes the task N/A with the path; the run goes on", async () => {
  const file = join(tempDir("custom-errors"), "gone.jsonl");
  const def = definition({ data: { file }, answer: { type: "integer" } });
  const [loaded] = await loadTasks(
    { tasks: ["mine"], taskOptions: {}, sampling: { temperature: 0 }, customTasks: [def] },
    ROOT,
    localDatasets(),
    () => {},
  );
  expect(loaded?.info.unavailable).toStrictEqual({
    code: "E_DATA_FILE_MISSING",
    message: `${file}: no such file`,
    hint: "check data.file in the task definition (a path relative to the file that names it)",
  });
});

test("a custom task may not take a built-in task's name, nor be defined twice", () => {
  const suite = definition({ name: "suite40", data: { file: "x.jsonl" }, answer: { type: "integer" } });
  const mine = definition({ data: { file: "x.jsonl" }, answer: { type: "integer" } });
  expect(issuesOf(() => taskRegistry([suite, mine, mine]))).toStrictEqual([
    'customTasks[0].name: "suite40" is a built-in task or family; give yours another name',
    'customTasks[2].name: "mine" is defined twice',
  ]);
});

test("a task definition file with a bad field is named in the error, with the field's path inside it", () => {
  const task = withFile(
    "my-task.yaml",
    "name: mine\ndata: { file: q.jsonl }\nprompt: '{q}'\ngold: a\nanswer: { type: int }\n",
  );
  const config = join(task, "..", "run.yaml");
  writeFileSync(config, "customTasks: [./my-task.yaml]\n");
  expect(issuesOf(() => readConfigFile(config, "/"))).toStrictEqual([
    './my-task.yaml: answer.type: unknown answer type: use one of choice, integer, number, math, exact, code (got "int")',
  ]);
  writeFileSync(config, "customTasks: [./nothing-here.yaml]\n");
  expect(issuesOf(() => readConfigFile(config, "/"))[0]).toMatch(
    /^\.\/nothing-here\.yaml: cannot read the file \(ENOENT/,
  );
});

test("DatasetFormatError is what a row problem throws (the class the runner reports as a data error)", async () => {
  const file = withFile("q.jsonl", '["not", "an", "object"]\n');
  const def = definition({ data: { file }, answer: { type: "integer" } });
  await expect(customTaskLoad(def)).rejects.toBeInstanceOf(DatasetFormatError);
  expect(await loadError(def)).toStrictEqual(["E_DATASET_FORMAT", `${file}:1: not a JSON object`]);
});

test("a bad row of the user's own file is bad input (exit 2), fixed by correcting that row of that file", async () => {
  const cases: [string, string, string, string][] = [
    // file name, text, where the message starts, the place the fix names
    ["gold.jsonl", `${ROWS[0]}\n{"question": "3+3?"}\n`, ":2:", "line 2"],
    ["prompt.jsonl", `${ROWS[0]}\n{"answer": 6}\n`, ":2:", "line 2"],
    ["json.jsonl", `${ROWS[0]}\n{"question": "3+3?", "answer": 6\n`, ":2:", "line 2"],
    ["ragged.csv", "question,answer\n1+1?,2\n2+2?,4,extra\n", " record 2 (ending at line 3):", "record 2"],
    ["quote.csv", 'question,answer\n1+1?,2\n"2+2?,4\n', " line ", "line "],
  ];
  for (const [name, text, where, place] of cases) {
    const file = withFile(name, text);
    const error = await loadFailure(definition({ data: { file }, answer: { type: "integer" } }));
    expect([name, error.message.startsWith(`${file}${where}`), error.exitCode]).toStrictEqual([name, true, 2]);
    expect(error.hint).toMatch(new RegExp(`^correct ${place}.* of ${file}, your task's data file`));
    expect(error.hint).not.toMatch(/re-download/);
  }
});

async function loadFailure(def: CustomTaskDefinition): Promise<QuantevalError> {
  const error = await customTaskLoad(def).catch((e: unknown) => e);
  if (error instanceof QuantevalError) return error;
  throw new Error(`expected a QuantevalError, got ${String(error)}`);
}

async function customTaskLoad(def: CustomTaskDefinition): Promise<unknown> {
  const task = taskRegistry([def]).find((t) => t.name === def.name);
  return task?.load({ root: ROOT, data: localDatasets(), options: {}, notice: () => {} });
}

test("code tests that are not { input, output } name the row and the test", async () => {
  const file = withFile("c.jsonl", '{"question": "echo", "tests": [{"input": "a", "output": "a"}, {"in": "b"}]}\n');
  const def = definition({ data: { file }, gold: undefined, answer: { type: "code", tests: "tests" } });
  expect(await loadError(def)).toStrictEqual([
    "E_DATASET_FORMAT",
    `${file}:1: field "tests" (the tests) [1]: must be { input, output }`,
  ]);
});

test("code answers: functionName exactly for functional tests, and no few-shot examples", () => {
  const base = { ...MINIMAL_CONFIG, customTasks: [{ name: "c", data: { file: "c.jsonl" }, prompt: "{q}" }] };
  const withAnswer = (answer: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    ...base,
    customTasks: [{ ...base.customTasks[0], answer, ...extra }],
  });
  expect(
    issuesOf(() => parseRunConfig(withAnswer({ type: "code", tests: "t", mode: "functional" }), "run.yaml")),
  ).toStrictEqual([
    'run.yaml: customTasks[0].answer.functionName: give functionName exactly when mode is "functional" (got nothing)',
  ]);
  const shots = { fewShot: { data: { file: "s.jsonl" }, count: 1 } };
  expect(issuesOf(() => parseRunConfig(withAnswer({ type: "code", tests: "t" }, shots), "run.yaml"))).toStrictEqual([
    'run.yaml: customTasks[0].fewShot: not for code answers: a test list is no example reply to show (got {"data":{"file":"s.jsonl"},"count":1})',
  ]);
  expect(issuesOf(() => parseRunConfig(withAnswer({ type: "integer" }), "run.yaml"))).toStrictEqual([
    "run.yaml: customTasks[0].gold: name the field holding the answer (got nothing)",
  ]);
});
