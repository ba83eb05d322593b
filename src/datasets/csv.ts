/**
 * RFC 4180 CSV with a header line, via csv-parse. Fields may hold quotes, commas and newlines (GPQA has
 * thousands of multi-line fields), so records are never lines: a line-based reader would break them.
 */
import { createReadStream } from "node:fs";
import { CsvError, type Options, parse } from "csv-parse";
import { DatasetFormatError } from "../core/errors.ts";

/**
 * Options shared by both readers: a UTF-8 BOM is dropped, blank lines are skipped (as Python's DictReader does),
 * fields are not trimmed or type-cast. Ragged records are let through the parser so that our own check can
 * name the record.
 */
const BASE_OPTIONS: Options = { bom: true, relax_quotes: false, relax_column_count: true, skip_empty_lines: true };

/** Every data record as `{ header name: field }`. A header-only file gives []. */
export async function readCsvRecords(file: string): Promise<Record<string, string>[]> {
  const records: Record<string, string>[] = [];
  let header: string[] | undefined;
  // `info: true` snapshots the line count with each record; the parser's live count runs ahead of the consumer.
  const parser = createReadStream(file).pipe(parse({ ...BASE_OPTIONS, info: true }));
  try {
    for await (const { record: fields, info } of parser as AsyncIterable<{
      record: string[];
      info: { lines: number };
    }>) {
      if (header === undefined) {
        header = checkedHeader(file, fields);
        continue;
      }
      records.push(recordFromFields(file, header, fields, records.length + 1, info.lines));
    }
  } catch (error) {
    throw asFormatError(file, error);
  }
  if (header === undefined) throw new DatasetFormatError(file, "empty file: no header line");
  return records;
}

/** The header's column names, reading no further than the first record. */
export async function readCsvHeader(file: string): Promise<string[]> {
  const stream = createReadStream(file);
  const parser = stream.pipe(parse({ ...BASE_OPTIONS, to: 1 }));
  try {
    for await (const fields of parser as AsyncIterable<string[]>) return checkedHeader(file, fields);
  } catch (error) {
    throw asFormatError(file, error);
  } finally {
    stream.destroy();
  }
  throw new DatasetFormatError(file, "empty file: no header line");
}

function checkedHeader(file: string, fields: string[]): string[] {
  const seen = new Set<string>();
  for (const name of fields) {
    // Two columns of one name would silently keep only the last one's values.
    if (seen.has(name)) throw new DatasetFormatError(`${file} header`, `column ${JSON.stringify(name)} appears twice`);
    seen.add(name);
  }
  return fields;
}

/** `record` counts data records from 1 (the header is not one); `line` is where the record ends. */
function recordFromFields(
  file: string,
  header: readonly string[],
  fields: readonly string[],
  record: number,
  line: number,
): Record<string, string> {
  if (fields.length !== header.length) {
    throw new DatasetFormatError(
      `${file} record ${record} (ending at line ${line})`,
      `has ${fields.length} fields, the header has ${header.length}`,
    );
  }
  const out: Record<string, string> = {};
  header.forEach((name, index) => {
    out[name] = fields[index] ?? "";
  });
  return out;
}

function asFormatError(file: string, error: unknown): unknown {
  if (error instanceof DatasetFormatError) return error;
  if (error instanceof CsvError) {
    const where = typeof error.lines === "number" ? `${file} line ${error.lines}` : file;
    return new DatasetFormatError(where, `CSV does not parse: ${error.message}`, { cause: error });
  }
  return error; // I/O errors (missing file, permissions) are not format errors
}
