/**
 * Where the math sits in a reply that boxes nothing: the LaTeX spans (`$…$`, `$$…$$`, `\(…\)`, `\[…\]`) and
 * bare numbers of its prose, grouped into sentences. Every scan is one pass over the capped tail of the reply: each
 * opener looks for its closer once, and an opener that finds none means no later one can, so the cost stays linear.
 */

/** Only the tail is scanned: an unboxed answer is stated at the end, and a runaway reply must stay cheap. */
export const MAX_SCAN_CHARS = 20_000;

/** A piece of math in the reply: `start`/`end` bound it in the scanned text, `value` is what is graded. */
export interface MathPiece {
  start: number;
  end: number;
  value: string;
  kind: "latex" | "number";
}

/** A sentence of the scanned text, with the math inside it in reading order. */
export interface Sentence {
  start: number;
  end: number;
  pieces: MathPiece[];
}

// Display math may span lines; inline math may not (a lone "$" in prose is a currency sign, and Math-Verify's
// extraction reads `$ \n 9 \n $` as no answer for the same reason).
const OPENERS = [
  { open: "$$", close: "$$", multiline: true },
  { open: "\\[", close: "\\]", multiline: true },
  { open: "\\(", close: "\\)", multiline: false },
  { open: "$", close: "$", multiline: false },
] as const;

// A number in prose: grouped thousands ("1,000.99", "1 000"), a decimal or a fraction ("2/3"). It must not follow a
// letter, digit, backslash, brace, "^" or "_", so "AZYUK2A", "x_2" and "\frac{1}{2}" hold none; what follows it
// is not looked at, so "1,000.99€" and "100m²" still read as numbers (the units are the normaliser's business).
const NUMBER = new RegExp(
  String.raw`(?<![\p{L}\p{N}_\\.,{}^])[-−]?(?:` +
    [
      String.raw`\d{1,3}(?:,\d{3})+(?:\.\d+)?`, // 1,000.99
      String.raw`\d{1,3}(?: \d{3})+(?!\d)(?:\.\d+)?`, // 1 000
      String.raw`\d+(?:\.\d+)?(?:\/\d+)?`, // 12, 0.5, 2/3
      String.raw`\.\d+`, // .5
    ].join("|") +
    ")",
  "gu",
);
// A bare fraction outside any math delimiters ("the answer is \frac{1}{2}."), as Math-Verify reads one.
const BARE_FRACTION = /(?<![\p{L}\p{N}])-?\\[dt]?frac\{-?\d+(?:\.\d+)?\}\{-?\d+(?:\.\d+)?\}/gu;
// Sentence ends outside math: ". ", "! ", "? ", "。", or a blank line.
const SENTENCE_END = /[.!?](?=\s|$)|。|\n[ \t]*\n/g;

/** `s` from index `from` is preceded by an odd number of backslashes (so the character there is escaped). */
function escaped(s: string, at: number): boolean {
  let n = 0;
  for (let i = at - 1; i >= 0 && s[i] === "\\"; i--) n++;
  return n % 2 === 1;
}

/** Index of the next unescaped `needle` at or after `from`, or -1. */
function nextUnescaped(s: string, needle: string, from: number): number {
  let i = s.indexOf(needle, from);
  while (i >= 0 && escaped(s, i)) i = s.indexOf(needle, i + 1);
  return i;
}

/** The LaTeX spans of `text`, in order; unclosed openers are left as prose. */
export function latexSpans(text: string): MathPiece[] {
  const spans: MathPiece[] = [];
  // The next occurrence of each closer (and of "\n") found so far. Searches start ever further on, and none lies
  // between a search's start and its answer, so an answer at or after a later start is still the next one: each
  // character is searched over once per closer, whatever the reply holds.
  const found = new Map<string, number>();
  const next = (needle: string, from: number): number => {
    const known = found.get(needle);
    if (known !== undefined && (known < 0 || known >= from)) return known;
    const at = needle === "\n" ? text.indexOf(needle, from) : nextUnescaped(text, needle, from);
    found.set(needle, at);
    return at;
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c !== "$" && c !== "\\") {
      i++;
      continue;
    }
    const opener = OPENERS.find((o) => text.startsWith(o.open, i) && !escaped(text, i));
    if (!opener) {
      i++;
      continue;
    }
    const from = i + opener.open.length;
    const close = next(opener.close, from);
    const lineEnd = next("\n", from);
    // An inline "$" right after a digit is a price ("5$ and $6"), not math (Math-Verify's rule too).
    const price = opener.open === "$" && /\d/.test(text[i - 1] ?? "");
    if (close < 0 || (!opener.multiline && lineEnd >= 0 && lineEnd < close) || price) {
      i = from;
      continue;
    }
    const value = text.slice(from, close).trim();
    if (value !== "") spans.push({ start: i, end: close + opener.close.length, value, kind: "latex" });
    i = close + opener.close.length;
  }
  return spans;
}

/** Bare numbers and fractions in the prose between `spans`. */
function proseNumbers(text: string, spans: readonly MathPiece[]): MathPiece[] {
  const out: MathPiece[] = [];
  let from = 0;
  const gaps: [number, number][] = [];
  for (const s of spans) {
    gaps.push([from, s.start]);
    from = s.end;
  }
  gaps.push([from, text.length]);
  for (const [a, b] of gaps) {
    const prose = text.slice(a, b);
    for (const re of [NUMBER, BARE_FRACTION]) {
      for (const m of prose.matchAll(re)) {
        const kind = m[0].includes("\\") ? "latex" : "number";
        out.push({ start: a + m.index, end: a + m.index + m[0].length, value: m[0], kind });
      }
    }
  }
  return out;
}

/** All math of `text` (LaTeX spans and prose numbers), sorted by position. */
export function mathPieces(text: string): MathPiece[] {
  const spans = latexSpans(text);
  return [...spans, ...proseNumbers(text, spans)].sort((x, y) => x.start - y.start);
}

/** `text` cut into sentences at sentence ends outside LaTeX, each with its pieces (`pieces` sorted by start). */
export function sentences(text: string, pieces: readonly MathPiece[]): Sentence[] {
  const out: Sentence[] = [];
  const latex = pieces.filter((p) => p.kind === "latex");
  let span = 0; // the first LaTeX piece not wholly before the current match: both move forward only
  let next = 0; // the first piece not yet given to a sentence
  let start = 0;
  const close = (end: number): void => {
    const own: MathPiece[] = [];
    while (next < pieces.length && (pieces[next]?.end ?? 0) <= end) own.push(pieces[next++] as MathPiece);
    if (text.slice(start, end).trim() !== "") out.push({ start, end, pieces: own });
    start = end;
  };
  for (const m of text.matchAll(SENTENCE_END)) {
    while (span < latex.length && (latex[span]?.end ?? 0) <= m.index) span++;
    const current = latex[span];
    if (current !== undefined && current.start <= m.index) continue; // inside a LaTeX span
    close(m.index + m[0].length);
  }
  close(text.length);
  return out;
}

// LaTeX pieces joined by these alone form one answer: "$-2$ and $1$", "$x=1$, $x=2$", "$3$, or $4$".
const JOIN = /^\s*(?:,|,?\s*and|,?\s*or)\s*$/i;

/**
 * The piece at `index` of `pieces` together with the LaTeX pieces joined to it by ",", "and" or "or" on either
 * side, as one answer ("-2, 1"). A number is never joined: prose such as "between 1 and 100" is no list.
 */
export function joinedValue(text: string, pieces: readonly MathPiece[], index: number): MathPiece | undefined {
  const piece = pieces[index];
  if (piece?.kind !== "latex") return piece;
  let first = index;
  let last = index;
  const joined = (a: MathPiece | undefined, b: MathPiece | undefined): boolean =>
    a?.kind === "latex" && b?.kind === "latex" && JOIN.test(text.slice(a.end, b.start));
  while (first > 0 && joined(pieces[first - 1], pieces[first])) first--;
  while (last < pieces.length - 1 && joined(pieces[last], pieces[last + 1])) last++;
  if (first === last) return piece;
  const group = pieces.slice(first, last + 1);
  return {
    start: group[0]?.start ?? piece.start,
    end: group.at(-1)?.end ?? piece.end,
    kind: "latex",
    value: group.map((p) => p.value).join(", "),
  };
}
