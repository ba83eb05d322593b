/**
 * Python's Decimal(token) as a comparable key, for LiveCodeBench's numeric comparison of output tokens:
 * two tokens are numerically equal (Decimal ==) exactly when their keys are equal strings. NaNs get the key
 * "NaN" (never equal to anything); a token Decimal() rejects gets undefined.
 */

// Decimal's grammar: sign, digits with an optional point, optional exponent; or Inf/Infinity; or (s)NaN[digits].
const FINITE = /^([+-]?)(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/iu;
const INFINITE = /^([+-]?)inf(?:inity)?$/iu;
const NOT_A_NUMBER = /^[+-]?s?nan\d*$/iu;

export function decimalKey(token: string): string | undefined {
  // Decimal() ignores underscores (PEP 515 grouping) and surrounding whitespace.
  const text = token.trim().replaceAll("_", "");
  if (NOT_A_NUMBER.test(text)) return "NaN";
  const infinite = INFINITE.exec(text);
  if (infinite !== null) return `${infinite[1] === "-" ? "-" : "+"}Infinity`;
  const finite = FINITE.exec(text);
  if (finite === null) return undefined;
  const [, sign = "", whole = "", fraction = "", exponent = "0"] = finite;
  if (whole === "" && fraction === "") return undefined;
  let digits = (whole + fraction).replace(/^0+/u, "");
  if (digits === "") return "0"; // -0 == 0 and 0E5 == 0
  let scale = BigInt(exponent) - BigInt(fraction.length);
  const trailing = /0+$/u.exec(digits)?.[0].length ?? 0;
  digits = digits.slice(0, digits.length - trailing);
  scale += BigInt(trailing);
  return `${sign === "-" ? "-" : "+"}${digits}e${scale}`;
}
