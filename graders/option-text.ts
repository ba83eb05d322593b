/**
 * How the text a reply writes for an option compares with the item's option texts: markup removed, case and
 * spacing ignored. Shared by the answer-line, "answer is" and final-line choice rules (graders/extract.ts).
 */

// The LaTeX wrappers whose argument is the answer itself.
const WRAPPER = /\\(?:boxed|fbox|mbox|text(?:bf|it|rm|sf|tt)?|math(?:rm|bf|it|sf|tt))\s*\{/g;

/** Removes emphasis, math delimiters and `\boxed{`, `\text{`, … wrappers: only the first token matters here. */
export function stripMarkup(s: string): string {
  return s
    .replace(WRAPPER, "")
    .replace(/[*_${}]/g, "")
    .trim();
}

/** An option's text as compared: markup stripped, one final period dropped, spaces collapsed, lower case. */
export function normaliseOption(s: string): string {
  return stripMarkup(s).replace(/\.$/, "").replace(/\s+/g, " ").trim().toLowerCase();
}

// What may follow an option's text when a sentence goes on: "(A) 750 nm, since…", "(A) 750 nm (rounded)".
const CLAUSE_GOES_ON = /^(?:[,;:)\]]|\.(?:\s|$)|\s+\()/;

/** `text` is `option` and the rest of its clause: "750 nm, since…" is "750 nm"; "32 - 2.24 = …" is not "32". */
function opensWith(text: string, option: string): boolean {
  return (
    option !== "" &&
    text.startsWith(option) &&
    (text.length === option.length || CLAUSE_GOES_ON.test(text.slice(option.length)))
  );
}

/** `long` begins with `short` and a word ends there ("4 kg" begins "4 kg/m", not "40 kg"). */
function beginsWithWords(long: string, short: string): boolean {
  return short !== "" && long.startsWith(short) && !/[\p{L}\p{N}]/u.test(long.charAt(short.length));
}

export type TextMatch = "equal" | "prefix" | "other" | "none";

/**
 * How option text written after `letter` compares with the item's options: "equal" to the letter's own text,
 * a "prefix" (the own text opens the clause, or the text shortens the own text at a word boundary), the text of
 * an "other" option only (a mismatch), or "none" (a paraphrase, prose, or no options known).
 */
export function matchOptionText(
  text: string,
  letter: string,
  letters: string,
  options: readonly string[] | undefined,
): TextMatch {
  const wanted = normaliseOption(text);
  if (wanted === "" || options === undefined) return "none";
  const own = options[letters.indexOf(letter)];
  const ownText = own === undefined ? "" : normaliseOption(own);
  if (ownText === wanted) return "equal";
  // Another option written out whole is that option, even when it also shortens this one ("I and II" for
  // "I and II and III").
  const others = options.filter((_, i) => letters[i] !== letter).map(normaliseOption);
  if (others.includes(wanted)) return "other";
  if (opensWith(wanted, ownText) || beginsWithWords(ownText, wanted)) return "prefix";
  return others.some((o) => opensWith(wanted, o)) ? "other" : "none";
}

/**
 * Whether `text` begins with `letter`'s own option text: "whole" when only the rest of its clause follows
 * ("20 rolls.", "Aortic dissection, given…"), "start" when the sentence goes on ("Cesium chloride with …").
 */
export function citesOwnOption(
  text: string,
  letter: string,
  letters: string,
  options: readonly string[],
): "whole" | "start" | undefined {
  const own = options[letters.indexOf(letter)];
  if (own === undefined) return undefined;
  const wanted = normaliseOption(text);
  const ownText = normaliseOption(own);
  if (opensWith(wanted, ownText)) return "whole";
  return beginsWithWords(wanted, ownText) ? "start" : undefined;
}
