/**
 * `quanteval grade <math|choice|integer|code>`: grades JSONL lines from stdin with the same helpers the tasks use
 * (gradeMathAnswer, gradeAimeAnswer, gradeChoice, the LiveCodeBench sandbox), one JSON verdict per line on
 * stdout, for scripts and audits of single answers. A line that cannot be graded gets `{"error": "line N: …"}`
 * and the others go on; the exit code is 1 when any line had an error.
 *
 * A code line's problem is `{ tests, funcName? }`, or a LiveCodeBench row as the dataset has it (under `problem`,
 * or its fields at the line's top level): `public_test_cases` / `private_test_cases` as lists or as the dataset's
 * encoded strings (JSON; base64+zlib+pickle for private tests), and `metadata.func_name` (metadata itself an
 * object or a JSON string).
 */
import { createInterface } from "node:readline";
import { z } from "zod";
import { codeVerdictDetail, codeVerdictRule, extractCode } from "../../../graders/code/index.ts";
import { parseAimeInteger } from "../../../graders/math/index.ts";
import { splitReasoning } from "../../client/index.ts";
import { ConfigError } from "../../core/errors.ts";
import { isRecord } from "../../core/is-record.ts";
import type { CodeLanguage, CodeTest, Grade, GradeContext, Reply } from "../../core/types.ts";
import { lcbMetadataFrom, lcbTestsFrom } from "../../datasets/index.ts";
import { withGradeContext } from "../../runner/index.ts";
import { gradeAimeAnswer, gradeChoice, gradeMathAnswer, LETTERS, lettersFor } from "../../tasks/index.ts";
import type { GradeFlags } from "../flags.ts";
import { type CliIo, EXIT, type ExitCode } from "../io.ts";

export const GRADE_MODES = ["math", "choice", "integer", "code"] as const;
export type GradeMode = (typeof GRADE_MODES)[number];

export interface GradeCommandContext {
  io: CliIo;
  /** The JSONL to grade: process.stdin from the CLI, any readable in tests. */
  input: NodeJS.ReadableStream;
}

/** Per-test time limits as the livecodebench task defaults them: Pyodide runs about 3× slower than CPython. */
export const DEFAULT_TIMEOUT_SEC: Readonly<Record<CodeLanguage, number>> = { python: 18, javascript: 6 };
export const DEFAULT_MEMORY_MB = 1024;

/** What is printed per graded line; `extracted` is null when nothing was extracted (never absent, for jq). */
export interface GradeVerdict {
  correct: boolean;
  answered: boolean;
  extracted: string | null;
  rule: string;
  detail?: string;
  tests?: { status: string; detail?: string }[];
}

/** A line that is not what its mode expects: caught by the line loop and reported as that line's verdict. */
class LineError extends Error {}

interface GradeSettings {
  mode: GradeMode;
  /** --letters, when given; otherwise a line's options (or A–J) decide. */
  letters: string | undefined;
  timeoutSec: number | undefined;
  memoryMb: number;
}

export async function gradeCommand(mode: string, flags: GradeFlags, ctx: GradeCommandContext): Promise<ExitCode> {
  const settings = settingsFromFlags(mode, flags);
  const { io } = ctx;
  const tally = { graded: 0, correct: 0, unanswered: 0, errors: 0 };
  // One sandbox pool for the whole input, one worker: lines are graded one after another, in order.
  await withGradeContext({ pythonWorkers: 1 }, async (grading) => {
    let lineNumber = 0;
    for await (const line of createInterface({ input: ctx.input, crlfDelay: Infinity })) {
      lineNumber += 1;
      if (line.trim() === "") continue;
      try {
        const verdict = await gradeLine(line, settings, grading);
        tally.graded += 1;
        if (verdict.correct) tally.correct += 1;
        if (!verdict.answered) tally.unanswered += 1;
        io.stdout(`${JSON.stringify(verdict)}\n`);
      } catch (error) {
        tally.errors += 1;
        io.stdout(
          `${JSON.stringify({ error: `line ${lineNumber}: ${error instanceof Error ? error.message : String(error)}` })}\n`,
        );
      }
    }
  });
  io.stderr(
    `graded ${tally.graded} line(s): ${tally.correct} correct, ${tally.graded - tally.correct - tally.unanswered} wrong, ${tally.unanswered} unanswered\n`,
  );
  if (tally.errors === 0) return EXIT.ok;
  io.stderr(`${tally.errors} line(s) could not be graded: see the {"error": …} verdicts on stdout\n`);
  return EXIT.failed;
}

/** Checks the flags once, before any input is read: a typo must not turn every line into an error. */
export function settingsFromFlags(mode: string, flags: GradeFlags): GradeSettings {
  const problems: string[] = [];
  const known = (GRADE_MODES as readonly string[]).includes(mode);
  if (!known) problems.push(`grade: mode must be one of ${GRADE_MODES.join(", ")} (got ${JSON.stringify(mode)})`);
  const only = (flag: string, value: string | undefined, forMode: GradeMode) => {
    if (value !== undefined && known && mode !== forMode)
      problems.push(`flags: ${flag}: only for \`grade ${forMode}\``);
  };
  only("--letters", flags.letters, "choice");
  only("--timeout-sec", flags.timeoutSec, "code");
  only("--memory-mb", flags.memoryMb, "code");
  if (flags.letters !== undefined && !validLetters(flags.letters)) {
    problems.push(
      `flags: --letters: must be 2–26 distinct capital letters in order from A, e.g. ABCD (got ${JSON.stringify(flags.letters)})`,
    );
  }
  const timeoutSec = flags.timeoutSec === undefined ? undefined : Number(flags.timeoutSec);
  if (timeoutSec !== undefined && !(timeoutSec > 0 && timeoutSec <= 120))
    problems.push(
      `flags: --timeout-sec: must be a number of seconds in (0, 120] (got ${JSON.stringify(flags.timeoutSec)})`,
    );
  const memoryMb = flags.memoryMb === undefined ? DEFAULT_MEMORY_MB : Number(flags.memoryMb);
  if (!(Number.isInteger(memoryMb) && memoryMb >= 64 && memoryMb <= 4096))
    problems.push(`flags: --memory-mb: must be an integer 64–4096 (got ${JSON.stringify(flags.memoryMb)})`);
  if (problems.length > 0)
    throw new ConfigError(problems, "`quanteval grade --help` lists the modes and flags", "grade flags");
  return { mode: mode as GradeMode, letters: flags.letters, timeoutSec, memoryMb };
}

/** The letters a task would use: a prefix of A–Z (gold and options are matched by position). */
function validLetters(letters: string): boolean {
  return letters.length >= 2 && letters === LETTERS.slice(0, letters.length);
}

async function gradeLine(line: string, settings: GradeSettings, grading: GradeContext): Promise<GradeVerdict> {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (error) {
    throw new LineError(`not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  switch (settings.mode) {
    case "math":
      return gradeMathLine(json, grading);
    case "integer":
      return gradeIntegerLine(json);
    case "choice":
      return gradeChoiceLine(json, settings.letters);
    case "code":
      return gradeCodeLine(json, settings, grading);
  }
}

const GoldText = z.union([z.string(), z.number()]).transform(String);
const MathLineSchema = z.object({ gold: GoldText, response: z.string() });
const ChoiceLineSchema = z.object({
  gold: z.string(),
  response: z.string(),
  options: z.array(z.string()).min(2).max(26).optional(),
});
const CodeTestSchema = z.strictObject({
  input: z.string(),
  output: z.string(),
  testtype: z.enum(["stdin", "functional"]),
});
const CodeLineSchema = z.object({
  problem: z.unknown().optional(),
  response: z.string(),
  language: z.enum(["python", "javascript"]).default("python"),
});
const TestsProblemSchema = z.object({ tests: z.array(CodeTestSchema).min(1), funcName: z.string().min(1).optional() });
/** The columns of a LiveCodeBench row that grading needs; the row's other columns are left alone. */
const TestsField = z.union([z.string(), z.array(z.unknown())]);
const LcbRowSchema = z.object({
  public_test_cases: TestsField.optional(),
  private_test_cases: TestsField.optional(),
  metadata: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
});
const LCB_TEST_FIELDS = ["public_test_cases", "private_test_cases"] as const;

/** Parses with `schema`; the error names each field at fault, under `prefix` (e.g. "problem."). */
function parseLine<T extends z.ZodType>(schema: T, json: unknown, prefix = ""): z.infer<T> {
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const field = (path: readonly PropertyKey[]) => `${prefix}${path.join(".")}`.replace(/\.$/, "") || "(line)";
  throw new LineError(parsed.error.issues.map((i) => `${field(i.path)}: ${i.message}`).join("; "));
}

/**
 * The reply the task graders see: the response's final text, as the client keeps it: a `<think>…</think>`
 * prefix is reasoning, and a `<think>` that never closes leaves no final text at all.
 */
export function replyOf(response: string): Reply {
  return {
    text: splitReasoning(response).text,
    finishReason: "stop",
    usage: { promptTokens: 0, completionTokens: 0 },
    timing: { sentAt: 0, doneAt: 0 },
  };
}

function verdictOf(grade: Grade): GradeVerdict {
  return {
    correct: grade.correct,
    answered: grade.answered,
    extracted: grade.extracted ?? null,
    rule: grade.rule,
    ...(grade.detail !== undefined ? { detail: grade.detail } : {}),
  };
}

function gradeMathLine(json: unknown, grading: GradeContext): GradeVerdict {
  const line = parseLine(MathLineSchema, json);
  return verdictOf(gradeMathAnswer(replyOf(line.response), line.gold, grading.math));
}

function gradeIntegerLine(json: unknown): GradeVerdict {
  const line = parseLine(MathLineSchema, json);
  // As the AIME tasks do: a gold that is not an integer 0–999 is a data error, never a wrong answer.
  const gold = parseAimeInteger(line.gold);
  if (gold === undefined) throw new LineError(`gold: ${JSON.stringify(line.gold)} is not an integer 0–999`);
  return verdictOf(gradeAimeAnswer(replyOf(line.response), gold));
}

function gradeChoiceLine(json: unknown, flagLetters: string | undefined): GradeVerdict {
  const line = parseLine(ChoiceLineSchema, json);
  // As the tasks do: the options' count sets the letters (MMLU-Pro has 4 to 10); without options, A–J.
  const letters = flagLetters ?? (line.options !== undefined ? lettersFor(line.options.length) : LETTERS.slice(0, 10));
  if (line.options !== undefined && line.options.length !== letters.length) {
    throw new LineError(`options: ${line.options.length} options for the ${letters.length} letters ${letters}`);
  }
  if (line.gold.length !== 1 || !letters.includes(line.gold))
    throw new LineError(`gold: must be one of the letters ${letters} (got ${JSON.stringify(line.gold)})`);
  return verdictOf(gradeChoice(replyOf(line.response), line.gold, letters, line.options));
}

async function gradeCodeLine(json: unknown, settings: GradeSettings, grading: GradeContext): Promise<GradeVerdict> {
  const line = parseLine(CodeLineSchema, json);
  const { tests, funcName } = codeProblemOf(json, line.problem);
  const code = extractCode(replyOf(line.response).text, line.language);
  if (code === undefined || code.trim() === "")
    return { correct: false, answered: false, extracted: null, rule: "none/no-code-block", tests: [] };
  // A functional test whose input is not JSON throws here: an error line, like any other malformed input.
  const verdict = await grading.code.run(code, line.language, tests, {
    ...(funcName !== undefined ? { funcName } : {}),
    limits: {
      timeoutMs: (settings.timeoutSec ?? DEFAULT_TIMEOUT_SEC[line.language]) * 1000,
      memoryMb: settings.memoryMb,
    },
  });
  // Rule and detail as the livecodebench task writes them.
  return {
    correct: verdict.passed,
    answered: true,
    extracted: code,
    rule: codeVerdictRule(verdict),
    detail: codeVerdictDetail(verdict, tests.length),
    tests: verdict.tests.map((t) => ({ status: t.status, ...(t.detail !== undefined ? { detail: t.detail } : {}) })),
  };
}

interface CodeProblem {
  tests: CodeTest[];
  funcName?: string | undefined;
}

const PROBLEM_FORMS = "{ tests, funcName? } or a LiveCodeBench row";

const hasLcbTests = (value: Record<string, unknown>) => LCB_TEST_FIELDS.some((field) => field in value);

/**
 * A code line's tests and function name: `problem: { tests, funcName? }`, or a LiveCodeBench row, under
 * `problem` or as the line itself (its test fields at the top level, beside `response`).
 */
function codeProblemOf(line: unknown, problem: unknown): CodeProblem {
  if (problem === undefined) {
    if (isRecord(line) && hasLcbTests(line)) return lcbRowProblem(line, "");
    throw new LineError(`problem: required: ${PROBLEM_FORMS}, or the row's fields at the top level`);
  }
  if (isRecord(line) && hasLcbTests(line)) throw new LineError("problem: and a row's test fields beside it: give one");
  if (!isRecord(problem)) throw new LineError(`problem: must be an object: ${PROBLEM_FORMS}`);
  if (!("tests" in problem)) {
    if (hasLcbTests(problem)) return lcbRowProblem(problem, "problem.");
    throw new LineError("problem: needs tests, or a LiveCodeBench row's public_test_cases / private_test_cases");
  }
  if (hasLcbTests(problem)) throw new LineError("problem: tests and a LiveCodeBench row's test fields: give one");
  const { tests, funcName } = parseLine(TestsProblemSchema, problem, "problem.");
  requireFuncName(tests, funcName, "problem.funcName");
  return { tests, funcName };
}

/** A LiveCodeBench row's tests (public, then private) and metadata.func_name, as the livecodebench task reads them. */
function lcbRowProblem(row: Record<string, unknown>, prefix: string): CodeProblem {
  if ("funcName" in row) {
    throw new LineError(`${prefix}funcName: a LiveCodeBench row names its function in ${prefix}metadata.func_name`);
  }
  const fields = parseLine(LcbRowSchema, row, prefix);
  const tests: CodeTest[] = [];
  for (const [field, kind] of [
    ["public_test_cases", "public"],
    ["private_test_cases", "private"],
  ] as const) {
    const value = fields[field];
    if (value !== undefined) tests.push(...lcbTestsFrom(value, kind, `${prefix}${field}`));
  }
  if (tests.length === 0) {
    throw new LineError(`${prefix}public_test_cases, ${prefix}private_test_cases: no tests in either`);
  }
  const { funcName } = fields.metadata === undefined ? {} : lcbMetadataFrom(fields.metadata, `${prefix}metadata`);
  requireFuncName(tests, funcName, `${prefix}metadata.func_name`);
  return { tests, funcName };
}

function requireFuncName(tests: readonly CodeTest[], funcName: string | undefined, field: string): void {
  if (funcName === undefined && tests.some((t) => t.testtype === "functional")) {
    throw new LineError(`${field}: required for functional tests`);
  }
}
