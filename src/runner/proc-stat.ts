/**
 * A process's state, group and start time from /proc/<pid>/stat (Linux). The start time, in clock ticks since
 * boot, together with the pid names one process for good: a pid alone may be reused by another process.
 */
import { readFileSync } from "node:fs";

export interface ProcStat {
  state: string;
  pgrp: number;
  startTime: string;
}

/** Fields of /proc/<pid>/stat after the command name (which may hold spaces and parentheses). */
export function readProcStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined; // gone between the listing and the read, or no /proc
  }
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  // After "pid (comm) ": state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime
  // cutime cstime priority nice num_threads itrealvalue starttime: starttime is the 20th.
  return { state: fields[0] ?? "", pgrp: Number(fields[2]), startTime: fields[19] ?? "" };
}
