/**
 * The append-only JSONL journal: one whole line per write(2), a reply record the moment a request ends and a grade
 * record when its grading ends, so a crash can tear at most the last line and never costs a reply the server gave.
 * A torn last line is ignored on read and cut off before appending; a short write (a full disk) is undone at once,
 * so no half line is ever followed by another record. A whole line that cannot be read is reported, not fatal:
 * `run` moves it to a quarantine file beside the journal and asks its item again.
 */
import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  writeSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { FormatTooNewError, type OutputWriteError } from "../core/errors.ts";
import { forEachLineSync } from "../datasets/index.ts";
import { QUANTEVAL_VERSION } from "../version.ts";
import {
  type GradeRecord,
  GradeRecordSchema,
  JOURNAL_VERSION,
  type JournalRecord,
  JournalRecordSchema,
} from "./record.ts";
import { isWriteFailure, writeFailure } from "./write-failure.ts";

export function journalPath(artifactsDir: string, runId: string, variant: string, task: string): string {
  return join(artifactsDir, runId, variant, `${task}.jsonl`);
}

/** Where unreadable lines of a journal are moved: `suite40.jsonl` → `suite40.quarantine.jsonl`. */
export function quarantinePath(journal: string): string {
  return journal.replace(/(\.jsonl)?$/, ".quarantine.jsonl");
}

/** A whole line that is not a record this quanteval can read (edited by hand, damaged on disk). */
export interface UnreadableLine {
  /** 1-based line number in the journal. */
  line: number;
  reason: string;
  text: string;
}

export interface JournalContents {
  /** One per attempt, in journal order, each with its verdict folded in when a grade record followed it. */
  records: JournalRecord[];
  /** Bytes after the last newline (a line torn by a crash); 0 when the file ends cleanly. */
  tornBytes: number;
  /** Whole lines that could not be read; their items count as never asked. */
  unreadable: UnreadableLine[];
}

/** The unit a record is about: one sample of one item. */
export function unitKey(itemId: string, sample: number | undefined): string {
  return `${itemId}#${sample ?? 0}`;
}

/**
 * Reads every whole line. Throws only FormatTooNewError (a line of a newer format: guessing could lose records);
 * anything else unreadable is listed in `unreadable`, and the rest is read.
 */
export function readJournal(file: string): JournalContents {
  return readJournalAs(file, (record) => record);
}

/** What a reader keeps of a record must take a verdict: grade records fold into it. */
type Verdict = Pick<JournalRecord, "grade" | "error">;

/**
 * readJournal, keeping of each record only what `keep` returns (undefined: nothing), so a reader that needs a few
 * fields never holds every reply text at once. Grade records fold into what was kept, as in readJournal.
 */
export function readJournalAs<R extends Verdict>(
  file: string,
  keep: (record: JournalRecord) => R | undefined,
): Omit<JournalContents, "records"> & { records: R[] } {
  const contents: Omit<JournalContents, "records"> & { records: R[] } = { records: [], tornBytes: 0, unreadable: [] };
  if (!existsSync(file)) return contents;
  // The latest record per unit, as kept (undefined: nothing of it kept): the one a grade grades.
  const latest = new Map<string, { kept: R | undefined; replied: boolean }>();
  const tornBytes = forEachWholeLine(file, (lineNumber, line) => {
    const parsed = parseLine(file, line);
    if (!parsed.ok) {
      contents.unreadable.push({ line: lineNumber, reason: parsed.reason, text: line });
    } else if ("kind" in parsed.record) {
      const graded = latest.get(unitKey(parsed.record.itemId, parsed.record.sample));
      if (graded?.replied !== true) {
        const unit = `${parsed.record.itemId}${parsed.record.sample === undefined ? "" : ` sample ${parsed.record.sample}`}`;
        contents.unreadable.push({
          line: lineNumber,
          reason: `a grade for ${unit}, with no reply before it`,
          text: line,
        });
      } else if (graded.kept !== undefined) {
        foldGrade(graded.kept, parsed.record);
      }
    } else {
      const kept = keep(parsed.record);
      if (kept !== undefined) contents.records.push(kept);
      latest.set(unitKey(parsed.record.itemId, parsed.record.sample), {
        kept,
        replied: parsed.record.reply !== undefined,
      });
    }
  });
  contents.tornBytes = tornBytes;
  return contents;
}

/** The grade record's verdict replaces whatever verdict its reply record carried. */
function foldGrade(record: Verdict, grade: GradeRecord): void {
  delete record.grade;
  delete record.error;
  if (grade.grade !== undefined) record.grade = grade.grade;
  if (grade.error !== undefined) record.error = grade.error;
}

/** Calls `onLine` for every whole line (1-based numbers, empty lines skipped); returns the torn tail's length. */
function forEachWholeLine(file: string, onLine: (lineNumber: number, line: string) => void): number {
  // Decoded line by line: a tear (or a chunk boundary) can fall inside a multi-byte character.
  const torn = forEachLineSync(file, ({ number, bytes }) => {
    const line = bytes.toString("utf8");
    if (line.trim() !== "") onLine(number, line);
  });
  return torn?.bytes.length ?? 0;
}

type ParsedLine = { ok: true; record: JournalRecord | GradeRecord } | { ok: false; reason: string };

function parseLine(file: string, line: string): ParsedLine {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (error) {
    return { ok: false, reason: `not JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  const version = typeof json === "object" && json !== null && "v" in json ? json.v : undefined;
  if (typeof version === "number" && version > JOURNAL_VERSION) {
    throw new FormatTooNewError(file, "journal", version, JOURNAL_VERSION, undefined, QUANTEVAL_VERSION);
  }
  const isGrade = typeof json === "object" && json !== null && "kind" in json && json.kind === "grade";
  const parsed = isGrade ? GradeRecordSchema.safeParse(json) : JournalRecordSchema.safeParse(json);
  if (parsed.success) return { ok: true, record: parsed.data };
  const first = parsed.error.issues[0];
  const where = first === undefined ? "invalid" : `${first.path.join(".") || "(line)"}: ${first.message}`;
  return { ok: false, reason: `not a journal ${isGrade ? "grade " : ""}record: ${where}` };
}

/**
 * Moves the given lines out of the journal into its quarantine file (appended, with line number, reason and the
 * line as it was), then replaces the journal with the rest, atomically (temp file + rename). For a journal no
 * writer holds open, under the run lock. Returns the quarantine file.
 */
export function quarantineLines(file: string, unreadable: readonly UnreadableLine[], then: string): string {
  const side = quarantinePath(file);
  const drop = new Set(unreadable.map((u) => u.line));
  const at = new Date().toISOString();
  const temp = `${file}.${process.pid}.tmp`;
  try {
    // The journal without those lines first: on a full disk this fails before the side file has any of them.
    const out = openSync(temp, "w");
    try {
      // A torn tail holds no record: it is left out, as the next writer would cut it.
      forEachWholeLine(file, (lineNumber, line) => {
        if (!drop.has(lineNumber)) writeWhole(out, Buffer.from(`${line}\n`));
      });
      fsyncSync(out);
    } finally {
      closeSync(out);
    }
    const sideFd = openSync(side, "a");
    try {
      for (const u of unreadable) writeWhole(sideFd, Buffer.from(`${JSON.stringify({ quarantinedAt: at, ...u })}\n`));
      fsyncSync(sideFd);
    } finally {
      closeSync(sideFd);
    }
    renameSync(temp, file);
  } catch (error) {
    // A near-whole copy of the journal must not keep the space the user is asked to free.
    rmSync(temp, { force: true });
    if (isWriteFailure(error)) throw writeFailure(error.path === temp ? file : (error.path ?? file), error, then);
    throw error;
  }
  return side;
}

/** The loud line about lines moved to the quarantine file: what they were, and what happens to their items. */
export function quarantineWarning(lines: readonly UnreadableLine[], where: string): string {
  const shown = lines
    .slice(0, 3)
    .map((l) => `line ${l.line}: ${l.reason}`)
    .join("; ");
  return (
    `WARNING: ${lines.length} unreadable journal line(s) ${where} (${shown}${lines.length > 3 ? "; …" : ""}); ` +
    "an item whose reply was among them is asked again, one whose grade was is graded again"
  );
}

/** One write(2); fewer bytes written than asked is a failure like ENOSPC (no errno), never a half line left behind. */
function writeWhole(fd: number, bytes: Buffer): void {
  const written = writeSync(fd, bytes);
  if (written !== bytes.length)
    throw Object.assign(new Error(`short write: ${written} of ${bytes.length} bytes`), { code: "ENOSPC" });
}

/**
 * Appends records to one journal file. Each `append` is in the OS (survives the process) before it returns. R: the
 * file's record type (the divergence journal's forced records; by default replies and grades).
 */
export class JournalWriter<R extends object = JournalRecord | GradeRecord> {
  readonly file: string;
  readonly #then: string;
  #fd: number | undefined;
  /** The file's length after the last whole line: where a failed append is cut back to. */
  #size: number;
  #failed: OutputWriteError | undefined;

  /** `then`: how to go on after a failed write is fixed, e.g. "resume with `quanteval run --resume <id>`". */
  constructor(file: string, then = "run the command again") {
    this.file = file;
    this.#then = then;
    try {
      mkdirSync(dirname(file), { recursive: true });
      const fd = openSync(file, "a+");
      this.#size = cutTornTail(fd);
      this.#fd = fd;
    } catch (error) {
      if (isWriteFailure(error)) throw writeFailure(error.path ?? file, error, then);
      throw error;
    }
  }

  /**
   * Writes one whole line, or throws OutputWriteError with the file as it was before the call. After a failed write
   * every later append throws the same error: were the cut-back to have failed too, a line glued onto the half one
   * would be lost with it.
   */
  append(record: R): void {
    if (this.#failed !== undefined) throw this.#failed;
    const fd = this.#fd;
    if (fd === undefined) throw new Error(`JournalWriter for ${this.file} is closed`);
    const bytes = Buffer.from(`${JSON.stringify(record)}\n`);
    let written: number;
    try {
      // One write call per line: a crash tears at most this line, which readJournal then ignores.
      written = writeSync(fd, bytes);
    } catch (error) {
      this.#cutBack(fd);
      if (isWriteFailure(error)) {
        this.#failed = writeFailure(this.file, error, this.#then);
        throw this.#failed;
      }
      throw error;
    }
    if (written !== bytes.length) {
      this.#cutBack(fd);
      this.#failed = writeFailure(this.file, undefined, this.#then);
      throw this.#failed;
    }
    this.#size += bytes.length;
  }

  get closed(): boolean {
    return this.#fd === undefined;
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }

  /** Undoes a partial line. If even that fails, the torn tail is cut when the journal is next opened. */
  #cutBack(fd: number): void {
    try {
      ftruncateSync(fd, this.#size);
    } catch {
      // Left as a torn last line: readJournal ignores it and the next writer cuts it.
    }
  }
}

/** Truncates the file to its last newline, dropping a line a crash left half-written; returns the new length. */
function cutTornTail(fd: number): number {
  const size = fstatSync(fd).size;
  if (size === 0) return 0;
  const chunk = Buffer.alloc(Math.min(size, 1 << 16));
  let end = size;
  while (end > 0) {
    const start = Math.max(0, end - chunk.length);
    const n = readSync(fd, chunk, 0, end - start, start);
    const at = chunk.subarray(0, n).lastIndexOf(0x0a);
    if (at !== -1) {
      const keep = start + at + 1;
      if (keep !== size) ftruncateSync(fd, keep);
      return keep;
    }
    end = start;
  }
  ftruncateSync(fd, 0);
  return 0;
}
