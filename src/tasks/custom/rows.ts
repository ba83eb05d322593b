/**
 * A custom task's data file as rows, each with where it is (`file:line` for JSON Lines, `file row N` for CSV and
 * parquet, N counted from 1 without the header), so every later complaint can name the row. Reads through
 * src/datasets' readers; the format comes from the extension unless the definition names it.
 */
import { extname } from "node:path";
import { DatasetFormatError, DatasetUnavailableError } from "../../core/errors.ts";
import { readCsvRecords, readParquetRows, scanJsonl } from "../../datasets/index.ts";
import { DATA_FORMATS } from "./definition.ts";

export interface SourcedRow {
  fields: Record<string, unknown>;
  where: string;
}

type DataFormat = (typeof DATA_FORMATS)[number];

export async function readRows(file: string, format?: DataFormat): Promise<SourcedRow[]> {
  const kind = format ?? formatOf(file);
  try {
    if (kind === "jsonl") {
      const rows: SourcedRow[] = [];
      await scanJsonl(file, (row, at) => {
        const where = `${file}:${at.line}`;
        if (typeof row !== "object" || row === null || Array.isArray(row))
          throw new DatasetFormatError(where, "not a JSON object");
        rows.push({ fields: { ...row }, where });
      });
      return rows;
    }
    const records = kind === "csv" ? await readCsvRecords(file) : await readParquetRows(file);
    return records.map((fields, i) => ({ fields, where: `${file} row ${i + 1}` }));
  } catch (error) {
    if (isMissingFile(error)) throw new CustomDataMissingError(file);
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
