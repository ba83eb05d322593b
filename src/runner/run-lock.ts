/**
 * One process per run at a time: two `quanteval run` on the same run id (say two terminals with --only) would
 * append to the same journals and overwrite each other's manifest.
 *
 * Taking the lock: the owner record {pid, host, startTime, at, nonce} is written and fsynced to a temporary file in
 * the run folder, then link()ed to run.lock; link fails with EEXIST while anyone holds it, and the temporary name
 * is removed either way. run.lock thus appears with its whole content at once: no reader ever sees it empty or
 * half-written, so an unreadable run.lock did not come from this code and is refused (RunLockUnreadableError),
 * never guessed at.
 *
 * Taking over: only a lock whose process is dead is taken over: same host, and the pid gone, a zombie, or reused
 * by a process with another start time (/proc/<pid>/stat; without /proc, a pid that answers signals is alive).
 * Several processes may find the same stale lock, and one that removed it must not remove the lock another
 * process took after that. So removing is serialized by a second lock, run.lock.takeover, taken the same way
 * (temporary file + link). Its holder reads run.lock again, removes it only if it is still, byte for byte, the
 * record judged stale (the nonce makes every record unique), releases run.lock.takeover, and then links run.lock
 * like anyone else: of the processes that race, exactly one gets it. Meanwhile nobody else removes run.lock: its
 * owner is dead and only the takeover holder removes a stale lock; a holder's release removes only its own record.
 *
 * Not covered: a process that dies holding run.lock.takeover (a few system calls long) leaves it behind, and
 * it is then refused with the fix rather than taken over, since taking it over would need the same guard again.
 * A process killed between writing its temporary file and removing it leaves run.lock.<pid>.<uuid>.tmp (harmless,
 * safe to delete). A run folder shared over NFS by two hosts: a lock from another host is refused, never taken over.
 */
import { randomUUID } from "node:crypto";
import {
  closeSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { QuantevalError } from "../core/errors.ts";
import { isWriteFailure, writeFailure } from "../journal/index.ts";
import { readProcStat } from "./proc-stat.ts";

export class RunLockedError extends QuantevalError {
  constructor(runId: string, pid: number, file: string, host?: string) {
    super(
      "E_RUN_LOCKED",
      host === undefined
        ? `run ${runId} is being written by another quanteval process (pid ${pid})`
        : `run ${runId} is being written by quanteval on host ${host} (pid ${pid})`,
      host === undefined
        ? "wait for it to finish (or stop it), or use another --run-id"
        : `wait for it to finish, or use another --run-id; if no quanteval runs this run on ${host}, delete ${file}`,
    );
  }
}

/** run.lock (or run.lock.takeover) holds no owner record this code could have written. */
export class RunLockUnreadableError extends QuantevalError {
  constructor(file: string, detail: string) {
    super(
      "E_RUN_LOCK_UNREADABLE",
      `${file} could not be read (${detail}), so whether its owner still runs is unknown`,
      `if no quanteval process is running this run, remove it (\`rm ${file}\`) and rerun`,
    );
  }
}

/** A process died while taking over a stale run.lock and left run.lock.takeover behind. */
export class RunLockTakeoverLeftError extends QuantevalError {
  constructor(file: string, pid: number) {
    super(
      "E_RUN_LOCK_TAKEOVER_LEFT",
      `${file} was left by pid ${pid}, which died while taking over a stale run lock`,
      `if no quanteval process is running this run, remove it (\`rm ${file}\`) and rerun`,
    );
  }
}

const LockSchema = z.object({
  pid: z.int().positive(),
  host: z.string(),
  /** Clock ticks since boot; absent in locks of earlier versions and without /proc. */
  startTime: z.string().optional(),
  at: z.string().optional(),
  nonce: z.string().optional(),
});
type Owner = z.infer<typeof LockSchema>;
type Held = { kind: "owner"; owner: Owner; text: string } | { kind: "unreadable"; detail: string };

/** Each try needs another process to have moved (taken, released or removed a lock); far more than a race needs. */
const MAX_TRIES = 200;
/** How long to wait for a live process that holds run.lock.takeover for its few system calls. */
const TAKEOVER_WAIT_MS = 2;

export class RunLock {
  readonly file: string;
  readonly #text: string;
  #held = true;

  private constructor(file: string, text: string) {
    this.file = file;
    this.#text = text;
  }

  static acquire(runDir: string, runId: string): RunLock {
    try {
      mkdirSync(runDir, { recursive: true });
    } catch (error) {
      if (isWriteFailure(error)) throw writeFailure(error.path ?? runDir, error, "run the command again");
      throw error;
    }
    const file = join(runDir, "run.lock");
    const text = ownRecord();
    let lastOwner = -1;
    for (let tries = 0; tries < MAX_TRIES; tries++) {
      if (linkRecord(file, text)) return new RunLock(file, text);
      const held = readLock(file);
      if (held === undefined) continue; // released between our link and read
      if (held.kind === "unreadable") throw new RunLockUnreadableError(file, held.detail);
      lastOwner = held.owner.pid;
      const state = ownerState(held.owner);
      if (state === "elsewhere") throw new RunLockedError(runId, held.owner.pid, file, held.owner.host);
      if (state === "alive") throw new RunLockedError(runId, held.owner.pid, file);
      removeStale(file, held.text, runId);
    }
    // Locks kept appearing and going stale: something else keeps writing run.lock.
    throw new RunLockedError(runId, lastOwner, file);
  }

  /** Removes run.lock if it is still this holder's record (it always is, unless someone deleted it by hand). */
  release(): void {
    if (!this.#held) return;
    this.#held = false;
    if (readText(this.file) === this.#text) rmSync(this.file, { force: true });
  }
}

/** Removes run.lock if it still holds `staleText`, under run.lock.takeover (see the header). */
function removeStale(file: string, staleText: string, runId: string): void {
  const takeover = `${file}.takeover`;
  const text = ownRecord();
  let holder = -1;
  for (let tries = 0; tries < MAX_TRIES; tries++) {
    if (linkRecord(takeover, text)) {
      try {
        if (readText(file) === staleText) unlinkSync(file);
      } finally {
        unlinkSync(takeover);
      }
      return;
    }
    const held = readLock(takeover);
    if (held === undefined) continue;
    if (held.kind === "unreadable") throw new RunLockUnreadableError(takeover, held.detail);
    if (ownerState(held.owner) === "dead") throw new RunLockTakeoverLeftError(takeover, held.owner.pid);
    holder = held.owner.pid;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, TAKEOVER_WAIT_MS);
  }
  // A live process kept run.lock.takeover all along (stopped?): it is the one taking the run over.
  throw new RunLockedError(runId, holder, takeover);
}

/** This process's owner record; the nonce makes it unlike any other record, even of a reused pid. */
function ownRecord(): string {
  const startTime = readProcStat(process.pid)?.startTime;
  return JSON.stringify({
    pid: process.pid,
    host: hostname(),
    ...(startTime ? { startTime } : {}),
    at: new Date().toISOString(),
    nonce: randomUUID(),
  });
}

/** Writes `text` whole to a temporary file beside `file` and links it there; false if `file` exists. */
function linkRecord(file: string, text: string): boolean {
  const temp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  try {
    const fd = openSync(temp, "wx");
    try {
      // A short write (a full disk) must not become a lock that reads as empty or torn.
      if (writeSync(fd, text) !== Buffer.byteLength(text))
        throw Object.assign(new Error("short write"), { code: "ENOSPC" });
      // After a power loss the lock must not come back empty (it would then be refused as unreadable).
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    linkSync(temp, file);
    return true;
  } catch (error) {
    if (codeOf(error) === "EEXIST") return false;
    // A full disk or a read-only folder, before anything of the run is touched: the user's to fix, not a bug.
    if (isWriteFailure(error)) throw writeFailure(file, error, "run the command again");
    throw error;
  } finally {
    rmSync(temp, { force: true });
  }
}

function readLock(file: string): Held | undefined {
  const text = readText(file);
  if (text === undefined) return undefined;
  if (text === "") return { kind: "unreadable", detail: "it is empty" };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { kind: "unreadable", detail: "it is not JSON" };
  }
  const parsed = LockSchema.safeParse(json);
  if (!parsed.success) return { kind: "unreadable", detail: "it names no pid and host" };
  return { kind: "owner", owner: parsed.data, text };
}

/** The file's text, or undefined once it is gone. */
function readText(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    if (codeOf(error) === "ENOENT") return undefined;
    throw error;
  }
}

/** "dead" only when sure: on this host, and the pid is gone, a zombie, or a process started at another time. */
function ownerState(owner: Owner): "alive" | "dead" | "elsewhere" {
  if (owner.host !== hostname()) return "elsewhere";
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    if (codeOf(error) !== "EPERM") return "dead";
  }
  const stat = readProcStat(owner.pid);
  if (stat === undefined) return "alive"; // no /proc: it answers signals
  if (stat.state === "Z" || stat.state === "X") return "dead";
  if (owner.startTime !== undefined && owner.startTime !== stat.startTime) return "dead"; // the pid was reused
  return "alive";
}

function codeOf(error: unknown): unknown {
  return error instanceof Error && "code" in error ? error.code : undefined;
}
