/**
 * A custom task's data file as rows, each with where it is (`file:line` for JSON Lines, `file row N` for CSV and
 * parquet, N counted from 1 without the header), so every later complaint can name the row. Reads through
 * src/datasets' readers; the format comes from the extension unless the definition names it.
 */
import { extname } from "node:path";
import { DatasetFormatError, DatasetUnavailableError } from "../../core/errors.ts";
import { EXIT } from "../../core/exit-codes.ts";
import { DATA_FORMATS, type DataFile } from "../../custom-task-config.ts";
import { type DatasetFiles, readCsvRecords, readParquetRows, scanJsonl } from "../../datasets/index.ts";

export interface SourcedRow {
  fields: Record<string, unknown>;
  /** `file:line` (JSON Lines) or `file row N`. */
  where: string;
  /** The file as errors name it. */
  file: string;
}

type DataFormat = (typeof DATA_FORMATS)[number];

/**
 * The rows of a data file; with `hub`, `file` is the path in that dataset repo, fetched (or found in the cache or
 * data dir) at its revision through `data`, and rows are named `owner/name@revision:file row N`.
 */
export async function readDataRows(source: DataFile, data: DatasetFiles, task: string): Promise<SourcedRow[]> {
  if (source.hub === undefined || source.revision === undefined) return readRows(source.file, source.format);
  const local = await data.path(source.hub, source.file, task, { revision: source.revision });
  return readRows(local, source.format ?? formatOf(source.file), sourceName(source));
}

/** How errors name a data source: its path, or `owner/name@revision:path` for a hub file. */
export function sourceName(source: DataFile): string {
  return source.hub === undefined ? source.file : `${source.hub}@${source.revision ?? "?"}:${source.file}`;
}

/** The rows of a local file; `shownAs` names it in errors instead of its path (a hub file's cache blob). */
export async function readRows(path: string, format?: DataFormat, shownAs = path): Promise<SourcedRow[]> {
  const kind = format ?? formatOf(path);
  const file = shownAs;
  try {
    if (kind === "jsonl") {
      const rows: SourcedRow[] = [];
      await scanJsonl(path, (row, at) => {
        const where = `${file}:${at.line}`;
        if (typeof row !== "object" || row === null || Array.isArray(row))
          throw new CustomDataError(file, where, "not a JSON object");
        rows.push({ fields: { ...row }, where, file });
      });
      return rows;
    }
    const records = kind === "csv" ? await readCsvRecords(path) : await readParquetRows(path);
    return records.map((fields, i) => ({ fields, where: `${file} row ${i + 1}`, file }));
  } catch (error) {
    if (isMissingFile(error)) throw new CustomDataMissingError(file);
    // The readers' bad JSON, ragged CSV or unclosed quote, named as the user knows the file (not a cache path).
    if (error instanceof DatasetFormatError && !(error instanceof CustomDataError)) {
      const where = error.where.startsWith(path) ? file + error.where.slice(path.length) : error.where;
      throw new CustomDataError(file, where, error.detail, { cause: error });
    }
    throw error;
  }
}

function formatOf(file: string): DataFormat {
  const ext = extname(file).toLowerCase().slice(1);
  if (ext === "jsonl" || ext === "ndjson") return "jsonl";
  if (ext === "csv" || ext === "parquet") return ext;
  throw new DatasetFormatError(
    file,
    `cannot tell the format from the extension ".${ext}": name it with data.format (${DATA_FORMATS.join(", ")})`,
  );
}

function isMissingFile(error: unknown): boolean {
  return error instanceof Error && "code" in error && error.code === "ENOENT";
}

/**
 * A row of the user's own data file that cannot be used (a missing field, a bad gold, bad JSON, a ragged CSV row):
 * bad input (exit 2), mended by correcting that row of that file, not by downloading it again.
 */
export class CustomDataError extends DatasetFormatError {
  override readonly exitCode = EXIT.badInput;
  constructor(file: string, where: string, detail: string, options?: ErrorOptions) {
    // `file:3` says "line 3"; `file row 2` or `file record 2 (ending at line 3)` keep their words.
    const place = where.startsWith(file)
      ? where
          .slice(file.length)
          .replace(/^:(\d+)/, "line $1")
          .trim()
      : "";
    const what = place === "" ? file : `${place} of ${file}`;
    super(where, detail, options, `correct ${what}, your task's data file, then run again`);
  }
}

/** The error for a row: names the row, and the fix names the row and its file. */
export function rowError(row: SourcedRow, detail: string): CustomDataError {
  return new CustomDataError(row.file, row.where, detail);
}

/** A data file that is not there: the task is N/A with the path, the other tasks go on. */
export class CustomDataMissingError extends DatasetUnavailableError {
  constructor(file: string) {
    super(
      "E_DATA_FILE_MISSING",
      file,
      `${file}: no such file`,
      "check data.file in the task definition (a path relative to the file that names it)",
    );
  }
}
