/**
 * How the text a reply writes for an option compares with the item's option texts: markup removed, case and
 * spacing ignored. Shared by the answer-line, "answer is" and final-line choice rules (graders/extract.ts).
 */

/** Removes emphasis, math delimiters and `\boxed{`, `\text{`, … wrappers: only the first token matters here. */
export function stripMarkup(s: string): string {
  return s
    .replace(/\\(?:boxed|fbox|text|textbf|textit|textrm|textsf|texttt|mathrm|mathbf|mathit|mathsf|mathtt|mbox)\s*\{/g, "")
    .replace(/[*_${}]/g, "")
    .trim();
}

/** An option's text as compared: markup stripped, one final period dropped, spaces collapsed, lower case. */
export function normaliseOption(s: string): string {
  return stripMarkup(s).replace(/\.$/, "").replace(/\s+/g, " ").trim().toLowerCase();
}

/** `short` begins `long` and ends at a word boundary there ("4 kg" begins "4 kg/m", not "40 kg"). */
function beginsAtBoundary(long: string, short: string): boolean {
  return short !== "" && long.startsWith(short) && !/[\p{L}\p{N}]/u.test(long.charAt(short.length));
}

export type TextMatch = "equal" | "prefix" | "other" | "none";

/**
 * How option text written after `letter` compares with the item's options: "equal" to the letter's own text,
 * its "prefix" either way ("(A) 750 nm, since…" against "750 nm"), the text of an "other" option only (a
 * mismatch), or "none" (a paraphrase, or no options known).
 */
export function matchOptionText(
  text: string, letter: string, letters: string, options: readonly string[] | undefined,
): TextMatch {
  const wanted = normaliseOption(text);
  if (wanted === "" || options === undefined) return "none";
  const matches = (option: string): boolean => {
    const o = normaliseOption(option);
    return o === wanted || beginsAtBoundary(wanted, o) || beginsAtBoundary(o, wanted);
  };
  const own = options[letters.indexOf(letter)];
  if (own !== undefined && normaliseOption(own) === wanted) return "equal";
  if (own !== undefined && matches(own)) return "prefix";
  return options.some((o, i) => letters[i] !== letter && matches(o)) ? "other" : "none";
}
