/**
 * Stopping a started server: the whole process group, not just its leader (vLLM's engine core is a child process,
 * and it is the one holding the GPU). SIGTERM, SIGKILL after stopGraceSec, then a wait until the port accepts no
 * connections and nvidia-smi no longer lists the group's processes, so the next variant's server can bind the port
 * and allocate the memory.
 */
import { type GpuApps, waitGpuFree } from "./gpu-wait.ts";
import { removePidFile } from "./pid-file.ts";
import { formatHostPort, PORT_WAIT_MS, waitPortClosed } from "./port-wait.ts";
import { KILL_WAIT_MS, liveGroupMembers, signalGroup, waitGroupEmpty } from "./process-group.ts";
import {
  DEFAULT_POLL_MS,
  describeExit,
  type ServerExit,
  type ServerHandle,
  type StopResult,
  serverExitedError,
} from "./server-handle.ts";
import { appendLogNote } from "./server-log.ts";
import { settledWithin } from "./settled-within.ts";

export interface StopOptions {
  log?: ((line: string) => void) | undefined;
  pollMs?: number | undefined;
  /** Test seam: what nvidia-smi lists. */
  gpuApps?: (() => Promise<GpuApps>) | undefined;
  gpuTimeoutMs?: number | undefined;
  now?: (() => number) | undefined;
}

/**
 * Stops the server's whole process group and waits until its port and GPU are free. What could not be done (a
 * process that survives SIGKILL, a port still taken, memory still held) is logged and returned, not thrown: the
 * variant's results stand, and the next server's start says whether the machine is usable. Calling it again
 * returns the first call's result.
 */
export function stopServer(handle: ServerHandle, options: StopOptions = {}): Promise<StopResult> {
  return handle.stopOnce(() => stopOnce(handle, options));
}

async function stopOnce(handle: ServerHandle, options: StopOptions): Promise<StopResult> {
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => {});
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  const name = handle.variant;
  handle.rememberGroup();
  const crashed = handle.exit !== undefined;
  signalGroup(handle.pid, "SIGTERM");
  let killed = false;
  if (!(await waitGroupGone(handle, handle.serve.stopGraceSec * 1000, pollMs, now))) {
    log(`[${name}] the server did not exit within ${handle.serve.stopGraceSec}s of SIGTERM (stopGraceSec): SIGKILL`);
    signalGroup(handle.pid, "SIGKILL");
    killed = true;
    if (!(await waitGroupGone(handle, KILL_WAIT_MS, pollMs, now))) {
      log(
        `[${name}] processes of the server's group are still there after SIGKILL ` +
          `(pids ${liveGroupMembers(handle.pid).join(", ")}): stuck in the kernel or the GPU driver?`,
      );
    }
  }
  const exit: ServerExit = handle.exit ??
    (await settledWithin(handle.exited, KILL_WAIT_MS)) ?? { code: null, signal: null };
  handle.unregister();
  removePidFile(handle.pidFile);

  const portFree = await waitPortClosed(handle.target, { timeoutMs: PORT_WAIT_MS, pollMs, now });
  if (!portFree) {
    log(
      `[${name}] ${formatHostPort(handle.target)} still accepts connections after the server's processes exited: ` +
        "another server is on that port",
    );
  }
  const gpu = handle.serve.waitGpuFree
    ? await waitGpuFree({
        pids: handle.knownPids(),
        variant: name,
        log,
        now,
        pollMs,
        gpuApps: options.gpuApps,
        timeoutMs: options.gpuTimeoutMs,
      })
    : "skipped";
  const how = crashed
    ? `had already exited (${describeExit(exit)})`
    : killed
      ? "killed with SIGKILL after stopGraceSec"
      : `stopped (${describeExit(exit)})`;
  appendLogNote(handle.logFile, now(), `server ${how}`);
  log(`[${name}] server ${how}`);
  return { exit, killed, portFree, gpu };
}

/** True once no live process is left in the group, and the leader's exit has been seen (reaped). */
async function waitGroupGone(handle: ServerHandle, ms: number, pollMs: number, now: () => number): Promise<boolean> {
  if (!(await waitGroupEmpty(handle.pid, { ms, pollMs, now, wake: handle.exited }))) return false;
  // The leader's exit event follows its death within a tick or two; a dead group with no event yet is done too.
  if (handle.exit === undefined) await settledWithin(handle.exited, Math.min(pollMs, 1000));
  return true;
}

/**
 * Runs `body` while a started server is up, then stops it whatever happens (the stop in a `finally`, so no server
 * outlives its variant). The signal `body` gets also aborts when the server exits on its own: left alone, requests
 * would retry into a closed port until a vaguer error. `diedWith` is that exit as a ServerExitedError (the exit
 * stopServer causes is expected, and not watched); callers decide whether it fails their variant.
 */
export async function whileServerUp<T>(
  server: ServerHandle,
  signal: AbortSignal | undefined,
  stop: StopOptions,
  body: (signal: AbortSignal) => Promise<T>,
): Promise<{ result: T; diedWith: unknown }> {
  const died = new AbortController();
  void server.exited.then((exit) => {
    if (!server.stopping) died.abort(serverExitedError(server, "while its items were asked", exit));
  });
  try {
    const result = await body(signal === undefined ? died.signal : AbortSignal.any([signal, died.signal]));
    return { result, diedWith: died.signal.aborted ? died.signal.reason : undefined };
  } finally {
    await stopServer(server, stop);
  }
}
