/**
 * server.pid, next to server.log: the server's pid and its start time in clock ticks since boot. The pair names one
 * process for good (a pid alone may be reused), so the next session of the run can tell its own server, left
 * running by a session that was SIGKILLed, from a stranger.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { z } from "zod";
import { readProcStat } from "../proc-stat.ts";

const PidFileSchema = z.object({ pid: z.int(), startTime: z.string(), command: z.array(z.string()) });

export interface PidFileEntry {
  pid: number;
  command: string[];
  file: string;
}

/** server.pid of the server whose log is `logFile`. */
export function pidFileOf(logFile: string): string {
  return join(dirname(logFile), "server.pid");
}

interface SpawnedServer {
  pid: number;
  command: readonly string[];
  spawnedAt: number;
}

export function writePidFile(file: string, server: SpawnedServer): void {
  const startTime = readProcStat(server.pid)?.startTime ?? "";
  const startedAt = new Date(server.spawnedAt).toISOString();
  const record = { pid: server.pid, startTime, command: server.command, startedAt };
  writeFileSync(file, `${JSON.stringify(record)}\n`);
}

export function removePidFile(file: string): void {
  rmSync(file, { force: true });
}

/**
 * The process `file` names, if that very process still runs; otherwise undefined, and the file (stale, or torn by
 * a crash while it was written) is removed.
 */
export function readLivePidFile(file: string): PidFileEntry | undefined {
  let parsed: z.infer<typeof PidFileSchema> | undefined;
  try {
    const result = PidFileSchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
    parsed = result.success ? result.data : undefined;
  } catch {
    parsed = undefined; // missing, or torn by a crash while written: it names nobody
  }
  const stat = parsed === undefined ? undefined : readProcStat(parsed.pid);
  if (
    parsed !== undefined &&
    stat !== undefined &&
    parsed.startTime !== "" &&
    stat.startTime === parsed.startTime &&
    stat.state !== "Z"
  ) {
    return { pid: parsed.pid, command: parsed.command, file };
  }
  removePidFile(file); // its process is gone: stale
  return undefined;
}
