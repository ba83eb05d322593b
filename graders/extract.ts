/**
 * Answer extraction from a reply's FINAL text (the client has already removed reasoning). Extractors return
 * `undefined` when there is no answer: that is a result, never an exception. All of them cap their input and
 * use only regexes without nested or overlapping quantifiers, so any string, of any length or Unicode, costs time
 * linear in the capped input.
 */

/** Only the tail is read: the answer comes last, and a runaway reply must not cost more than this. */
export const MAX_TEXT_CHARS = 100_000;
/** A longer "answer line" is prose; only its start is kept. */
const MAX_LINE_CHARS = 2_000;
/** How far a `\boxed{` may run before its closing brace, and how many unbalanced ones we look past. */
const MAX_BOXED_CHARS = 2_000;
const MAX_BOXED_TRIES = 20;

function tail(text: string): string {
  return text.length > MAX_TEXT_CHARS ? text.slice(-MAX_TEXT_CHARS) : text;
}

// Line start, optional Markdown decoration ("**", "##", "> ", "- "), optional "Final", "Answer", a colon with
// optional bold markers around it: "Answer: 4", "**Answer:** 4", "**Final Answer**: 4", "ANSWER: 4".
// The colon is required: "Answer seems to be B" is prose, and a case-insensitive match without it would read
// the "s" of "seems" as a letter.
const ANSWER_LINE = /^[\s>#*_-]*(?:final\s+)?answer[\s*_]*[:：](.*)$/is;

/** The brace-balanced argument of a `\cmd{` whose `{` is at `open`, or `undefined` if it does not close. */
function braced(text: string, open: number): string | undefined {
  let depth = 0;
  const end = Math.min(text.length, open + MAX_BOXED_CHARS);
  for (let i = open; i < end; i++) {
    const c = text[i];
    if (c === "{") depth++;
    else if (c === "}" && --depth === 0) return text.slice(open + 1, i);
  }
  return undefined;
}

/** `s` without one wrapper that spans all of it, or `s` itself. */
function unwrapOnce(s: string): string {
  const t = s.trim();
  if (t.length >= 4 && t.startsWith("**") && t.endsWith("**")) return t.slice(2, -2);
  if (/^\*\*[^*]*$/.test(t)) return t.slice(2); // "**Answer:** 4" leaves "** 4"
  if (/^[^*]*\*\*$/.test(t)) return t.slice(0, -2); // "**Answer: 4**" leaves "4**"
  if (t.length >= 4 && t.startsWith("$$") && t.endsWith("$$")) return t.slice(2, -2);
  if (t.length >= 2 && t.startsWith("$") && t.endsWith("$") && !t.slice(1, -1).includes("$")) return t.slice(1, -1);
  if ((t.startsWith("\\(") && t.endsWith("\\)")) || (t.startsWith("\\[") && t.endsWith("\\]"))) return t.slice(2, -2);
  const box = /^\\(?:boxed|fbox)\s*\{/.exec(t);
  if (box) {
    const inner = braced(t, box[0].length - 1);
    if (inner !== undefined && box[0].length + inner.length + 1 === t.length) return inner;
  }
  if (t.endsWith(".") && !t.endsWith("..")) return t.slice(0, -1);
  return t;
}

/** Strips `**`, `$…$`, `\(…\)`, a whole-value `\boxed{…}` and one trailing period, in any nesting. */
export function cleanAnswer(value: string): string {
  let s = value.trim();
  for (let i = 0; i < 8; i++) {
    const next = unwrapOnce(s).trim();
    if (next === s) break;
    s = next;
  }
  return s;
}

/**
 * The content of the LAST answer line, cleaned, or `undefined`.
 * Rules, in priority order:
 * 1. The last line that starts (after Markdown decoration) with `Answer:` or `Final answer:`, any case, with
 *    optional bold markers: `Answer: 4`, `**Answer:** 4`, `**Final Answer**: 4`. Later lines win over earlier
 *    ones, so an answer corrected further down counts.
 * 2. If that line holds nothing after the colon, the next non-empty line is its content (`**Answer:**\n$4$`).
 * The content is cleaned by `cleanAnswer`: surrounding `**`, `$`/`$$`, `\(…\)`, `\[…\]`, a `\boxed{…}` spanning
 * it all, and one trailing period. An answer line whose content cleans to "" is no answer.
 */
export function extractAnswerLine(text: string): string | undefined {
  const lines = tail(text).split(/\r\n|\r|\n/);
  for (let i = lines.length - 1; i >= 0; i--) {
    const content = answerLineContent(lines, i);
    if (content !== undefined) return content === "" ? undefined : content;
  }
  return undefined;
}

/** The cleaned content of line `i` if it is an answer line ("" when it holds none), else `undefined`. */
function answerLineContent(lines: readonly string[], i: number): string | undefined {
  const m = ANSWER_LINE.exec((lines[i] ?? "").slice(0, MAX_LINE_CHARS));
  if (!m) return undefined;
  const content = cleanAnswer(m[1] ?? "");
  if (content !== "") return content;
  const next = lines.slice(i + 1).find((l) => l.trim() !== "");
  return next === undefined ? "" : cleanAnswer(next.slice(0, MAX_LINE_CHARS));
}

/**
 * The argument of the LAST `\boxed{…}` or `\fbox{…}`, nested braces included, cleaned, or `undefined`.
 * Rules, in priority order:
 * 1. The last `\boxed{` / `\fbox{` whose braces balance within 2,000 characters.
 * 2. If the last one never closes (a reply cut short), the one before it, up to 20 tries back.
 */
export function extractBoxed(text: string): string | undefined {
  const t = tail(text);
  const opens = [...t.matchAll(/\\(?:boxed|fbox)\s*\{/g)].map((m) => m.index + m[0].length - 1);
  for (let k = opens.length - 1; k >= 0 && k >= opens.length - MAX_BOXED_TRIES; k--) {
    const open = opens[k];
    if (open === undefined) continue;
    const inner = braced(t, open);
    if (inner === undefined) continue;
    const content = cleanAnswer(inner);
    return content === "" ? undefined : content;
  }
  return undefined;
}

export type FinalAnswerRule = "answer-line" | "boxed";

/**
 * The model's final answer as a string. Rules, in priority order:
 * 1. "answer-line": `extractAnswerLine` (the format our prompts ask for).
 * 2. "boxed": `extractBoxed`, for models that box the answer and skip the line.
 * Otherwise `undefined` (rule "none").
 */
export function extractFinalAnswer(text: string): { value: string; rule: FinalAnswerRule } | undefined {
  const line = extractAnswerLine(text);
  if (line !== undefined) return { value: line, rule: "answer-line" };
  const boxed = extractBoxed(text);
  if (boxed !== undefined) return { value: boxed, rule: "boxed" };
  return undefined;
}

export type ChoiceRule = "answer-line" | "answer-line-text" | "answer-is" | "boxed" | "last-line-letter";

// "the answer is (C)", "The correct answer is **C**": MMLU-Pro's official pattern (`answer is \(?([A-J])\)?`),
// matched anywhere in a line; what follows must read as a letter token, so "the answer is A prime" is no answer.
const ANSWER_IS = /\b[Aa]nswer\s+is\b\s*:?/g;

// After markup is removed: an optional "(" or "[", ONE capital letter, then something that ends the letter as a
// token: end of text, ")", "]", ".", ":", or a space before a dash or "(". "Because", "A bit" and "B, C" fail.
const LETTER_TOKEN = /^[([]?([A-Z])(?:$|[)\].:]|\s+[-–—(])/;
// A lone lower-case letter is read only when it is the whole answer ("b", "(b)"), never inside a word.
const LONE_LOWER = /^[([]?([a-z])[)\]]?$/;
// "The answer is B", "Option B", "Choice: (B)": phrases some models put before the letter.
const LETTER_PREFIX = /^(?:the\s+)?(?:correct\s+)?(?:answer|option|choice)(?:\s+is)?\s*:?\s*/i;

/** Removes emphasis, math delimiters and `\boxed{`, `\text{`, … wrappers: only the first token matters here. */
function stripMarkup(s: string): string {
  return s
    .replace(/\\(?:boxed|fbox|text|textbf|mathrm|mathbf)\s*\{/g, "")
    .replace(/[*_${}]/g, "")
    .trim();
}

function normaliseOption(s: string): string {
  return stripMarkup(s).replace(/\.$/, "").replace(/\s+/g, " ").trim().toLowerCase();
}

/** The choice letter a cleaned answer string starts with, if it is one of `letters`. */
export function readLetter(value: string, letters: string): string | undefined {
  const s = stripMarkup(value).replace(LETTER_PREFIX, "");
  const m = LETTER_TOKEN.exec(s) ?? LONE_LOWER.exec(s);
  const letter = m?.[1]?.toUpperCase();
  return letter !== undefined && letters.includes(letter) ? letter : undefined;
}

/**
 * The chosen letter, or `undefined`. `letters` lists the valid letters ("ABCD"); `options` optionally gives the
 * option texts in the same order, so an answer line that repeats an option's text instead of its letter counts.
 * Rules, in priority order:
 * 1. "answer-line": the last answer line (see `extractAnswerLine`) starts with a letter token: `B`, `(B)`, `**B**`,
 *    `\boxed{B}`, `B) option text`, `B. option text`, `Option B`, `The answer is B`. A capital letter is read only
 *    as a whole token, so the "B" of "Because" is never a choice; a lower-case letter only when it is all there is.
 * 2. "answer-line-text": that line's content equals one option's text (case, emphasis and a final period ignored).
 * 3. "answer-is": "the answer is (C)" anywhere in a line (MMLU-Pro's own format), followed by a letter token.
 *    Rules 1–3 are tried line by line from the end, so whichever the reply states last wins.
 * 4. "boxed": no answer line and no "answer is", and the last `\boxed{…}` holds a letter token.
 * 5. "last-line-letter": none of the above, and the last non-empty line is only a letter (`B`, `(B)`, `**B**`).
 * An answer line that matches neither 1 nor 2 is no answer: the fallbacks apply only without one.
 */
export function extractChoice(
  text: string,
  letters: string,
  options?: readonly string[],
): { letter: string; rule: ChoiceRule } | undefined {
  const lines = tail(text).split(/\r\n|\r|\n/);
  // From the last line up: the first answer line, or "answer is <letter>", decides (the last one stated wins).
  for (let i = lines.length - 1; i >= 0; i--) {
    const content = answerLineContent(lines, i);
    if (content !== undefined) return content === "" ? undefined : choiceFromAnswerLine(content, letters, options);
    const stated = answerIsLetter((lines[i] ?? "").slice(0, MAX_LINE_CHARS), letters);
    if (stated !== undefined) return { letter: stated, rule: "answer-is" };
  }
  const boxed = extractBoxed(text);
  const letter = boxed === undefined ? undefined : readLetter(boxed, letters);
  if (letter !== undefined) return { letter, rule: "boxed" };
  const last = lastLineLetter(lines, letters);
  return last === undefined ? undefined : { letter: last, rule: "last-line-letter" };
}

/** The loosest rule: the reply's last non-empty line is nothing but a letter (`B`, `(B)`, `**B.**`). */
function lastLineLetter(lines: readonly string[], letters: string): string | undefined {
  const last = lines.findLast((l) => l.trim() !== "")?.slice(0, MAX_LINE_CHARS);
  if (last === undefined) return undefined;
  const bare = stripMarkup(last).replace(/^[([]?([A-Z])[)\].]?$/, "$1");
  return bare.length === 1 && letters.includes(bare) ? bare : undefined;
}

function choiceFromAnswerLine(line: string, letters: string, options: readonly string[] | undefined): { letter: string; rule: ChoiceRule } | undefined {
  const letter = readLetter(line, letters);
  if (letter !== undefined) return { letter, rule: "answer-line" };
  const wanted = normaliseOption(line);
  const index = options?.findIndex((o) => normaliseOption(o) === wanted) ?? -1;
  const byText = index >= 0 ? letters[index] : undefined;
  return byText === undefined ? undefined : { letter: byText, rule: "answer-line-text" };
}

/** The letter of the last "answer is X" in a line, if X reads as a letter token among `letters`. */
function answerIsLetter(line: string, letters: string): string | undefined {
  let found: string | undefined;
  for (const m of line.matchAll(ANSWER_IS)) {
    const rest = line.slice(m.index + m[0].length, m.index + m[0].length + 200);
    const letter = readLetter(cleanAnswer(rest.split(/[,;]|\.\s/)[0] ?? ""), letters);
    if (letter !== undefined) found = letter;
  }
  return found;
}
