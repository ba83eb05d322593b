/**
 * Compares two structured answers (see structure.ts): tuples in order, lists and sets as multisets, interval
 * unions piece by piece with exact open/closed ends, matrices cell by cell, equations up to a constant factor,
 * and "x = 3" by its right-hand side. Elements are compared by compareScalars.
 */
import { type CompareContext, compareScalars, parseScalar } from "./compare-scalar.ts";
import { numbersClose } from "./numeric.ts";
import { sampleAgreement } from "./random-points.ts";
import { type Equation, type Inequality, type MathAnswer, type Piece, parseAnswer } from "./structure.ts";
import type { MathRule, MathVerdict } from "./types.ts";

function verdict(equal: boolean, rule: MathRule, detail?: string): MathVerdict {
  return detail === undefined ? { equal, rule } : { equal, rule, detail };
}

/** Elementwise in order; the first mismatch is named in the detail. */
function compareInOrder<T>(
  gold: readonly T[],
  pred: readonly T[],
  rule: MathRule,
  same: (a: T, b: T) => MathVerdict,
): MathVerdict {
  if (gold.length !== pred.length) return verdict(false, rule, `${gold.length} elements vs ${pred.length}`);
  for (let k = 0; k < gold.length; k++) {
    const v = same(gold[k] as T, pred[k] as T);
    if (!v.equal) return verdict(false, rule, `element ${k + 1}: ${v.rule}${v.detail ? ` (${v.detail})` : ""}`);
  }
  return verdict(true, rule);
}

/** `items` with repeats written identically kept once. */
function distinct<T>(items: readonly T[]): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const key = JSON.stringify(item);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Lists as multisets, except that a compound solution written twice is one solution ("(3,17,3,7), (3,17,3,7)" in
 * a list of solutions, which Math-Verify compares as sets). Repeated numbers keep their multiplicity, which is part
 * of the answer: "3, 3, 4" (a triangle's sides) is not "3, 4", and "1, 1, 2" is not "1, 2, 2".
 */
function compareLists(
  g: readonly MathAnswer[],
  p: readonly MathAnswer[],
  same: (a: MathAnswer, b: MathAnswer) => MathVerdict,
): MathVerdict {
  return compareAsMultiset(distinctCompounds(g), distinctCompounds(p), "set", same);
}

/** `items` with repeated tuples, lists and matrices kept once; numbers and expressions all kept. */
function distinctCompounds(items: readonly MathAnswer[]): MathAnswer[] {
  const compound = distinct(items.filter((a) => a.kind !== "scalar"));
  return items.filter((a) => a.kind === "scalar" || compound.includes(a));
}

/** Multiset equality by greedy matching (equality here is transitive enough that greedy suffices). */
function compareAsMultiset<T>(
  gold: readonly T[],
  pred: readonly T[],
  rule: MathRule,
  same: (a: T, b: T) => MathVerdict,
): MathVerdict {
  if (gold.length !== pred.length) return verdict(false, rule, `${gold.length} elements vs ${pred.length}`);
  const used = new Array<boolean>(pred.length).fill(false);
  for (let k = 0; k < gold.length; k++) {
    const match = pred.findIndex((q, j) => !used[j] && same(gold[k] as T, q).equal);
    if (match < 0) return verdict(false, rule, `no match for element ${k + 1}`);
    used[match] = true;
  }
  return verdict(true, rule);
}

function comparePieces(g: Piece, p: Piece, ctx: CompareContext): MathVerdict {
  if (g.kind === "finite" && p.kind === "finite") {
    return compareAsMultiset(g.items, p.items, "set", (a, b) => compareScalars(a, b, ctx));
  }
  if (g.kind === "interval" && p.kind === "interval") {
    if (g.loClosed !== p.loClosed || g.hiClosed !== p.hiClosed)
      return verdict(false, "interval", "open/closed ends differ");
    const lo = compareScalars(g.lo, p.lo, ctx);
    if (!lo.equal) return verdict(false, "interval", `lower end: ${lo.rule}`);
    const hi = compareScalars(g.hi, p.hi, ctx);
    return hi.equal ? verdict(true, "interval") : verdict(false, "interval", `upper end: ${hi.rule}`);
  }
  return verdict(false, "interval", "an interval against a finite set");
}

/** A two-element tuple read as an open interval, for "(a, b)" against an interval union. */
function tupleAsInterval(items: MathAnswer[]): Piece | undefined {
  const [a, b] = items;
  if (items.length !== 2 || a?.kind !== "scalar" || b?.kind !== "scalar") return undefined;
  return { kind: "interval", lo: a.text, hi: b.text, loClosed: false, hiClosed: false };
}

/**
 * lhs − rhs of one is a constant multiple of the other's, checked at seeded random points; `positive` asks for a
 * positive multiple (inequalities: "-y < -2" is "y > 2", flipping the sign flips the relation). Each side is the
 * LaTeX of lhs and rhs.
 */
function proportional(g: Equation, p: Equation, ctx: CompareContext, positive: boolean, rule: MathRule): MathVerdict {
  const ge = parseScalar(`{${g.lhs}}-{${g.rhs}}`, ctx);
  const pe = parseScalar(`{${p.lhs}}-{${p.rhs}}`, ctx);
  if (typeof ge === "string") return verdict(false, "unparseable", `gold: ${ge}`);
  if (typeof pe === "string") return verdict(false, "unparseable", `prediction: ${pe}`);
  const variables = [...new Set([...ge.variables, ...pe.variables])].sort();
  if (variables.length === 0) return verdict(false, rule, "no variables");
  let ratio: number | undefined;
  const sample = sampleAgreement([ge, pe], variables, ([a, b]) => {
    if (!a || !b || a.im !== 0 || b.im !== 0) return "skip";
    if (numbersClose(a.re, 0)) return numbersClose(b.re, 0) ? "skip" : "disagree";
    const r = b.re / a.re;
    if (numbersClose(r, 0) || (positive && r < 0)) return "disagree";
    ratio ??= r;
    return numbersClose(r, ratio) ? "agree" : "disagree";
  });
  if (sample.verdict === "too-few") return verdict(false, "unparseable", "too few points where both sides are defined");
  return verdict(sample.verdict === "agree", rule);
}

/**
 * Equations are equal when lhs − rhs of one is a nonzero constant multiple of the other's: "34x+45y-20z+100=0"
 * equals "-34x-45y+20z-100=0", and "x^2/4+y^2/3=1" equals "x^2/16+y^2/12=1/4".
 */
function compareEquations(g: Equation, p: Equation, ctx: CompareContext): MathVerdict {
  return proportional(g, p, ctx, false, "equation");
}

/** The inequality an answer states, if it is one: "-x > -1", or an interval read from "x < 1". */
function asInequality(a: MathAnswer): Inequality | undefined {
  if (a.kind === "inequality") return a;
  return a.kind === "union" ? a.inequality : undefined;
}

/**
 * Two single inequalities: equal when equally strict and lhs − rhs of one is a positive multiple of the other's
 * ("x < 1" and "-x > -1", "x \le 5" and "5 \ge x", "2x > 4" and "x > 2").
 */
function compareInequalities(g: Inequality, p: Inequality, ctx: CompareContext): MathVerdict {
  if (g.strict !== p.strict) return verdict(false, "inequality", "strict against non-strict");
  return proportional(g, p, ctx, true, "inequality");
}

/**
 * An equation without variables is a computation, and states its last member: "3 \cdot 4 = 12" states 12, as a
 * chain "x = 5+5+1 = 11" states 11. "7 = 11a+c" has variables and stays an equation.
 */
function computedValue(e: Equation, ctx: CompareContext): MathAnswer | undefined {
  const lhs = parseScalar(e.lhs, ctx);
  const rhs = parseScalar(e.rhs, ctx);
  const constant = (x: typeof lhs): boolean => typeof x !== "string" && x.variables.length === 0;
  if (!constant(lhs) || !constant(rhs)) return undefined;
  // A computation that is false ("3 \cdot 4 = 13") states nothing: its last member is not a result.
  return compareScalars(e.lhs, e.rhs, ctx).equal ? parseAnswer(e.rhs) : undefined;
}

function asEquation(a: MathAnswer): Equation | undefined {
  if (a.kind === "equation") return { lhs: a.lhs, rhs: a.rhs };
  if (a.kind === "assignment") return a.equation;
  return undefined;
}

/** Compares two answers by shape; the rule names the shape that decided, or the scalar rule for scalars. */
export function compareAnswers(g: MathAnswer, p: MathAnswer, ctx: CompareContext): MathVerdict {
  const same = (a: MathAnswer, b: MathAnswer): MathVerdict => compareAnswers(a, b, ctx);

  if (g.kind === "assignment" && p.kind === "assignment") return same(g.value, p.value);
  if (g.kind === "equation" || p.kind === "equation") {
    const ge = asEquation(g);
    const pe = asEquation(p);
    if (ge && pe) return compareEquations(ge, pe, ctx);
    const stated =
      g.kind === "equation" && !pe
        ? computedValue(g, ctx)
        : p.kind === "equation" && !ge
          ? computedValue(p, ctx)
          : undefined;
    if (stated) {
      const inner = g.kind === "equation" ? same(stated, p) : same(g, stated);
      return inner.equal ? verdict(true, "equation-rhs", inner.rule) : inner;
    }
    return verdict(false, "not-equal", "an equation against a value");
  }
  const gi = asInequality(g);
  const pi = asInequality(p);
  if ((g.kind === "inequality" || p.kind === "inequality") && gi && pi) return compareInequalities(gi, pi, ctx);
  if (g.kind === "inequality" || p.kind === "inequality") {
    return verdict(false, "not-equal", "an inequality against a value");
  }
  if (g.kind === "assignment" || p.kind === "assignment") {
    const inner = g.kind === "assignment" ? same(g.value, p) : p.kind === "assignment" ? same(g, p.value) : undefined;
    if (!inner) return verdict(false, "not-equal");
    return inner.equal ? verdict(true, "equation-rhs", inner.rule) : inner;
  }

  if ((g.kind === "list" && g.plusMinus) || (p.kind === "list" && p.plusMinus)) {
    if (g.kind !== "list" || p.kind !== "list") return verdict(false, "plus-minus", "\\pm against a single value");
    return compareAsMultiset(g.items, p.items, "plus-minus", same);
  }

  switch (g.kind) {
    case "scalar":
      if (p.kind === "scalar") return compareScalars(g.text, p.text, ctx);
      break;
    case "relation":
      // Equal relations were caught as equal strings already.
      return verdict(false, "not-equal", "relation compared as text");
    case "matrix":
      if (p.kind === "matrix") {
        const gRows = g.rows.map((r) => r.length).join(",");
        const pRows = p.rows.map((r) => r.length).join(",");
        if (gRows !== pRows) return verdict(false, "matrix", "shapes differ");
        return compareInOrder(g.rows.flat(), p.rows.flat(), "matrix", (a, b) => compareScalars(a, b, ctx));
      }
      if (p.kind === "tuple") return compareVector(g.rows, p.items, ctx);
      break;
    case "tuple":
      if (p.kind === "tuple" || (p.kind === "list" && !p.braces))
        return compareInOrder(g.items, p.items, "tuple", same);
      if (p.kind === "union" && p.pieces.length === 1) return compareTupleWithInterval(g.items, p.pieces, ctx);
      if (p.kind === "matrix") return compareVector(p.rows, g.items, ctx);
      break;
    case "list":
      if (p.kind === "list") return compareLists(g.items, p.items, same);
      if (p.kind === "tuple" && !g.braces) return compareInOrder(g.items, p.items, "tuple", same);
      if (p.kind === "scalar") return verdict(false, "set", "a list against a single value");
      break;
    case "union":
      if (p.kind === "union") {
        const [gp, pp] = [g.pieces[0], p.pieces[0]];
        if (g.pieces.length === 1 && p.pieces.length === 1 && gp && pp) return comparePieces(gp, pp, ctx);
        return compareAsMultiset(g.pieces, p.pieces, "interval", (a, b) => comparePieces(a, b, ctx));
      }
      if (p.kind === "tuple" && g.pieces.length === 1) return compareTupleWithInterval(p.items, g.pieces, ctx);
      break;
  }
  if (p.kind === "relation") return verdict(false, "not-equal", "relation compared as text");
  return verdict(false, "not-equal", `${g.kind} against ${p.kind}`);
}

function compareTupleWithInterval(items: MathAnswer[], pieces: Piece[], ctx: CompareContext): MathVerdict {
  const asInterval = tupleAsInterval(items);
  const [piece] = pieces;
  if (!asInterval || !piece) return verdict(false, "interval", "tuple against interval");
  return comparePieces(asInterval, piece, ctx);
}

/** A one-row or one-column matrix against a tuple: "\begin{pmatrix}1\\2\end{pmatrix}" vs "(1,2)". */
function compareVector(rows: string[][], items: MathAnswer[], ctx: CompareContext): MathVerdict {
  const isVector = rows.length === 1 || rows.every((r) => r.length === 1);
  if (!isVector) return verdict(false, "matrix", "a matrix against a tuple");
  const cells = rows.flat().map((text): MathAnswer => ({ kind: "scalar", text }));
  return compareInOrder(cells, items, "matrix", (a, b) => compareAnswers(a, b, ctx));
}
