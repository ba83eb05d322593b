/**
 * The numbers `quanteval bench`'s and `diverge`'s flags take: a value, or a problem naming the flag, the value and
 * an example.
 */

/** A whole number in [min, max], or undefined with a problem naming the flag, the value and an example. */
export function parseCount(
  flag: string,
  text: string,
  min: number,
  max: number,
  example: string,
  problems: string[],
): number | undefined {
  const value = Number(text);
  if (text.trim() === "" || !Number.isInteger(value) || value < min || value > max) {
    problems.push(
      `flags: ${flag}: must be a whole number from ${min} to ${max} (got ${JSON.stringify(text)}); ${example}`,
    );
    return undefined;
  }
  return value;
}

/** A number above 0 and at most `max`, or "inf" (Infinity); undefined with a problem otherwise. */
export function parsePositiveOrInf(
  flag: string,
  text: string,
  max: number,
  example: string,
  problems: string[],
): number | undefined {
  const trimmed = text.trim();
  if (trimmed === "inf") return Number.POSITIVE_INFINITY;
  const value = Number(trimmed);
  if (trimmed === "" || !(value > 0) || value > max) {
    problems.push(
      `flags: ${flag}: must be a number above 0, at most ${max}, or inf (got ${JSON.stringify(text)}); ${example}`,
    );
    return undefined;
  }
  return value;
}
