/**
 * LaTeX answer normalisation: strips what does not change an answer's value (markup, spacing, units, degree and
 * percent signs, dollar signs, thousands separators, trailing punctuation) and rewrites equivalent spellings to
 * one form (\dfrac → \frac, \frac12 → \frac{1}{2}, \leq → \le, .5 → 0.5, 5.0 → 5). Whitespace runs are
 * collapsed first, so the optional spaces the patterns allow never backtrack over long runs; inputs longer than
 * MAX_RAW_CHARS are not processed at all.
 */
import { cleanAnswer } from "../extract.ts";
import { matchingBrace } from "../latex-braces.ts";
import { MAX_RAW_CHARS } from "./limits.ts";

/** Stands in for the LaTeX row separator `\\` while single-backslash commands are rewritten. */
const ROW = "\u0001";
/** Marks spaces that must survive the final space removal ("\sin x", "4 4/9"). */
const KEEP_SPACE = "\u0002";

const TEXT_COMMANDS = [
  "text",
  "textbf",
  "textit",
  "textrm",
  "textnormal",
  "textsf",
  "texttt",
  "textup",
  "mathrm",
  "mathbf",
  "mathit",
  "mathsf",
  "mathtt",
  "mathnormal",
  "mbox",
  "hbox",
  "boldsymbol",
  "bm",
  "operatorname",
  "boxed",
  "fbox",
  "emph",
];
const TEXTLIKE = "(?:text|textrm|textnormal|textup|mbox|mathrm)";

// Words a model appends to a number that name a unit or the thing counted (the lists of the MATH/Minerva
// normalisers, plus common units). Removed only at the end of the answer, after a digit, brace, parenthesis or space.
const UNIT_WORDS = [
  "units?",
  "square",
  "squares",
  "cm",
  "centimeters?",
  "centimetres?",
  "mm",
  "millimeters?",
  "meters?",
  "metres?",
  "km",
  "kilometers?",
  "kilometres?",
  "inch",
  "inches",
  "ft",
  "foot",
  "feet",
  "yards?",
  "yd",
  "miles?",
  "mph",
  "kph",
  "km/h",
  "seconds?",
  "secs?",
  "minutes?",
  "mins?",
  "hours?",
  "hrs?",
  "days?",
  "weeks?",
  "months?",
  "years?",
  "dollars?",
  "cents?",
  "degrees?",
  "radians?",
  "pounds?",
  "lbs?",
  "ounces?",
  "oz",
  "grams?",
  "kg",
  "gm",
  "liters?",
  "litres?",
  "ml",
  "gallons?",
  "percent",
  "percentage",
  "pct",
  "points?",
  "ways",
  "integers",
  "digits",
  "students",
  "people",
  "meals",
  "edges",
  "multiples",
  "childrentickets",
  "times",
];
const UNIT_TAIL = new RegExp(
  `(?<=[\\d}).]|\\s)\\s*(?:(?:square|sq\\.?|cubic)\\s*)?(?:${UNIT_WORDS.join("|")})(?:\\s*\\^\\s*\\{?\\s*[23]\\s*\\}?|[²³])?\\s*\\.?$`,
  "i",
);
// One-letter units only after a space: "5 m" is metres, "5m" may be 5 times m. A length unit glued to the number
// counts when a Unicode square or cube follows ("1,000.99m²", as Math-Verify reads it): algebra writes m^2.
const SHORT_UNIT_TAIL = new RegExp(
  [
    String.raw`(?<=[\d}).])\s+(?:m|g|s|h|L)(?:\s*\^\s*\{?\s*[23]\s*\}?|[²³])?\s*\.?$`,
    String.raw`(?<=\d)(?:[kcdm]?m|ft|in|yd|mi)[²³]\s*\.?$`,
  ].join("|"),
);

/** Replaces `\cmd{…}` by its brace-balanced content, for each listed command, innermost wrappers included. */
export function unwrapCommands(input: string, names: readonly string[]): string {
  const open = new RegExp(`\\\\(?:${names.join("|")})\\s*\\{`, "g");
  let s = input;
  // Each pass removes every outermost-found wrapper; nested ones go in later passes. The cap bounds the work.
  for (let pass = 0; pass < 8; pass++) {
    let out = "";
    let last = 0;
    let changed = false;
    open.lastIndex = 0;
    for (let m = open.exec(s); m !== null; m = open.exec(s)) {
      if (m.index < last) continue;
      const braceAt = m.index + m[0].length - 1;
      const close = matchingBrace(s, braceAt);
      if (close === undefined) continue;
      out += s.slice(last, m.index) + s.slice(braceAt + 1, close);
      last = close + 1;
      open.lastIndex = last;
      changed = true;
    }
    if (!changed) break;
    s = out + s.slice(last);
  }
  return s;
}

/** True when the `{` at 0 closes at the very end, so the braces wrap the whole string. */
function wrappedInBraces(s: string): boolean {
  return s.startsWith("{") && matchingBrace(s, 0) === s.length - 1;
}

function replaceUnicode(s: string): string {
  return s
    .replace(/[\u2212\u2012\u2013\u2014\uFE63\uFF0D]/g, "-")
    .replace(/×/g, "\\times ")
    .replace(/[·⋅]/g, "\\cdot ")
    .replace(/÷/g, "\\div ")
    .replace(/√/g, "\\sqrt")
    .replace(/π/g, "\\pi ")
    .replace(/∞/g, "\\infty ")
    .replace(/≤/g, "\\le ")
    .replace(/≥/g, "\\ge ")
    .replace(/≠/g, "\\ne ")
    .replace(/∪/g, "\\cup ")
    .replace(/±/g, "\\pm ")
    .replace(/∓/g, "\\mp ")
    .replace(/∅/g, "\\emptyset ")
    .replace(/[\u00A0\u2009\u202F]/g, " ");
}

function collapseSpaces(s: string): string {
  return s.replace(/\s+/g, " ");
}

/** Removes layout-only commands: sizing, spacing, \left/\right, \displaystyle. */
function stripLayout(s: string): string {
  return s
    .replace(/(\d),\\!\s*(?=\d)/g, "$1") // "10,\! 000": a thousands separator, never a list comma
    .replace(/\\(?:left|right)\s*\.(?![0-9])/g, "")
    .replace(/\\(?:left|right|bigl|bigr|Bigl|Bigr|biggl|biggr|Biggl|Biggr|big|Big|bigg|Bigg)(?![a-zA-Z])/g, "")
    .replace(/\\(?:displaystyle|textstyle|scriptstyle|limits|nolimits|protect)(?![a-zA-Z])/g, "")
    .replace(/\\[!,]/g, "")
    .replace(/\\(?:[;: ]|q?quad)/g, " ") // also "\quadx_{2}": no other command starts with "quad"
    .replace(/~/g, " ");
}

/** One spelling per symbol: \dfrac → \frac, \leq → \le, \lt → <, \varnothing → \emptyset, … */
function canonicalCommands(s: string): string {
  return s
    .replace(/\\[dtc]frac(?![a-zA-Z])/g, "\\frac")
    .replace(/(?<![\\a-zA-Z])[dt]frac(?![a-zA-Z])/g, "\\frac")
    .replace(/\\[dt]binom(?![a-zA-Z])/g, "\\binom")
    .replace(/\\(?:leq|leqslant|leqq)(?![a-zA-Z])|<=/g, "\\le ")
    .replace(/\\(?:geq|geqslant|geqq)(?![a-zA-Z])|>=/g, "\\ge ")
    .replace(/\\(?:neq)(?![a-zA-Z])|!=/g, "\\ne ")
    .replace(/\\lt(?![a-zA-Z])/g, "<")
    .replace(/\\gt(?![a-zA-Z])/g, ">")
    .replace(/\\(?:varnothing)(?![a-zA-Z])|\\\{\s*\\\}/g, "\\emptyset ")
    .replace(/\\mathbb\s*\{\s*R\s*\}/g, "(-\\infty,\\infty)")
    .replace(/\\(?:dots|ldots|cdots)(?![a-zA-Z])/g, "...")
    .replace(/\\(?:ast|cross)(?![a-zA-Z])/g, "\\times ")
    .replace(/\\colon(?![a-zA-Z])/g, ":")
    .replace(/\\(?:vec|hat|bar|tilde)\s*\{([^{}]*)\}/g, "$1");
}

/** Degree marks, percent signs and currency signs carry no value of their own here ("2,500.50€" is 2500.5). */
function stripMarks(s: string): string {
  return s
    .replace(/\^\s*\{\s*\\circ\s*\}|\^\s*\\circ(?![a-zA-Z])|\\degree(?![a-zA-Z])|°/g, "")
    .replace(/\\%|%/g, "")
    .replace(/\\\$|\$|[€£¥₹₽₩¢]|\\(?:euro|pounds|yen)(?![a-zA-Z])/g, "");
}

/** Trailing units: "\text{ cm}^2", "5 feet", "12 students". Never empties the answer. */
function stripUnits(input: string): string {
  let s = input.trim();
  for (let i = 0; i < 4; i++) {
    const textUnit = new RegExp(`\\\\${TEXTLIKE}\\s*\\{\\s+[^{}]*\\}(?:\\s*\\^\\s*\\{?\\s*[23]\\s*\\}?)?\\s*\\.?$`);
    const next = s.replace(textUnit, "").replace(UNIT_TAIL, "").replace(SHORT_UNIT_TAIL, "").trim();
    if (next === s || next === "") break;
    s = next;
  }
  return s;
}

/** "1,000,000" → "1000000", unless the answer is bracketed, where commas separate elements. */
function stripThousands(input: string): string {
  let s = input.replace(/\{,\}/g, "");
  if (/^(?:\(|\[|\\\{|\\langle)/.test(s) || s.includes("\\begin")) return s;
  s = s.replace(/(?<![\d.])\d{1,3}(?:,\d{3})+(?!\d|,\d)/g, (m) => m.replace(/,/g, ""));
  // "1 000" is a number only when it is the whole answer.
  if (/^-?\d{1,3}(?: \d{3})+(?:\.\d+)?$/.test(s)) s = s.replace(/ /g, "");
  return s;
}

/** Drops whitespace except where it separates tokens: after a command before a letter, and between digits. */
function removeSpaces(s: string): string {
  return s
    .replace(/(\\[a-zA-Z]+)\s+(?=[a-zA-Z0-9])/g, `$1${KEEP_SPACE}`)
    .replace(/(\d)\s+(?=\d)/g, `$1${KEEP_SPACE}`)
    .replace(/\s+/g, "")
    .replaceAll(KEEP_SPACE, " ");
}

/** ".5" → "0.5", "5.0" → "5", "2.50" → "2.5". */
function canonicalDecimals(s: string): string {
  return s.replace(/(?<![\d.])\.(\d)/g, "0.$1").replace(/(\d+)\.(\d+)(?![\d.])/g, (_m, whole: string, frac: string) => {
    const f = frac.replace(/0+$/, "");
    return f === "" ? whole : `${whole}.${f}`;
  });
}

/** \frac12 → \frac{1}{2}, \frac1{72} → \frac{1}{72}, \sqrt3 → \sqrt{3}, ^{2} → ^2, 204_{5} → 204_5. */
function expandShorthand(s: string): string {
  return s
    .replace(/\\frac ?([a-zA-Z0-9])([a-zA-Z0-9])/g, "\\frac{$1}{$2}")
    .replace(/\\frac ?([a-zA-Z0-9])(?=\{)/g, "\\frac{$1}")
    .replace(/\\frac(\{[^{}]*\}) ?([a-zA-Z0-9])/g, "\\frac$1{$2}")
    .replace(/\\sqrt ?([a-zA-Z0-9])/g, "\\sqrt{$1}")
    .replace(/([\^_])\{([a-zA-Z0-9])\}/g, "$1$2");
}

/** Trailing sentence punctuation, outer grouping braces and "(C)" → "C", repeated until stable. */
function stripWrappers(input: string): string {
  let s = input;
  for (let i = 0; i < 8; i++) {
    let next = s.trim();
    if (/[.,;]$/.test(next) && !next.endsWith("..")) next = next.slice(0, -1);
    if (wrappedInBraces(next)) next = next.slice(1, -1);
    next = next.replace(/^\(([A-Z])\)$/, "$1");
    if (next === s) break;
    s = next;
  }
  return s;
}

/**
 * The normalised LaTeX of an answer, keeping any leading "x =" (the comparison treats assignments itself).
 * Input longer than MAX_RAW_CHARS is returned trimmed but otherwise untouched.
 */
export function normalizeLatex(input: string): string {
  if (input.length > MAX_RAW_CHARS) return input.trim();
  // Whitespace runs become one space first: the patterns below allow optional spaces in several places, and
  // with long runs of spaces that would make them quadratic or worse.
  let s = collapseSpaces(cleanAnswer(input));
  s = s.replace(/\\\\/g, ROW);
  // A doubly escaped command ("\\frac" from a JSON-escaped answer) outside matrices is one command.
  if (!s.includes("\\begin")) s = s.replace(new RegExp(`${ROW}(?=[a-zA-Z])`, "g"), "\\");
  s = replaceUnicode(s);
  s = stripMarks(s);
  // Connectives inside \text become list separators before \text is unwrapped.
  s = s.replace(new RegExp(`,?\\s*\\\\${TEXTLIKE}\\s*\\{\\s*(?:and|or)\\s*\\}\\s*`, "g"), ",");
  s = collapseSpaces(stripLayout(s));
  s = stripUnits(s);
  s = unwrapCommands(s, TEXT_COMMANDS);
  s = collapseSpaces(canonicalCommands(s));
  s = stripUnits(s);
  s = s.replace(/\s*,?\s*\b(?:and|or)\b\s*/g, ",");
  s = s.replace(/^\s*(?:[a-zA-Z]|\\[a-zA-Z]+)\s*\\in(?![a-zA-Z])\s*/, "");
  s = stripThousands(s.trim());
  s = removeSpaces(s);
  s = stripWrappers(s);
  s = canonicalDecimals(s);
  s = expandShorthand(s);
  return s.replaceAll(ROW, "\\\\");
}

// "x =", "k=", "\theta =", "a_1 =", "f(x) =", "(x, y) =": a name, not an expression, left of a single "=".
const ASSIGNED_NAME =
  /^(?:(?:[a-zA-Z]|\\[a-zA-Z]+)(?:_\{?[a-zA-Z0-9]+\}?)?(?:\([a-zA-Z]\))?|\((?:[a-zA-Z],)+[a-zA-Z]\))$/;

// A named quantity built from points' names: "AB", "|AB|", "A:B", "V_{1}:V_{2}", "\frac{NO}{BO}". Subscripts and
// these marks are dropped, and what is left must be capitals: "xy" (a product), "a+3z" and "2x+z" are expressions.
const QUANTITY_MARKS = /_\{[^{}]*\}|_[a-zA-Z0-9]|\\[dt]?frac|[{}|:/()\s]/g;

/**
 * True when `lhs` names a variable (or function, or tuple of variables), or a quantity written with points' names
 * (a length "AB", a ratio "A:B"), rather than being an expression: "AB=4" states the value 4, as Math-Verify reads
 * it, while "2x+z=1" is an equation.
 */
export function isAssignedName(lhs: string): boolean {
  const t = lhs.trim();
  if (ASSIGNED_NAME.test(t)) return true;
  return t.length <= 40 && /^[A-Z]+$/.test(t.replace(QUANTITY_MARKS, ""));
}

/** "x=3" → "3"; anything that is not `name = value` with one "=" is returned unchanged. */
export function stripAssignment(s: string): string {
  const parts = s.split("=");
  if (parts.length !== 2) return s;
  const [lhs = "", rhs = ""] = parts;
  return isAssignedName(lhs) && rhs.trim() !== "" ? rhs.trim() : s;
}

/**
 * The normalised form of an answer, for display and for the simplest string comparison: markup, units, degree,
 * percent and dollar signs, thousands separators, spaces and trailing periods removed; \dfrac/\tfrac → \frac;
 * "\frac12" → "\frac{1}{2}"; ".5" → "0.5"; "5.0" → "5"; a leading "x =" dropped.
 */
export function normalizeMathAnswer(s: string): string {
  return stripAssignment(normalizeLatex(s));
}
