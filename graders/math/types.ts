/** The verdict of `mathEqual`: whether two answers agree, and which rule decided. */

/**
 * Every rule that can decide a comparison. Scalar rules name how equality was shown ("string-equal" … "random-points")
 * or that it was refuted ("not-equal") or could not be judged ("unparseable"); structure rules ("tuple", "interval",
 * "set", "matrix", "equation", "equation-rhs", "plus-minus", "inequality") name the shape compared, whether or not it
 * matched; "commuted" is equality up to the order of factors and terms, for expressions mathjs cannot read.
 */
export const MATH_RULES = [
  "string-equal",
  "numeric-equal",
  "symbolic-equal",
  "random-points",
  "tuple",
  "interval",
  "set",
  "matrix",
  "equation",
  "equation-rhs",
  "plus-minus",
  "not-equal",
  "unparseable",
  "inequality",
  "commuted",
] as const;
export type MathRule = (typeof MATH_RULES)[number];

export interface MathVerdict {
  equal: boolean;
  rule: MathRule;
  /** A short human-readable reason, e.g. which element differed or why parsing failed. */
  detail?: string;
}
