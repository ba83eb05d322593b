/** The row fields a custom task's definition names: checked once against the file, then read per row. */
import { ConfigError } from "../../core/errors.ts";
import type { CustomTaskDefinition } from "../../custom-task-config.ts";
import { rowError, type SourcedRow } from "./rows.ts";
import { fieldText, templateFields } from "./template.ts";

/** Each field the definition names, with the part of the definition that names it. */
function namedFields(def: CustomTaskDefinition): { what: string; field: string }[] {
  const named: { what: string; field: string }[] = [];
  const slots = (what: string, template: string | undefined, own: string | undefined) => {
    for (const field of templateFields(template ?? ""))
      if (field !== own) named.push({ what: `${what} names {${field}}`, field });
  };
  const choice = def.answer.type === "choice";
  // {options} and {letters} are ours for choice answers; for other types they are fields like any other.
  slots("prompt", def.prompt, choice ? "options" : undefined);
  slots("instruction", def.instruction, choice ? "letters" : undefined);
  slots("system", def.system, undefined);
  if (def.answer.type === "code" && def.answer.functionName !== undefined)
    slots("answer.functionName", def.answer.functionName, undefined);
  if (def.gold !== undefined) named.push({ what: "gold", field: def.gold });
  if (def.id !== undefined) named.push({ what: "id", field: def.id });
  for (const field of def.breakdowns) named.push({ what: "breakdowns", field });
  if (def.answer.type === "code") named.push({ what: "answer.tests", field: def.answer.tests });
  if (def.answer.type === "choice") {
    const { options } = def.answer;
    for (const field of typeof options === "string" ? [options] : options)
      named.push({ what: "answer.options", field });
  }
  return named;
}

/**
 * Fields the definition names that the first row lacks: the definition does not fit the file, said once for all of
 * them (a later row that lacks one is a data error, named by requiredText).
 */
export function checkFieldsExist(def: CustomTaskDefinition, first: SourcedRow, file: string): void {
  const fields = Object.keys(first.fields);
  const problems = namedFields(def)
    .filter(({ field }) => !fields.includes(field))
    .map(
      ({ what, field }) =>
        `customTasks.${def.name}: ${what}: ${file} has no field "${field}" (its fields: ${fields.join(", ")})`,
    );
  if (problems.length > 0) throw new ConfigError(problems, "name fields the data file has, or fix the file's header");
}

/** A field's value as text; missing or null is a CustomDataError naming the row, the field and its role. */
export function requiredText(row: SourcedRow, field: string, role: string): string {
  const value = row.fields[field];
  if (value === undefined || value === null) throw rowError(row, `field "${field}" (${role}) is missing`);
  return fieldText(value);
}
