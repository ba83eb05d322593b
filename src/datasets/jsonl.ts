/**
 * JSON and JSON Lines. `scanJsonl` streams a file in fixed-size chunks and splits lines on bytes, so a
 * 1.25 GB LiveCodeBench file with 50 MB lines never exists as one string; each row is reported with its
 * byte offset and length so `readJsonlRowAt` can fetch it again later (e.g. a problem's tests at grading
 * time) without keeping it in memory.
 */
import { open, readFile } from "node:fs/promises";
import { DatasetFormatError } from "../core/errors.ts";

/** Where a row sits: 1-based line number, byte offset of the line's first byte, byte length without the newline. */
export interface JsonlRowLocation {
  line: number;
  offset: number;
  length: number;
}

export type JsonlVisitor = (row: unknown, at: JsonlRowLocation) => void | Promise<void>;

const CHUNK_BYTES = 1 << 20;
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
  const handle = await open(file, "r");
  const splitter = new LineSplitter(file);
  let position = 0;
  let rows = 0;
  const emit = async (line: Line): Promise<void> => {
    const row = parseLine(line.bytes, `${file}:${line.number}`);
    if (row === BLANK) return;
    rows += 1;
    await visit(row, { line: line.number, offset: line.offset, length: line.bytes.length });
  };
  try {
    for (;;) {
      // A fresh buffer per chunk: completed lines may still point into earlier chunks.
      const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
      const { bytesRead } = await handle.read(chunk, 0, CHUNK_BYTES, position);
      if (bytesRead === 0) break;
      position += bytesRead;
      for (const line of splitter.push(chunk.subarray(0, bytesRead))) await emit(line);
    }
    const last = splitter.end();
    if (last !== undefined) await emit(last);
  } finally {
    await handle.close();
  }
  return rows;
}

/** Reads back the one row that `scanJsonl` reported at `at`. */
export async function readJsonlRowAt(file: string, at: { offset: number; length: number }): Promise<unknown> {
  const where = `${file} at byte ${at.offset}`;
  if (!Number.isSafeInteger(at.offset) || at.offset < 0 || !Number.isSafeInteger(at.length) || at.length < 0 || at.length > MAX_LINE_BYTES) {
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
    if (filled < bytes.length) throw new DatasetFormatError(where, `file ends after ${filled} of the row's ${at.length} bytes (did it change since it was scanned?)`);
  } finally {
    await handle.close();
  }
  if (bytes.includes(NEWLINE)) throw new DatasetFormatError(where, "the byte range spans more than one line (did the file change since it was scanned?)");
  const row = parseLine(bytes, where);
  if (row === BLANK) throw new DatasetFormatError(where, "the byte range holds a blank line, not a row");
  return row;
}

interface Line {
  number: number;
  offset: number;
  bytes: Buffer;
}

/** Splits a byte stream on `\n`, keeping a partial line as a list of pieces (no quadratic re-concatenation). */
class LineSplitter {
  readonly #file: string;
  #pieces: Buffer[] = [];
  #pendingBytes = 0;
  #lineStart = 0;
  #lineNumber = 1;

  constructor(file: string) {
    this.#file = file;
  }

  *push(chunk: Buffer): Generator<Line> {
    let from = 0;
    for (;;) {
      const newline = chunk.indexOf(NEWLINE, from);
      if (newline === -1) break;
      this.#assertLineFits(newline - from);
      yield this.#take(chunk.subarray(from, newline));
      this.#lineStart += 1; // the newline itself
      from = newline + 1;
    }
    if (from < chunk.length) {
      this.#assertLineFits(chunk.length - from);
      this.#pieces.push(chunk.subarray(from));
      this.#pendingBytes += chunk.length - from;
    }
  }

  /** The last line when the file does not end with a newline. */
  end(): Line | undefined {
    return this.#pendingBytes > 0 ? this.#take(Buffer.alloc(0)) : undefined;
  }

  #assertLineFits(moreBytes: number): void {
    if (this.#pendingBytes + moreBytes > MAX_LINE_BYTES) {
      throw new DatasetFormatError(`${this.#file}:${this.#lineNumber}`, `line is longer than ${MAX_LINE_BYTES} bytes`);
    }
  }

  #take(tail: Buffer): Line {
    const bytes = this.#pieces.length === 0 ? tail : Buffer.concat([...this.#pieces, tail]);
    const line = { number: this.#lineNumber, offset: this.#lineStart, bytes };
    this.#pieces = [];
    this.#pendingBytes = 0;
    this.#lineStart += bytes.length;
    this.#lineNumber += 1;
    return line;
  }
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
