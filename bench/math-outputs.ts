/**
 * Real model outputs on MATH with the benchmark toolkit's own verdicts, for measuring how often our math grading
 * agrees with it. The file is QwenLM/Qwen2.5-Math's `evaluation/data/eval_rm_maj_example/math_cot_100.jsonl` (commit
 * a45202b; the evaluation folder is MIT): 100 MATH test problems, 8 sampled chain-of-thought replies each, and per
 * reply the `score` that the Qwen2.5-Math evaluation toolkit gave it (its parser.py takes the last \boxed,
 * grader.py's math_equal compares). It is read from the folder QUANTEVAL_MATH_OUTPUTS names; nothing of it is in
 * this repository.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { z } from "zod";
import { matchingBrace } from "../graders/latex-braces.ts";
import { createMathEngine } from "../graders/math/index.ts";
import { gradeMathAnswer } from "../src/tasks/math-answer.ts";

export const MATH_OUTPUTS_FILE = "math_cot_100.jsonl";

/** The outputs file, or why it cannot be read. */
export function mathOutputsPath(env: NodeJS.ProcessEnv): { path: string } | { missing: string } {
  const dir = env.QUANTEVAL_MATH_OUTPUTS;
  if (dir === undefined || dir === "") {
    return {
      missing: `QUANTEVAL_MATH_OUTPUTS is not set: name a folder holding ${MATH_OUTPUTS_FILE} from QwenLM/Qwen2.5-Math`,
    };
  }
  const path = join(resolve(dir), MATH_OUTPUTS_FILE);
  return existsSync(path) ? { path } : { missing: `${path} does not exist` };
}

const RowSchema = z
  .object({
    idx: z.number().int(),
    gt: z.string().min(1),
    code: z.array(z.string()),
    score: z.array(z.boolean()),
  })
  .refine((r) => r.code.length === r.score.length, { message: "code and score differ in length" });

export interface Sample {
  id: string;
  gold: string;
  text: string;
  theirs: boolean;
}

/** One sample per reply: "idx/k" names the k-th reply to problem idx. */
export function readMathOutputs(path: string): Sample[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .flatMap((line, i) => {
      const parsed = RowSchema.safeParse(JSON.parse(line));
      if (!parsed.success) throw new Error(`${path} line ${i + 1}: ${parsed.error.message}`);
      const row = parsed.data;
      return row.code.map((text, k) => ({ id: `${row.idx}/${k}`, gold: row.gt, text, theirs: row.score[k] === true }));
    });
}

/** `text` with every `\boxed{X}` replaced by X: the same reply as a model that does not box would write it. */
export function unboxed(text: string): string {
  let out = "";
  let last = 0;
  for (const m of text.matchAll(/\\boxed\s*\{/g)) {
    if (m.index < last) continue;
    const open = m.index + m[0].length - 1;
    const close = matchingBrace(text, open);
    if (close === undefined) continue;
    out += text.slice(last, m.index) + unboxed(text.slice(open + 1, close));
    last = close + 1;
  }
  return out + text.slice(last);
}

export interface Disagreement {
  id: string;
  theirs: boolean;
  ours: boolean;
  rule: string;
  extracted?: string;
  gold: string;
}

export interface Agreement {
  n: number;
  agree: number;
  unanswered: number;
  disagreements: Disagreement[];
}

/** Our verdict (gradeMathAnswer, as math500 grades) against theirs, reply by reply, after `variant`. */
export function measureAgreement(samples: readonly Sample[], variant: (text: string) => string = (t) => t): Agreement {
  const disagreements: Disagreement[] = [];
  let unanswered = 0;
  const math = createMathEngine();
  for (const s of samples) {
    const grade = gradeMathAnswer(
      {
        text: variant(s.text),
        finishReason: "stop",
        usage: { promptTokens: 0, completionTokens: 0 },
        timing: { sentAt: 0, doneAt: 0 },
      },
      s.gold,
      math,
    );
    if (!grade.answered) unanswered++;
    if (grade.correct !== s.theirs) {
      disagreements.push({
        id: s.id,
        theirs: s.theirs,
        ours: grade.correct,
        rule: grade.rule,
        gold: s.gold,
        ...(grade.extracted !== undefined ? { extracted: grade.extracted } : {}),
      });
    }
  }
  return { n: samples.length, agree: samples.length - disagreements.length, unanswered, disagreements };
}

/**
 * The disagreements seen so far, each judged by reading the reply: who is right, and why. The bench prints any
 * other as "unclassified", to be read and added here.
 */
export const KNOWN_DISAGREEMENTS: Record<string, { right: "ours" | "theirs"; reason: string }> = {
  "72/7": {
    right: "ours",
    reason: "gold 10{,}000 against 10000: the toolkit keeps the {,} of the gold, so 10000 " + "fails",
  },
  "25/1": {
    right: "theirs",
    reason:
      "the box is followed by ~6,700 characters of degenerate text; unboxed, nothing " +
      "marks 25 as the answer, so ours is no answer (the boxed original we grade right)",
  },
  "45/5": { right: "theirs", reason: "as 25/1: a box followed by degenerate text" },
  "48/3": { right: "theirs", reason: "as 25/1: a box followed by degenerate text" },
};
