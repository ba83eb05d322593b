/**
 * Lines of a file, read a chunk at a time and split on bytes: the one line reader behind dataset JSONL (async, rows
 * fetched again by byte offset) and the run journal (sync, its torn last line kept apart). A line never exists as
 * more than its own bytes, so a 1.25 GB file with 50 MB lines is never one string, and a chunk boundary (or a tear)
 * inside a multi-byte character does no harm. Decoding and parsing are the caller's: each has its own rules.
 */
import { closeSync, openSync, readSync } from "node:fs";
import { open } from "node:fs/promises";

/** One line without its newline: 1-based number (blank lines count), byte offset of its first byte, its bytes. */
export interface Line {
  number: number;
  offset: number;
  bytes: Buffer;
}

interface LineOptions {
  /** Refuse a longer line with the error this returns (a dataset's guard against strings V8 cannot hold). */
  tooLong?: { maxBytes: number; error: (lineNumber: number) => Error };
}

const CHUNK_BYTES = 1 << 20;
const NEWLINE = 0x0a;

/**
 * Calls `visit` for every line that ends with a newline, in order, awaiting it before reading on. Returns the
 * bytes after the last newline as an unterminated line (a dataset's last row, or a journal's torn line), or
 * undefined when the file ends with a newline.
 */
export async function forEachLine(
  file: string,
  visit: (line: Line) => void | Promise<void>,
  options: LineOptions = {},
): Promise<Line | undefined> {
  const handle = await open(file, "r");
  const splitter = new LineSplitter(options);
  try {
    for (let position = 0; ; ) {
      // A fresh buffer per chunk: a line still being gathered points into earlier chunks.
      const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
      const { bytesRead } = await handle.read(chunk, 0, CHUNK_BYTES, position);
      if (bytesRead === 0) break;
      position += bytesRead;
      for (const line of splitter.push(chunk.subarray(0, bytesRead))) await visit(line);
    }
  } finally {
    await handle.close();
  }
  return splitter.end();
}

/** `forEachLine` for synchronous callers (the journal). */
export function forEachLineSync(
  file: string,
  visit: (line: Line) => void,
  options: LineOptions = {},
): Line | undefined {
  const fd = openSync(file, "r");
  const splitter = new LineSplitter(options);
  try {
    for (;;) {
      const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
      const bytesRead = readSync(fd, chunk, 0, CHUNK_BYTES, null);
      if (bytesRead === 0) break;
      for (const line of splitter.push(chunk.subarray(0, bytesRead))) visit(line);
    }
  } finally {
    closeSync(fd);
  }
  return splitter.end();
}

/** Splits a byte stream on `\n`, keeping a partial line as a list of pieces (no quadratic re-concatenation). */
class LineSplitter {
  readonly #options: LineOptions;
  #pieces: Buffer[] = [];
  #pendingBytes = 0;
  #lineStart = 0;
  #lineNumber = 1;

  constructor(options: LineOptions) {
    this.#options = options;
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

  /** The bytes after the last newline, if any. */
  end(): Line | undefined {
    return this.#pendingBytes > 0 ? this.#take(Buffer.alloc(0)) : undefined;
  }

  #assertLineFits(moreBytes: number): void {
    const limit = this.#options.tooLong;
    if (limit !== undefined && this.#pendingBytes + moreBytes > limit.maxBytes) throw limit.error(this.#lineNumber);
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
