/**
 * After a server stops: wait until nvidia-smi no longer lists its processes, so the next variant's server can
 * allocate the memory. No nvidia-smi means no GPU here, and nothing to wait for.
 */
import { execFile } from "node:child_process";
import { setTimeout } from "node:timers/promises";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

/** The driver frees a dead process's memory within seconds; after this we go on and say so. */
const GPU_WAIT_MS = 120_000;

export type GpuApps = { kind: "absent" } | { kind: "failed"; detail: string } | { kind: "pids"; pids: number[] };

/** "skipped": no nvidia-smi; "unknown": nvidia-smi failed; "busy": still listed at the deadline. */
export type GpuWaitResult = "free" | "busy" | "unknown" | "skipped";

interface GpuWait {
  /** The processes the server's group ever had; their pids are looked for in nvidia-smi's list. */
  pids: ReadonlySet<number>;
  /** Says whose processes they were, in log lines. */
  variant: string;
  log: (line: string) => void;
  now: () => number;
  pollMs: number;
  /** Test seam: what nvidia-smi lists. */
  gpuApps?: (() => Promise<GpuApps>) | undefined;
  timeoutMs?: number | undefined;
}

export async function waitGpuFree(wait: GpuWait): Promise<GpuWaitResult> {
  const query = wait.gpuApps ?? (() => queryGpuApps());
  const timeoutMs = wait.timeoutMs ?? GPU_WAIT_MS;
  const deadline = wait.now() + timeoutMs;
  for (;;) {
    const apps = await query();
    if (apps.kind === "absent") return "skipped";
    if (apps.kind === "failed") {
      wait.log(`[${wait.variant}] cannot tell whether the GPU is free: nvidia-smi failed (${apps.detail})`);
      return "unknown";
    }
    const still = apps.pids.filter((pid) => wait.pids.has(pid));
    if (still.length === 0) return "free";
    if (wait.now() >= deadline) {
      wait.log(
        `[${wait.variant}] nvidia-smi still lists the server's processes (${still.join(", ")}) after ` +
          `${Math.round(timeoutMs / 1000)}s; going on`,
      );
      return "busy";
    }
    await setTimeout(wait.pollMs);
  }
}

/** The pids holding a GPU context, as nvidia-smi lists them; "absent" when there is no nvidia-smi (no GPU here). */
export async function queryGpuApps(command = "nvidia-smi"): Promise<GpuApps> {
  let stdout: string;
  try {
    const args = ["--query-compute-apps=pid", "--format=csv,noheader"];
    ({ stdout } = await execFileAsync(command, args, { timeout: 30_000 }));
  } catch (error) {
    if (error instanceof Error && "code" in error && error.code === "ENOENT") return { kind: "absent" };
    const message = error instanceof Error ? error.message : String(error);
    return { kind: "failed", detail: message.split("\n")[0] ?? message };
  }
  return {
    kind: "pids",
    pids: stdout
      .split(/\s+/)
      .filter((s) => /^\d+$/.test(s))
      .map(Number),
  };
}
