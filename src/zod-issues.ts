/**
 * Formats zod issues as `source: path: problem (got …)`, the one shape every config-like error takes
 * (run config, simulator profiles and options), so a user can find the field and the value at fault.
 */
import type { z } from "zod";

export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path)
    out += typeof part === "number" ? `[${part}]` : out === "" ? String(part) : `.${String(part)}`;
  return out;
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let current = raw;
  for (const part of path) {
    if (typeof current !== "object" || current === null) return undefined;
    current = Reflect.get(current, part);
  }
  return current;
}

export interface IssueFormatOptions {
  /** Proposes a known field name for an unknown one (a typo, or snake_case for camelCase). */
  suggest?: (key: string) => string | undefined;
  /** Fields whose value is not echoed (a key pasted where a variable name belongs must not reach a log). */
  secretFields?: readonly string[];
}

export function formatIssue(
  issue: z.core.$ZodIssue,
  raw: unknown,
  source: string,
  options: IssueFormatOptions = {},
): string {
  const { suggest, secretFields = [] } = options;
  const at = formatPath(issue.path) || "(top level)";
  if (issue.code === "unrecognized_keys") {
    const parts = issue.keys.map((key) => {
      const suggestion = suggest?.(key);
      return suggestion === undefined
        ? `unknown field "${key}"`
        : `unknown field "${key}" (did you mean "${suggestion}"?)`;
    });
    return `${source}: ${at}: ${parts.join("; ")}`;
  }
  const field = issue.path[issue.path.length - 1];
  if (typeof field === "string" && secretFields.includes(field))
    return `${source}: ${at}: ${issue.message} (value not shown)`;
  // A URL's user:key@ part is masked wherever a value is echoed.
  // Also without a scheme ("user:key@host:8000/v1"): whatever precedes an "@" in a host part is masked.
  const got = (JSON.stringify(valueAt(raw, issue.path)) ?? "nothing")
    .replace(/\/\/[^/@\s"]*@/g, "//***@")
    .replace(/(^"|[\s,])[^\s"/,@]*:[^\s"@,/]*@/g, "$1***@");
  return `${source}: ${at}: ${issue.message} (got ${got.length > 80 ? `${got.slice(0, 77)}...` : got})`;
}
