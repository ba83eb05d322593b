import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runInNewContext } from "node:vm";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { choiceLetters, parseGold, SuiteGoldSchema } from "../../graders/answer-type.ts";
import { DatasetFormatError } from "../../src/core/errors.ts";
import type { Item, Reply } from "../../src/core/types.ts";
import { parseSuite, suite40 } from "../../src/tasks/suite40.ts";
import { testGradeContext } from "../helpers/grade-context.ts";
import { loadOptions } from "../helpers/task-data.ts";

const grading = testGradeContext();

const ROOT = join(import.meta.dirname, "..", "..");
const FILE = "evalsets/accuracy-suite-v1.jsonl";

function reply(text: string): Reply {
  return {
    text,
    finishReason: "stop",
    usage: { promptTokens: 10, completionTokens: 10 },
    timing: { sentAt: 0, doneAt: 1 },
  };
}

describe("the suite file", () => {
  let lines: string[] = [];
  let rows: Record<string, unknown>[] = [];
  beforeAll(async () => {
    const text = await readFile(join(ROOT, FILE), "utf8");
    expect(text.endsWith("\n")).toBe(true);
    lines = text.split("\n").slice(0, -1);
    rows = lines.map((l) => {
      const row: unknown = JSON.parse(l);
      if (typeof row !== "object" || row === null) throw new Error("not an object");
      return { ...row };
    });
  });

  test("has 40 lines with unique ids", () => {
    expect(lines).toHaveLength(40);
    expect(new Set(rows.map((r) => r.id)).size).toBe(40);
  });

  test("covers the six categories, 6–7 questions each", () => {
    const counts = new Map<unknown, number>();
    for (const r of rows) counts.set(r.category, (counts.get(r.category) ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual([
      "algebra",
      "arithmetic",
      "code_reading",
      "general_knowledge",
      "logic",
      "science",
    ]);
    for (const n of counts.values()) expect(n === 6 || n === 7).toBe(true);
  });

  test("uses every answer type", () => {
    expect(new Set(rows.map((r) => r.answer_type))).toEqual(
      new Set(["integer", "fraction", "choice", "string", "number"]),
    );
  });

  test("science and general knowledge are multiple choice", () => {
    for (const r of rows)
      if (r.category === "science" || r.category === "general_knowledge") expect(r.answer_type).toBe("choice");
  });

  test("every row passes the task's schema, and every gold parses for its type", () => {
    const parsed = parseSuite(lines.join("\n"), FILE);
    expect(parsed).toHaveLength(40);
    for (const row of parsed) {
      const gold = SuiteGoldSchema.parse({
        answer: row.answer,
        answerType: row.answer_type,
        ...(row.choices && { choices: row.choices }),
        ...(row.tolerance !== undefined && { tolerance: row.tolerance }),
      });
      expect(() => parseGold(gold, { task: "suite40", itemId: row.id })).not.toThrow();
    }
  });

  test("choice golds are letters of their own choices, and the letters are spread out", () => {
    const used = new Set<string>();
    for (const r of rows.filter((x) => x.answer_type === "choice")) {
      const choices = r.choices;
      if (!Array.isArray(choices)) throw new Error(`${String(r.id)}: no choices`);
      expect(choiceLetters(choices.length)).toContain(r.answer);
      expect(String(r.answer)).toMatch(/^[A-E]$/);
      used.add(String(r.answer));
    }
    expect([...used].sort()).toEqual(["A", "B", "C", "D", "E"]);
  });

  test("string rows say whether case matters in the question itself", () => {
    for (const r of rows.filter((x) => x.answer_type === "string")) {
      expect(String(r.question).includes("case does not matter")).toBe(r.case_insensitive === true);
    }
  });
});

/**
 * Every gold recomputed here in TypeScript, independently of the Python script that wrote the file: exact
 * arithmetic with BigInt, logic by brute force, JavaScript snippets run in a fresh vm context, Python snippets
 * by their JavaScript equivalents. Choice golds are checked through the option TEXT they point at.
 */
describe("every gold is right", () => {
  const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? (a < 0n ? -a : a) : gcd(b, a % b));
  const frac = (n: bigint, d: bigint): string => {
    const g = gcd(n, d) * (d < 0n ? -1n : 1n);
    return d / g === 1n ? `${n / g}` : `${n / g}/${d / g}`;
  };
  const modPow = (b: bigint, e: bigint, m: bigint): bigint =>
    e === 0n ? 1n : ((e % 2n ? b : 1n) * modPow((b * b) % m, e / 2n, m)) % m;
  const range = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, i) => a + i);
  const permutations = <T>(xs: T[]): T[][] =>
    xs.length <= 1
      ? [xs]
      : xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
  const runJs = (question: string): string => {
    const code = /```javascript\n([\s\S]*?)\n```/.exec(question)?.[1];
    if (code === undefined) throw new Error("no javascript block");
    const out: string[] = [];
    runInNewContext(code, { console: { log: (...a: unknown[]) => out.push(a.map(String).join(" ")) } });
    return out.join("\n");
  };

  // id → the answer (open questions) or the option text the gold letter must point at (choices).
  const expected: Record<string, (question: string) => string> = {
    "arith-01": () => `${487 * 364 - 12345}`,
    "arith-02": () => frac(3n * 3n + 5n * 2n - 1n * 4n, 24n), // over the common denominator 24
    "arith-03": () =>
      `${range(1, 360)
        .filter((d) => 360 % d === 0)
        .reduce((a, b) => a + b, 0)}`,
    "arith-04": () => {
      const cents = (2500n * 101n ** 12n * 100n * 2n + 100n ** 12n) / (100n ** 12n * 2n); // round half up
      return `${cents / 100n}.${`${cents % 100n}`.padStart(2, "0")}`;
    },
    "arith-05": () => `${modPow(7n, 100n, 13n)}`,
    "arith-06": () => frac(19n, 20n), // telescoping: 1 − 1/20; the loop below checks it
    "arith-07": () => `${range(1, 1000).filter((n) => (n % 3 === 0 || n % 5 === 0) && n % 7 !== 0).length}`,
    "alg-01": () => `${range(-100, 100).filter((x) => 3 * (2 * x - 5) - 4 * (x + 1) === 2 * (x - 3) + x)}`,
    "alg-02": () => frac(-3n, 2n), // checked by substitution below
    "alg-03": () =>
      `${range(-50, 50)
        .filter((r) => 14 - r - r === 4)
        .map((r) => r * (14 - r))}`,
    "alg-04": () => frac(46n, 17n), // checked by substitution below
    "alg-05": () => {
      const f = (x: number): number => 2 * x * x - 3 * x + 1;
      return `${f(f(3))}`;
    },
    "alg-06": () => {
      const d = (45 - 17) / 7;
      const a1 = 17 - 3 * d;
      return `${range(0, 19).reduce((s, i) => s + a1 + i * d, 0)}`;
    },
    "alg-07": () => Math.log2(50).toFixed(3),
    "logic-01": () => {
      const worlds = [0, 1, 2, 3, 4, 5, 6, 7]
        .map((m) => [!!(m & 4), !!(m & 2), !!(m & 1)] as const)
        .filter(([a, b, c]) => a === !b && b === !c && c === (!a && !b));
      expect(worlds).toEqual([[false, true, false]]);
      return "Only Ben";
    },
    "logic-02": () => {
      const orders = permutations(["Kim", "Lee", "Max", "Ned", "Oz"]).filter((p) => {
        const at = (n: string): number => p.indexOf(n);
        return (
          at("Lee") === at("Ned") + 1 &&
          at("Kim") < at("Ned") &&
          at("Max") !== 0 &&
          at("Max") !== 4 &&
          at("Oz") < at("Kim") &&
          at("Oz") !== at("Kim") - 1
        );
      });
      expect(orders).toHaveLength(1);
      return orders[0]?.[2] ?? "";
    },
    "logic-03": () => {
      // smallest n such that every way of drawing n socks from (2, 8, 10) has 4 of one colour
      const worstWithout = Math.max(
        ...range(0, 2).flatMap((r) =>
          range(0, 8).flatMap((b) =>
            range(0, 10)
              .filter((g) => r < 4 && b < 4 && g < 4)
              .map((g) => r + b + g),
          ),
        ),
      );
      return `${worstWithout + 1}`;
    },
    "logic-04": () => {
      const consistent = [...Array(16).keys()]
        .map((m) => [0, 1, 2, 3].map((i) => !!(m & (1 << i))))
        .filter((t) => t.every((v, i) => v === (t.filter((x) => !x).length === i + 1)));
      expect(consistent).toHaveLength(1);
      return `${(consistent[0]?.indexOf(true) ?? -2) + 1}`;
    },
    "logic-05": () => {
      const day = (y: number): number => new Date(Date.UTC(y, 2, 1)).getUTCDay();
      expect(day(2023)).toBe(3); // the question's premise: Wednesday
      return ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"][day(2027)] ?? "";
    },
    "logic-06": () => `${range(0, 23).filter((bob) => 24 === 2 * (bob - (24 - bob)))}`,
    "logic-07": () => "Some lazzles are razzles",
    "sci-01": () => `${0.5 * 2 * ((6 / 2) * 4) ** 2} J`,
    "sci-02": () => `${(22 / 44) * 4 * 18} g`, // C3H8 + 5 O2 → 3 CO2 + 4 H2O
    "sci-03": () => "2/3", // AA : Aa : aa = 1 : 2 : 1, so Aa is 2 of the 3 purple
    "sci-04": () => "Nitrogen",
    "sci-05": () => `${8 * Math.log2(16)} days`,
    "sci-06": () => `${frac(12n * 2n, (4n + 2n) * 3n)} A`, // 6‖3 = 2 Ω; I = 12/6; V = 2·2; I₃ = V/3
    "gk-01": () => "Hungary",
    "gk-02": () => "Brasília",
    "gk-03": () => "Colombia",
    "gk-04": () => `${1989 - 1961}`,
    "gk-05": () => "Monaco",
    "gk-06": () => "Uranium",
    "code-01": () => `${[3, 1, 4, 1, 5, 9, 2, 6].filter((x) => x % 2 === 1).reduce((s, x) => s + x * x, 0)}`,
    "code-02": runJs,
    "code-03": () => [..."quantization"].reverse().join("").slice(2, 7),
    "code-04": runJs,
    "code-05": () => "4", // the shared default list holds 3 items at add(3); a fresh [] holds 1
    "code-06": runJs,
    "code-07": () => `${Math.floor(-7 / 2)} ${((-7 % 3) + 3) % 3} ${Math.trunc(-7 / 2)}`,
  };

  test("the hand-derived golds agree with brute force", () => {
    let [n, d] = [0n, 1n];
    for (let k = 1n; k <= 19n; k++) [n, d] = [n * k * (k + 1n) + d, d * k * (k + 1n)];
    expect(frac(n, d)).toBe("19/20");
    // x = -3/2 in x/3 + 5/4 = 5x/6 + 2, times 12: 4x + 15 = 10x + 24
    expect(4 * -1.5 + 15).toBe(10 * -1.5 + 24);
    // x = 19/17, y = 27/17 in 2x + 3y = 7 and 5x − y = 4
    expect([2 * 19 + 3 * 27, 5 * 19 - 27]).toEqual([7 * 17, 4 * 17]);
  });

  test.each(Object.keys(expected))("%s", async (id) => {
    const row = parseSuite(await readFile(join(ROOT, FILE), "utf8"), FILE).find((r) => r.id === id);
    if (row === undefined) throw new Error(`${id} is not in the file`);
    const want = expected[id]?.(row.question);
    const got = row.answer_type === "choice" ? row.choices?.[choiceLetters(26).indexOf(row.answer)] : row.answer;
    expect(got).toBe(want);
  });

  test("covers all 40 ids", () => {
    expect(Object.keys(expected)).toHaveLength(40);
  });
});

describe("suite40 task", () => {
  let items: Item[] = [];
  beforeAll(async () => {
    items = await suite40.load(loadOptions());
  });

  test("loads 40 items named by line id, with the category as meta", () => {
    expect(items).toHaveLength(40);
    expect(items[0]?.id).toBe("arith-01");
    expect(items.every((i) => i.task === "suite40" && typeof i.meta.category === "string")).toBe(true);
    expect(suite40.breakdowns).toEqual(["category"]);
    expect(suite40.source).toEqual({ kind: "bundled", path: FILE });
  });

  test("prompts are byte-identical across two loads", async () => {
    const again = await suite40.load(loadOptions());
    expect(JSON.stringify(again.map((i) => [i.id, i.messages]))).toBe(
      JSON.stringify(items.map((i) => [i.id, i.messages])),
    );
  });

  test('a choice prompt lists the options as "A) …" and asks for the letter', () => {
    const item = items.find((i) => i.id === "gk-02");
    const content = item?.messages[0]?.content ?? "";
    expect(content).toContain("\nA) Buenos Aires\n");
    expect(content).toContain("\nE) Brasília");
    expect(content).toContain('"Answer: <letter>", where <letter> is one of A, B, C, D, E');
  });

  test("an open prompt asks for a final Answer line and keeps the question's text literally", () => {
    const content = items.find((i) => i.id === "arith-04")?.messages[0]?.content ?? "";
    expect(content).toContain('"Answer: <answer>"');
    expect(content).toContain("A deposit of $2,500 earns 4%"); // "$2" survives templating
  });

  test("the answer key's correct answer grades correct and every wrong one wrong, for all 40 items", async () => {
    for (const item of items) {
      const key = suite40.answerKey(item, grading.math);
      expect(key.wrong.length, item.id).toBeGreaterThanOrEqual(2);
      expect(key.wrong.length, item.id).toBeLessThanOrEqual(3);
      const right = await suite40.grade(item, reply(`Reasoning first.\n${key.correct}`), grading);
      expect(right.correct, `${item.id}: ${key.correct} → ${right.rule}`).toBe(true);
      for (const w of key.wrong) {
        expect(w.startsWith("Answer: ")).toBe(true);
        const g = await suite40.grade(item, reply(`Reasoning first.\n${w}`), grading);
        expect({ id: item.id, w, correct: g.correct, answered: g.answered }).toEqual({
          id: item.id,
          w,
          correct: false,
          answered: true,
        });
      }
    }
  });

  test("a reply without an answer is unanswered, not wrong", async () => {
    const item = items[0];
    if (item === undefined) throw new Error("no items");
    expect(await suite40.grade(item, reply(""), grading)).toEqual({
      correct: false,
      answered: false,
      rule: "none/no-answer",
    });
  });
});

describe("a malformed suite file", () => {
  let root = "";
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "suite40-"));
    await mkdir(join(root, "evalsets"));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const good = JSON.stringify({
    id: "a-1",
    category: "arithmetic",
    question: "1+1?",
    answer: "2",
    answer_type: "integer",
  });
  const cases: [string, string, RegExp][] = [
    ["bad JSON on line 2", `${good}\n{"id": `, /accuracy-suite-v1\.jsonl:2: not valid JSON/],
    ["an unknown answer type", JSON.stringify({ ...JSON.parse(good), answer_type: "float" }), /:1: answer_type: /],
    [
      "a renamed field",
      JSON.stringify({ id: "a-1", category: "x", question: "q", gold: "2", answer_type: "integer" }),
      /:1: (answer|gold): /,
    ],
    ["a duplicate id", `${good}\n${good}`, /:2: id: duplicate id "a-1"/],
    [
      "a choice row without choices",
      JSON.stringify({ ...JSON.parse(good), answer: "A", answer_type: "choice" }),
      /:1: choices: /,
    ],
    [
      "a number row without tolerance",
      JSON.stringify({ ...JSON.parse(good), answer_type: "number" }),
      /:1: tolerance: /,
    ],
    [
      "a string row without distractors",
      JSON.stringify({ ...JSON.parse(good), answer_type: "string" }),
      /:1: distractors: /,
    ],
  ];
  test.each(cases)("%s throws DatasetFormatError naming file:line and field", async (_name, text, message) => {
    await writeFile(join(root, FILE), text);
    const load = suite40.load(loadOptions({ root }));
    await expect(load).rejects.toThrow(DatasetFormatError);
    await expect(suite40.load(loadOptions({ root }))).rejects.toThrow(message);
  });

  test("a missing file is an error, not an empty suite", async () => {
    await expect(suite40.load(loadOptions({ root: join(root, "nowhere") }))).rejects.toThrow(DatasetFormatError);
    await expect(suite40.load(loadOptions({ root: join(root, "nowhere") }))).rejects.toThrow(
      /nowhere\/evalsets\/accuracy-suite-v1\.jsonl: cannot read/,
    );
  });
});
