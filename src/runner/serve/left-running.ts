/**
 * Servers left running by a session of the run that was SIGKILLed (no handler ran, so nothing stopped them). The
 * next session holds the run lock, so the killed one is gone, and server.pid names the very process it spawned:
 * that session's server is stopped before anything starts, and a resume after a kill needs no one to clean up by
 * hand.
 */
import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import type { ServeConfig, VariantConfig } from "../../config.ts";
import { ServerLeftRunningError } from "../../core/errors.ts";
import { type PidFileEntry, pidFileOf, readLivePidFile, removePidFile } from "./pid-file.ts";
import { type HostPort, hostPortOf, PORT_WAIT_MS, waitPortClosed } from "./port-wait.ts";
import { KILL_WAIT_MS, signalGroup, waitGroupEmpty } from "./process-group.ts";
import { DEFAULT_POLL_MS } from "./server-handle.ts";
import { appendLogNote } from "./server-log.ts";
import { shellQuote } from "./shell-quote.ts";

interface LeftRunningStop {
  log: (line: string) => void;
  now: () => number;
  pollMs: number;
  variant: string;
  target: HostPort;
}

/**
 * A server an earlier session of this run started and never stopped, if it still lives: the one next to `logFile`,
 * or with `runDir`, that of any variant of the run.
 */
export function findLeftRunning(runDir: string | undefined, logFile: string): PidFileEntry | undefined {
  const files = new Set([pidFileOf(logFile)]);
  if (runDir !== undefined && existsSync(runDir)) {
    for (const entry of readdirSync(runDir, { withFileTypes: true })) {
      if (entry.isDirectory()) files.add(join(runDir, entry.name, "server.pid"));
    }
  }
  for (const file of files) {
    const left = readLivePidFile(file);
    if (left !== undefined) return left;
  }
  return undefined;
}

/**
 * At the start of a session: stops the server an earlier, killed session started for this variant, if it still runs,
 * with the variant's own stopGraceSec and port. Run for every served variant, so an orphan is stopped even when its
 * variant has nothing left to ask (startServer would never be called for it).
 */
export async function stopServerLeftRunning(
  variant: VariantConfig,
  options: { runDir: string; log?: (line: string) => void; now?: () => number; pollMs?: number },
): Promise<void> {
  if (variant.serve === undefined) return;
  const left = findLeftRunning(undefined, join(options.runDir, variant.name, "server.log"));
  if (left === undefined) return;
  await stopLeftRunning(left, variant.serve, {
    log: options.log ?? (() => {}),
    now: options.now ?? Date.now,
    pollMs: options.pollMs ?? DEFAULT_POLL_MS,
    variant: variant.name,
    target: hostPortOf(variant.baseUrl),
  });
}

/**
 * Stops a server an earlier session of this run started and could not stop (it was SIGKILLed). Safe because the
 * caller holds the run lock, so that session is dead, and server.pid's pid + start time name the very process it
 * spawned, not a stranger that reused the pid. Same sequence as stopServer: SIGTERM to the group, SIGKILL after
 * stopGraceSec; a group that survives even that is left to the user, with the command to end it.
 */
export async function stopLeftRunning(left: PidFileEntry, serve: ServeConfig, options: LeftRunningStop): Promise<void> {
  const { log, now, pollMs } = options;
  const gone = (ms: number): Promise<boolean> => waitGroupEmpty(left.pid, { ms, pollMs, now });
  log(
    `[${options.variant}] a server an earlier session of this run started is still running (pid ${left.pid}: ` +
      `${shellQuote(left.command)}); that session was killed before it could stop it: stopping it now`,
  );
  signalGroup(left.pid, "SIGTERM");
  let how = "stopped with SIGTERM";
  if (!(await gone(serve.stopGraceSec * 1000))) {
    signalGroup(left.pid, "SIGKILL");
    how = "killed with SIGKILL after stopGraceSec";
    if (!(await gone(KILL_WAIT_MS))) throw new ServerLeftRunningError(left.pid, shellQuote(left.command), left.file);
  }
  removePidFile(left.file);
  const logFile = join(dirname(left.file), "server.log");
  if (existsSync(logFile)) appendLogNote(logFile, now(), `server left running by a killed session ${how}`);
  log(`[${options.variant}] the server left running (pid ${left.pid}) ${how}`);
  // Its port closes with it; a port that stays open is another server's, which the caller's check reports.
  await waitPortClosed(options.target, { timeoutMs: Math.min(PORT_WAIT_MS, 5000), pollMs, now });
}
