/**
 * The standard benchmark tasks against our fixtures (test/fixtures/hub, real formats, invented rows) and, when
 * QUANTEVAL_REAL_DATA names a folder, against the real files: counts, columns, gold answers, prompts.
 */
import { mkdirSync, mkdtempSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, test } from "vitest";
import { ConfigError, DatasetNotInDataDirError } from "../../src/core/errors.ts";
import type { Item, Reply } from "../../src/core/types.ts";
import { seededPermutation } from "../../src/tasks/choice.ts";
import { resolveTasks } from "../../src/tasks/index.ts";
import { releaseFiles } from "../../src/tasks/livecodebench.ts";
import type { Task } from "../../src/tasks/types.ts";
import { testGradeContext } from "../helpers/grade-context.ts";
import { loadForTest, REAL_DATA } from "../helpers/task-data.ts";

const grading = testGradeContext();

function reply(text: string): Reply {
  return {
    text,
    finishReason: "stop",
    usage: { promptTokens: 1, completionTokens: 1 },
    timing: { sentAt: 0, doneAt: 1 },
  };
}

function userPrompt(item: Item): string {
  return item.messages.filter((m) => m.role === "user").at(-1)?.content ?? "";
}

/** The simulator answers from the answer key: the grader must accept the correct one and reject every wrong one. */
async function checkAnswerKeys(task: Task, items: readonly Item[]): Promise<void> {
  for (const item of items) {
    const key = task.answerKey(item, grading.math);
    const right = await task.grade(item, reply(`Some reasoning.\n${key.correct}`), grading);
    expect(right, `${task.name}/${item.id}: correct answer ${key.correct}`).toMatchObject({
      correct: true,
      answered: true,
    });
    expect(key.wrong.length, `${task.name}/${item.id} has wrong answers`).toBeGreaterThan(0);
    for (const wrong of key.wrong) {
      const graded = await task.grade(item, reply(`Some reasoning.\n${wrong}`), grading);
      expect(graded.correct, `${task.name}/${item.id}: wrong answer ${wrong}`).toBe(false);
    }
    const none = await task.grade(item, reply("I am not sure."), grading);
    expect(none, `${task.name}/${item.id}: no answer`).toMatchObject({ correct: false, answered: false });
  }
}

async function loadOne(name: string, options: Parameters<typeof loadForTest>[1] = {}) {
  const { loaded, notices } = await loadForTest([name], options);
  const [first] = loaded;
  if (first === undefined) throw new Error(`nothing loaded for ${name}`);
  return { ...first, notices };
}

describe("registry", () => {
  test("families expand, subsets bind, unknown subsets are refused, scicode resolves", () => {
    expect(resolveTasks(["gpqa"]).map((r) => r.task.name)).toEqual(["gpqa_diamond", "gpqa_main", "gpqa_extended"]);
    expect(resolveTasks(["aime"]).map((r) => r.task.name)).toEqual(["aime24", "aime25"]);
    expect(resolveTasks(["mmlu_pro:law"]).map((r) => [r.task.name, r.baseName, r.subset])).toEqual([
      ["mmlu_pro:law", "mmlu_pro", "law"],
    ]);
    expect(() => resolveTasks(["mmlu_pro:astrology"])).toThrow(ConfigError);
    expect(() => resolveTasks(["math500:algebra"])).toThrow(/has no subsets/);
    // Issue 20: scicode became supported (it was refused, naming test_data.h5, while its targets could not be read).
    expect(resolveTasks(["scicode"]).map((r) => r.task.name)).toEqual(["scicode"]);
  });

  test("LiveCodeBench version tags map to files as its loading script does", () => {
    expect(releaseFiles("release_v1")).toEqual(["test.jsonl"]);
    expect(releaseFiles("release_v3")).toEqual(["test.jsonl", "test2.jsonl", "test3.jsonl"]);
    expect(releaseFiles("release_latest")).toHaveLength(6);
    expect(releaseFiles("v6")).toEqual(["test6.jsonl"]);
    expect(releaseFiles("v4_v6")).toEqual(["test4.jsonl", "test5.jsonl", "test6.jsonl"]);
    expect(releaseFiles("v6_v4")).toBeUndefined();
    expect(releaseFiles("release_v7")).toBeUndefined();
  });

  test("task options are checked against the task's schema, with the field path", async () => {
    await expect(loadForTest(["mmlu_pro"], { taskOptions: { mmlu_pro: { shots: 3 } } })).rejects.toThrow(
      /taskOptions\.mmlu_pro\.shots/,
    );
    await expect(
      loadForTest(["livecodebench"], { taskOptions: { livecodebench: { since: "May 2025" } } }),
    ).rejects.toThrow(/taskOptions\.livecodebench\.since: must be a date/);
    await expect(loadForTest(["aime24"], { taskOptions: { aime24: { maxTokens: 0 } } })).rejects.toThrow(
      /taskOptions\.aime24\.maxTokens/,
    );
    await expect(loadForTest(["suite40"], { taskOptions: { mmlu: {} } })).rejects.toThrow(
      /taskOptions\.mmlu: no task or family/,
    );
  });
});

describe("mmlu_pro (fixture)", () => {
  test("0-shot prompt in the official API format, gold letters, the answer/answer_index disagreement noticed", async () => {
    const { items, notices, info } = await loadOne("mmlu_pro");
    expect(items.length).toBe(20);
    const prompt = userPrompt(items[0] as Item);
    expect(prompt).toMatch(
      /^The following are multiple choice questions \(with answers\) about [a-z ]+\. Think step by step and then output the answer in the format of "The answer is \(X\)" at the end\.\n\nQuestion: /,
    );
    expect(prompt).toMatch(/\nOptions: A\. .+\nB\. /);
    expect(prompt.endsWith("Answer: Let's think step by step.\n\n")).toBe(true);
    expect(notices.join("\n")).toMatch(/disagrees with answer_index .*the letter is trusted/);
    expect(info.files.map((f) => f.path)).toEqual(["data/test-00000-of-00001.parquet"]);
    expect(info.files[0]?.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  test("5-shot puts the category's validation questions with their chain of thought first", async () => {
    const { items } = await loadOne("mmlu_pro", { taskOptions: { mmlu_pro: { shots: 5 } } });
    const prompt = userPrompt(items[0] as Item);
    expect(prompt.match(/\nQuestion: |^The following/g)?.length).toBeGreaterThanOrEqual(1);
    expect(prompt.split("Question: ").length - 1).toBe(6);
    expect(prompt).not.toContain("A: Let's think step by step.");
  });

  test("a category subset keeps only that category", async () => {
    const all = await loadOne("mmlu_pro");
    const categories = new Set(all.items.map((i) => String(i.meta.category)));
    const category = [...categories][0] as string;
    const { items, task } = await loadOne(`mmlu_pro:${category.replace(/ /g, "_")}`);
    expect(task.name).toBe(`mmlu_pro:${category.replace(/ /g, "_")}`);
    expect(items.length).toBe(all.items.filter((i) => i.meta.category === category).length);
  });

  test("answer keys grade right and wrong; 'the answer is (X)' and 'Answer: X' both count", async () => {
    const { items, task } = await loadOne("mmlu_pro");
    await checkAnswerKeys(task, items);
    const item = items[0] as Item;
    const gold = String(item.gold);
    expect((await task.grade(item, reply(`Thinking...\nThe answer is (${gold}).`), grading)).correct).toBe(true);
    expect((await task.grade(item, reply(`**Answer:** ${gold}`), grading)).correct).toBe(true);
  });
});

describe("gpqa (fixture)", () => {
  test("records, not lines; simple-evals template; options shuffled by Record ID, permutation kept", async () => {
    const { items, task } = await loadOne("gpqa_diamond");
    expect(items.length).toBeGreaterThanOrEqual(4);
    for (const item of items) {
      const prompt = userPrompt(item);
      expect(
        prompt.startsWith(
          "Answer the following multiple choice question. The last line of your response should be of the following format: 'Answer: $LETTER' (without quotes) where LETTER is one of ABCD. Think step by step before answering.\n\n",
        ),
      ).toBe(true);
      expect(prompt).toMatch(/\n\nA\) [\s\S]+\nB\) [\s\S]+\nC\) [\s\S]+\nD\) /);
      const permutation = item.meta.permutation as number[];
      expect([...permutation].sort()).toEqual([0, 1, 2, 3]);
      expect("ABCD"[permutation.indexOf(0)]).toBe(item.gold);
    }
    await checkAnswerKeys(task, items);
    const again = await loadOne("gpqa_diamond");
    expect(again.items.map((i) => i.messages)).toEqual(items.map((i) => i.messages));
    const reseeded = await loadOne("gpqa_diamond", { taskOptions: { gpqa: { shuffleSeed: 7 } } });
    expect(reseeded.items.map((i) => i.meta.permutation)).not.toEqual(items.map((i) => i.meta.permutation));
  });

  test("the shuffle is a permutation, spreads the correct answer, and is stable", () => {
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 400; i++) {
      const p = seededPermutation(`rec${i}:0`, 4);
      expect([...p].sort()).toEqual([0, 1, 2, 3]);
      counts[p.indexOf(0)] = (counts[p.indexOf(0)] ?? 0) + 1;
    }
    for (const c of counts) expect(c).toBeGreaterThan(60); // 100 expected each; a biased shuffle would show
    expect(seededPermutation("recX:0", 4)).toEqual(seededPermutation("recX:0", 4));
  });
});

describe("math500 and aime (fixture)", () => {
  test("math500: boxed prompt, subject and level labels, answer keys", async () => {
    const { items, task } = await loadOne("math500");
    expect(items.length).toBe(8);
    expect(
      userPrompt(items[0] as Item).endsWith(
        "\n\nPlease reason step by step, and put your final answer within \\boxed{}.",
      ),
    ).toBe(true);
    expect(items.every((i) => typeof i.meta.subject === "string" && /^[1-5]$/.test(String(i.meta.level)))).toBe(true);
    await checkAnswerKeys(task, items);
  });

  test("aime24 and aime25 from either source have the same ids; leading zeros and 336^\\circ parse", async () => {
    for (const [name, other] of [
      ["aime24", "Maxwell-Jia/AIME_2024"],
      ["aime25", "math-ai/aime25"],
    ] as const) {
      const first = await loadOne(name);
      const second = await loadOne(name, { taskOptions: { [name]: { source: other } } });
      expect(first.items.length).toBeGreaterThan(0);
      for (const item of [...first.items, ...second.items]) expect(item.id).toMatch(/^20(24|25)-(I|II)-\d{1,2}$/);
      await checkAnswerKeys(first.task, first.items);
      await checkAnswerKeys(second.task, second.items);
    }
  });
});

describe("hle (fixture)", () => {
  test("image questions are left out and counted; system prompt; choice letters from the question", async () => {
    const { items, task, notices } = await loadOne("hle");
    expect(notices.join("\n")).toMatch(/2 question\(s\) need an image and were left out/);
    expect(
      items.every(
        (i) => i.messages[0]?.role === "system" && i.messages[0].content.includes("Answer: {your chosen answer}"),
      ),
    ).toBe(true);
    const choice = items.find((i) => i.meta.answer_type === "multipleChoice");
    expect(choice?.meta.letters).toMatch(/^ABC/);
    await checkAnswerKeys(task, items);
  });
});

describe("livecodebench (fixture)", () => {
  test("release, date window, platform and difficulty filters; LiveCodeBench's prompt", async () => {
    // The fixture holds test.jsonl and test6.jsonl only: release_v6 (all six files) is N/A here, v1 and v6 load.
    const v1 = await loadOne("livecodebench:release_v1");
    const v6 = await loadOne("livecodebench:v6");
    expect((await loadOne("livecodebench")).info.unavailable?.code).toBe("E_DATASET_NOT_IN_DATA_DIR");
    const all = { items: [...v1.items, ...v6.items] };
    expect(v1.items.length).toBe(3);
    expect(v6.items.length).toBe(3);
    const stdin = all.items.find((i) => i.meta.funcName === undefined) as Item;
    expect(stdin.messages[0]?.content).toMatch(/^You are an expert Python programmer\./);
    expect(userPrompt(stdin)).toMatch(
      /^### Question:\n[\s\S]+\n\n### Format: Read the inputs from stdin[\s\S]+```python\n# YOUR CODE HERE\n```\n\n### Answer: \(use the provided format with backticks\)\n\n$/,
    );
    const leetcode = all.items.find((i) => i.meta.funcName !== undefined) as Item;
    expect(userPrompt(leetcode)).toContain("### Format: You will use the following starter code");
    expect(userPrompt(leetcode)).toContain("class Solution:");

    const dates = all.items.map((i) => String(i.meta.contestDate)).sort();
    const since = dates[Math.floor(dates.length / 2)] as string;
    const windowed = [
      ...(await loadOne("livecodebench:release_v1", { taskOptions: { livecodebench: { since } } })).items,
      ...(await loadOne("livecodebench:v6", { taskOptions: { livecodebench: { since } } })).items,
    ];
    expect(windowed.length).toBe(dates.filter((d) => d >= since).length);
    const easy = await loadOne("livecodebench:v6", {
      taskOptions: { livecodebench: { difficulties: ["easy"], platforms: ["atcoder", "codeforces"] } },
    });
    expect(easy.items.every((i) => i.meta.difficulty === "easy" && i.meta.platform !== "leetcode")).toBe(true);
  });

  test("answer keys: the lookup program passes every test in the sandbox; wrong ones fail in each way the graders tell apart", async () => {
    // A 1 s limit: each item's endless-loop answer costs one time limit.
    const runs = [
      ["livecodebench:release_v1", "python"],
      ["livecodebench:v6", "python"],
      ["livecodebench:v6", "javascript"],
    ] as const;
    for (const [name, language] of runs) {
      const { items, task } = await loadOne(name, { taskOptions: { livecodebench: { timeoutSec: 1, language } } });
      await checkAnswerKeys(task, items);
      const item = items[0] as Item;
      const wrong = task.answerKey(item, grading.math).wrong;
      const rules = await Promise.all(wrong.map(async (w) => (await task.grade(item, reply(w), grading)).rule));
      expect(rules, `${name} ${language}`).toEqual([
        "code-block/wrong_answer",
        "code-block/runtime_error",
        "code-block/compile_error",
        "code-block/time_limit",
        "code-block/memory_limit",
      ]);
    }
  });

  test("javascript: the same problems, asked and graded in JavaScript", async () => {
    const { items, task } = await loadOne("livecodebench:v6", {
      taskOptions: { livecodebench: { language: "javascript", timeoutSec: 1 } },
    });
    expect(items[0]?.messages[0]?.content).toMatch(/^You are an expert JavaScript programmer/);
    await checkAnswerKeys(task, items);
  });
});

describe("data that cannot be had makes the task N/A, not the run fail", () => {
  test("a file missing from --data-dir: the task is unavailable with the reason and the fix", async () => {
    const empty = mkdtempSync(join(tmpdir(), "qe-empty-"));
    const { loaded, notices } = await loadForTest(["suite40", "gpqa_diamond"], { dataDir: empty });
    expect(loaded.map((t) => [t.task.name, t.items.length > 0, t.info.unavailable?.code])).toEqual([
      ["suite40", true, undefined],
      ["gpqa_diamond", false, "E_DATASET_NOT_IN_DATA_DIR"],
    ]);
    expect(notices.join("\n")).toMatch(/gpqa_diamond: N\/A: .*Idavidrein\/gpqa\/gpqa_diamond\.csv/);
    expect(new DatasetNotInDataDirError("a/b", "f", "x").hint).toMatch(/data-dir/);
  });
});

/** A data dir whose files are links to the real ones under the names the hub uses (the real folder keeps a few under other names). */
function linkedDataDir(links: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "qe-real-"));
  for (const [hubPath, realPath] of Object.entries(links)) {
    mkdirSync(dirname(join(dir, hubPath)), { recursive: true });
    symlinkSync(join(REAL_DATA as string, realPath), join(dir, hubPath));
  }
  return dir;
}

describe.skipIf(REAL_DATA === undefined)("real data (QUANTEVAL_REAL_DATA)", () => {
  test("mmlu_pro: 12,032 questions, per-category counts, every item has a gold letter within its options", async () => {
    const { items, notices } = await loadOne("mmlu_pro", { dataDir: REAL_DATA as string });
    expect(items.length).toBe(12032);
    const counts: Record<string, number> = {};
    for (const item of items) counts[String(item.meta.category)] = (counts[String(item.meta.category)] ?? 0) + 1;
    expect(counts).toEqual({
      math: 1351,
      physics: 1299,
      chemistry: 1132,
      law: 1101,
      engineering: 969,
      other: 924,
      economics: 844,
      health: 818,
      psychology: 798,
      business: 789,
      biology: 717,
      philosophy: 499,
      "computer science": 410,
      history: 381,
    });
    for (const item of items) {
      const options = item.meta.options as string[];
      expect("ABCDEFGHIJ".slice(0, options.length)).toContain(String(item.gold));
      expect(userPrompt(item)).toContain(`\nOptions: A. ${options[0]}\n`);
    }
    expect(notices.join("\n")).toMatch(/1 row\(s\) have an answer letter .*3983: C vs index 1/);
    expect(items.find((i) => i.id === "3983")?.gold).toBe("C");
  });

  test("mmlu_pro 5-shot: every category has its five validation examples", async () => {
    const { items } = await loadOne("mmlu_pro", {
      dataDir: REAL_DATA as string,
      taskOptions: { mmlu_pro: { shots: 5 } },
      limit: 2000,
    });
    expect(items.length).toBe(2000);
    for (const item of items.slice(0, 50)) expect(userPrompt(item).split("Question: ").length - 1).toBe(6);
  });

  test("math500: 500 problems, subjects and levels as documented, answer keys hold", async () => {
    const { items, task } = await loadOne("math500", { dataDir: REAL_DATA as string });
    expect(items.length).toBe(500);
    const levels = [1, 2, 3, 4, 5].map((l) => items.filter((i) => i.meta.level === String(l)).length);
    expect(levels).toEqual([43, 90, 105, 128, 134]);
    expect(items.filter((i) => i.meta.subject === "Algebra").length).toBe(124);
    await checkAnswerKeys(task, items);
  });

  test("aime24 and aime25: 30 problems each, same ids and answers from both sources", async () => {
    for (const [name, other] of [
      ["aime24", "Maxwell-Jia/AIME_2024"],
      ["aime25", "math-ai/aime25"],
    ] as const) {
      const first = await loadOne(name, { dataDir: REAL_DATA as string });
      const second = await loadOne(name, { dataDir: REAL_DATA as string, taskOptions: { [name]: { source: other } } });
      expect(first.items.length).toBe(30);
      expect(second.items.length).toBe(30);
      const answers = (items: Item[]) =>
        Object.fromEntries(items.map((i) => [i.id, Number(String(i.gold).replace("^\\circ", ""))]));
      expect(answers(second.items)).toEqual(answers(first.items));
      await checkAnswerKeys(first.task, first.items);
    }
  });

  test("livecodebench: the real row decodes to its 4 private tests and grades its own answer key", async () => {
    const dir = linkedDataDir({
      "livecodebench/code_generation_lite/test.jsonl": "livecodebench/code_generation_lite/test.sample.jsonl",
    });
    const { items, task } = await loadOne("livecodebench:release_v1", { dataDir: dir });
    expect(items.map((i) => [i.id, i.meta.platform, i.meta.difficulty])).toEqual([["1873_A", "codeforces", "easy"]]);
    await checkAnswerKeys(task, items);
  });

  test("gpqa: the real header parses (no rows are shipped), hle: not present, so N/A", async () => {
    const dir = linkedDataDir({ "Idavidrein/gpqa/gpqa_diamond.csv": "Idavidrein/gpqa/gpqa_diamond.header-only.csv" });
    const gpqa = await loadOne("gpqa_diamond", { dataDir: dir });
    expect(gpqa.items).toEqual([]);
    const hle = await loadOne("hle", { dataDir: REAL_DATA as string });
    expect(hle.info.unavailable?.code).toBe("E_DATASET_NOT_IN_DATA_DIR");
  });
});

describe("samples and repeats", () => {
  test("repeats is samples under another name; both at once is refused; the range is checked", async () => {
    const { loaded } = await loadForTest(["suite40"], { taskOptions: { suite40: { repeats: 3 } } });
    expect(loaded[0]?.info.samples).toBe(3);
    await expect(loadForTest(["suite40"], { taskOptions: { suite40: { repeats: 3, samples: 2 } } })).rejects.toThrow(
      /samples or repeats, not both/,
    );
    await expect(loadForTest(["suite40"], { taskOptions: { suite40: { samples: 0 } } })).rejects.toThrow(
      /taskOptions\.suite40\.samples: must be an integer 1–100/,
    );
  });
});
