/**
 * The benchmarks' own answer extraction, reproduced for `scoring: official` so that a score can be set beside a
 * published one. These read what the official scripts read, stray letters included; the strict reader
 * (`extractChoice`) is the default. Python's `re` and JavaScript's RegExp differ in `.`, `\s` and `\b`, so each
 * pattern below spells out the Python meaning; bench/choice-agreement.bench.ts checks them against the official
 * Python functions on stored model outputs. All of them run in time linear in the reply.
 */

// Python's `\s` on str: the characters str.isspace() accepts. JavaScript's `\s` adds U+FEFF and lacks U+001C–U+001F
// and U+0085.
const PY_SPACE = "[\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";

const MMLU_PRO_LEVEL_1 = /answer is \(?([A-J])\)?/;
// Level 2 is `.*[aA]nswer:\s*([A-J])` searched from the start: the first line holding a match, the last match in
// that line (Python's `.` stops only at "\n"; `\s*` may cross lines after the colon). Found here by scanning the
// matches of the part after `.*` instead of letting `.*` backtrack from every position.
const MMLU_PRO_LEVEL_2 = new RegExp(`[aA]nswer:${PY_SPACE}*([A-J])`, "g");
// Level 3, `\b[A-J]\b(?!.*\b[A-J]\b)` with DOTALL, is the last A–J standing alone; Python's `\b` counts every Unicode
// letter and digit (and "_") as a word character, JavaScript's only ASCII ones.
const MMLU_PRO_LEVEL_3 = /(?<![\p{L}\p{N}_])[A-J](?![\p{L}\p{N}_])/gu;

export type MmluProOfficialRule = "answer-is" | "answer-colon" | "last-letter";

/**
 * MMLU-Pro's extraction as TIGER-AI-Lab/MMLU-Pro evaluate_from_api.py does it (commit 3016805, 2025-02-23;
 * evaluate_from_local.py has the same three functions): `single_request` removes every "**" from the reply, then
 * rules in priority order:
 * 1. "answer-is" (extract_answer): the FIRST `answer is \(?([A-J])\)?`, case-sensitive.
 * 2. "answer-colon" (extract_again): `.*[aA]nswer:\s*([A-J])`, the last match on the first line that has one.
 * 3. "last-letter" (extract_final): the last capital A–J that stands alone anywhere (`\b[A-J]\b`), even a stray "A"
 *    of prose.
 * Otherwise `undefined`; the official script then scores a random guess (see the mmlu_pro task). Letters beyond the
 * item's options are returned as found: the official script compares them with the gold letter, and they are wrong.
 */
export function extractMmluProOfficial(reply: string): OfficialLetter<MmluProOfficialRule> | undefined {
  const text = reply.replaceAll("**", "");
  const first = MMLU_PRO_LEVEL_1.exec(text);
  const letter = first?.[1];
  // "answer is" is lower case: the match's one capital is the letter.
  if (first !== null && letter !== undefined) {
    return { letter, rule: "answer-is", at: first.index + first[0].lastIndexOf(letter) };
  }
  const second = mmluProLevel2(text);
  if (second !== undefined) return { ...second, rule: "answer-colon" };
  let last: RegExpExecArray | undefined;
  for (const m of text.matchAll(MMLU_PRO_LEVEL_3)) last = m;
  return last === undefined ? undefined : { letter: last[0], rule: "last-letter", at: last.index };
}

/** A letter an official extractor found, by which rule, and where (in the reply with "**" removed, for MMLU-Pro). */
export interface OfficialLetter<Rule extends string> {
  letter: string;
  rule: Rule;
  at: number;
}

function mmluProLevel2(text: string): { letter: string; at: number } | undefined {
  const pattern = new RegExp(MMLU_PRO_LEVEL_2);
  let line = -1;
  let found: { letter: string; at: number } | undefined;
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
    const at = text.lastIndexOf("\n", m.index);
    if (found !== undefined && at !== line) break;
    line = at;
    if (m[1] !== undefined) found = { letter: m[1], at: m.index + m[0].length - 1 };
    // Matches may overlap: in "answer: Answer: B" the letter A begins the next one, which `.*` would reach.
    pattern.lastIndex = m.index + 1;
  }
  return found;
}

// openai/simple-evals common.py ANSWER_PATTERN_MULTICHOICE (commit ee3b031, pattern since 5ca150b, 2025-01-31):
// `(?i)Answer[ \t]*:[ \t]*\$?([A-D])\$?`. `u` makes `i` fold case as Python does for str.
const SIMPLE_EVALS_MULTICHOICE = /Answer[ \t]*:[ \t]*\$?([A-D])\$?/iu;

/**
 * GPQA's extraction as openai/simple-evals gpqa_eval.py does it, one rule: "answer-colon", the FIRST `Answer: X`
 * (any case, optional `$` around the letter) in the raw reply; otherwise `undefined`. The letter is returned as
 * written: the pattern is case-insensitive but the comparison with the gold letter is not, so "answer: b" is a
 * wrong answer there (and "Answer: because…" is "b"). Before 2025-01-07 the pattern was
 * `(?i)Answer\s*:\s*([A-D])`, which also crossed line breaks.
 */
export function extractSimpleEvalsChoice(reply: string): OfficialLetter<"answer-colon"> | undefined {
  const m = SIMPLE_EVALS_MULTICHOICE.exec(reply);
  if (m?.[1] === undefined) return undefined;
  return { letter: m[1], rule: "answer-colon", at: m.index + m[0].lastIndexOf(m[1]) };
}
