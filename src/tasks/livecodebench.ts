/**
 * livecodebench: code generation from livecodebench/code_generation_lite (LeetCode, AtCoder and Codeforces
 * problems by contest date). Subset = LiveCodeBench's own version tag: `release_v1`…`release_v6` (cumulative,
 * `release_latest` = v6), `v5` (one file), `v4_v6` (a range); default release_v6 (1,055 problems). Options: the
 * contest-date window (`since`/`until`, or --since/--until), `platforms`, `difficulties`, and `language` (python,
 * comparable with the public leaderboard, or javascript).
 * Prompt: LiveCodeBench's own (lcb_runner/prompts/code_generation.py, OpenAI chat style): its system message and
 * "### Question: … ### Format: … ### Answer: (use the provided format with backticks)", with the starter code for
 * LeetCode (call-based) problems and "# YOUR CODE HERE" for stdin problems.
 * Grading: the last fenced code block runs in a sandbox (Pyodide or isolated-vm) on the public and private tests;
 * the problem passes when every test passes (pass@1), per-test outcomes kept in the grade's detail.
 * The private tests (often megabytes each) are not kept in memory: each item remembers where its row sits in the
 * file, and grading reads that row back.
 */
import { closeSync, openSync, readSync } from "node:fs";
import { z } from "zod";
import { DatasetFormatError } from "../core/errors.ts";
import type { CodeLanguage, CodeTest, Grade, GradeContext, Item, Reply } from "../core/types.ts";
import { decodeLcbTests, parseLcbMetadata, parseLcbPublicTests, parseRow, scanJsonl } from "../datasets/index.ts";
import { codeAnswerKey, gradeCode } from "./code-answer.ts";
import type { AnswerKey, DataFileRef, LoadOptions, Task } from "./types.ts";

const DATASET = "livecodebench/code_generation_lite";
const FILES = ["test.jsonl", "test2.jsonl", "test3.jsonl", "test4.jsonl", "test5.jsonl", "test6.jsonl"] as const;
const LATEST = 6;

/** Files of a version tag, as LiveCodeBench's loading script reads them. */
export function releaseFiles(tag: string): string[] | undefined {
  const cumulative = /^release_v([1-9])$/.exec(tag);
  if (cumulative !== null) return fileRange(1, Number(cumulative[1]));
  if (tag === "release_latest") return fileRange(1, LATEST);
  const single = /^v([1-9])$/.exec(tag);
  if (single !== null) return fileRange(Number(single[1]), Number(single[1]));
  const range = /^v([1-9])_v([1-9])$/.exec(tag);
  if (range !== null && Number(range[1]) <= Number(range[2])) return fileRange(Number(range[1]), Number(range[2]));
  return undefined;
}

function fileRange(from: number, to: number): string[] | undefined {
  if (from < 1 || to > FILES.length) return undefined;
  return FILES.slice(from - 1, to);
}

/** LiveCodeBench's own per-test limit on CPython; Pyodide gets three times it (see `timeoutSec`). */
const LCB_TIMEOUT_SEC = 6;
const PYODIDE_TIMEOUT_SEC = 3 * LCB_TIMEOUT_SEC;

const DATE = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date YYYY-MM-DD");

const OptionsSchema = z.strictObject({
  /** First contest date included (YYYY-MM-DD). */
  since: DATE.optional(),
  /** Last contest date included (YYYY-MM-DD). */
  until: DATE.optional(),
  platforms: z
    .array(z.enum(["leetcode", "atcoder", "codeforces"]))
    .min(1)
    .optional(),
  difficulties: z
    .array(z.enum(["easy", "medium", "hard"]))
    .min(1)
    .optional(),
  /** Python is what the public leaderboard measures. */
  language: z.enum(["python", "javascript"]).default("python"),
  /**
   * Per-test time limit. LiveCodeBench allows 6 s on native CPython (the native executor's default); Pyodide runs
   * about 3× slower, so Python there defaults to 18 s (JavaScript in isolated-vm runs at V8 speed: 6 s).
   */
  timeoutSec: z.number().positive().max(120).optional(),
  /**
   * Python's sandbox: Pyodide (default), native CPython in bubblewrap (the task is N/A where it cannot run), or
   * auto (native where it runs, else Pyodide). See docs/code-executors.md.
   */
  executor: z.enum(["pyodide", "native", "auto"]).default("pyodide"),
  memoryMb: z.int().min(64).max(4096).default(1024),
});
type Options = z.infer<typeof OptionsSchema>;

const RowSchema = z.object({
  question_title: z.string(),
  question_content: z.string().min(1),
  platform: z.enum(["leetcode", "atcoder", "codeforces"]),
  question_id: z.string().min(1),
  contest_id: z.string(),
  contest_date: z.string().regex(/^\d{4}-\d{2}-\d{2}/),
  starter_code: z.string(),
  difficulty: z.enum(["easy", "medium", "hard"]),
  public_test_cases: z.string(),
  private_test_cases: z.string(),
  metadata: z.string(),
});
type Row = z.infer<typeof RowSchema>;

// lcb_runner/prompts/code_generation.py (PromptConstants), verbatim for Python.
const SYSTEM_PYTHON =
  "You are an expert Python programmer. You will be given a question (problem specification) and will generate a correct Python program that matches the specification and passes all tests.";
const WITH_STARTER =
  "You will use the following starter code to write the solution to the problem and enclose your code within delimiters.";
const WITHOUT_STARTER_PYTHON =
  "Read the inputs from stdin solve the problem and write the answer to stdout (do not directly test on the sample inputs). Enclose your code within delimiters as follows. Ensure that when the python program runs, it reads the inputs, runs the algorithm and writes output to STDOUT.";
// The same, said for JavaScript and for what our JavaScript sandbox provides (no Node APIs).
const SYSTEM_JAVASCRIPT =
  "You are an expert JavaScript programmer. You will be given a question (problem specification) and will generate a correct JavaScript program that matches the specification and passes all tests.";
const WITH_STARTER_JAVASCRIPT =
  "The starter code below is in Python and shows the method to implement; write it in JavaScript as a function with the same name and parameters (a class Solution with that method also works), and enclose your code within delimiters.";
const WITHOUT_STARTER_JAVASCRIPT =
  "Read the inputs from stdin solve the problem and write the answer to stdout (do not directly test on the sample inputs). Enclose your code within delimiters as follows. The program runs without Node.js modules: read stdin with readline() (one line per call, undefined at the end) or the global string `input`, and write with console.log.";

export function buildMessages(
  row: Pick<Row, "question_content" | "starter_code">,
  language: CodeLanguage,
): Item["messages"] {
  const fence = language === "python" ? "python" : "javascript";
  let prompt = `### Question:\n${row.question_content}\n\n`;
  if (row.starter_code !== "") {
    prompt += `### Format: ${language === "python" ? WITH_STARTER : WITH_STARTER_JAVASCRIPT}\n`;
    prompt += `\`\`\`python\n${row.starter_code}\n\`\`\`\n\n`;
  } else {
    prompt += `### Format: ${language === "python" ? WITHOUT_STARTER_PYTHON : WITHOUT_STARTER_JAVASCRIPT}\n`;
    prompt += `\`\`\`${fence}\n${language === "python" ? "# YOUR CODE HERE" : "// YOUR CODE HERE"}\n\`\`\`\n\n`;
  }
  prompt += "### Answer: (use the provided format with backticks)\n\n";
  return [
    { role: "system", content: language === "python" ? SYSTEM_PYTHON : SYSTEM_JAVASCRIPT },
    { role: "user", content: prompt },
  ];
}

/** Where an item's row sits, so its tests can be read back at grading time. */
const RowAtSchema = z.strictObject({ file: z.string(), offset: z.int().nonnegative(), length: z.int().nonnegative() });

const MetaSchema = z.object({
  language: z.enum(["python", "javascript"]),
  /** Absent in journals from before the native executor: Pyodide. */
  executor: z.enum(["pyodide", "native"]).optional(),
  funcName: z.string().optional(),
  rowAt: RowAtSchema,
  timeoutSec: z.number().positive(),
  memoryMb: z.int().positive(),
});
type Meta = z.infer<typeof MetaSchema>;

function selected(row: Row, options: Options): boolean {
  const date = row.contest_date.slice(0, 10);
  if (options.since !== undefined && date < options.since) return false;
  if (options.until !== undefined && date > options.until) return false;
  if (options.platforms !== undefined && !options.platforms.includes(row.platform)) return false;
  if (options.difficulties !== undefined && !options.difficulties.includes(row.difficulty)) return false;
  return true;
}

async function load(opts: LoadOptions): Promise<Item[]> {
  const options = OptionsSchema.parse(opts.options);
  const files = releaseFiles(opts.subset ?? "release_v6") ?? [];
  const executor = options.language === "python" ? (opts.pythonExecutor ?? "pyodide") : undefined;
  const items: Item[] = [];
  const seen = new Set<string>();
  for (const name of files) {
    const file = await opts.data.path(DATASET, name, "livecodebench");
    await scanJsonl(file, (raw, at) => {
      const row = parseRow(RowSchema, raw, `${DATASET}/${name} line ${at.line}`);
      if (!selected(row, options) || seen.has(row.question_id)) return;
      seen.add(row.question_id);
      const { funcName } = parseLcbMetadata(row.metadata, `${DATASET}/${name} line ${at.line} metadata`);
      const meta: Meta & Record<string, unknown> = {
        platform: row.platform,
        difficulty: row.difficulty,
        contestDate: row.contest_date.slice(0, 10),
        title: row.question_title,
        language: options.language,
        rowAt: { file, offset: at.offset, length: at.length },
        timeoutSec: options.timeoutSec ?? (executor === "pyodide" ? PYODIDE_TIMEOUT_SEC : LCB_TIMEOUT_SEC),
        ...(executor !== undefined ? { executor } : {}),
        memoryMb: options.memoryMb,
        ...(funcName !== undefined ? { funcName } : {}),
      };
      items.push({
        id: row.question_id,
        task: "livecodebench",
        messages: buildMessages(row, options.language),
        gold: {
          questionId: row.question_id,
          platform: row.platform,
          contestDate: row.contest_date.slice(0, 10),
          ...(funcName !== undefined ? { funcName } : {}),
        },
        meta,
      });
    });
  }
  if (items.length === 0)
    opts.notice("no problem matches the release and filters (check since/until, platforms, difficulties)");
  return items;
}

/** All tests of an item, public then private, read back from its row. */
function testsOf(item: Item): CodeTest[] {
  const meta = MetaSchema.parse(item.meta);
  const where = `${meta.rowAt.file} at byte ${meta.rowAt.offset}`;
  const raw = readRowSync(meta.rowAt);
  const row = RowSchema.safeParse(raw);
  if (!row.success)
    throw new DatasetFormatError(where, "the row is no longer a LiveCodeBench problem (did the file change?)");
  if (row.data.question_id !== item.id)
    throw new DatasetFormatError(
      where,
      `holds ${row.data.question_id}, not ${item.id} (the file changed since loading)`,
    );
  return [
    ...parseLcbPublicTests(row.data.public_test_cases, `${where} public_test_cases`),
    ...decodeLcbTests(row.data.private_test_cases, `${where} private_test_cases`),
  ];
}

function readRowSync(at: z.infer<typeof RowAtSchema>): unknown {
  const fd = openSync(at.file, "r");
  try {
    const bytes = Buffer.alloc(at.length);
    let filled = 0;
    while (filled < at.length) {
      const n = readSync(fd, bytes, filled, at.length - filled, at.offset + filled);
      if (n === 0) break;
      filled += n;
    }
    return JSON.parse(bytes.subarray(0, filled).toString("utf8"));
  } catch (error) {
    throw new DatasetFormatError(
      `${at.file} at byte ${at.offset}`,
      `cannot read the problem's row back (${error instanceof Error ? error.message : String(error)})`,
      { cause: error },
    );
  } finally {
    closeSync(fd);
  }
}

async function grade(item: Item, reply: Reply, ctx: GradeContext): Promise<Grade> {
  const meta = MetaSchema.parse(item.meta);
  // Tests are read back only when there is code to run them on.
  return gradeCode(reply, meta, () => testsOf(item), ctx.code);
}

function answerKey(item: Item): AnswerKey {
  return codeAnswerKey(MetaSchema.parse(item.meta), testsOf(item));
}

export const livecodebench: Task = {
  name: "livecodebench",
  family: "livecodebench",
  description:
    "LiveCodeBench code generation (release_v6: 1,055 problems, May 2023–Apr 2025), pass@1 in a sandbox; filter by --since/--until",
  source: { kind: "hub", datasets: [DATASET] },
  // Reasoning models think long on contest problems; LiveCodeBench's own runs allow 32k.
  defaults: { maxTokens: 32768 },
  size: "1,055 (release_v6)",
  subsets: {
    describe: "a LiveCodeBench version tag: release_v1…release_v6, release_latest, v1…v6, or a range v4_v6",
    check: (subset) => (releaseFiles(subset) === undefined ? `"${subset}" is not a version tag` : undefined),
  },
  options: OptionsSchema,
  pythonExecutor: (options) => {
    const parsed = OptionsSchema.parse(options);
    return parsed.language === "python" ? parsed.executor : undefined;
  },
  files: (subset): DataFileRef[] =>
    (releaseFiles(subset ?? "release_v6") ?? []).map((path) => ({ dataset: DATASET, path })),
  breakdowns: ["difficulty", "platform"],
  load,
  grade,
  answerKey,
};
