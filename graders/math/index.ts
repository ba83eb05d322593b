/**
 * Math answer equivalence for MATH-500, AIME and similar benchmarks. `engine.equal(gold, pred)` is pure, never
 * evaluates anything outside a restricted mathjs instance, and reports which rule decided.
 */
import type { MathEngine } from "../../src/core/types.ts";
import { compareAnswers } from "./compare.ts";
import { newCompareContext } from "./compare-scalar.ts";
import { MAX_NORMALIZED_CHARS, MAX_RAW_CHARS } from "./limits.ts";
import { normalizeLatex, stripAssignment } from "./normalize.ts";
import { MathSandbox } from "./sandbox.ts";
import { statedUnit } from "./stated-unit.ts";
import { parseAnswer, StructureError } from "./structure.ts";
import type { MathVerdict } from "./types.ts";

export { parseAimeInteger } from "./aime.ts";
export { extractMathAnswer, MATH_EXTRACT_RULES, type MathExtractRule } from "./extract-answer.ts";
export { normalizeMathAnswer } from "./normalize.ts";
export { MATH_RULES, type MathRule, type MathVerdict } from "./types.ts";

/** GradeContext's math engine, with graders/math's own rule names. */
export interface MathJsEngine extends MathEngine {
  equal(gold: string, pred: string): MathVerdict;
}

/**
 * A math engine with its own mathjs instance, built on the first comparison that needs one (see sandbox.ts).
 * Whoever grades creates one and keeps it for the run; nothing is cached between engines.
 */
export function createMathEngine(): MathJsEngine {
  const sandbox = new MathSandbox();
  return { equal: (gold, pred) => mathEqual(gold, pred, sandbox) };
}

/**
 * Whether `pred` states the same mathematical answer as `gold`. Rules, in order:
 * 1. "string-equal": the normalised strings match (see normalizeMathAnswer).
 * 2. "equation-rhs": they match once a leading "x =" is dropped, or the right-hand side of "x = …" matches.
 * 3. Structure, when either answer has one: "tuple" (in order), "set" (lists and sets as multisets), "interval"
 *    (unions, open/closed ends exact), "matrix" (cell by cell), "equation" (up to a constant factor), "plus-minus"
 *    (\pm expanded to both values).
 * 4. Scalars: "numeric-equal" (exact rationals for literals, else relative 1e-6 / absolute 1e-9), "symbolic-equal"
 *    (mathjs simplify(a − b) = 0), "random-points" (agreement at seeded points).
 * Otherwise "not-equal", or "unparseable" when an answer is empty, too long or cannot be read.
 */
function mathEqual(gold: string, pred: string, sandbox: MathSandbox): MathVerdict {
  if (gold.length > MAX_RAW_CHARS || pred.length > MAX_RAW_CHARS) {
    return { equal: false, rule: "unparseable", detail: "answer too long" };
  }
  const g = normalizeLatex(gold);
  const p = normalizeLatex(pred);
  if (g === "" || p === "") return { equal: false, rule: "unparseable", detail: "empty answer" };
  // Normalisation drops units; when both answers state one, they must state the same ("5 km" is not "5 m").
  const [goldUnit, predUnit] = [statedUnit(gold), statedUnit(pred)];
  if (goldUnit !== undefined && predUnit !== undefined && goldUnit !== predUnit) {
    return { equal: false, rule: "not-equal", detail: `units differ: ${goldUnit} against ${predUnit}` };
  }
  if (g.length > MAX_NORMALIZED_CHARS || p.length > MAX_NORMALIZED_CHARS) {
    return { equal: false, rule: "unparseable", detail: "answer too long" };
  }
  if (g === p) return { equal: true, rule: "string-equal" };
  if (stripAssignment(g) === stripAssignment(p)) return { equal: true, rule: "equation-rhs", detail: "string-equal" };
  try {
    return compareAnswers(parseAnswer(g), parseAnswer(p), newCompareContext(sandbox));
  } catch (e) {
    if (e instanceof StructureError) return { equal: false, rule: "unparseable", detail: e.message };
    throw e;
  }
}
