/**
 * A served variant's process group: the server runs in a group of its own (spawned detached), so vLLM's engine
 * core, the child that holds the GPU, is signalled and waited for together with the server that forked it.
 */
import { readdirSync } from "node:fs";
import { setTimeout } from "node:timers/promises";
import { readProcStat } from "../proc-stat.ts";
import { settledWithin } from "./settled-within.ts";

/** After SIGKILL the kernel ends a process at once, unless it is stuck in the driver; no point waiting longer. */
export const KILL_WAIT_MS = 10_000;

/** Signals the process group; a group already gone (ESRCH) is what we wanted. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (error) {
    if (!(error instanceof Error && "code" in error && error.code === "ESRCH")) throw error;
  }
}

/**
 * Live (not zombie) processes of a process group. From /proc on Linux, because an orphan's zombie is reaped by
 * PID 1, and some container inits never do: kill(-pgid, 0) would say the group lives forever. Elsewhere the group
 * is alive as long as it can be signalled.
 */
export function liveGroupMembers(pgid: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync("/proc").filter((e) => /^\d+$/.test(e));
  } catch {
    try {
      process.kill(-pgid, 0);
      return [pgid];
    } catch {
      return [];
    }
  }
  const members: number[] = [];
  for (const entry of entries) {
    const stat = readProcStat(Number(entry));
    if (stat !== undefined && stat.pgrp === pgid && stat.state !== "Z" && stat.state !== "X") {
      members.push(Number(entry));
    }
  }
  return members;
}

interface GroupWait {
  ms: number;
  pollMs: number;
  now: () => number;
  /** The leader's exit: it cuts a poll short, so a group that ends is seen at once. */
  wake?: Promise<unknown> | undefined;
}

/** True once no live process is left in the group `pgid`, false after `wait.ms`. */
export async function waitGroupEmpty(pgid: number, wait: GroupWait): Promise<boolean> {
  const deadline = wait.now() + wait.ms;
  const pollMs = Math.min(wait.pollMs, 100);
  let wake = wait.wake?.then(() => true);
  while (liveGroupMembers(pgid).length > 0) {
    if (wait.now() >= deadline) return false;
    if (wake === undefined) await setTimeout(pollMs);
    // Once it has fired, a wake would end every later poll at once: a child that outlives its leader is polled.
    else if ((await settledWithin(wake, pollMs)) === true) wake = undefined;
  }
  return true;
}
