/**
 * Answer extraction from a reply's FINAL text (the client has already removed reasoning). Extractors return
 * `undefined` when there is no answer: that is a result, never an exception. All of them cap their input and
 * use only regexes without nested or overlapping quantifiers, so any string, of any length or Unicode, costs time
 * linear in the capped input.
 */

import { type FinalLineRule, finalLineChoice, readNegatedChoice } from "./choice-final-line.ts";
import { matchingBrace } from "./latex-braces.ts";
import { matchOptionText, normaliseOption, stripMarkup } from "./option-text.ts";

/** Only the tail is read: the answer comes last, and a runaway reply must not cost more than this. */
export const MAX_TEXT_CHARS = 100_000;
/** A longer "answer line" is prose; only its start is kept. */
const MAX_LINE_CHARS = 2_000;
/** How far a `\boxed{` may run before its closing brace, and how many openers (the last ones) are looked at. */
const MAX_BOXED_CHARS = 2_000;
const MAX_BOXED_TRIES = 20;

function tail(text: string): string {
  return text.length > MAX_TEXT_CHARS ? text.slice(-MAX_TEXT_CHARS) : text;
}

// The word that opens an answer line: "Answer", "Final answer", "Correct answer", and the words simple-evals'
// multilingual prompts meet (Chinese 答案/答 with 最终/正确/最后, Japanese 答え, Korean 정답/답변/답, German, French,
// Spanish, Italian, Portuguese, Indonesian). Longer alternatives first, so "答案" is not read as "答" + "案".
const ANSWER_WORD =
  "(?:(?:final|correct)\\s+)?answer|antwort|r[ée]ponse|respuesta|risposta|resposta|jawaban|(?:最终|正确|最后)?答案|答え|答|정답|답변|답";
// Line start, optional Markdown decoration ("**", "##", "> ", "- "), the answer word, a colon (ASCII or full-width)
// with optional bold markers around it: "Answer: 4", "**Answer:** 4", "**Final Answer**: 4", "ANSWER: 4", "答案：B",
// "Réponse : C". The colon is required: "Answer seems to be B" is prose, and a case-insensitive match without it
// would read the "s" of "seems" as a letter.
const ANSWER_LINE = new RegExp(`^[\\s>#*_-]*(?:${ANSWER_WORD})[\\s*_]*[:：](.*)$`, "is");
// The same word and colon later in an answer line ("**Answer: A **Answer: C**"): the last one stated wins.
const INNER_ANSWER = new RegExp(`(?<![\\p{L}\\p{N}])(?:${ANSWER_WORD})[\\s*_]*[:：]`, "giu");

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
  if (box && matchingBrace(t, box[0].length - 1, MAX_BOXED_CHARS) === t.length - 1) {
    return t.slice(box[0].length, -1);
  }
  if ((t.endsWith(".") && !t.endsWith("..")) || t.endsWith("。")) return t.slice(0, -1);
  return t;
}

/** Strips `**`, `$…$`, `\(…\)`, a whole-value `\boxed{…}` and one trailing period (or "。"), in any nesting. */
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
 * 1. The last line that starts (after Markdown decoration) with `Answer:`, `Final answer:` or `Correct answer:`,
 *    any case, with optional bold markers (`Answer: 4`, `**Answer:** 4`, `**Final Answer**: 4`), or with the same
 *    word in the languages of `ANSWER_WORD` (`答案：4`, `Réponse : 4`); the colon may be full-width. Later lines win
 *    over earlier ones, so an answer corrected further down counts; so does a second `Answer:` later in the same
 *    line (`**Answer: A **Answer: C**` holds C).
 * 2. If that line holds nothing after the colon, the next non-empty line is its content (`**Answer:**\n$4$`).
 * The content is cleaned by `cleanAnswer`: surrounding `**`, `$`/`$$`, `\(…\)`, `\[…\]`, a `\boxed{…}` spanning
 * it all, and one trailing period. Minerva's sentence around it (`Final Answer: The final answer is $5$. I hope it
 * is correct.`) is dropped. An answer line whose content cleans to "" is no answer.
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
  const content = dropMinervaSentence(cleanAnswer(afterLastMarker(m[1] ?? "")));
  if (content !== "") return content;
  const next = nextNonEmpty(lines, i);
  return next === undefined ? "" : cleanAnswer(next.slice(0, MAX_LINE_CHARS));
}

/** The first non-empty line after line `i` (no copy of the array: callers may ask for many `i`). */
function nextNonEmpty(lines: readonly string[], i: number): string | undefined {
  for (let j = i + 1; j < lines.length; j++) {
    const line = lines[j];
    if (line !== undefined && line.trim() !== "") return line;
  }
  return undefined;
}

/** What follows the last answer word and colon inside `s`, or `s` itself when there is none. */
function afterLastMarker(s: string): string {
  let end = -1;
  for (const m of s.matchAll(INNER_ANSWER)) end = m.index + m[0].length;
  return end < 0 ? s : s.slice(end);
}

const MINERVA_OPENING = /^the\s+final\s+answer\s+is\b\s*:?/i;
const MINERVA_CLOSING = "i hope it is correct";

/**
 * Minerva's answer sentence, `The final answer is $X$. I hope it is correct`, reduced to X (cleaned); other
 * content unchanged. The closing sentence is optional; only the opening phrase makes the content Minerva's.
 */
function dropMinervaSentence(content: string): string {
  const opening = MINERVA_OPENING.exec(content);
  if (!opening) return content;
  let rest = content.slice(opening[0].length).trim();
  if (rest.slice(-MINERVA_CLOSING.length).toLowerCase() === MINERVA_CLOSING)
    rest = rest.slice(0, -MINERVA_CLOSING.length);
  return cleanAnswer(rest);
}

/** A closed `\boxed{…}` / `\fbox{…}`: where it starts and ends in the text searched, and its content, cleaned. */
export interface BoxedSpan {
  start: number;
  end: number;
  content: string;
}

/**
 * The closed boxes of `text`, outermost only, in order; `content` is "" for an empty box. Only the last 20 openers
 * are looked at, and one whose braces do not balance within 2,000 characters (a box cut off by max_tokens) is
 * passed over. `text` is searched as given: callers pass the tail they read, and positions are in it.
 */
export function boxedSpans(text: string): BoxedSpan[] {
  const spans: BoxedSpan[] = [];
  for (const m of [...text.matchAll(/\\(?:boxed|fbox)\s*\{/g)].slice(-MAX_BOXED_TRIES)) {
    const open = m.index + m[0].length - 1;
    if (open < (spans.at(-1)?.end ?? 0)) continue; // inside the box before it
    const close = matchingBrace(text, open, MAX_BOXED_CHARS);
    if (close === undefined) continue;
    spans.push({ start: m.index, end: close + 1, content: cleanAnswer(text.slice(open + 1, close)) });
  }
  return spans;
}

/**
 * The content of the LAST `\boxed{…}` or `\fbox{…}`, nested braces included, cleaned, or `undefined`.
 * Rules, in priority order:
 * 1. The last outermost `\boxed{` / `\fbox{` whose braces balance within 2,000 characters.
 * 2. If the last one never closes (a reply cut short), the one before it, among the last 20 openers.
 * An empty last box (`\boxed{}`) is no answer, not a cue to take the box before it: the last box is where the model
 * put its answer, and an earlier one holds a step it went past (Qwen2.5-Math's toolkit reads it so too).
 */
export function extractBoxed(text: string): string | undefined {
  const last = boxedSpans(tail(text)).at(-1);
  return last === undefined || last.content === "" ? undefined : last.content;
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

export type ChoiceRule =
  | "answer-line"
  | "answer-line-text"
  | "answer-is"
  | FinalLineRule
  | "boxed"
  | "last-line-letter";

// "the answer is (C)", "The correct answer is **B**", "The correct option is C", "the best choice is (c)", "The
// answer to the question is B", "Therefore, the final answer: E": MMLU-Pro's official patterns (`answer is
// \(?([A-J])\)?`, `[aA]nswer:\s*([A-J])`) and the phrasings of OpenCompass' and Qwen2.5-Math's extractors, matched
// anywhere in a line. "option is"/"choice is" count only after "correct", "right", "best", "final" or "closest":
// "the first option is A, the second is B" describes, it does not answer. Chinese: 答案是/答案为/答案应该是/答案选/
// 答案：/故选 ("the answer is", "hence choose"); French, Spanish, Italian, Portuguese, German: "la réponse est",
// "la respuesta es", "die Antwort ist", … What follows must read as a letter token, so "the answer is A prime" is no
// answer.
const ANSWER_IS = new RegExp(
  "\\b(?:answer|(?:correct|right|best|final|closest)\\s+(?:option|choice))(?:\\s+to\\s+(?:the|this)\\s+question)?" +
    "\\s+is\\b\\s*:?|\\banswer\\s*:" +
    "|\\b(?:r[ée]ponse|respuesta|risposta|resposta)(?:\\s+(?:correcte|correcta|corretta|correta))?" +
    "\\s+(?:est|es|è|é)(?![\\p{L}\\p{N}])\\s*:?" +
    "|\\b(?:richtige\\s+)?antwort\\s+ist\\b\\s*:?" +
    "|答案\\s*(?:应该是|应该为|应该选|应是|应为|应选|是|为|选)\\s*:?|答案\\s*:|故选\\s*:?",
  "giu",
);

// After markup is removed: an optional opening bracket or double quote, ONE capital letter, then something that
// ends the letter as a token (looked at, not consumed): end of text, a closing bracket or double quote, ".", ":",
// "。", a comma or semicolon (see SECOND_LETTER), a space before a dash or "(", a CJK character ("B选项"), or a tag
// a model printed as text ("A<EOS_TOKEN>"); or a letter in single quotes ('B'). "Because", "A bit", "B/C", "A's" fail.
const LETTER_TOKEN = /^(?:['‘]([A-Z])(?=['’])|[([【「"“]?([A-Z])(?=$|[)\]】」"”.:。,、;<]|\s+[-–—(]|[\u3400-\u9fff]))/;
// What follows a letter token when the reply names a second choice: "B, C", "(E) and (I)", "B 和 C", "(A) or (B)".
// A second valid letter there makes the answer ambiguous, which is no answer.
const SECOND_LETTER =
  /^[)\]】」"'”’]?\s*(?:[,、/&;]|and\b|or\b|和|或|与|及)\s*(?:and\s+|or\s+)?[([【「"'“‘]?([A-Z])(?![A-Za-z0-9])/;
// A lone lower-case letter is read only when it is the whole answer ("b", "(b)"), never inside a word.
const LONE_LOWER = /^[([【「"'“‘]?([a-z])[)\]】」"'”’]?$/;
// "The answer is B", "Option B", "Choice: (B)", "The best option is B": phrases some models put before the letter.
const LETTER_PREFIX = /^(?:the\s+)?(?:(?:correct|right|best|final)\s+)?(?:answer|option|choice)(?:\s+is)?\s*:?\s*/i;
// What separates a letter from its option text: "B) Oxygen", "B. Oxygen", "B: Oxygen", "B — Oxygen", "(B) Oxygen".
// A dash separates only before a space: in "(D) -273°C" it is the text's minus sign.
const TEXT_SEPARATOR = /^[)\]】」"”]?\s*(?:[.:：)]|[-–—](?=\s))?\s*/;
// "**A. 4.2 × 10^5 m**": the period after a bare letter introduces its text; after "(B)." a sentence ends.
const LEADING_LETTER_PERIOD = /^[\s*_]*[A-Z][*_]*\.\s/;
// A letter, a space, then text: read only when the text is that option's own.
const SPACED_OPTION = /^([A-Z])\s+(\S.*)$/;

/**
 * Full-width ASCII ("Ｂ", "（", "：", "，") and the ideographic space as their ASCII forms, one unit for one, so a
 * Chinese or Japanese reply's "答案：（Ｂ）" reads as "答案:(B)". Only the choice path uses it: it returns a letter,
 * never a substring of the reply.
 */
function halfWidth(s: string): string {
  return s.replace(/[\uFF01-\uFF5E\u3000]/g, (c) =>
    c === "\u3000" ? " " : String.fromCharCode(c.charCodeAt(0) - 0xfee0),
  );
}

/** A letter token at the start of `value` and what follows it, before any check against option texts. */
function letterToken(value: string, letters: string): { letter: string; rest: string } | undefined {
  // "The answer is ... I.": an ellipsis before the letter is a pause, not part of the answer.
  const s = stripMarkup(halfWidth(value))
    .replace(LETTER_PREFIX, "")
    .replace(/^(?:\.{3}|…)\s*/, "");
  const token = LETTER_TOKEN.exec(s);
  if (token) {
    const letter = token[1] ?? token[2];
    if (letter === undefined || !letters.includes(letter)) return undefined;
    const rest = s.slice(token[0].length);
    const optionText = token[0].length === 1 && /^[)\]】」]/.test(rest);
    const second = optionText ? undefined : SECOND_LETTER.exec(rest)?.[1];
    return second !== undefined && letters.includes(second) ? undefined : { letter, rest };
  }
  const lone = LONE_LOWER.exec(s)?.[1]?.toUpperCase();
  return lone !== undefined && letters.includes(lone) ? { letter: lone, rest: "" } : undefined;
}

/**
 * The choice letter a cleaned answer string starts with, if it is one of `letters`. A letter followed by a second
 * valid letter ("B, C", "(E) and (I)") is no answer; after "B)" with no opening bracket, option text follows, and
 * is not looked at.
 */
export function readLetter(value: string, letters: string): string | undefined {
  return letterToken(value, letters)?.letter;
}

/** A stated letter, or a statement whose option text belongs to another letter (no answer, and the search stops). */
type Stated = { letter: string } | "mismatch";

/**
 * `readLetter`, then the text after the letter checked against the options: another option's text is a mismatch.
 * A letter and its option's exact text with only a space between ("C Cecile") is read too: "A bit" is no token,
 * but "A" followed by option A's whole text is the option.
 */
function readStated(value: string, letters: string, options: readonly string[] | undefined): Stated | undefined {
  const token = letterToken(value, letters);
  if (token === undefined) {
    const spaced = SPACED_OPTION.exec(stripMarkup(halfWidth(value)));
    const letter = spaced?.[1];
    const exact =
      letter !== undefined &&
      letters.includes(letter) &&
      matchOptionText(spaced?.[2] ?? "", letter, letters, options) === "equal";
    return exact ? { letter } : undefined;
  }
  const text = token.rest.replace(TEXT_SEPARATOR, "");
  return matchOptionText(text, token.letter, letters, options) === "other" ? "mismatch" : { letter: token.letter };
}

type Found = { letter: string; rule: ChoiceRule } | undefined;

function decided(stated: Stated, rule: ChoiceRule): Found {
  return stated === "mismatch" ? undefined : { letter: stated.letter, rule };
}

/**
 * The chosen letter, or `undefined`. `letters` lists the valid letters ("ABCD"); `options` optionally gives the
 * option texts in the same order, so an answer that repeats an option's text counts, and one whose letter and text
 * disagree does not. Full-width letters, brackets and colons read as their ASCII forms ("答案：（Ｂ）" is B).
 * Rules, in priority order:
 * 1. "answer-line": the last answer line (see `extractAnswerLine`, which includes `答案：`) starts with a letter
 *    token: `B`, `(B)`, `"B"`, `【B】`, `**B**`, `\boxed{B}`, `\textbf{B}`, `B) option text`, `B. option text`,
 *    `B, because…`, `Option B`, `The answer is B`. A capital letter is read only as a whole token, so the "B" of
 *    "Because" is never a choice; a lower-case letter only when it is all there is. Two letters ("B, C",
 *    "(B) and (C)") are no answer.
 * 2. "answer-line-text": that line's content equals one option's text (case, emphasis and a final period ignored).
 * 3. "answer-is": "the answer is (C)" anywhere in a line (see `ANSWER_IS`: MMLU-Pro's format, "the correct option
 *    is C", "the closest option is A", "答案是 C", "故选 C", "la réponse est D"), followed by a letter token; when
 *    the phrase ends the line ("The correct answer is:"), the next non-empty line is read, list bullet removed. Of
 *    two statements in one line, the later counts; a correction in a later sentence of the line is rule 4 ("The
 *    answer is B. Wait, it's not B, it's D." is D). Also inside an answer line that matches neither 1 nor 2
 *    ("答：由题意可知……故选B。").
 * 4. "negation", on the last non-empty line (or inside an answer line): one letter stated by a phrase ("it's",
 *    "I'd say", "surely") and the others ruled out (`It isn't C, so I'd say it's A`; see `readNegatedChoice`).
 *    Rules 1–4 are tried line by line from the end (4 on the last line only), so whichever the reply states last
 *    wins.
 * 5. "boxed": no line states an answer, and the last `\boxed{…}` holds a letter token.
 * 6. No line states an answer, and the last non-empty line (see `finalLineChoice`) is
 *    - "negation" with the stated letter leading the line (`C. it can't be A or D`, `A。不是 C`);
 *    - "option-paren": it ends with `(Option C)` in a sentence that does not deny it;
 *    - "option-line": one option, letter then text (`**D. Sodium chloride**`, `B. cyclohexanone`): with the options
 *      known, its text must equal the letter's; without them, the line must be bold, short, and deny nothing. A line
 *      in a list of such lines is the options restated, not an answer;
 *    - "option-cited": a sentence that cites one option by letter and its own text (`…is (D) Aortic dissection.`).
 *    These only name an option, they do not state an answer: after "The answer is (D).", a closing "a common trap
 *    is (B) Pulmonary embolism" or "**A. Myocardial infarction**" leaves D.
 * 7. "last-line-letter": none of the above, and the last non-empty line is only a letter (`B`, `(B)`, `**B**`,
 *    `(B).`).
 * Wherever a letter comes with option text (`Answer: B) Oxygen`, `the answer is (A) 750 nm`), the text is checked
 * against the known options: the text of another option is a mismatch, and a mismatch is no answer. An answer
 * line that matches none of 1–4 is no answer: the fallbacks apply only without one.
 */
export function extractChoice(
  text: string,
  letters: string,
  options?: readonly string[],
): { letter: string; rule: ChoiceRule } | undefined {
  const t = halfWidth(tail(text));
  const lines = t.split(/\r\n|\r|\n/);
  const last = lines.findLastIndex((l) => l.trim() !== "");
  // From the last line up: the first answer line, or "answer is <letter>", decides (the last one stated wins).
  for (let i = last; i >= 0; i--) {
    const content = answerLineContent(lines, i);
    // An empty "Final Answer:" (a reply that stopped there) states nothing: an earlier statement still counts.
    if (content !== undefined && content !== "") return choiceFromAnswerLine(content, letters, options);
    const stated = answerIsLetter(lines, i, letters, options);
    if (stated !== undefined) {
      const corrected = correctionInLine(lines[i] ?? "", letters);
      return corrected === undefined ? decided(stated, "answer-is") : { letter: corrected, rule: "negation" };
    }
    // A negation may correct an earlier answer only with a phrase that states its letter ("so I'd say it's B").
    const negated = i === last ? readNegatedChoice(lines[i] ?? "", letters, "phrase") : undefined;
    if (negated !== undefined) return { letter: negated, rule: "negation" };
  }
  const boxed = extractBoxed(t);
  const letter = boxed === undefined ? undefined : readLetter(boxed, letters);
  if (letter !== undefined) return { letter, rule: "boxed" };
  const final = last < 0 ? undefined : finalLineChoice(lines, last, letters, options);
  if (final !== undefined) return final === "mismatch" ? undefined : final;
  const bare = lastLineLetter(lines, letters);
  return bare === undefined ? undefined : { letter: bare, rule: "last-line-letter" };
}

/**
 * A correction after the last "answer is" statement of a line, in a later sentence of the same line: "The answer is
 * B. Wait, actually it's not B, it's D." is D, as it would be on a line of its own (rule 4, a stating phrase).
 */
function correctionInLine(line: string, letters: string): string | undefined {
  const lastStatement = [...line.matchAll(ANSWER_IS)].at(-1);
  if (lastStatement === undefined) return undefined;
  const rest = line.slice(lastStatement.index + lastStatement[0].length);
  const sentenceEnd = /[.!?。！？](?:\s+|$)/.exec(rest);
  const after = sentenceEnd === null ? "" : rest.slice(sentenceEnd.index + sentenceEnd[0].length);
  return after.trim() === "" ? undefined : readNegatedChoice(after, letters, "phrase");
}

/** The loosest rule: the reply's last non-empty line is nothing but a letter (`B`, `(B)`, `**B.**`, `(B).`). */
function lastLineLetter(lines: readonly string[], letters: string): string | undefined {
  const last = lines.findLast((l) => l.trim() !== "")?.slice(0, MAX_LINE_CHARS);
  if (last === undefined) return undefined;
  const bare = stripMarkup(last).replace(/^[([【「"'“‘]?([A-Z])[)\]】」"'”’]?[.。]?$/, "$1");
  return bare.length === 1 && letters.includes(bare) ? bare : undefined;
}

function choiceFromAnswerLine(line: string, letters: string, options: readonly string[] | undefined): Found {
  const stated = readStated(line, letters, options);
  if (stated !== undefined) return decided(stated, "answer-line");
  const wanted = normaliseOption(line);
  const index = options?.findIndex((o) => normaliseOption(o) === wanted) ?? -1;
  const byText = index >= 0 ? letters[index] : undefined;
  if (byText !== undefined) return { letter: byText, rule: "answer-line-text" };
  const inner = answerIsLetter([line], 0, letters, options);
  if (inner !== undefined) return decided(inner, "answer-is");
  const negated = readNegatedChoice(line, letters);
  return negated === undefined ? undefined : { letter: negated, rule: "negation" };
}

/**
 * The first clause of what follows "answer is": up to ". " or "。", past the period of "A. option text" and past an
 * ellipsis ("the answer is ... I.").
 */
function firstClause(rest: string): string {
  const lead = LEADING_LETTER_PERIOD.exec(rest)?.[0].length ?? 0;
  const end = rest.slice(lead).search(/(?<!\.)\.(?!\.)\s|。/);
  return end < 0 ? rest : rest.slice(0, lead + end);
}

/**
 * The letter of the last "answer is X" in line `i`, if X reads as a letter token among `letters`. When the phrase
 * ends the line with nothing after it, the next non-empty line is X, a leading list bullet ("- ") removed. The whole
 * line is read (the reply's tail is capped already): models write whole replies as one line and state the answer
 * at its end.
 */
function answerIsLetter(
  lines: readonly string[],
  i: number,
  letters: string,
  options: readonly string[] | undefined,
): Stated | undefined {
  const line = lines[i] ?? "";
  let found: Stated | undefined;
  let lastEnd = -1;
  for (const m of line.matchAll(ANSWER_IS)) {
    lastEnd = m.index + m[0].length;
    const rest = line.slice(lastEnd, lastEnd + 200);
    found = readStated(cleanAnswer(firstClause(rest)), letters, options) ?? found;
  }
  if (found !== undefined || lastEnd < 0 || stripMarkup(line.slice(lastEnd)) !== "") return found;
  const next = nextNonEmpty(lines, i);
  if (next === undefined) return undefined;
  return readStated(cleanAnswer(next.slice(0, MAX_LINE_CHARS).replace(/^\s*[-*•]\s+/, "")), letters, options);
}
