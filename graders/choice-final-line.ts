/**
 * The choice rules that read a reply's last line when it holds no answer phrase (rules 4 and 6 of
 * `extractChoice`): a letter stated while the others are ruled out, a closing "(Option C)", a line that is one
 * option restated with its text, and an option cited with its text. None of them reads a letter from prose: a
 * capital letter that none of them explains is no answer.
 */
import { citesOwnOption, matchOptionText, stripMarkup } from "./option-text.ts";

export type FinalLineRule = "negation" | "option-paren" | "option-line" | "option-cited";

/** A longer last line is a paragraph of reasoning: it is not one option restated, nor one negation sentence. */
const MAX_FINAL_LINE_CHARS = 2_000;
const MAX_NEGATION_LINE_CHARS = 500;

// A final line that is one option, letter and text: "**D. Sodium chloride**", "B. cyclohexanone", "(C) 42 J".
const OPTION_LINE = /^[([]?([A-Z])[.)\]:：]\s+(\S.*)$/;
// A final line's closing reference to an option: "… which matches the spectrum (Option C)."
const OPTION_PAREN = /\((?:[Oo]ption|[Cc]hoice)\s+([A-Z])\)\s*[.。!]?\s*$/;
// A letter cited inside a sentence, before its text: "is (D) Aortic dissection", "with H. Cell wall synthesis".
const CITATION = /(?<![A-Za-z0-9_'’])\(?([A-Z])[.)]\s+/g;
// A whole line in bold: "**D. Sodium chloride**", "__D. Sodium chloride__".
const BOLD_LINE = /^\s*(?:\*\*[^*]+\*\*|__[^_]+__)\s*$/;
/** Without the item's option texts, a longer "X. text" final line is prose, not the option restated. */
const MAX_UNCHECKED_OPTION_CHARS = 100;

// Where a new claim starts: punctuation, a sentence's full stop, and connectives ("because", "so", "donc", "所以").
// `u` keeps `\b` ASCII-only, which is what the Latin connectives need.
const CLAUSE_BREAK = new RegExp(
  "[,;，；、!?！？]|\\.(?=\\s|$)|。|所以|因此|因为|但是" +
    "|\\b(?:because|since|so|therefore|thus|hence|but|whereas|donc|mais|car|porque|pero|weil|aber)\\b",
  "giu",
);
// Words after which the letters of the clause are ruled out: "not", "isn't", "can't be", "pas", "non", "不是".
const NEGATION =
  /\b(?:not|never|cannot|neither|nor|pas|non|ni|nicht|kein\w*)\b|n['’]t\b|不是|并非|並非|而非|不选|不可能是/iu;
// Words that say the clause's own letter is wrong: "A is wrong, not B" states no answer. With NEGATION, they also
// mark a sentence that names an option without choosing it ("rules out the alcohol (Option C)").
const WRONG = /\b(?:wrong|incorrect|false|fails?|rul(?:e|es|ed|ing)\s+out|eliminated?|excluded?|faux|fausse)\b|错|錯/iu;
// What may come right before a stated letter. Bare "is" is not here: "the best fit is D" is prose.
const STATING = new RegExp(
  "(?:\\b(?:answer\\s+is|answer\\s+would\\s+be|answer\\s*:|(?:I['’]d|I\\s+would)\\s+say|I\\s+(?:think|believe|guess)" +
    "|it['’]s|it\\s+is|it\\s+(?:must|should)\\s+be|must\\s+be|should\\s+be|surely|for\\s+sure|definitely|certainly" +
    "|clearly|go\\s+with|choose|pick|r[ée]ponse\\s+est|c['’]est|respuesta\\s+es|antwort\\s+ist)|答案是|答案为|应该是|应选|选)" +
    "\\s*[(\\[]?$",
  "iu",
);
// A finite copula: after a negation it begins a new predicate instead of extending the negated one.
const COPULA = /\b(?:is|are|was|were)\b/i;
// What ends a letter that leads a line: the clause's end, a bracket or a CJK character; not a word ("A bit").
const LEADING_LETTER_END = /^(?:$|[)\]】」.:：。]|[\u3400-\u9fff])/;
// A capital letter standing alone: not inside a word, not "A's" or "I'd".
const CAPITAL = /(?<![A-Za-z0-9_'’])[A-Z](?![A-Za-z0-9_'’])/g;
// "I think", "I would": the pronoun, not option I.
const PRONOUN_I = /^\s+[a-z]/;
// Between a stated letter and a negation that contrasts it ("C non A", "B不是 A"): only spaces and punctuation.
const CONTRAST_GAP = /^[\s)\]】」"”'’.:。]*$/;

function denies(sentence: string): boolean {
  return NEGATION.test(sentence) || WRONG.test(sentence);
}

interface Clause {
  text: string;
  start: number;
}

function clausesOf(line: string): Clause[] {
  const clauses: Clause[] = [];
  let start = 0;
  for (const m of line.matchAll(CLAUSE_BREAK)) {
    clauses.push({ text: line.slice(start, m.index), start });
    start = m.index + m[0].length;
  }
  clauses.push({ text: line.slice(start), start });
  return clauses;
}

/** "stated-by-phrase": after "it's", "surely", "the answer is"; "stated-by-place": leading the line ("C. it…"). */
type LetterRole = "stated-by-phrase" | "stated-by-place" | "ruled-out" | "stray";

function roleOf(clause: string, at: number, atLineStart: boolean): LetterRole {
  const negation = NEGATION.exec(clause);
  // "the option that is NOT a centripetal force is B": a verb after the negation starts what B is said to be.
  if (negation !== null && negation.index < at && !COPULA.test(clause.slice(negation.index + negation[0].length, at))) {
    return "ruled-out";
  }
  const before = clause
    .slice(0, at)
    .replace(/[*_"“]/g, "")
    .trimStart();
  // At the line's start the letter must end there ("C. it can't…", "B不是 A"): "A centripetal force…" is an article.
  const leads = atLineStart && /^[([]?$/.test(before) && LEADING_LETTER_END.test(clause.slice(at + 1));
  const byPhrase = STATING.test(before);
  if (!(leads || byPhrase) || WRONG.test(clause)) return "stray";
  // A negation later in the clause must contrast this letter with another ("C non A"), not deny it ("C is not it").
  if (negation !== null && !CONTRAST_GAP.test(clause.slice(at + 1, negation.index))) return "stray";
  return byPhrase ? "stated-by-phrase" : "stated-by-place";
}

/** What `readNegatedChoice` may take as stated: any stated letter, or only one after a stating phrase. */
export type NegationStatement = "phrase-or-place" | "phrase";

/**
 * The one letter a line states while ruling at least one other out, or `undefined`: "It isn't C, so I'd say it's
 * A", "Surely B, it can't be C or D", "C. it can't be A or D", "réponse est C non A", "A。不是 C" (the forms of
 * lighteval's tests/unit/metrics/test_extractive_match.py, test_extraction_abc). The line is cut into clauses; a
 * letter after a negation in its clause is ruled out, a letter at the start of the line or right after a stating
 * phrase ("it's", "surely", "the answer is") is stated. A letter among the options that is neither, two stated
 * letters, or nothing ruled out is no answer. With `statement: "phrase"`, a letter stated only by leading the line
 * is no answer either: `extractChoice` lets only a phrase override an answer stated on an earlier line.
 */
export function readNegatedChoice(
  line: string,
  letters: string,
  statement: NegationStatement = "phrase-or-place",
): string | undefined {
  if (line.length > MAX_NEGATION_LINE_CHARS) return undefined;
  const s = line.replace(/\*\*|__/g, "").replace(/^[\s>#-]+/, "");
  const stated = new Set<string>();
  const ruledOut = new Set<string>();
  for (const [index, clause] of clausesOf(s).entries()) {
    for (const m of clause.text.matchAll(CAPITAL)) {
      const letter = m[0];
      if (!letters.includes(letter)) continue;
      if (letter === "I" && PRONOUN_I.test(clause.text.slice(m.index + 1))) continue;
      const role = roleOf(clause.text, m.index, index === 0 && clause.start === 0);
      if (role === "stray" || (role === "stated-by-place" && statement === "phrase")) return undefined;
      (role === "ruled-out" ? ruledOut : stated).add(letter);
    }
  }
  const [only] = stated;
  return stated.size === 1 && ruledOut.size > 0 && only !== undefined && !ruledOut.has(only) ? only : undefined;
}

/**
 * Rule 6 of `extractChoice` on line `i`, the reply's last non-empty one, in this order: "negation" (the stated
 * letter may lead the line), "option-paren", "option-line", "option-cited". "mismatch" when the line restates an
 * option whose text belongs to another letter: no answer. None of these states an answer the way "the answer is"
 * does (a bare option line, a parenthesis, a mention), so `extractChoice` asks only when no line states one.
 */
export function finalLineChoice(
  lines: readonly string[],
  i: number,
  letters: string,
  options: readonly string[] | undefined,
): { letter: string; rule: FinalLineRule } | "mismatch" | undefined {
  const whole = lines[i] ?? "";
  const negated = readNegatedChoice(whole, letters);
  if (negated !== undefined) return { letter: negated, rule: "negation" };
  // "(Option C)" closes the line, so its end is read; an option line is short, so a long one is none.
  const line = whole.length > MAX_FINAL_LINE_CHARS ? whole.slice(-MAX_FINAL_LINE_CHARS) : whole;
  const plain = stripMarkup(line).replace(/^[-•>]\s+/, "");
  const paren = OPTION_PAREN.exec(plain);
  const sentence =
    paren === null
      ? ""
      : (plain
          .slice(0, paren.index)
          .split(/[.!?。]\s/)
          .at(-1) ?? "");
  if (paren?.[1] !== undefined && letters.includes(paren[1]) && !denies(sentence)) {
    return { letter: paren[1], rule: "option-paren" };
  }
  // A line in a list of "X. text" lines is the options restated, not an answer.
  const inList = OPTION_LINE.test(stripMarkup(previousNonEmpty(lines, i) ?? "").trim());
  const option = whole.length > MAX_FINAL_LINE_CHARS || inList ? undefined : optionLine(plain, letters);
  if (option !== undefined) {
    const match = matchOptionText(option.text, option.letter, letters, options);
    if (match === "other") return "mismatch";
    // Without the texts to check, only a line set apart in bold counts: "(A) fails the test" is analysis.
    const unchecked =
      options === undefined &&
      BOLD_LINE.test(line) &&
      option.text.length <= MAX_UNCHECKED_OPTION_CHARS &&
      !denies(option.text);
    if (match === "equal" || unchecked) return { letter: option.letter, rule: "option-line" };
  }
  const cited = inList || options === undefined ? undefined : citedOption(plain, letters, options);
  return cited === undefined ? undefined : { letter: cited, rule: "option-cited" };
}

function optionLine(line: string, letters: string): { letter: string; text: string } | undefined {
  const m = OPTION_LINE.exec(line.trim());
  const letter = m?.[1];
  return letter !== undefined && letters.includes(letter) ? { letter, text: m?.[2] ?? "" } : undefined;
}

/**
 * The one option the last line cites by letter AND its own text, where the text ends the clause, in a sentence
 * that denies nothing: "…the most likely diagnosis is (D) Aortic dissection.", "…will interfere with H. Cell wall
 * synthesis." A second option cited with its text ("Compare A. Cesium chloride with D. …") makes it none.
 */
function citedOption(line: string, letters: string, options: readonly string[]): string | undefined {
  const cited = new Set<string>();
  let answer: string | undefined;
  for (const m of line.matchAll(CITATION)) {
    const letter = m[1];
    if (letter === undefined || !letters.includes(letter)) continue;
    const text = line.slice(m.index + m[0].length);
    const citation = citesOwnOption(text, letter, letters, options);
    if (citation === undefined) continue;
    cited.add(letter);
    const sentence =
      line
        .slice(0, m.index)
        .split(/[.!?。]\s/)
        .at(-1) ?? "";
    if (citation === "whole" && !denies(sentence)) answer = letter;
  }
  return cited.size === 1 ? answer : undefined;
}

function previousNonEmpty(lines: readonly string[], i: number): string | undefined {
  for (let j = i - 1; j >= 0; j--) {
    const line = lines[j];
    if (line !== undefined && line.trim() !== "") return line.slice(0, MAX_FINAL_LINE_CHARS);
  }
  return undefined;
}
