/**
 * A canonical spelling of a normalised LaTeX expression up to the order of its terms and factors: terms of a sum
 * and factors of a product are sorted, recursively, inside subscripts, arguments and brackets. It serves the
 * expressions mathjs cannot read (sums `\sum_{k=0}^{n-1} F_k F_{n-k-1}`, subscripts with expressions `b_{n-j}`),
 * where agreement at random points cannot be tested: `a_{j} b_{n-j}` and `b_{n-j} a_{j}` spell the same product.
 * Anything whose factors might not commute or whose extent is unclear (functions such as `\sin x`, division by
 * `/`, matrices, `!`, `\times`, products of capitals or vectors) has no canonical spelling here, so the rule never
 * judges it.
 */
import { MAX_EXPRESSION_DEPTH } from "./limits.ts";

class NotCommutable extends Error {}

interface Reader {
  s: string;
  i: number;
  depth: number;
}

// Operators whose body is the rest of the term: their bounds stay in place, the factors of the body are sorted.
const BIG_OPERATORS = new Set(["sum", "prod"]);
// Commands whose argument extent in juxtaposition is unclear ("\sin x y"): no canonical form.
const FUNCTIONS = new Set([
  "sin",
  "cos",
  "tan",
  "sec",
  "csc",
  "cot",
  "arcsin",
  "arccos",
  "arctan",
  "sinh",
  "cosh",
  "tanh",
  "log",
  "ln",
  "exp",
  "lim",
  "det",
  "max",
  "min",
  "gcd",
  "begin",
  "end",
  "int",
  "iint",
  "oint",
  "div",
]);
// A factor that may not commute with the others: a capital letter (a sequence's term `F_{k}` is a number), or a
// bold, vector or hatted one.
const NON_COMMUTING = /^(?:[A-Z](?!_)|\\(?:mathbf|boldsymbol|bm|vec|overrightarrow|overline|hat)\b)/;
const CLOSERS: Record<string, string> = { "(": ")", "[": "]", "{": "}", "|": "|" };

function refuse(): never {
  throw new NotCommutable();
}

/** Spaces only separate tokens ("\pi r"): they are passed over, never part of a spelling. */
function skip(r: Reader): void {
  while (r.s[r.i] === " ") r.i++;
}

/** `expr := side ("=" side)*`, each side a sorted sum. Reads until `close` (consumed) or the end. */
function readExpression(r: Reader, close: string | undefined): string {
  if (++r.depth > MAX_EXPRESSION_DEPTH) refuse();
  const sides = [readSum(r, close)];
  skip(r);
  while (r.s[r.i] === "=" || r.s[r.i] === ",") {
    const sep = r.s[r.i++] as string;
    sides.push(sep, readSum(r, close));
  }
  if (close !== undefined) {
    if (r.s[r.i] !== close) refuse();
    r.i++;
  } else if (r.i < r.s.length) refuse();
  r.depth--;
  return sides.join("");
}

/** Signed terms, sorted: "-k+n-1" and "n-1-k" both read "+n-1-k" in one fixed order. */
function readSum(r: Reader, close: string | undefined): string {
  const terms: string[] = [];
  let sign = "+";
  for (;;) {
    skip(r);
    const c = r.s[r.i];
    if (c === "+" || c === "-") {
      sign = sign === c ? "+" : c === "-" ? "-" : sign;
      r.i++;
      continue;
    }
    if (c === undefined || c === close || c === "=" || c === ",") break;
    terms.push(`${sign}${readTerm(r, close)}`);
    sign = "+";
  }
  if (terms.length === 0) refuse();
  return terms.sort().join("");
}

/** Juxtaposed factors (and `\cdot`, `\times`), sorted; a `\sum` takes the rest of the term as its body. */
function readTerm(r: Reader, close: string | undefined): string {
  const factors: string[] = [];
  for (;;) {
    skip(r);
    const c = r.s[r.i];
    if (c === undefined || c === close || c === "+" || c === "-" || c === "=" || c === ",") break;
    // `\times` may be a cross product: its factors do not commute.
    if (r.s.startsWith("\\times", r.i)) refuse();
    if (r.s.startsWith("\\cdot", r.i)) {
      r.i += 5;
      continue;
    }
    const big = /^\\([a-zA-Z]+)/.exec(r.s.slice(r.i))?.[1];
    if (big !== undefined && BIG_OPERATORS.has(big)) {
      r.i += big.length + 1;
      const operator = `\\${big}${readScripts(r)}`;
      return [...factors.sort(), `${operator}{${readTerm(r, close)}}`].join("");
    }
    factors.push(readFactor(r));
  }
  if (factors.length === 0) refuse();
  // Capitals and bold or arrowed letters are matrices, vectors or operators as often as numbers: "AB" is not "BA".
  if (factors.length > 1 && factors.some((f) => NON_COMMUTING.test(f))) refuse();
  return factors.sort().join("");
}

/** `_x`, `_{…}`, `^x`, `^{…}` after an atom or operator, canonicalised. */
function readScripts(r: Reader): string {
  let out = "";
  while (r.s[r.i] === "_" || r.s[r.i] === "^") {
    const mark = r.s[r.i++] as string;
    out += `${mark}{${readArgument(r)}}`;
  }
  return out;
}

function readArgument(r: Reader): string {
  const c = r.s[r.i];
  if (c === "{") {
    r.i++;
    return readExpression(r, "}");
  }
  if (c !== undefined && /[a-zA-Z0-9]/.test(c)) {
    r.i++;
    return c;
  }
  return refuse();
}

/** An atom (letter, number, command with its braced arguments, bracketed group) with its scripts. */
function readFactor(r: Reader): string {
  const rest = r.s.slice(r.i);
  let atom: string;
  const number = /^\d+(?:\.\d+)?/.exec(rest)?.[0];
  const command = /^\\([a-zA-Z]+)/.exec(rest)?.[1];
  const c = rest[0] ?? "";
  if (number !== undefined) {
    r.i += number.length;
    atom = number;
  } else if (/[a-zA-Z]/.test(c)) {
    r.i++;
    atom = c;
  } else if (command !== undefined) {
    if (FUNCTIONS.has(command)) refuse();
    r.i += command.length + 1;
    atom = `\\${command}`;
    if (command === "sqrt" && r.s[r.i] === "[") {
      r.i++;
      atom += `[${readExpression(r, "]")}]`;
    }
    while (r.s[r.i] === "{") atom += `{${readArgument(r)}}`;
  } else if (c in CLOSERS) {
    r.i++;
    atom = `${c}${readExpression(r, CLOSERS[c])}${CLOSERS[c]}`;
  } else {
    return refuse();
  }
  return atom + readScripts(r);
}

/** The canonical spelling of `latex`, or `undefined` when it has none (see the module comment). */
export function commutedForm(latex: string): string | undefined {
  const s = latex.replace(/\s+/g, " ").trim();
  try {
    return readExpression({ s, i: 0, depth: 0 }, undefined);
  } catch (e) {
    if (e instanceof NotCommutable) return undefined;
    throw e;
  }
}
