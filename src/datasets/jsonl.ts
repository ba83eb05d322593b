/**
 * JSON and JSON Lines. `scanJsonl` streams a file through lines.ts, so a 1.25 GB LiveCodeBench file with
 * 50 MB lines never exists as one string; each row is reported with its byte offset and length so
 * `readJsonlRowAt` can fetch it again later (e.g. a problem's tests at grading time) without keeping it in memory.
 */
import { open, readFile } from "node:fs/promises";
import { DatasetFormatError } from "../core/errors.ts";
import { forEachLine, type Line } from "./lines.ts";

/** Where a row sits: 1-based line number, byte offset of the line's first byte, byte length without the newline. */
export interface JsonlRowLocation {
  line: number;
  offset: number;
  length: number;
}

export type JsonlVisitor = (row: unknown, at: JsonlRowLocation) => void | Promise<void>;

/** V8 cannot hold a string much over 2^29 characters; refuse earlier with a clear message. */
const MAX_LINE_BYTES = 512 * 1024 * 1024;
const NEWLINE = 0x0a;

/** The whole file parsed as one JSON value. */
export async function readJson(file: string): Promise<unknown> {
  const text = await readFile(file, "utf8");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new DatasetFormatError(file, `not JSON: ${messageOf(error)}`, { cause: error });
  }
}

/** Every non-blank line parsed, in file order. */
export async function readJsonl(file: string): Promise<unknown[]> {
  const rows: unknown[] = [];
  await scanJsonl(file, (row) => {
    rows.push(row);
  });
  return rows;
}

/**
 * Calls `visit` for each non-blank line in order (awaiting it when it returns a promise) and returns the
 * number of rows visited. A line that is not JSON throws DatasetFormatError naming `file:line`.
 */
export async function scanJsonl(file: string, visit: JsonlVisitor): Promise<number> {
  let rows = 0;
  const emit = async (line: Line): Promise<void> => {
    const row = parseLine(line.bytes, `${file}:${line.number}`);
    if (row === BLANK) return;
    rows += 1;
    await visit(row, { line: line.number, offset: line.offset, length: line.bytes.length });
  };
  const tooLong = {
    maxBytes: MAX_LINE_BYTES,
    error: (lineNumber: number) =>
      new DatasetFormatError(`${file}:${lineNumber}`, `line is longer than ${MAX_LINE_BYTES} bytes`),
  };
  // A file need not end with a newline: its last line is a row like any other.
  const last = await forEachLine(file, emit, { tooLong });
  if (last !== undefined) await emit(last);
  return rows;
}

/** Reads back the one row that `scanJsonl` reported at `at`. */
export async function readJsonlRowAt(file: string, at: { offset: number; length: number }): Promise<unknown> {
  const where = `${file} at byte ${at.offset}`;
  if (
    !Number.isSafeInteger(at.offset) ||
    at.offset < 0 ||
    !Number.isSafeInteger(at.length) ||
    at.length < 0 ||
    at.length > MAX_LINE_BYTES
  ) {
    throw new DatasetFormatError(where, `invalid row location (offset ${at.offset}, length ${at.length})`);
  }
  const handle = await open(file, "r");
  const bytes = Buffer.alloc(at.length);
  try {
    let filled = 0;
    while (filled < bytes.length) {
      const { bytesRead } = await handle.read(bytes, filled, bytes.length - filled, at.offset + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    if (filled < bytes.length)
      throw new DatasetFormatError(
        where,
        `file ends after ${filled} of the row's ${at.length} bytes (did it change since it was scanned?)`,
      );
  } finally {
    await handle.close();
  }
  if (bytes.includes(NEWLINE))
    throw new DatasetFormatError(
      where,
      "the byte range spans more than one line (did the file change since it was scanned?)",
    );
  const row = parseLine(bytes, where);
  if (row === BLANK) throw new DatasetFormatError(where, "the byte range holds a blank line, not a row");
  return row;
}

const BLANK: unique symbol = Symbol("blank line");
const utf8 = new TextDecoder("utf-8", { fatal: true });

/** JSON value of one line, or BLANK for a line of whitespace only. */
function parseLine(bytes: Uint8Array, where: string): unknown {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch (error) {
    throw new DatasetFormatError(where, "line is not valid UTF-8", { cause: error });
  }
  if (text.trim() === "") return BLANK;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new DatasetFormatError(where, `not JSON: ${messageOf(error)}`, { cause: error });
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
