/** One dataset row checked against its schema; a row that does not fit names where it is and what is wrong. */
import type { z } from "zod";
import { DatasetFormatError } from "../core/errors.ts";

export function parseRow<S extends z.ZodType>(schema: S, raw: unknown, where: string): z.infer<S> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success)
    throw new DatasetFormatError(where, parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
  return parsed.data;
}
