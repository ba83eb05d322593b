/**
 * Seeded random-point testing: expressions with free variables are evaluated at the same deterministic points,
 * so every run of the grader gives the same verdict.
 */
import { seededRandom } from "../../src/core/seeded-random.ts";
import { ABSOLUTE_TOLERANCE, MAX_POINT_ATTEMPTS, MIN_VALID_POINTS, RANDOM_POINTS } from "./limits.ts";
import { evaluateAt, type ParsedExpression, type Value } from "./sandbox.ts";

/** Seeds the one generator (core/seeded-random.ts), so every run and every grader process samples the same points. */
const SEED = 0x5eed_2024;

/** A real value that is finite, or a complex one with both parts finite. */
function usable(v: Value | undefined): v is Value {
  return v !== undefined && Number.isFinite(v.re) && Number.isFinite(v.im);
}

function isReal(v: Value): boolean {
  return Math.abs(v.im) <= ABSOLUTE_TOLERANCE * Math.max(1, Math.abs(v.re));
}

export type PointTest = (values: Value[]) => "agree" | "disagree" | "skip";

/**
 * Evaluates `exprs` at seeded random points (each variable in ±[0.2, 3], away from 0 where many functions break)
 * and applies `test`. "disagree" at any point decides; points where a side is undefined, or real on one side and
 * complex on the other (x^(2/3) vs nthRoot(x,3)^2 at negative x), are skipped.
 */
export function sampleAgreement(
  exprs: ParsedExpression[],
  variables: string[],
  test: PointTest,
): { verdict: "agree" | "disagree" | "too-few"; valid: number; point?: Record<string, number> } {
  const random = seededRandom(SEED);
  let valid = 0;
  for (let attempt = 0; attempt < MAX_POINT_ATTEMPTS && valid < RANDOM_POINTS; attempt++) {
    const scope: Record<string, number> = {};
    for (const v of variables) scope[v] = (random() < 0.5 ? -1 : 1) * (0.2 + 2.8 * random());
    const values = exprs.map((e) => evaluateAt(e, scope));
    if (!values.every(usable)) continue;
    if (values.some(isReal) && !values.every(isReal)) continue;
    const result = test(values);
    if (result === "disagree") return { verdict: "disagree", valid, point: scope };
    if (result === "agree") valid++;
  }
  return { verdict: valid >= MIN_VALID_POINTS ? "agree" : "too-few", valid };
}

export function describePoint(point: Record<string, number> | undefined): string {
  if (!point) return "";
  return Object.entries(point)
    .map(([k, v]) => `${k.slice(1)}=${v.toFixed(3)}`)
    .join(", ");
}
