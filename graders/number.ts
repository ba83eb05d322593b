/**
 * Exact numbers for graders: integers, fractions and decimals parsed to rationals with BigInt, so 0.5 equals
 * 1/2 exactly and 0.33 never equals 1/3 (floats would blur both). Parsing is anchored: the whole string must be
 * one number, so "25" never matches a gold of "5" by suffix (inspect's scorer/_common.py makes the same point).
 */

/** A rational in lowest terms with a positive denominator. */
export interface Rational {
  num: bigint;
  den: bigint;
}

/** Longer candidates are prose, not a number; the cap also bounds BigInt work. */
const MAX_NUMBER_CHARS = 200;
/** 10^1000 is still cheap; larger exponents are refused rather than computed. */
const MAX_EXPONENT = 1000;

// Grouped thousands must be well-formed ("1,000" yes, "1,00" no), so a list like "3,5" is not read as 35.
const DECIMAL = /^([+-]?)(\d{1,3}(?:,\d{3})+|\d*)(?:\.(\d+))?(?:[eE]([+-]?\d{1,4}))?$/;
const SLASH = /^([+-]?)(\d+)\/([+-]?\d+)$/;
// \frac{a}{b}, \dfrac{a}{b}, \tfrac{a}{b}; the sign may sit outside or on the numerator.
const LATEX_FRAC = /^([+-]?)\\[dt]?frac\{([+-]?\d+)\}\{(\d+)\}$/;
// \frac12 is LaTeX shorthand for \frac{1}{2}: one digit each, nothing else.
const LATEX_FRAC_SHORT = /^([+-]?)\\[dt]?frac(\d)(\d)$/;

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

/** Builds a normalised rational; `undefined` when the denominator is zero. */
export function makeRational(num: bigint, den: bigint): Rational | undefined {
  if (den === 0n) return undefined;
  const sign = den < 0n ? -1n : 1n;
  const g = gcd(num, den);
  const d = g === 0n ? 1n : g;
  return { num: (sign * num) / d, den: (sign * den) / d };
}

/** Undo LaTeX and typography that do not change a number's value. */
function tidy(text: string): string {
  return (
    text
      .replace(/[\u2212\u2012\u2013\uFE63\uFF0D]/g, "-") // Unicode minus signs and dashes
      .replace(/\{,\}/g, ",") // 1{,}000
      .replace(/\\[,!;: ]/g, "") // LaTeX thin spaces, used as thousands separators
      .trim()
      // Spaces only go where they cannot join two numbers into one: "2 3" must not read as 23.
      .replace(/\s*([/{}])\s*/g, "$1")
      .replace(/^([+-])\s+/, "$1")
      .replace(/^\((.*)\)$/, "$1")
  );
}

/**
 * Parses one number to an exact rational. Accepts, with an optional sign: integers ("042", "1,000"), decimals
 * (".5", "2.50", "1e-3"), "a/b", "\frac{a}{b}", "\dfrac{a}{b}", "\tfrac{a}{b}" and "\frac12". Anything else,
 * including a zero denominator, is `undefined`. Never throws.
 */
export function parseRational(input: string): Rational | undefined {
  if (input.length > MAX_NUMBER_CHARS) return undefined;
  const s = tidy(input);
  const frac = LATEX_FRAC.exec(s) ?? LATEX_FRAC_SHORT.exec(s) ?? SLASH.exec(s);
  if (frac) {
    const [, sign = "", num = "", den = ""] = frac;
    const r = makeRational(BigInt(num), BigInt(den));
    return r && sign === "-" ? { num: -r.num, den: r.den } : r;
  }
  const dec = DECIMAL.exec(s);
  if (!dec) return undefined;
  const [, sign = "", whole = "", fraction = "", exponent = "0"] = dec;
  if (whole === "" && fraction === "") return undefined;
  const exp = Number(exponent) - fraction.length;
  if (Math.abs(exp) > MAX_EXPONENT) return undefined;
  const digits = BigInt(`${whole.replace(/,/g, "")}${fraction}` || "0") * (sign === "-" ? -1n : 1n);
  return exp >= 0 ? makeRational(digits * 10n ** BigInt(exp), 1n) : makeRational(digits, 10n ** BigInt(-exp));
}

export function rationalEqual(a: Rational, b: Rational): boolean {
  return a.num * b.den === b.num * a.den;
}

/** |a − b| ≤ tolerance, decided exactly (no float rounding at the boundary). */
export function withinTolerance(a: Rational, b: Rational, tolerance: Rational): boolean {
  const diff = a.num * b.den - b.num * a.den;
  const absDiff = diff < 0n ? -diff : diff;
  return absDiff * tolerance.den <= tolerance.num * a.den * b.den;
}

export function isInteger(r: Rational): boolean {
  return r.den === 1n;
}

export function formatRational(r: Rational): string {
  return r.den === 1n ? `${r.num}` : `${r.num}/${r.den}`;
}

/** The number of decimal places that write `r` exactly, or `undefined` if it does not terminate. */
export function decimalPlaces(r: Rational): number | undefined {
  let den = r.den;
  let twos = 0;
  let fives = 0;
  while (den % 2n === 0n) {
    den /= 2n;
    twos++;
  }
  while (den % 5n === 0n) {
    den /= 5n;
    fives++;
  }
  return den === 1n ? Math.max(twos, fives) : undefined;
}

/** Writes a terminating rational as a decimal with at least `minPlaces` places; `undefined` if it does not terminate. */
export function formatDecimal(r: Rational, minPlaces = 0): string | undefined {
  const needed = decimalPlaces(r);
  if (needed === undefined) return undefined;
  const places = Math.max(needed, minPlaces);
  const scaled = (r.num * 10n ** BigInt(places)) / r.den;
  const negative = scaled < 0n;
  const digits = (negative ? -scaled : scaled).toString().padStart(places + 1, "0");
  const whole = digits.slice(0, digits.length - places);
  const fraction = digits.slice(digits.length - places);
  return `${negative ? "-" : ""}${whole}${places > 0 ? `.${fraction}` : ""}`;
}

// Words and wrappers a model puts around a number that do not change it. Units are dropped only as trailing
// words of letters, so "25 cm" reads as 25 but "25%" or "2 or 3" do not parse at all.
const TRAILING_UNIT = /(?:\s*\\(?:text|mathrm)\{[^{}]{0,40}\}|\s+[A-Za-z][A-Za-z/]{0,15}(?:\s+[A-Za-z]{1,15}){0,2})$/;
const LEADING_WORDS = /^(?:(?:about|approximately|approx\.?|roughly)\s+|[≈~]\s*|\\approx\s*)/i;
const CURRENCY = /^([+-]?)(?:\\\$|\$|US\$|€|£)\s*/;

/**
 * Reads the numeric value of an answer string: keeps what follows the last "=" or "≈" ("x = 18" → 18), drops a
 * leading "about"/"≈", a currency sign ("$2,817.06") and trailing unit words ("18 years", "\text{ cm}"), then
 * parses the rest with `parseRational`. `undefined` when what is left is not exactly one number.
 */
export function parseNumericAnswer(answer: string): Rational | undefined {
  if (answer.length > MAX_NUMBER_CHARS) return undefined;
  const sides = answer.split(/=|≈|\\approx/);
  let s = (sides[sides.length - 1] ?? "").trim();
  s = s.replace(LEADING_WORDS, "").replace(CURRENCY, "$1").replace(TRAILING_UNIT, "").trim();
  return parseRational(s);
}
