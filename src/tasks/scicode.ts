/**
 * scicode: SciCode (Tian et al. 2024, arXiv:2407.13168), research coding problems from the natural sciences, each
 * split into sub-steps that build on each other. SciCode1/SciCode at 4510f6a6 (pinned in evalsets/datasets.json),
 * the validation split (problems_dev.jsonl: 15 problems, 50 sub-steps), whose rows carry the reference code.
 * An item is a sub-step (`<problem>.<step>`, SciCode's step_number), labelled with its main problem.
 * Prompt: SciCode's own templates (eval/scripts/gencode.py), one user message: the earlier steps' descriptions and
 * code, then this step's description, function header and return line. Default without background, as SciCode's
 * scripts and its leaderboard's headline numbers; `withBackground: true` adds the scientists' background.
 * Departure: SciCode chains each model's own code for the earlier steps; here the earlier steps' code is the
 * reference code (SciCode's `gold` mode for them), so every variant gets byte-identical prompts and the deltas stay
 * paired. That is also why the test split (no reference code) is not offered.
 * Grading: SciCode's script (graders/code/scicode-program.ts) in native Python with numpy and scipy, with the
 * numeric targets read from the user's test_data.h5 (--scicode-h5 <file>); the sub-step passes when its tests do.
 * A main problem passes when all its sub-steps pass; the report gives both rates.
 *
 *   quanteval run --tasks scicode --scicode-h5 ~/scicode/test_data.h5 --base-url … --model …
 */
import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { z } from "zod";
import { extractScicodeCode, scicodeProgram, scicodeRunDetail, scicodeRunRule } from "../../graders/code/index.ts";
import { NativePythonUnavailableError, ScicodeTargetsMissingError } from "../core/errors.ts";
import type { Grade, GradeContext, Item, Reply } from "../core/types.ts";
import { parseRow, readJsonl, readScicodeTargets } from "../datasets/index.ts";
import type { AnswerKey, LoadOptions, Task } from "./types.ts";

const DATASET = "SciCode1/SciCode";
const FILE = "problems_dev.jsonl";

// eval/data/background_comment_template.txt: SciCode's default (without background), verbatim.
const WITHOUT_BACKGROUND = `PROBLEM DESCRIPTION:
You will be provided with the main description of the problem, previous steps, and the next step. Your task will be to generate the disciplinary knowledge necessary for solving the next step and then develop a Python solution focused on this step.

PREVIOUS STEPS DESCRIPTION:
{problem_steps_str}

NEXT STEP - PROBLEM DESCRIPTION AND FUNCTION HEADER:
This part will describe the next step in the problem-solving process. First, provide the necessary scientific background knowledge as a comment at the beginning of your response, starting with 'Background: '. Then, a function header will be provided, and your task is to develop the Python code for this next step based on the provided description and function header.

{next_step_str}

DEPENDENCIES:
Use only the following dependencies in your solution. Do not include these dependencies at the beginning of your code.
{dependencies}

RESPONSE GUIDELINES:
1. Start with the scientific background required for the next step, formatted as a comment.
2. Then write the complete and executable Python program for the next step in a single block.
3. Your response should focus exclusively on implementing the solution for the next step, adhering closely to the specified function header and the context provided by the initial steps.
4. DO NOT include previous function code, example usage or test code in your response.
5. Ensure your response is in the format of \`\`\`python\`\`\` and includes the necessary background as a comment at the top.

Example:
\`\`\`python
# Background: [Here, insert the necessary scientific knowledge required for the next step.]

[Insert the Python code here based on the provided function header and dependencies.]
\`\`\`
`;
// eval/data/multistep_template.txt: the "with background" setting, verbatim.
const WITH_BACKGROUND = `PROBLEM DESCRIPTION:
You will be provided with problem steps along with background knowledge necessary for solving the problem. Your task will be to develop a Python solution focused on the next step of the problem-solving process.

PROBLEM STEPS AND FUNCTION CODE:
Here, you'll find the Python code for the initial steps of the problem-solving process. This code is integral to building the solution.

{problem_steps_str}

NEXT STEP - PROBLEM STEP AND FUNCTION HEADER:
This part will describe the next step in the problem-solving process. A function header will be provided, and your task is to develop the Python code for this next step based on the provided description and function header.

{next_step_str}

DEPENDENCIES:
Use only the following dependencies in your solution. Do not include these dependencies at the beginning of your code.

{dependencies}

RESPONSE GUIDELINES:
Now, based on the instructions and information provided above, write the complete and executable Python program for the next step in a single block.
Your response should focus exclusively on implementing the solution for the next step, adhering closely to the specified function header and the context provided by the initial steps.
Your response should NOT include the dependencies and functions of all previous steps. If your next step function calls functions from previous steps, please make sure it uses the headers provided without modification.
DO NOT generate EXAMPLE USAGE OR TEST CODE in your response. Please make sure your response python code in format of \`\`\`python\`\`\`.`;

const OptionsSchema = z.strictObject({
  /** SciCode's test_data.h5 (its Google Drive); relative paths are taken from the working directory. */
  h5: z.string().min(1).optional(),
  withBackground: z.boolean().default(false),
  /** Per sub-step script. SciCode allows 1,800 s; most scripts need seconds, and an endless loop would cost all. */
  timeoutSec: z.number().positive().max(1800).default(120),
  memoryMb: z.int().min(256).max(16384).default(4096),
});

const StepSchema = z.object({
  step_number: z.string().min(1),
  step_description_prompt: z.string(),
  step_background: z.string(),
  ground_truth_code: z.string(),
  function_header: z.string().min(1),
  test_cases: z.array(z.string()).min(1),
  return_line: z.string(),
});
const RowSchema = z.object({
  problem_id: z.string().min(1),
  problem_name: z.string(),
  required_dependencies: z.string(),
  sub_steps: z.array(StepSchema).min(1),
});
type Row = z.infer<typeof RowSchema>;

const MetaSchema = z.object({
  problem: z.string(),
  h5: z.string(),
  dependencies: z.string(),
  previousCode: z.array(z.string()),
  tests: z.array(z.string()),
  functionHeader: z.string(),
  referenceCode: z.string(),
  timeoutSec: z.number(),
  memoryMb: z.number(),
});

async function load(opts: LoadOptions): Promise<Item[]> {
  const options = OptionsSchema.parse(opts.options);
  if (options.h5 === undefined) throw new ScicodeTargetsMissingError("no test_data.h5 was given");
  const h5 = resolve(options.h5);
  if (!existsSync(h5)) throw new ScicodeTargetsMissingError(`${h5} does not exist`);
  // Kept in the manifest with the run: which targets file graded it.
  opts.notice(`numeric targets from ${h5} (${statSync(h5).size} bytes)`);
  const file = await opts.data.path(DATASET, FILE, "scicode");
  const rows = (await readJsonl(file)).map((raw, index) =>
    parseRow(RowSchema, raw, `${DATASET}/${FILE} row ${index + 1}`),
  );
  return rows.flatMap((row) =>
    row.sub_steps.map((step, index): Item => {
      const meta: z.infer<typeof MetaSchema> = {
        problem: row.problem_id,
        h5,
        dependencies: row.required_dependencies,
        previousCode: row.sub_steps.slice(0, index).map((s) => extractScicodeCode(fenced(s.ground_truth_code)).code),
        tests: step.test_cases,
        functionHeader: step.function_header,
        referenceCode: step.ground_truth_code,
        timeoutSec: options.timeoutSec,
        memoryMb: options.memoryMb,
      };
      return {
        id: step.step_number,
        task: "scicode",
        messages: [{ role: "user", content: buildPrompt(row, index, meta.previousCode, options.withBackground) }],
        gold: { problem: row.problem_id, step: step.step_number },
        meta,
      };
    }),
  );
}

/** gencode.py's process_problem_steps and generate_prompt_with_steps. */
export function buildPrompt(row: Row, index: number, previousCode: readonly string[], withBackground: boolean): string {
  const describe = (i: number): string => {
    const step = row.sub_steps[i];
    if (step === undefined) return "";
    return withBackground ? `${step.step_description_prompt}\n${step.step_background}` : step.step_description_prompt;
  };
  const earlier = previousCode.flatMap((code, i) => [describe(i), code, "------"]);
  const step = row.sub_steps[index];
  const next = [describe(index), `${step?.function_header ?? ""}\n\n${step?.return_line ?? ""}`];
  const fields: Record<string, string> = {
    problem_steps_str: earlier.slice(0, -1).join("\n\n"),
    next_step_str: next.join("\n\n"),
    dependencies: row.required_dependencies,
  };
  // One pass, as Python's str.format: a field's value is never searched for further fields.
  return (withBackground ? WITH_BACKGROUND : WITHOUT_BACKGROUND).replace(
    /\{(problem_steps_str|next_step_str|dependencies)\}/g,
    (_m, name: string) => fields[name] ?? "",
  );
}

/** How SciCode's `gold` mode hands a reference solution to its extractor. */
function fenced(code: string): string {
  return `\`\`\`python\n${code}\n\`\`\``;
}

async function grade(item: Item, reply: Reply, ctx: GradeContext): Promise<Grade> {
  const meta = MetaSchema.parse(item.meta);
  const extraction = extractScicodeCode(reply.text);
  if (extraction.code.trim() === "")
    return { correct: false, answered: false, rule: `${extraction.rule}/no-code`, extracted: "" };
  if (ctx.python === undefined) throw new NativePythonUnavailableError("scicode", "this grader has no native Python");
  const targets = await readScicodeTargets(meta.h5, item.id, meta.tests.length);
  const program = scicodeProgram({
    stepId: item.id,
    dependencies: meta.dependencies,
    previousCode: meta.previousCode,
    code: extraction.code,
    tests: meta.tests,
    targetsJson: JSON.stringify(targets),
  });
  const result = await ctx.python(program, { timeoutMs: meta.timeoutSec * 1000, memoryMb: meta.memoryMb });
  const rule = scicodeRunRule(result);
  const detail = scicodeRunDetail(result);
  return {
    correct: rule === "passed",
    answered: true,
    rule: `${extraction.rule}/${rule}`,
    ...(detail !== undefined ? { detail } : {}),
  };
}

/** For the simulator: the reference solution, and wrong programs that fail an assert, raise, or do not parse. */
function answerKey(item: Item): AnswerKey {
  const meta = MetaSchema.parse(item.meta);
  return {
    correct: fenced(meta.referenceCode),
    wrong: [
      fenced(`${meta.functionHeader}\n    return None`),
      fenced(`${meta.functionHeader}\n    raise ValueError("wrong approach")`),
      fenced("def broken(:\n    pass"),
    ],
  };
}

export const scicode: Task = {
  name: "scicode",
  family: "scicode",
  description:
    "SciCode validation split (15 problems, 50 sub-steps): science code graded on test_data.h5 " +
    "(--scicode-h5) in native Python",
  source: { kind: "hub", datasets: [DATASET] },
  // Reasoning models think long on research problems; SciCode's own runs leave max_tokens to the model's default.
  defaults: { maxTokens: 32768 },
  size: "50 sub-steps (15 problems)",
  options: OptionsSchema,
  files: () => [{ dataset: DATASET, path: FILE }],
  breakdowns: ["problem"],
  problemLabel: "problem",
  // numpy and scipy: only the native executor has them, so where it cannot run the task is N/A with the reason.
  pythonExecutor: () => "native",
  load,
  grade,
  answerKey,
};
