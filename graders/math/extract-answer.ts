/**
 * The final answer of a math reply, boxed or not. Boxed replies are read as before; replies without `\boxed` are
 * read the way huggingface/Math-Verify reads them (its parser.py: "final answer is", then "answer", then the last
 * LaTeX or number), narrowed to the end of the reply so that a formula from the middle of the working is not taken
 * for the answer.
 */
import { type BoxedSpan, boxedSpans, extractAnswerLine, MAX_TEXT_CHARS } from "../extract.ts";
import {
  joinedValue,
  latexSpans,
  MAX_SCAN_CHARS,
  type MathPiece,
  mathPieces,
  type Sentence,
  sentences,
} from "./reply-math.ts";

export const MATH_EXTRACT_RULES = [
  "boxed",
  "boxed-list",
  "answer-line",
  "answer-line-sentence",
  "final-answer",
  "answer-phrase",
  "final-sentence",
  "final-sentence-number",
] as const;
export type MathExtractRule = (typeof MATH_EXTRACT_RULES)[number];

export interface ExtractedMath {
  value: string;
  rule: MathExtractRule;
}

/** Trailing sentences without any math ("I hope it is correct.", "<|im_start|>user") skipped to find the last one. */
const MAX_SKIPPED_SENTENCES = 3;
/** How far after "answer" its math may start (Math-Verify's `answer.{0,50}?`). */
const ANSWER_REACH = 50;
/** How far after "final answer" its "is" may come (Math-Verify's `final answer.{0,100}?\s+is`). */
const FINAL_ANSWER_REACH = 110;

/**
 * Whether the text between two boxes makes them one answer: short, no sentence end, and either nothing but
 * punctuation or a connective ("\boxed{-2} \quad \text{and} \quad \boxed{1}", "\boxed{1} papers and \boxed{2} bins").
 * "\boxed{1} no no no \boxed{2}" is a correction, not a list: the last box stands (Math-Verify's test_open_thoughts).
 */
function joinsBoxes(gap: string): boolean {
  const words = gap
    .replace(/\\(?:text|textrm|mathrm|mbox)\s*\{([^{}]*)\}/g, " $1 ")
    .replace(/\\(?:q?quad|[,;:!]|\(|\)|\[|\])|\$/g, " ");
  if (words.length > 60 || /[.!?](?:\s|$)|\n\s*\n/.test(words.trim())) return false;
  return words.trim() === "" || /[,;&]|\band\b|\bor\b/i.test(words);
}

/**
 * The last box of `spans`, with the boxes joined to it into one list answer; repeated values are kept once. Boxes
 * inside one LaTeX span are always one answer (`$x = \boxed{3}, y = \boxed{4}$`), as Math-Verify reads every box of
 * a span. `undefined` when the last box is empty (see extractBoxed: no answer, not the box before it).
 */
function lastBoxes(
  text: string,
  spans: readonly BoxedSpan[],
): { value: string; rule: "boxed" | "boxed-list" } | undefined {
  const last = spans.at(-1);
  if (!last || last.content === "") return undefined;
  const latex = spans.length > 1 ? latexSpans(text) : [];
  const sameSpan = (a: BoxedSpan, b: BoxedSpan): boolean => latex.some((s) => s.start <= a.start && b.end <= s.end);
  let first = spans.length - 1;
  const joined = (a: BoxedSpan | undefined, b: BoxedSpan | undefined): boolean =>
    a !== undefined &&
    b !== undefined &&
    a.content !== "" &&
    (sameSpan(a, b) || joinsBoxes(text.slice(a.end, b.start)));
  while (first > 0 && joined(spans[first - 1], spans[first])) first--;
  const values = [...new Set(spans.slice(first).map((b) => b.content))];
  return values.length > 1 ? { value: values.join(", "), rule: "boxed-list" } : { value: last.content, rule: "boxed" };
}

/** The first piece of `sentence` that starts within reach after its last "answer", joined with its list. */
function afterAnswerWord(text: string, sentence: Sentence): MathPiece | undefined {
  const words = [...text.slice(sentence.start, sentence.end).matchAll(/\banswer\b/gi)];
  const word = words.at(-1);
  if (!word) return undefined;
  const from = sentence.start + word.index + word[0].length;
  const index = sentence.pieces.findIndex((p) => p.start >= from && p.start - from <= ANSWER_REACH);
  const piece = sentence.pieces[index];
  // "…the final answer, let me check step 2": a number that labels a place is not what "answer" introduces.
  if (piece === undefined || (piece.kind === "number" && COUNTS_PLACE.test(text.slice(from, piece.start)))) {
    return undefined;
  }
  return joinedValue(text, sentence.pieces, index);
}

// "final answer" that states one: "Final Answer: …", "the final answer is …", a "**Final Answer**" heading. Not a
// passing mention ("Before I give the final answer, let me check step 2 of 3.").
const FINAL_ANSWER = /\bfinal\s+answer\b(?=[*_\s]*(?:[:：]|\b(?:is|are)\b|\n|$))/gi;
// The same, for a yes/no test (a global regex's `test` would carry lastIndex from one call to the next).
const STATES_FINAL_ANSWER = new RegExp(FINAL_ANSWER.source, "i");
// Where a model that ran past its turn starts writing the next one ("<|im_start|>user\nQuestion 2 …").
const CHAT_TEMPLATE_TOKEN = /<\|(?:im_start|im_end|endoftext|eot_id|start_header_id|end_of_turn)\|>|<end_of_turn>/;
// What states a bare number as a result: "is 12", "there are 12 ways", "= 12", "total 12", "gives 12".
const STATES_RESULT =
  /(?:\b(?:is|are|was|were|be|equals?|equal\s+to|gives?|get|gets|obtain|yields?|makes?|totals?|becomes?|remains?)\b|[=:≈])/i;
// A number that labels a place rather than stating a value: "Step 3 of 3", "Question 2", "case 4".
const COUNTS_PLACE = /\b(?:step|question|part|problem|case|example|page|line|of)\s*$/i;
// A number that only approximates the math before it ("$\frac{5}{12}$, approximately 0.4167").
const APPROXIMATELY = /(?:\b(?:approximately|approx\.?|about|roughly|around|nearly)|[≈~])\s*$/i;

/** The last piece of `sentence`, joined with the LaTeX listed before it. */
function lastPiece(text: string, sentence: Sentence): MathPiece | undefined {
  return joinedValue(text, sentence.pieces, sentence.pieces.length - 1);
}

/** The last sentence holding math, looking past at most three trailing sentences that hold none. */
function finalSentence(all: readonly Sentence[]): Sentence | undefined {
  for (let k = all.length - 1; k >= 0 && k >= all.length - 1 - MAX_SKIPPED_SENTENCES; k--) {
    const s = all[k];
    if (s && s.pieces.length > 0) return s;
  }
  return undefined;
}

/**
 * "The final answer is $X$" (Minerva's sentence, Math-Verify's highest-priority pattern) or a line that says
 * "final answer", after its last occurrence: the math right after an "is" within 100 characters ("Final Answer:
 * The volume of $ABCDEFGH$ is 120." → 120), else the last math of that sentence, or of the next one when that one
 * holds none ("**Final Answer**\n\n$$5$$").
 */
function finalAnswerPhrase(text: string, all: readonly Sentence[]): MathPiece | undefined {
  const phrase = [...text.matchAll(FINAL_ANSWER)].at(-1);
  if (!phrase) return undefined;
  const from = phrase.index + phrase[0].length;
  const at = all.findIndex((s) => s.end > from);
  for (const s of at < 0 ? [] : all.slice(at, at + 2)) {
    const pieces = s.pieces.filter((p) => p.start >= from);
    if (pieces.length === 0) continue;
    const window = text.slice(from, Math.min(s.end, from + FINAL_ANSWER_REACH));
    for (const is of window.matchAll(/\s(?:is|are)\s*:?\s*/g)) {
      const index = pieces.findIndex((p) => p.start === from + is.index + is[0].length);
      if (index >= 0) return joinedValue(text, pieces, index);
    }
    return lastPiece(text, { ...s, pieces });
  }
  return undefined;
}

/**
 * An answer line whose content is a sentence ("Final Answer: The largest $n$ is 34") rather than an answer:
 * it starts with a word, so its math is read as in a final sentence. `undefined` when the content is an answer
 * as it stands ("2\sqrt{3} square units", "\text{Evelyn}") or holds no math.
 */
function answerLineSentence(content: string): string | undefined {
  // Two words first: "sqrt(3)" and "pi/2" are answers, "The largest $n$ is 34" is a sentence.
  if (!/^[*_\s]*[A-Za-z]{2,}\s+[A-Za-z]{2,}/.test(content)) return undefined;
  const last = finalSentence(sentences(content, mathPieces(content)));
  return last === undefined ? undefined : (afterAnswerWord(content, last) ?? lastPiece(content, last))?.value;
}

/**
 * The final answer of a math reply, or `undefined` (no answer). Rules, in priority order:
 * 1. "final-answer" before all else when it comes after the last box: a model that boxed a step and then wrote
 *    "Final Answer: The final answer is $10,455$" answered 10,455 (Math-Verify's test_math_extraction cases).
 * 2. "boxed": the last `\boxed{…}` / `\fbox{…}` that closes within 2,000 characters (a box cut off by max_tokens is
 *    passed over), found by extractBoxed's boxedSpans. "boxed-list" when boxes before it are joined to it by
 *    punctuation or "and"/"or" (`\boxed{-2} \quad \text{and} \quad \boxed{1}` is "-2, 1"). A reply that boxes is
 *    read by its boxes alone: when its last box is empty, it has no answer, as for extractBoxed.
 * 3. "answer-line": the last `Answer:` / `Final answer:` line (see extractAnswerLine); "answer-line-sentence" when
 *    its content is a sentence, whose math is then read as in rule 5 ("Final Answer: The largest $n$ is 34" → 34).
 * 4. "final-answer": the last "final answer" of the reply, then the last math of its sentence
 *    ("Final Answer: The maximum number of points … of $f(x)$ is 19." → 19).
 * 5. In the final sentence (the last sentence holding math, past at most three trailing ones that hold none, such
 *    as "I hope it is correct." or a chat template's "<|im_start|>user"):
 *    "answer-phrase": the first math within 50 characters after its last "answer" (`Answer $12$`, `Answer \[ 12 \]`,
 *    `the answer is $\frac{1}{2}$, which …`); otherwise "final-sentence": its last LaTeX expression
 *    (`Hence $y \leq 7$ is the solution.`), or "final-sentence-number": its last bare number ("… is 2/3.",
 *    "1,000.99€"), whichever comes last. LaTeX joined by ",", "and", "or" is one list answer ("$-2$ and $1$").
 *    A bare number must be stated as a result ("is", "are", "=", …) or stand alone ("Step 3 of 3." is none), and
 *    one that approximates the LaTeX before it ("$\frac{5}{12}$, approximately 0.4167") yields to that LaTeX.
 * Rule 4 needs "final answer" to state one ("Final Answer:", "the final answer is", a heading), not a passing
 * mention. Rule 5 is not tried on a reply cut at max_tokens (`truncated`): its last sentence is a step of the
 * working. The unboxed rules stop where a model that ran past its turn writes a chat template's next turn
 * ("<|im_start|>user").
 * Math is a LaTeX span (`$…$` and `\(…\)` on one line, `$$…$$` and `\[…\]` on any), a bare `\frac{a}{b}`, or a
 * number not glued to a letter ("AZYUK2A" holds none). Boxes are looked for in the last 100,000 characters, as
 * extractBoxed does; the other rules read the last 20,000.
 */
export function extractMathAnswer(reply: string, options: { truncated?: boolean } = {}): ExtractedMath | undefined {
  // Boxes are looked for as far back as extractBoxed always looked; the unboxed rules read a shorter tail.
  const long = reply.length > MAX_TEXT_CHARS ? reply.slice(-MAX_TEXT_CHARS) : reply;
  const turn = CHAT_TEMPLATE_TOKEN.exec(long);
  const own = turn === null ? long : long.slice(0, turn.index);
  const text = own.length > MAX_SCAN_CHARS ? own.slice(-MAX_SCAN_CHARS) : own;
  const spans = boxedSpans(long);
  let cache: { pieces: MathPiece[]; all: Sentence[] } | undefined;
  const scan = (): { pieces: MathPiece[]; all: Sentence[] } => {
    if (cache) return cache;
    const pieces = mathPieces(text);
    cache = { pieces, all: sentences(text, pieces) };
    return cache;
  };
  const lastBox = spans.at(-1);
  if (lastBox) {
    const boxEnd = lastBox.end - (own.length - text.length); // where the box ends in `text` (negative: before it)
    const late = STATES_FINAL_ANSWER.test(text.slice(Math.max(0, boxEnd)))
      ? finalAnswerPhrase(text, scan().all)
      : undefined;
    if (late && late.start >= boxEnd) return { value: late.value, rule: "final-answer" };
    return lastBoxes(long, spans);
  }
  const line = extractAnswerLine(text);
  if (line !== undefined) {
    const inner = answerLineSentence(line);
    return inner === undefined ? { value: line, rule: "answer-line" } : { value: inner, rule: "answer-line-sentence" };
  }
  const { all } = scan();
  const stated = finalAnswerPhrase(text, all);
  if (stated) return { value: stated.value, rule: "final-answer" };
  // A reply cut at max_tokens stopped mid-working: its last sentence is a step, not a conclusion.
  if (options.truncated === true) return undefined;
  const last = finalSentence(all);
  if (!last) return undefined;
  const answered = afterAnswerWord(text, last);
  if (answered) return { value: answered.value, rule: "answer-phrase" };
  const piece = resultPiece(text, last);
  if (!piece) return undefined;
  return { value: piece.value, rule: piece.kind === "latex" ? "final-sentence" : "final-sentence-number" };
}

/**
 * The final sentence's last piece, as long as it reads as a result. A bare number must end the sentence ("comes to
 * 2,500.50€") or follow a word that states it ("there are 12 ways", "= 12"), and must not label a place: "Step 3 of
 * 3." and "this uses 2 key ideas" state nothing. A number that approximates the LaTeX before it ("is $\frac{5}{12}$, approximately 0.4167") yields to it.
 */
function resultPiece(text: string, sentence: Sentence): MathPiece | undefined {
  const piece = lastPiece(text, sentence);
  if (piece === undefined || piece.kind === "latex") return piece;
  const before = text.slice(sentence.start, piece.start);
  const latex = sentence.pieces.findLastIndex((p) => p.kind === "latex" && p.end <= piece.start);
  if (latex >= 0 && APPROXIMATELY.test(before.replace(/[\s,;]+$/, " ")))
    return joinedValue(text, sentence.pieces, latex);
  if (COUNTS_PLACE.test(before)) return undefined;
  // A unit may follow, glued or as one word ("2,500.50km²", "28 percent"); "2 key ideas" goes on.
  const endsSentence = /^\S*?(?:\s+[\p{L}%°]\S*)?[\s*_.!)]*$/u.test(text.slice(piece.end, sentence.end));
  return endsSentence || STATES_RESULT.test(before) ? piece : undefined;
}
