/**
 * Shared by the end-to-end tests: the real simulator on 127.0.0.1:0, and the real CLI as a child process for what
 * needs one (signals, kill -9, a file-size limit, the heap flags, `quanteval sim` stopped by a signal). Everything
 * else runs the CLI in-process through ../helpers/run-main.ts.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { readJournal } from "../../src/journal/journal.ts";
import type { JournalRecord } from "../../src/journal/record.ts";
import {
  type SimFaults,
  type SimItem,
  SimServer,
  type SimVariantProfile,
  simItemsFromTasks,
} from "../../src/sim/index.ts";
import { loadForTest } from "../helpers/task-data.ts";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const BIN = join(ROOT, "bin", "quanteval.js");

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `qe-${prefix}-`));
}

/** Spawns `quanteval <args>` (bin/quanteval.js) with this Node (24), no TTY, and resolves when it exits. */
export function runCli(
  args: readonly string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<CliResult> & { child: ReturnType<typeof spawn> } {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  const done = new Promise<CliResult>((resolveDone) => {
    child.on("close", (code, signal) => resolveDone({ code, signal, stdout, stderr }));
  });
  return Object.assign(done, { child });
}

export function profile(model: string, overrides: Partial<SimVariantProfile> = {}): SimVariantProfile {
  return {
    model,
    accuracy: 0.9,
    unansweredRate: 0,
    reasoning: "none",
    reasoningTokens: 40,
    speed: "instant",
    ...overrides,
  };
}

/** The simulator's items for these tasks, loaded as the runner loads them (fixtures or real data for hub tasks). */
export async function simItemsFor(
  tasks: string[],
  options: Parameters<typeof loadForTest>[1] = {},
): Promise<SimItem[]> {
  return simItemsFromTasks((await loadForTest(tasks, options)).loaded);
}

export async function startSuiteSim(variants: SimVariantProfile[], faults?: SimFaults, port = 0): Promise<SimServer> {
  const items = await simItemsFor(["suite40"]);
  return SimServer.start({ seed: 0, variants, items, port, ...(faults !== undefined ? { faults } : {}) });
}

export function journal(artifacts: string, runId: string, variant: string, task = "suite40"): JournalRecord[] {
  return readJournal(join(artifacts, runId, variant, `${task}.jsonl`)).records;
}

/** Polls until `check` holds; the tests use it only to wait for progress, never to assert speed. */
export async function waitFor(check: () => boolean, timeoutMs = 30_000): Promise<void> {
  await waitForAsync(async () => check(), timeoutMs);
}

/** waitFor for a check that has to ask something over the network (a port). */
export async function waitForAsync(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error("condition not reached in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Slow enough that a run is still going when a test acts on it (kills it, kills its server); nothing asserts on speed. */
export function slowProfile(model: string, overrides: Partial<SimVariantProfile> = {}): SimVariantProfile {
  return profile(model, {
    reasoningTokens: 150,
    speed: { ttftMs: 5, ttftPerPromptTokenMs: 0, decodeTokensPerSec: 1500, maxDecodeTokensPerSec: 3000, maxNumSeqs: 4 },
    ...overrides,
  });
}

/** Alive and not a zombie (a dead orphan some container inits never reap). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) [ZX] /s.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

/** The pid quanteval recorded in artifacts/<run-id>/<variant>/server.pid for the server it started. */
export function serverPid(artifacts: string, runId: string, variant: string): number {
  return (JSON.parse(readFileSync(join(artifacts, runId, variant, "server.pid"), "utf8")) as { pid: number }).pid;
}

export interface ManifestVariant {
  name: string;
  status: string;
  error?: { code: string; message: string };
  serverStartupSec?: number;
  engine?: { name: string; version?: string; source: string };
}

export function manifestVariants(artifacts: string, runId: string): ManifestVariant[] {
  return (JSON.parse(readFileSync(join(artifacts, runId, "manifest.json"), "utf8")) as { variants: ManifestVariant[] })
    .variants;
}

/** What scores.json says of one variant on one task (its "all" row). */
export interface TaskScore {
  n: number;
  graded: number;
  correct: number;
  unanswered: number;
  errors: number;
  missing: number;
}

/** reports/<run-id>/scores.json as task → variant → the task's "all" row. */
export function taskScores(reports: string, runId: string): Record<string, Record<string, TaskScore>> {
  const scores = JSON.parse(readFileSync(join(reports, runId, "scores.json"), "utf8")) as {
    tasks: { name: string; rows: { breakdown: string; scores: (TaskScore & { variant: string })[] }[] }[];
  };
  return Object.fromEntries(
    scores.tasks.map((task) => {
      const row = task.rows.find((r) => r.breakdown === "all");
      return [task.name, Object.fromEntries((row?.scores ?? []).map((s) => [s.variant, s]))];
    }),
  );
}

/** Every object in a report that carries the counts (n, graded, errors, missing), at any depth. */
export function countRows(value: unknown, out: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (Array.isArray(value)) {
    for (const v of value) countRows(v, out);
  } else if (typeof value === "object" && value !== null) {
    const record = value as Record<string, unknown>;
    if (["n", "graded", "errors", "missing"].every((k) => typeof record[k] === "number")) out.push(record);
    for (const v of Object.values(record)) countRows(v, out);
  }
  return out;
}
