/**
 * The graders' speed: math equivalence, choice extraction, code tests in both sandboxes (pools warm), Pyodide's
 * start-up and pass@k. Inputs are realistic mixes built from our fixtures (and the real MATH-500 file when
 * QUANTEVAL_REAL_DATA names the data folder).
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { type CodeLanguage, type CodeTest, createCodeRunner, passAtK } from "../graders/code/index.ts";
import { extractChoice } from "../graders/extract.ts";
import { createMathEngine } from "../graders/math/index.ts";
import { seededRandom } from "../src/core/seeded-random.ts";
import { type Bench, type Figure, figureFromTimes, quantile, timeEach } from "./figures.ts";

const ROOT = resolve(import.meta.dirname, "..");
const MATH_FIXTURE = join(ROOT, "test/fixtures/hub/HuggingFaceH4/MATH-500/test.jsonl");
const REAL_DATA =
  process.env.QUANTEVAL_REAL_DATA === undefined || process.env.QUANTEVAL_REAL_DATA === ""
    ? undefined
    : resolve(process.env.QUANTEVAL_REAL_DATA);

function mathAnswers(path: string): string[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => (JSON.parse(line) as { answer: string }).answer);
}

/**
 * For each gold answer, what a model's extracted answer looks like: three right (verbatim, \dfrac for \frac,
 * in $…$) and two wrong (the next problem's answer, the answer plus one).
 */
function mathPairs(golds: readonly string[], n: number): [string, string][] {
  const pairs: [string, string][] = [];
  golds.forEach((gold, i) => {
    const other = golds[(i + 1) % golds.length] as string;
    pairs.push(
      [gold, gold],
      [gold, gold.replaceAll("\\frac", "\\dfrac")],
      [gold, `$${gold}$`],
      [gold, other],
      [gold, `${gold}+1`],
    );
  });
  return Array.from({ length: n }, (_, i) => pairs[i % pairs.length] as [string, string]);
}

async function mathFigure(name: string, source: string, golds: readonly string[], n: number): Promise<Figure> {
  const pairs = mathPairs(golds, n);
  const math = createMathEngine();
  for (const [gold, prediction] of pairs.slice(0, 50)) math.equal(gold, prediction); // warm the JIT and caches
  const { timesMs, totalMs } = await timeEach(pairs, ([gold, prediction]) => math.equal(gold, prediction));
  return figureFromTimes(
    name,
    `mathEqual(gold, prediction) over ${source}: 3 right and 2 wrong predictions per answer`,
    timesMs,
    totalMs,
    "checks/s",
    "µs",
  );
}

const REASONING = [
  "We compare each option against the constraints derived above.",
  "Substituting x = 3 into the second equation gives 2(3) + y = 11, so y = 5.",
  "Option A fails the boundary case, and option C double-counts the overlap.",
  "The remaining candidates differ only in the sign of the constant term.",
].join(" ");

/** Replies ending the ways models end them: answer lines, "the answer is", boxed letters, a bare letter, none. */
function choiceReplies(n: number): string[] {
  const random = seededRandom(7);
  const letters = "ABCDEFGHIJ";
  const endings = [
    (l: string) => `Answer: ${l}`,
    (l: string) => `**Final Answer:** (${l})`,
    (l: string) => `Therefore, the answer is (${l}).`,
    (l: string) => `$\\boxed{${l}}$`,
    (l: string) => `${l}`,
    () => "I cannot determine the answer from the information given.",
  ];
  return Array.from({ length: n }, () => {
    const letter = letters[Math.floor(random() * letters.length)] as string;
    const ending = endings[Math.floor(random() * endings.length)] as (l: string) => string;
    const paragraphs = 1 + Math.floor(random() * 6);
    return `${Array.from({ length: paragraphs }, () => REASONING).join("\n\n")}\n\n${ending(letter)}`;
  });
}

/** Times `operation` in batches (one call is too short to time alone); latency is per call. */
async function batchedFigure<T>(
  name: string,
  measures: string,
  inputs: readonly T[],
  operation: (input: T) => unknown,
  unit: string,
  batch = 100,
): Promise<Figure> {
  for (const input of inputs.slice(0, 1000)) operation(input); // warm-up
  const batches: T[][] = [];
  for (let i = 0; i < inputs.length; i += batch) batches.push(inputs.slice(i, i + batch));
  const { timesMs, totalMs } = await timeEach(batches, (group) => {
    for (const input of group) operation(input);
  });
  const perCall = timesMs.map((ms, i) => ms / (batches[i] as T[]).length);
  const sorted = [...perCall].sort((a, b) => a - b);
  return {
    name,
    measures,
    n: inputs.length,
    rate: { value: (inputs.length / totalMs) * 1000, unit },
    latency: { p50: quantile(sorted, 0.5) * 1000, p90: quantile(sorted, 0.9) * 1000, unit: "µs" },
  };
}

interface CodeCase {
  name: string;
  language: CodeLanguage;
  code: string;
  test: (i: number) => CodeTest;
  funcName?: string;
  n: number;
}

const CODE_CASES: CodeCase[] = [
  {
    name: "JavaScript tests (stdin)",
    language: "javascript",
    code: "const [a, b] = input.trim().split(' ').map(Number);\nconsole.log(a + b);",
    test: (i) => ({ input: `${i} ${i + 1}\n`, output: `${2 * i + 1}`, testtype: "stdin" }),
    n: 300,
  },
  {
    name: "JavaScript tests (functional)",
    language: "javascript",
    code: "class Solution {\n  add(a, b) { return a + b; }\n}",
    test: (i) => ({ input: `${i}\n${i + 1}`, output: `${2 * i + 1}`, testtype: "functional" }),
    funcName: "add",
    n: 300,
  },
  {
    name: "Python tests (stdin)",
    language: "python",
    code: "a, b = map(int, input().split())\nprint(a + b)",
    test: (i) => ({ input: `${i} ${i + 1}\n`, output: `${2 * i + 1}`, testtype: "stdin" }),
    n: 150,
  },
  {
    name: "Python tests (functional)",
    language: "python",
    code: "class Solution:\n    def add(self, a: int, b: int) -> int:\n        return a + b",
    test: (i) => ({ input: `${i}\n${i + 1}`, output: `${2 * i + 1}`, testtype: "functional" }),
    funcName: "add",
    n: 150,
  },
];

const CODE_LIMITS = { timeoutMs: 10_000, memoryMb: 256 };

async function codeFigures(): Promise<Figure[]> {
  const runner = createCodeRunner({ pythonWorkers: 1, javascriptWorkers: 1 });
  const figures: Figure[] = [];
  try {
    for (const c of CODE_CASES) {
      const run = async (i: number): Promise<void> => {
        const verdict = await runner.run(c.code, c.language, [c.test(i)], {
          limits: CODE_LIMITS,
          ...(c.funcName === undefined ? {} : { funcName: c.funcName }),
        });
        if (!verdict.passed) throw new Error(`${c.name}: ${JSON.stringify(verdict.tests)}`);
      };
      for (let i = 0; i < 5; i++) await run(i); // the pool starts and warms here
      const { timesMs, totalMs } = await timeEach(
        Array.from({ length: c.n }, (_, i) => i),
        run,
      );
      figures.push(
        figureFromTimes(
          c.name,
          `one-test programs run back to back, pool warm (1 ${c.language === "python" ? "Pyodide worker" : "isolated-vm process"}), verdict included`,
          timesMs,
          totalMs,
          "tests/s",
          "ms",
        ),
      );
    }
  } finally {
    await runner.close();
  }
  return figures;
}

async function pyodideStartFigure(samples: number): Promise<Figure> {
  const loadMs: number[] = [];
  for (let i = 0; i < samples; i++) {
    const runner = createCodeRunner({ pythonWorkers: 1 });
    try {
      await runner.run("pass", "python", [{ input: "", output: "", testtype: "stdin" }], { limits: CODE_LIMITS });
      loadMs.push(...runner.pythonStartTimesMs);
    } finally {
      await runner.close();
    }
  }
  const sorted = [...loadMs].sort((a, b) => a - b);
  return {
    name: "Pyodide worker start-up",
    measures: "a fresh worker thread: load Pyodide, warm the usual modules, lock the sandbox down (time to ready)",
    n: loadMs.length,
    latency: { p50: quantile(sorted, 0.5), p90: quantile(sorted, 0.9), unit: "ms" },
  };
}

function passAtKInputs(n: number): [number, number, number][] {
  const random = seededRandom(11);
  return Array.from({ length: n }, () => {
    const samples = 1 + Math.floor(random() * 200);
    const passing = Math.floor(random() * (samples + 1));
    const k = 1 + Math.floor(random() * samples);
    return [samples, passing, k];
  });
}

export const bench: Bench = async () => {
  const figures: Figure[] = [];
  figures.push(await mathFigure("math equivalence", "the fixture MATH-500 answers", mathAnswers(MATH_FIXTURE), 2000));
  const realMath = REAL_DATA === undefined ? undefined : join(REAL_DATA, "HuggingFaceH4/MATH-500/test.jsonl");
  if (realMath !== undefined && existsSync(realMath)) {
    figures.push(
      await mathFigure("math equivalence (real)", "the 500 real MATH-500 answers", mathAnswers(realMath), 2500),
    );
  }
  figures.push(
    await batchedFigure(
      "choice extraction",
      "extractChoice(reply, 'A'–'J') over replies of 1–6 paragraphs ending in an answer line, 'the answer is', a boxed or bare letter, or nothing",
      choiceReplies(20_000),
      (reply) => extractChoice(reply, "ABCDEFGHIJ"),
      "replies/s",
    ),
  );
  figures.push(...(await codeFigures()));
  figures.push(await pyodideStartFigure(3));
  figures.push(
    await batchedFigure(
      "pass@k",
      "passAtK(n, c, k) for random n ≤ 200, c ≤ n, k ≤ n",
      passAtKInputs(200_000),
      ([n, c, k]) => passAtK(n, c, k),
      "computations/s",
      1000,
    ),
  );
  return figures;
};
