/** Brace matching in LaTeX, for answer extraction (boxes) and math normalisation alike. */

/**
 * Index of the `}` closing the `{` at `open`, or `undefined` when it does not close within `limit` characters of
 * it. A backslash escapes the character after it, so `\{` and `\}` are not braces and `\\` (a row break) escapes
 * nothing that follows.
 */
export function matchingBrace(s: string, open: number, limit = Number.POSITIVE_INFINITY): number | undefined {
  let depth = 0;
  const end = Math.min(s.length, open + limit);
  for (let i = open; i < end; i++) {
    const c = s[i];
    if (c === "\\") {
      i++;
      continue;
    }
    if (c === "{") depth++;
    else if (c === "}" && --depth === 0) return i;
  }
  return undefined;
}
