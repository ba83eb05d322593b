/**
 * When two numbers count as equal: exact rationals for number literals, a relative tolerance of 1e-6 (absolute
 * 1e-9 near zero) for computed values, and exact equality for integers.
 */
import { type Rational, rationalEqual } from "../number.ts";
import { ABSOLUTE_TOLERANCE, RELATIVE_TOLERANCE } from "./limits.ts";
import type { Value } from "./sandbox.ts";
import type { MathVerdict } from "./types.ts";

/** Numbers agree within the relative tolerance, or the absolute one near zero; infinities only with themselves. */
export function numbersClose(a: number, b: number): boolean {
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  const diff = Math.abs(a - b);
  return diff <= ABSOLUTE_TOLERANCE || diff <= RELATIVE_TOLERANCE * Math.max(Math.abs(a), Math.abs(b));
}

export function valuesClose(a: Value, b: Value): boolean {
  return numbersClose(a.re, b.re) && numbersClose(a.im, b.im);
}

/**
 * Constant values agree within tolerance, except that two exactly representable integers must be equal:
 * "10^6+1" is not 1000000, though it is within 1e-6 of it.
 */
export function constantsEqual(a: Value, b: Value): boolean {
  const exactInteger = (v: Value): boolean => v.im === 0 && Number.isSafeInteger(v.re);
  if (exactInteger(a) && exactInteger(b)) return a.re === b.re;
  return valuesClose(a, b);
}

// Integers and terminating decimals as written: "12", "-0.25". Two of these are equal only when exactly equal.
const DECIMAL_LITERAL = /^[+-]?(?:\d+|\d*\.\d+)$/;

function abs(r: Rational): Rational {
  return r.num < 0n ? { num: -r.num, den: r.den } : r;
}

/** |a − b| ≤ 1e-6·max(|a|,|b|) or ≤ 1e-9, decided exactly in BigInt arithmetic. */
function rationalsClose(a: Rational, b: Rational): boolean {
  const diff = abs({ num: a.num * b.den - b.num * a.den, den: a.den * b.den });
  const big = abs(a).num * b.den >= abs(b).num * a.den ? abs(a) : abs(b);
  // diff ≤ 10^-9  ⇔  diff.num · 10^9 ≤ diff.den
  if (diff.num * 1_000_000_000n <= diff.den) return true;
  // diff ≤ 10^-6 · big  ⇔  diff.num · big.den · 10^6 ≤ big.num · diff.den
  return diff.num * big.den * 1_000_000n <= big.num * diff.den;
}

/**
 * Both answers are number literals. Exact equality always counts. The tolerance only bridges a fraction and a
 * decimal approximation of it ("1/12" vs "0.0833333333"); two integers or two decimals must match exactly, so
 * AIME's 12000023 never equals 12000024 and $16386.17 never equals $16386.16.
 */
export function compareLiterals(g: string, gv: Rational, p: string, pv: Rational): MathVerdict {
  if (rationalEqual(gv, pv)) return { equal: true, rule: "numeric-equal" };
  if (DECIMAL_LITERAL.test(g) && DECIMAL_LITERAL.test(p)) return { equal: false, rule: "not-equal" };
  return rationalsClose(gv, pv)
    ? { equal: true, rule: "numeric-equal", detail: "within tolerance" }
    : { equal: false, rule: "not-equal" };
}
