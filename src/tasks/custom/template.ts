/**
 * `{field}` templates of custom tasks. `{{` and `}}` are literal braces, so a prompt can show LaTeX (`\\frac{{1}}{{2}}`).
 * One pass with a replacer: a value holding "{x}" or "$&" stays literal text.
 */
const SLOT = /\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_ -]*)\}/g;

/** The field names a template refers to, in order of first use. */
export function templateFields(template: string): string[] {
  const names: string[] = [];
  for (const match of template.matchAll(SLOT)) {
    const name = match[1];
    if (name !== undefined && !names.includes(name)) names.push(name);
  }
  return names;
}

/** The template with each `{name}` replaced by `values[name]`; every name must have a value (checked at load). */
export function fillTemplate(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(SLOT, (slot: string, name: string | undefined) => {
    if (slot === "{{") return "{";
    if (slot === "}}") return "}";
    return name === undefined ? slot : (values[name] ?? slot);
  });
}

/** A field's value as prompt text: strings as they are, numbers and booleans written out, anything else as JSON. */
export function fieldText(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  return JSON.stringify(value);
}
