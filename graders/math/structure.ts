/**
 * Reads the shape of a normalised answer: a scalar, a tuple, an unordered list or set, an interval union, a
 * matrix, an equation, an assignment ("x = 3") or a relation. Elements stay LaTeX strings; compare.ts judges them.
 */
import { MAX_ITEMS, MAX_PLUS_MINUS } from "./limits.ts";
import { matrixArithmetic, matrixCells } from "./matrix-arithmetic.ts";
import { isAssignedName } from "./normalize.ts";

export interface Interval {
  kind: "interval";
  lo: string;
  hi: string;
  loClosed: boolean;
  hiClosed: boolean;
}
export interface FiniteSet {
  kind: "finite";
  items: string[];
}
export type Piece = Interval | FiniteSet;

export type MathAnswer =
  | { kind: "scalar"; text: string }
  /** Something we only compare as a string: "x \ne 3", "f(2)<f(1)<f(4)", an unreadable union. */
  | { kind: "relation"; text: string }
  /** One inequality with no bare variable on either side ("-y < -2"), read as lhs < rhs or lhs ≤ rhs. */
  | ({ kind: "inequality" } & Inequality)
  /** `name = value` (or a chain `a = b = value`); `equation` is set when it may also be read as an equation. */
  | { kind: "assignment"; value: MathAnswer; equation?: Equation }
  | ({ kind: "equation" } & Equation)
  | { kind: "tuple"; items: MathAnswer[] }
  /** Unordered: a bare list "1, 2" (`braces` false), a set `\{1, 2\}`, or the values of a `\pm`. */
  | { kind: "list"; items: MathAnswer[]; braces: boolean; plusMinus: boolean }
  /** Intervals; `inequality` keeps the one inequality it was read from ("x > 5"), for comparing with "-x < -5". */
  | { kind: "union"; pieces: Piece[]; inequality?: Inequality }
  | { kind: "matrix"; rows: string[][] };

export interface Equation {
  lhs: string;
  rhs: string;
}
/** `lhs < rhs` (`strict`) or `lhs ≤ rhs`: ">" and "≥" are stored with their sides swapped. */
export interface Inequality {
  lhs: string;
  rhs: string;
  strict: boolean;
}

/** Too many elements, or a structure we refuse to read: the caller reports "unparseable". */
export class StructureError extends Error {
  override name = "StructureError";
}

const OPENERS = new Set(["(", "[", "{"]);
const CLOSERS = new Set([")", "]", "}"]);

/**
 * Splits `s` at separators that stand outside every bracket, brace and \begin…\end environment. Separators that
 * are commands ("\cup", "\le") match only as whole command names.
 */
export function splitTopLevel(s: string, separators: readonly string[]): { parts: string[]; seps: string[] } {
  const parts: string[] = [];
  const seps: string[] = [];
  let depth = 0;
  let start = 0;
  let i = 0;
  while (i < s.length) {
    const c = s[i] ?? "";
    if (depth === 0) {
      const sep = separators.find(
        (x) => s.startsWith(x, i) && !(x.startsWith("\\") && /[a-zA-Z]/.test(s[i + x.length] ?? "")),
      );
      if (sep !== undefined) {
        parts.push(s.slice(start, i));
        seps.push(sep);
        i += sep.length;
        start = i;
        continue;
      }
    }
    if (c === "\\") {
      const name = /^\\(?:[a-zA-Z]+|.)/.exec(s.slice(i))?.[0] ?? "\\";
      if (name === "\\{" || name === "\\begin" || name === "\\langle") depth++;
      else if (name === "\\}" || name === "\\end" || name === "\\rangle") depth--;
      i += name.length;
      continue;
    }
    if (OPENERS.has(c)) depth++;
    else if (CLOSERS.has(c)) depth--;
    i++;
  }
  parts.push(s.slice(start));
  return { parts, seps };
}

/** If `s` is wholly wrapped by one bracket pair (any of ( [ opening, any of ) ] closing), its pieces. */
function wrapped(s: string): { open: string; close: string; inner: string } | undefined {
  const open = s[0] ?? "";
  if (open !== "(" && open !== "[") return undefined;
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i] ?? "";
    if (c === "\\") {
      i++;
      continue;
    }
    if (OPENERS.has(c)) depth++;
    else if (CLOSERS.has(c) && --depth === 0) {
      const close = s[i] ?? "";
      if (i !== s.length - 1 || close === "}") return undefined;
      return { open, close, inner: s.slice(1, -1) };
    }
  }
  return undefined;
}

function checkCount(n: number): void {
  if (n > MAX_ITEMS) throw new StructureError(`more than ${MAX_ITEMS} elements`);
}

const MATRIX = /^[([]?\\begin\{([pbvBV]?matrix|array)\}(?:\{[^{}]*\})?(.*)\\end\{\1\}[)\]]?$/;

function parseMatrix(s: string): MathAnswer | undefined {
  const m = MATRIX.exec(s);
  if (!m) return undefined;
  const body = m[2] ?? "";
  if (body.includes("\\begin")) {
    const computed = matrixArithmetic(s);
    return computed === undefined ? undefined : { kind: "matrix", rows: computed };
  }
  const cells = matrixCells(body);
  checkCount(cells.length);
  checkCount(cells.reduce((n, r) => n + r.length, 0));
  return { kind: "matrix", rows: cells };
}

function parsePiece(part: string): Piece | undefined {
  const s = part.trim();
  if (s === "\\emptyset") return { kind: "finite", items: [] };
  if (s.startsWith("\\{") && s.endsWith("\\}")) {
    const items = splitTopLevel(s.slice(2, -2), [","])
      .parts.map((x) => x.trim())
      .filter((x) => x !== "");
    checkCount(items.length);
    return { kind: "finite", items };
  }
  const w = wrapped(s);
  if (!w) return undefined;
  const ends = splitTopLevel(w.inner, [","]).parts;
  if (ends.length !== 2) return undefined;
  const [lo = "", hi = ""] = ends.map((x) => x.trim());
  return { kind: "interval", lo, hi, loClosed: w.open === "[", hiClosed: w.close === "]" };
}

const RELATIONS = ["\\le", "\\ge", "<", ">"];

/** "-2 \le x \le 7" → [-2, 7]; "x > 5" and "5 < x" → (5, ∞). Anything else is a relation compared as text. */
function parseInequality(s: string, parts: string[], ops: string[]): MathAnswer {
  const less = (op: string): boolean => op === "<" || op === "\\le";
  const closed = (op: string): boolean => op === "\\le" || op === "\\ge";
  const trimmed = parts.map((p) => p.trim());
  // A variable, or a function of one ("0<f(x)<1" is f(x) in (0, 1)).
  const isVar = (t: string): boolean => /^(?:[a-zA-Z]|\\[a-zA-Z]+)(?:_\{?[a-zA-Z0-9]+\}?)?(?:\([a-zA-Z]\))?$/.test(t);
  const interval = (lo: string, loClosed: boolean, hi: string, hiClosed: boolean): MathAnswer => ({
    kind: "union",
    pieces: [{ kind: "interval", lo, hi, loClosed, hiClosed }],
  });
  const [a = "", b = "", c = ""] = trimmed;
  const [op1 = "", op2 = ""] = ops;
  const strict = !closed(op1);
  const inequality: Inequality = less(op1) ? { lhs: a, rhs: b, strict } : { lhs: b, rhs: a, strict };
  const withInequality = (answer: MathAnswer): MathAnswer =>
    answer.kind === "union" ? { ...answer, inequality } : answer;
  if (ops.length === 1 && isVar(a) && !isVar(b)) {
    return withInequality(
      less(op1) ? interval("-\\infty", false, b, closed(op1)) : interval(b, closed(op1), "\\infty", false),
    );
  }
  if (ops.length === 1 && isVar(b) && !isVar(a)) {
    return withInequality(
      less(op1) ? interval(a, closed(op1), "\\infty", false) : interval("-\\infty", false, a, closed(op1)),
    );
  }
  if (ops.length === 1 && a !== "" && b !== "") return { kind: "inequality", ...inequality };
  if (ops.length === 2 && isVar(b) && less(op1) === less(op2)) {
    return less(op1) ? interval(a, closed(op1), c, closed(op2)) : interval(c, closed(op2), a, closed(op1));
  }
  return { kind: "relation", text: s };
}

/** Expands every \pm / \mp into both signs: "1\pm\sqrt{2}" → ["1+\sqrt{2}", "1-\sqrt{2}"]. */
export function expandPlusMinus(s: string): string[] {
  let values = [s];
  for (let n = 0; n < MAX_PLUS_MINUS; n++) {
    const m = /\\(pm|mp)(?![a-zA-Z])/.exec(values[0] ?? "");
    if (!m) return values;
    values = values.flatMap((v) => {
      const k = /\\(pm|mp)(?![a-zA-Z])/.exec(v);
      if (!k) return [v];
      const [first, second] = k[1] === "pm" ? ["+", "-"] : ["-", "+"];
      const head = v.slice(0, k.index);
      const tail = v.slice(k.index + k[0].length);
      return [`${head}${first}${tail}`, `${head}${second}${tail}`];
    });
  }
  if (/\\(pm|mp)(?![a-zA-Z])/.test(values[0] ?? "")) throw new StructureError("too many \\pm signs");
  return values;
}

/** Reads one element (no top-level commas unless bracketed). */
function parseItem(input: string): MathAnswer {
  const s = input.trim();
  if (s === "\\emptyset") return { kind: "list", items: [], braces: true, plusMinus: false };
  const matrix = parseMatrix(s);
  if (matrix) return matrix;

  const equals = splitTopLevel(s, ["="]).parts;
  if (equals.length >= 3) {
    // A chain "x = 5+5+1 = 11": the last member is the answer.
    return { kind: "assignment", value: parseItem(equals[equals.length - 1] ?? "") };
  }
  if (equals.length === 2) {
    const [lhs = "", rhs = ""] = equals.map((x) => x.trim());
    if (isAssignedName(lhs) && rhs !== "") return { kind: "assignment", value: parseItem(rhs), equation: { lhs, rhs } };
    return { kind: "equation", lhs, rhs };
  }
  const approx = splitTopLevel(s, ["\\approx"]).parts;
  if (approx.length === 2) {
    const [before = "", after = ""] = approx.map((x) => x.trim());
    // "x \approx 11" names the value after it; "1/3 \approx 0.33" gives the exact value first.
    return isAssignedName(before) ? { kind: "assignment", value: parseItem(after) } : parseItem(before);
  }
  const rel = splitTopLevel(s, RELATIONS);
  if (rel.parts.length > 1) return parseInequality(s, rel.parts, rel.seps);
  if (splitTopLevel(s, ["\\ne"]).parts.length > 1) return { kind: "relation", text: s };

  if (s.startsWith("\\{") && s.endsWith("\\}") && splitTopLevel(s, ["\\cup"]).parts.length === 1) {
    return listOf(s.slice(2, -2), true);
  }
  if (s.startsWith("\\langle") && s.endsWith("\\rangle")) {
    return tupleOf(splitTopLevel(s.slice("\\langle".length, -"\\rangle".length), [","]).parts);
  }
  const w = wrapped(s);
  if (w) {
    const inner = elements(w.inner);
    if (inner.length === 2 && (w.open === "[" || w.close === "]")) {
      const piece = parsePiece(s);
      if (piece) return { kind: "union", pieces: [piece] };
    }
    if (inner.length >= 2) return tupleOf(inner);
  }
  const values = expandPlusMinus(s);
  if (values.length > 1) {
    return { kind: "list", items: values.map((text) => ({ kind: "scalar", text })), braces: false, plusMinus: true };
  }
  return { kind: "scalar", text: s };
}

/** The elements of a list or tuple body: split at top-level commas, or at semicolons when there is none ("0;-2;6"). */
function elements(body: string): string[] {
  const byComma = splitTopLevel(body, [","]).parts;
  return byComma.length > 1 ? byComma : splitTopLevel(body, [";"]).parts;
}

function tupleOf(parts: string[]): MathAnswer {
  checkCount(parts.length);
  return { kind: "tuple", items: parts.map(parseItem) };
}

/** An unordered list; elements written with \pm contribute both of their values. */
function listOf(body: string, braces: boolean): MathAnswer {
  const parts = elements(body)
    .map((x) => x.trim())
    .filter((x) => x !== "");
  if (parts.length === 0) throw new StructureError("a list with no elements");
  checkCount(parts.length);
  const items: MathAnswer[] = [];
  let plusMinus = false;
  for (const part of parts) {
    const item = parseItem(part);
    if (item.kind === "list" && item.plusMinus) {
      plusMinus = true;
      items.push(...item.items);
    } else items.push(item);
  }
  checkCount(items.length);
  return { kind: "list", items, braces, plusMinus };
}

/** The structure of a normalised answer. Throws StructureError when it has too many elements. */
export function parseAnswer(input: string): MathAnswer {
  const s = input.trim();
  const matrix = parseMatrix(s);
  if (matrix) return matrix;
  const union = splitTopLevel(s, ["\\cup"]).parts;
  if (union.length > 1) {
    checkCount(union.length);
    const pieces = union.map(parsePiece);
    if (pieces.every((p): p is Piece => p !== undefined)) return { kind: "union", pieces };
    return { kind: "relation", text: s };
  }
  const solutions = splitTopLevel(s, [";"]).parts;
  if (solutions.length > 1 && splitTopLevel(s, [","]).parts.length > 1) {
    // "p=5,q=2;p=7,q=2": semicolons separate the solutions, commas the values of one.
    checkCount(solutions.length);
    return { kind: "list", items: solutions.map(parseAnswer), braces: false, plusMinus: false };
  }
  if (elements(s).length > 1) {
    const list = listOf(s, false);
    // "x < -1 or x > 1" is the union of the two intervals.
    if (list.kind === "list" && list.items.every((i) => i.kind === "union")) {
      return { kind: "union", pieces: list.items.flatMap((i) => (i.kind === "union" ? i.pieces : [])) };
    }
    return list;
  }
  return parseItem(s);
}
