/**
 * One process per run at a time: two `quanteval run` on the same run id (say two terminals with --only) would
 * append to the same journals and overwrite each other's manifest. The lock is a file created exclusively,
 * holding the owner's pid; a lock left by a process that no longer exists (SIGKILL, a crash) is taken over.
 * This guards one machine; a run folder shared over NFS by two hosts is not covered.
 */
import { mkdirSync, openSync, readFileSync, rmSync, writeSync, closeSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { QuantevalError } from "../errors.ts";

export class RunLockedError extends QuantevalError {
  constructor(runId: string, pid: number, file: string) {
    super("E_RUN_LOCKED", `run ${runId} is being written by another quanteval process (pid ${pid})`,
      `wait for it to finish, or use another --run-id; if that process is gone, delete ${file}`);
  }
}

const LockSchema = z.object({ pid: z.int(), host: z.string() });

export class RunLock {
  readonly file: string;
  #held = true;

  private constructor(file: string) {
    this.file = file;
  }

  static acquire(runDir: string, runId: string): RunLock {
    mkdirSync(runDir, { recursive: true });
    const file = join(runDir, "run.lock");
    for (let tries = 0; tries < 2; tries++) {
      try {
        const fd = openSync(file, "wx");
        writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname(), at: new Date().toISOString() }));
        closeSync(fd);
        return new RunLock(file);
      } catch (error) {
        if (!(error instanceof Error && "code" in error && error.code === "EEXIST")) throw error;
      }
      const owner = readOwner(file);
      if (owner !== undefined && owner.host === hostname() && isAlive(owner.pid)) throw new RunLockedError(runId, owner.pid, file);
      // Stale (its process is gone) or unreadable (torn by a crash while being written): take it over.
      rmSync(file, { force: true });
    }
    throw new RunLockedError(runId, -1, file);
  }

  release(): void {
    if (this.#held) rmSync(this.file, { force: true });
    this.#held = false;
  }
}

function readOwner(file: string): z.infer<typeof LockSchema> | undefined {
  try {
    const parsed = LockSchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
    return parsed.success ? parsed.data : undefined;
  } catch (error) {
    // Removed between our open and read (its owner finished), or torn: both mean nobody holds it now.
    if (error instanceof SyntaxError || (error instanceof Error && "code" in error && error.code === "ENOENT")) return undefined;
    throw error;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return error instanceof Error && "code" in error && error.code === "EPERM";
  }
}
