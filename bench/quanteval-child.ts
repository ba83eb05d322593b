/**
 * `node bin/quanteval.js <args>` as a user runs it, measured from outside: wall time from spawn to exit, the
 * moment each stderr line arrived (the plain progress lines mark when asking starts and ends), and the child's
 * own peak RSS and CPU time, written at its exit by resource-usage-preload.ts. Its RSS is also sampled from /proc
 * while it runs, so a bench can tell which phase set the peak.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { BIN } from "./sim-child.ts";

const PRELOAD = pathToFileURL(join(import.meta.dirname, "resource-usage-preload.ts")).href;
const RSS_SAMPLE_MS = 250;

export interface TimedLine {
  /** Milliseconds after spawn. */
  atMs: number;
  line: string;
}

export interface QuantevalChildRun {
  code: number | null;
  wallMs: number;
  stdout: string;
  stderrLines: TimedLine[];
  /** Peak resident set size of the child, MB (2^20 bytes); undefined if it died before writing it. */
  peakRssMb: number | undefined;
  /** User + system CPU of the child, ms. */
  cpuMs: number | undefined;
  /** Resident set size every 250 ms (VmRSS from /proc; empty where there is no /proc). */
  rssSamples: { atMs: number; rssMb: number }[];
}

/** Runs quanteval with these arguments in `cwd` (node flags such as --trace-gc in `nodeArgs`) and resolves when it exits. */
export async function runQuantevalChild(
  args: readonly string[],
  options: { cwd: string; env?: Record<string, string>; nodeArgs?: readonly string[] },
): Promise<QuantevalChildRun> {
  const usageDir = mkdtempSync(join(tmpdir(), "qe-bench-usage-"));
  const usageFile = join(usageDir, "usage.json");
  const started = performance.now();
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), "--import", PRELOAD, BIN, ...args], {
    cwd: options.cwd,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...options.env, QUANTEVAL_BENCH_USAGE_FILE: usageFile },
  });
  let stdout = "";
  let partial = "";
  const stderrLines: TimedLine[] = [];
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
  });
  child.stderr.on("data", (chunk: Buffer) => {
    const atMs = performance.now() - started;
    const lines = (partial + chunk.toString("utf8")).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) stderrLines.push({ atMs, line });
  });
  const rssSamples: { atMs: number; rssMb: number }[] = [];
  const sampler = setInterval(() => {
    const rssMb = child.pid === undefined ? undefined : residentMb(child.pid);
    if (rssMb !== undefined) rssSamples.push({ atMs: performance.now() - started, rssMb });
  }, RSS_SAMPLE_MS);
  const code = await new Promise<number | null>((resolveExit) =>
    child.on("close", (exitCode) => resolveExit(exitCode)),
  );
  clearInterval(sampler);
  const wallMs = performance.now() - started;
  if (partial !== "") stderrLines.push({ atMs: wallMs, line: partial });
  const usage = existsSync(usageFile)
    ? (JSON.parse(readFileSync(usageFile, "utf8")) as { maxRssKb: number; cpuMs: number })
    : undefined;
  rmSync(usageDir, { recursive: true, force: true });
  return {
    code,
    wallMs,
    stdout,
    stderrLines,
    peakRssMb: usage === undefined ? undefined : usage.maxRssKb / 1024,
    cpuMs: usage?.cpuMs,
    rssSamples,
  };
}

/** Peak RSS among the samples taken between two moments (ms after spawn); NaN when none fell there. */
export function peakRssBetween(run: QuantevalChildRun, fromMs: number, toMs: number): number {
  const inside = run.rssSamples.filter((s) => s.atMs >= fromMs && s.atMs <= toMs).map((s) => s.rssMb);
  return inside.length === 0 ? Number.NaN : Math.max(...inside);
}

/** VmRSS of a live process in MB, or undefined once it is gone (or without /proc). */
function residentMb(pid: number): number | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, "utf8");
  } catch {
    return undefined; // exited (and reaped) since the last sample, or no /proc: nothing to sample
  }
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status); // a zombie has no VmRSS line
  return match?.[1] === undefined ? undefined : Number(match[1]) / 1024;
}
