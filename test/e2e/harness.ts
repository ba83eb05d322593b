/** Shared by the end-to-end tests: the real CLI as a child process, the real simulator on 127.0.0.1:0. */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { simItemsFromTasks } from "../../src/commands/sim.ts";
import { type SimFaults, type SimItem, type SimVariantProfile, SimServer } from "../../src/sim/index.ts";
import { loadForTest } from "../helpers/task-data.ts";
import { readJournal } from "../../src/runner/journal.ts";
import type { JournalRecord } from "../../src/runner/record.ts";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const BIN = join(ROOT, "bin", "quanteval.js");

export interface CliResult { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `qe-${prefix}-`));
}

/** Runs `quanteval <args>` with this Node (24), no TTY, and resolves when it exits. */
export function runCli(args: readonly string[], options: { cwd: string; env?: Record<string, string> }): Promise<CliResult> & { child: ReturnType<typeof spawn> } {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd, env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...options.env }, stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => { stdout += chunk.toString("utf8"); });
  child.stderr.on("data", (chunk: Buffer) => { stderr += chunk.toString("utf8"); });
  const done = new Promise<CliResult>((resolveDone) => {
    child.on("close", (code, signal) => resolveDone({ code, signal, stdout, stderr }));
  });
  return Object.assign(done, { child });
}

export function profile(model: string, overrides: Partial<SimVariantProfile> = {}): SimVariantProfile {
  return { model, accuracy: 0.9, unansweredRate: 0, reasoning: "none", reasoningTokens: 40, speed: "instant", ...overrides };
}

/** The simulator's items for these tasks, loaded as the runner loads them (fixtures or real data for hub tasks). */
export async function simItemsFor(tasks: string[], options: Parameters<typeof loadForTest>[1] = {}): Promise<SimItem[]> {
  return simItemsFromTasks((await loadForTest(tasks, options)).loaded);
}

export async function startSuiteSim(variants: SimVariantProfile[], faults?: SimFaults, port = 0): Promise<SimServer> {
  const items = await simItemsFor(["suite40"]);
  return SimServer.start({ seed: 0, variants, items, port, ...(faults !== undefined ? { faults } : {}) });
}

export function journal(artifacts: string, runId: string, variant: string, task = "suite40"): JournalRecord[] {
  return readJournal(join(artifacts, runId, variant, `${task}.jsonl`)).records;
}

export function readText(file: string): string {
  return existsSync(file) ? readFileSync(file, "utf8") : "";
}

/** Polls until `check` holds; the tests use it only to wait for progress, never to assert speed. */
export async function waitFor(check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error("condition not reached in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}
