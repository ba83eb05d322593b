/** A custom task's choice golds: the row's options, and the gold as the letter of one of them. */
import { choiceLetters } from "../../../graders/index.ts";
import { GOLD_KINDS } from "../../custom-task-config.ts";
import { rowError, type SourcedRow } from "./rows.ts";
import { fieldText } from "./template.ts";

type GoldKind = (typeof GOLD_KINDS)[number];

const KIND: Record<GoldKind, string> = { letter: "a letter", index: "an index", text: "an option's text" };

/**
 * The letter a choice gold names, read as `goldIs` says or, unset, as each kind that fits. Two kinds naming
 * different options (options 1–4 and gold "2": index C, text B) is refused rather than guessed.
 */
export function choiceGold(
  value: unknown,
  text: string,
  options: readonly string[],
  goldIs: GoldKind | undefined,
  bad: (why: string) => never,
): string {
  const letters = choiceLetters(options.length);
  const index = typeof value === "number" ? value : /^\d+$/.test(text) ? Number(text) : undefined;
  const readings: Record<GoldKind, string | undefined> = {
    letter: /^[A-Z]$/.test(text) && letters.includes(text) ? text : undefined,
    index: index !== undefined && Number.isInteger(index) ? letters[index] : undefined,
    text: options.includes(text) ? letters[options.indexOf(text)] : undefined,
  };
  const ranges: Record<GoldKind, string> = {
    letter: `${KIND.letter} ${letters[0]}–${letters.at(-1)}`,
    index: `${KIND.index} 0–${letters.length - 1}`,
    text: KIND.text,
  };
  if (goldIs !== undefined) return readings[goldIs] ?? bad(`is not ${ranges[goldIs]}`);
  const [first, second] = GOLD_KINDS.filter((kind) => readings[kind] !== undefined);
  if (first === undefined) return bad(`is not ${ranges.letter}, ${ranges.index}, or ${ranges.text}`);
  const letter = readings[first] as string;
  if (second !== undefined && readings[second] !== letter)
    bad(
      `is both ${KIND[first]} (${letter}) and ${KIND[second]} (${readings[second]}): ` +
        "say which with answer.goldIs (letter, index or text)",
    );
  return letter;
}

export function optionsOf(spec: string | readonly string[], row: SourcedRow): string[] {
  if (typeof spec === "string") {
    const list = row.fields[spec];
    if (list === undefined || list === null) throw rowError(row, `field "${spec}" (the options) is missing`);
    if (!Array.isArray(list) || list.length < 2 || list.length > 26)
      throw rowError(row, `field "${spec}" (the options): must be a list of 2–26 options`);
    return list.map(fieldText);
  }
  // A–J columns: a blank column ends the list, so one file can mix four- and five-option questions.
  const options: string[] = [];
  for (const column of spec) {
    const value = row.fields[column];
    if (value === undefined) throw rowError(row, `field "${column}" (an option) is missing`);
    if (value === null || fieldText(value).trim() === "") break;
    options.push(fieldText(value));
  }
  if (options.length < 2) throw rowError(row, `fewer than 2 options in ${spec.join(", ")}`);
  return options;
}
