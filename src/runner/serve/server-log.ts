/**
 * artifacts/<run-id>/<variant>/server.log: the server writes to it directly, and quanteval frames each session's
 * part with lines of its own that start with "=== ", so the tail quoted in an error is what the server said.
 */
import { appendFileSync, closeSync, openSync, readSync, statSync } from "node:fs";

/** Lines of server.log quoted in an error. */
const TAIL_LINES = 20;
/** Bytes read from the end of server.log for the tail: a log of a long run is large, its end is what matters. */
const TAIL_BYTES = 64 * 1024;

/** Appends one of quanteval's own lines: "=== <ISO time> quanteval: <text>". */
export function appendLogNote(file: string, at: number, text: string): void {
  appendFileSync(file, `=== ${new Date(at).toISOString()} quanteval: ${text}\n`);
}

/** The last lines of a log from `fromByte` on, each indented, for an error message. */
export function logTail(file: string, fromByte = 0, lines = TAIL_LINES): string {
  let text = "";
  try {
    const size = statSync(file).size;
    const start = Math.max(fromByte, size - TAIL_BYTES);
    const buffer = Buffer.alloc(Math.max(0, size - start));
    const fd = openSync(file, "r");
    try {
      readSync(fd, buffer, 0, buffer.length, start);
    } finally {
      closeSync(fd);
    }
    text = buffer.toString("utf8");
  } catch {
    return "    (no log)";
  }
  // Our own "=== quanteval:" lines are the frame, not what the server said.
  const last = text
    .split(/\r?\n/)
    .filter((line) => line.trim() !== "" && !line.startsWith("=== "))
    .slice(-lines);
  return last.length === 0 ? "    (the server wrote nothing)" : last.map((line) => `    | ${line}`).join("\n");
}
