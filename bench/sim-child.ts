/**
 * The simulator in a child process (`quanteval sim --port 0`), so a bench's own process.cpuUsage() is the
 * client's alone: an in-process simulator would put its CPU on the client's bill. The child reads its
 * profiles from a JSON file and its tasks from `--tasks` or a run config (`-c`, so prompts match the run's).
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { SimVariantProfile } from "../src/sim/index.ts";

export const ROOT = resolve(import.meta.dirname, "..");
export const BIN = join(ROOT, "bin", "quanteval.js");
const OUTPUT_KEPT_CHARS = 64 * 1024;

export interface SimChildOptions {
  profiles: readonly SimVariantProfile[];
  /** Tasks the simulator recognises (`--tasks`); ignored when `config` is given. */
  tasks?: readonly string[];
  /** A run config file: the simulator takes its tasks and taskOptions, so its prompts are the run's. */
  config?: string;
  /** Local dataset copies in the hub layout (`--data-dir`). */
  dataDir?: string;
  seed?: number;
  /** More `quanteval sim` flags, e.g. fault injection: ["--drop-rate", "0.01"]. */
  extraArgs?: readonly string[];
  /** How long the child may take to load its tasks and listen; default 120 s. */
  startTimeoutMs?: number;
}

export interface SimChild {
  /** OpenAI-style base URL, e.g. http://127.0.0.1:41234/v1. */
  baseUrl: string;
  pid: number;
  /** CPU time (user + system, ms) the child has used so far, from /proc; undefined where /proc is missing. */
  cpuMs(): number | undefined;
  /** SIGTERM (the simulator closes cleanly), SIGKILL after 5 s. */
  stop(): Promise<void>;
}

/** Starts `quanteval sim` on a free loopback port and resolves once it listens. */
export async function startSimChild(options: SimChildOptions): Promise<SimChild> {
  const dir = mkdtempSync(join(tmpdir(), "qe-bench-sim-"));
  const profilesFile = join(dir, "profiles.json");
  writeFileSync(profilesFile, JSON.stringify(options.profiles));
  const args = [
    BIN,
    "sim",
    "--host",
    "127.0.0.1",
    "--port",
    "0",
    "--profiles",
    profilesFile,
    "--seed",
    String(options.seed ?? 0),
  ];
  if (options.config !== undefined) args.push("-c", options.config);
  else args.push("--tasks", (options.tasks ?? ["suite40"]).join(","));
  if (options.dataDir !== undefined) args.push("--data-dir", options.dataDir);
  // As a benchmarked vLLM would run: a line per request would cost the simulator CPU the bench does not measure.
  args.push("--disable-log-requests", ...(options.extraArgs ?? []));
  // Offline: a bench reads local files (--data-dir, bundled tasks) and never downloads.
  const child = spawn(process.execPath, args, {
    cwd: dir,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, HF_HUB_OFFLINE: "1" },
  });
  let stdout = "";
  let stderr = "";
  // Only the banner and the end of stderr are kept: a simulator that logs per request must not grow this process.
  child.stdout.on("data", (chunk: Buffer) => {
    stdout = (stdout + chunk.toString("utf8")).slice(-OUTPUT_KEPT_CHARS);
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString("utf8")).slice(-OUTPUT_KEPT_CHARS);
  });
  const exited = new Promise<void>((resolveExit) => child.once("exit", () => resolveExit()));
  const cleanup = (): void => rmSync(dir, { recursive: true, force: true });
  let baseUrl: string;
  try {
    baseUrl = await waitForListening(
      child,
      () => stdout,
      () => stderr,
      options.startTimeoutMs ?? 120_000,
    );
  } catch (error) {
    child.kill("SIGKILL");
    await exited;
    cleanup();
    throw error;
  }
  const pid = child.pid ?? -1;
  return {
    baseUrl,
    pid,
    cpuMs: () => processCpuMs(pid),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
        await exited;
        clearTimeout(timer);
      }
      cleanup();
    },
  };
}

function waitForListening(
  child: ChildProcess,
  stdout: () => string,
  stderr: () => string,
  timeoutMs: number,
): Promise<string> {
  return new Promise((resolveUrl, reject) => {
    const timer = setTimeout(
      () => finish(new Error(`quanteval sim did not listen within ${timeoutMs} ms; stderr:\n${stderr()}`)),
      timeoutMs,
    );
    const onData = (): void => {
      const match = /listening on (\S+)/.exec(stdout());
      if (match?.[1] !== undefined) finish(match[1]);
    };
    const onExit = (code: number | null): void =>
      finish(new Error(`quanteval sim exited (code ${code}) before listening; stderr:\n${stderr()}`));
    const finish = (result: string | Error): void => {
      clearTimeout(timer);
      child.stdout?.off("data", onData);
      child.off("exit", onExit);
      if (typeof result === "string") resolveUrl(result);
      else reject(result);
    };
    child.stdout?.on("data", onData);
    child.once("exit", onExit);
  });
}

/** Clock ticks per second of /proc/<pid>/stat times; read lazily, once (100 on every Linux we know of). */
let clockTicksPerSec: number | undefined;

/** utime + stime of a live process in ms (10 ms resolution at 100 ticks/s), or undefined without /proc. */
export function processCpuMs(pid: number): number | undefined {
  const file = `/proc/${pid}/stat`;
  if (!existsSync(file)) return undefined;
  clockTicksPerSec ??= Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
  const stat = readFileSync(file, "utf8");
  // Fields after the command name (which may hold spaces) start at field 3; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) / clockTicksPerSec) * 1000;
}
