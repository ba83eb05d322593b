/**
 * Compares two scalar answers (normalised LaTeX, no structure), in this order: equal strings; exact rationals
 * when both are number literals; numeric values within tolerance when neither has a free variable; mathjs
 * `simplify(a - b) = 0`; agreement at seeded random points; for expressions mathjs cannot read, equal spellings up
 * to the order of terms and factors ("commuted").
 */
import { parseRational } from "../number.ts";
import { commutedForm } from "./commuted.ts";
import { LatexError, latexToMathjs } from "./latex-to-mathjs.ts";
import { MAX_SIMPLIFY_CALLS, MAX_VARIABLES } from "./limits.ts";
import { compareLiterals, constantsEqual, valuesClose } from "./numeric.ts";
import { describePoint, sampleAgreement } from "./random-points.ts";
import { evaluateAt, type MathSandbox, type ParsedExpression } from "./sandbox.ts";
import type { MathVerdict } from "./types.ts";

/**
 * State for one `mathEqual` call: parses are cached so a set's elements are converted once, not once per pairing,
 * and `simplify` (the slow step) runs a bounded number of times.
 */
export interface CompareContext {
  sandbox: MathSandbox;
  parses: Map<string, ParsedExpression | string>;
  simplifyCalls: number;
}

export function newCompareContext(sandbox: MathSandbox): CompareContext {
  return { sandbox, parses: new Map(), simplifyCalls: 0 };
}

/** The parsed expression, or the reason it could not be parsed. */
export function parseScalar(latex: string, ctx: CompareContext): ParsedExpression | string {
  const cache = ctx.parses;
  const hit = cache.get(latex);
  if (hit !== undefined) return hit;
  let result: ParsedExpression | string;
  try {
    const parsed = ctx.sandbox.parse(latexToMathjs(latex));
    result = parsed ?? "mathjs could not parse it";
    if (typeof result !== "string" && result.variables.length > MAX_VARIABLES) result = "too many variables";
  } catch (e) {
    if (!(e instanceof LatexError)) throw e;
    result = e.message;
  }
  cache.set(latex, result);
  return result;
}

// A numeral with its base as a subscript: "204_5", "4210_{5}", "3A_{16}" (a leading digit, so "x_1" is a variable).
const BASE_NUMERAL = /^([0-9][0-9A-Z]*)_\{?(\d{1,2})\}?$/;

/**
 * Numerals in a stated base compare by digits: "52_8" equals "52_{8}" and the bare "52" (the base the question
 * asked for, left implicit), not "42" (its decimal value) and not "52_9".
 */
function compareBaseNumbers(g: string, p: string): MathVerdict | undefined {
  const gm = BASE_NUMERAL.exec(g);
  const pm = BASE_NUMERAL.exec(p);
  if (!gm && !pm) return undefined;
  const digits = (m: RegExpExecArray | null, s: string): string => (m ? (m[1] ?? "") : s).toUpperCase();
  const sameBase = !gm || !pm || Number(gm[2]) === Number(pm[2]);
  return sameBase && digits(gm, g) === digits(pm, p)
    ? { equal: true, rule: "string-equal", detail: "same numeral in base" }
    : { equal: false, rule: "not-equal" };
}

/**
 * Letters and spaces only, with a word of four or more letters: a text answer ("Evelyn", "no solution"), compared
 * case-insensitively. Shorter runs such as "xy" are products of variables.
 */
const WORDS = /^(?=.*[a-zA-Z]{4})[a-zA-Z ]+$/;

export function compareScalars(g: string, p: string, ctx: CompareContext): MathVerdict {
  if (g === p) return { equal: true, rule: "string-equal" };
  if (g === "" || p === "") return { equal: false, rule: "unparseable", detail: "empty answer" };
  if (WORDS.test(g) && WORDS.test(p)) {
    return g.toLowerCase() === p.toLowerCase()
      ? { equal: true, rule: "string-equal", detail: "ignoring case" }
      : { equal: false, rule: "not-equal" };
  }
  const base = compareBaseNumbers(g, p);
  if (base) return base;
  const gv = parseRational(g);
  const pv = parseRational(p);
  if (gv && pv) return compareLiterals(g, gv, p, pv);

  const ge = parseScalar(g, ctx);
  const pe = parseScalar(p, ctx);
  if (typeof ge === "string" || typeof pe === "string") {
    // What mathjs cannot read may still be the same expression with its factors or terms in another order.
    const form = commutedForm(g);
    if (form !== undefined && form === commutedForm(p)) return { equal: true, rule: "commuted" };
    return typeof ge === "string"
      ? { equal: false, rule: "unparseable", detail: `gold: ${ge}` }
      : { equal: false, rule: "unparseable", detail: `prediction: ${String(pe)}` };
  }

  const variables = [...new Set([...ge.variables, ...pe.variables])].sort();
  if (variables.length > MAX_VARIABLES) return { equal: false, rule: "unparseable", detail: "too many variables" };
  if (variables.length === 0) {
    const a = evaluateAt(ge, {});
    const b = evaluateAt(pe, {});
    if (!a) return { equal: false, rule: "unparseable", detail: "gold has no numeric value" };
    if (!b) return { equal: false, rule: "unparseable", detail: "prediction has no numeric value" };
    return constantsEqual(a, b) ? { equal: true, rule: "numeric-equal" } : { equal: false, rule: "not-equal" };
  }

  // Points first: they refute most wrong answers quickly, and simplify cannot prove what they refute.
  const sample = sampleAgreement([ge, pe], variables, ([a, b]) => (a && b && valuesClose(a, b) ? "agree" : "disagree"));
  if (sample.verdict === "disagree") {
    return { equal: false, rule: "not-equal", detail: `differs at ${describePoint(sample.point)}` };
  }
  if (ctx.simplifyCalls < MAX_SIMPLIFY_CALLS) {
    ctx.simplifyCalls++;
    if (ctx.sandbox.simplifiesToZero(ge, pe)) return { equal: true, rule: "symbolic-equal" };
  }
  if (sample.verdict === "agree") {
    return { equal: true, rule: "random-points", detail: `agrees at ${sample.valid} points` };
  }
  return { equal: false, rule: "unparseable", detail: "too few points where both sides are defined" };
}
