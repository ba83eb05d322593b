/**
 * The append-only JSONL journal: one whole line per finished attempt, written with a single write(2) so a
 * crash can tear at most the last line. A torn last line is ignored on read and cut off before appending,
 * so a resumed run never glues a new record onto half an old one.
 */
import { closeSync, existsSync, fstatSync, ftruncateSync, mkdirSync, openSync, readSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import { JournalFormatError } from "../errors.ts";
import { type JournalRecord, JournalRecordSchema } from "./record.ts";

export function journalPath(artifactsDir: string, runId: string, variant: string, task: string): string {
  return join(artifactsDir, runId, variant, `${task}.jsonl`);
}

export interface JournalContents {
  records: JournalRecord[];
  /** Bytes after the last newline (a line torn by a crash); 0 when the file ends cleanly. */
  tornBytes: number;
}

/** Journals are read a piece at a time: a whole 12k-item journal as one buffer and one string cost ~4× its size at once. */
const READ_CHUNK_BYTES = 1 << 20;

/** Reads every whole line; a whole line that is not a valid record is an error, never skipped silently. */
export function readJournal(file: string): JournalContents {
  const records: JournalRecord[] = [];
  if (!existsSync(file)) return { records, tornBytes: 0 };
  const fd = openSync(file, "r");
  try {
    // Work in bytes: a tear (or a chunk boundary) can fall inside a multi-byte character.
    const chunk = Buffer.alloc(READ_CHUNK_BYTES);
    let carried: Buffer = Buffer.alloc(0);
    let lineNumber = 0;
    for (let n = readSync(fd, chunk, 0, chunk.length, null); n > 0; n = readSync(fd, chunk, 0, chunk.length, null)) {
      const bytes = carried.length === 0 ? chunk.subarray(0, n) : Buffer.concat([carried, chunk.subarray(0, n)]);
      let start = 0;
      for (let newline = bytes.indexOf(0x0a); newline !== -1; newline = bytes.indexOf(0x0a, start)) {
        lineNumber += 1;
        const line = bytes.toString("utf8", start, newline);
        start = newline + 1;
        if (line.trim() !== "") records.push(parseLine(file, lineNumber, line));
      }
      // A copy: `chunk` is overwritten by the next read.
      carried = Buffer.from(bytes.subarray(start));
    }
    return { records, tornBytes: carried.length };
  } finally {
    closeSync(fd);
  }
}

function parseLine(file: string, lineNumber: number, line: string): JournalRecord {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (error) {
    throw new JournalFormatError(file, lineNumber, `not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const parsed = JournalRecordSchema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new JournalFormatError(file, lineNumber, `not a journal record: ${first ? `${first.path.join(".")}: ${first.message}` : "invalid"}`);
  }
  return parsed.data;
}

/** Appends records to one journal file. Each `append` is durable in the OS before it returns. */
export class JournalWriter {
  readonly file: string;
  #fd: number | undefined;

  constructor(file: string) {
    this.file = file;
    mkdirSync(dirname(file), { recursive: true });
    const fd = openSync(file, "a+");
    cutTornTail(fd);
    this.#fd = fd;
  }

  append(record: JournalRecord): void {
    if (this.#fd === undefined) throw new Error(`JournalWriter for ${this.file} is closed`);
    // One write call per line: a crash tears at most this line, which readJournal then ignores.
    writeSync(this.#fd, `${JSON.stringify(record)}\n`);
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }
}

/** Truncates the file to its last newline, dropping a line a crash left half-written. */
function cutTornTail(fd: number): void {
  const size = fstatSync(fd).size;
  if (size === 0) return;
  const chunk = Buffer.alloc(Math.min(size, 1 << 16));
  let end = size;
  while (end > 0) {
    const start = Math.max(0, end - chunk.length);
    const n = readSync(fd, chunk, 0, end - start, start);
    const at = chunk.subarray(0, n).lastIndexOf(0x0a);
    if (at !== -1) {
      const keep = start + at + 1;
      if (keep !== size) ftruncateSync(fd, keep);
      return;
    }
    end = start;
  }
  ftruncateSync(fd, 0);
}
