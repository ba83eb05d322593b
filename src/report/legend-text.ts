/**
 * The statistics legends under each table, kept as text (legends/*.md, one file per legend; legends/README.md says
 * how they read) so a statistician can review them without reading TypeScript. Read when a report is rendered.
 */
import { readFileSync } from "node:fs";

export type LegendValues = Readonly<Record<string, string | number | boolean>>;

const LEGENDS_DIR = new URL("./legends/", import.meta.url);

/**
 * The lines of `legends/<name>.md` with its `{value}`s filled in, `{?flag}` / `{!flag}` lines kept only when the flag
 * is true / false, and `{>other}` lines replaced by the lines of `legends/<other>.md`. A name without a value throws:
 * a legend must never show a placeholder to the reader.
 */
export function legendLines(name: string, values: LegendValues = {}): string[] {
  const text = readFileSync(new URL(`${name}.md`, LEGENDS_DIR), "utf8");
  return text
    .replace(/\n$/, "")
    .split("\n")
    .flatMap((line) => {
      const included = /^\{>([\w/-]+)\}$/.exec(line);
      if (included?.[1] !== undefined) return legendLines(included[1], values);
      const condition = /^\{([?!])([\w-]+)\}/.exec(line);
      let body = line;
      if (condition !== null) {
        if ((legendValue(name, values, condition[2] ?? "") === true) !== (condition[1] === "?")) return [];
        body = line.slice(condition[0].length);
      }
      return [body.replace(/\{([\w-]+)\}/g, (_, key: string) => String(legendValue(name, values, key)))];
    });
}

function legendValue(legend: string, values: LegendValues, key: string): string | number | boolean {
  const value = values[key];
  if (value === undefined) throw new Error(`legend ${legend}: no value for {${key}}`);
  return value;
}
