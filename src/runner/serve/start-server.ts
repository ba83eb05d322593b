/**
 * Starting a variant's server (variants[].serve): the command is spawned in its own process group (so Ctrl-C on
 * the terminal reaches quanteval, which decides when the server stops), with stdout and stderr appended to
 * artifacts/<run-id>/<variant>/server.log and its pid in server.pid next to it; startServer returns once the
 * server is ready (wait-ready.ts). A server an earlier, killed session left running is stopped first.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { VariantConfig } from "../../config.ts";
import { ServerPortBusyError, ServerSpawnError } from "../../core/errors.ts";
import { findLeftRunning, stopLeftRunning } from "./left-running.ts";
import { writePidFile } from "./pid-file.ts";
import { formatHostPort, hostPortOf, portAccepts } from "./port-wait.ts";
import { DEFAULT_POLL_MS, ServerHandle } from "./server-handle.ts";
import { appendLogNote } from "./server-log.ts";
import type { ServerRegistry } from "./server-registry.ts";
import { shellQuote } from "./shell-quote.ts";
import { stopServer } from "./stop-server.ts";
import { type ReadyOptions, waitReady } from "./wait-ready.ts";

export interface StartOptions extends ReadyOptions {
  /** Holds the server until it is stopped, so a way out that skips `finally` still kills it. */
  servers: ServerRegistry;
  /** artifacts/<run-id>/<variant>/server.log; server.pid goes next to it. */
  logFile: string;
  /** Folder a relative serve.cwd is resolved against: the one quanteval runs in. */
  cwd: string;
  /** The run's folder: a server left running by an earlier session of the run (any variant) is looked for here. */
  runDir?: string | undefined;
  /** Aborts the wait (SIGINT): the server is stopped and the abort reason thrown. */
  signal?: AbortSignal | undefined;
  /** The environment the server inherits, before serve.env; default quanteval's own. */
  env?: NodeJS.ProcessEnv | undefined;
}

export async function startServer(variant: VariantConfig, options: StartOptions): Promise<ServerHandle> {
  const serve = variant.serve;
  if (serve === undefined) throw new Error(`startServer: variant ${variant.name} has no serve block`);
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => {});
  const commandText = shellQuote(serve.command);
  const target = hostPortOf(variant.baseUrl);

  const leftBehind = findLeftRunning(options.runDir, options.logFile);
  if (leftBehind !== undefined) {
    await stopLeftRunning(leftBehind, serve, {
      log,
      now,
      pollMs: options.pollMs ?? DEFAULT_POLL_MS,
      variant: variant.name,
      target,
    });
  }
  if (await portAccepts(target)) {
    throw new ServerPortBusyError(
      formatHostPort(target),
      ` (from its baseUrl ${variant.baseUrl}): another server ` +
        "is up, and it would be measured instead of the one variants[].serve starts",
      `stop the server on port ${target.port} (\`ss -ltnp 'sport = :${target.port}'\` shows its pid), or drop the ` +
        `serve block of variant ${variant.name} to evaluate the server that is already up`,
    );
  }

  const cwd = resolve(options.cwd, serve.cwd ?? ".");
  if (!existsSync(cwd) || !statSync(cwd).isDirectory()) {
    throw new ServerSpawnError(commandText, `serve.cwd ${cwd} is not a folder`);
  }
  const [program, ...args] = serve.command;
  if (program === undefined) throw new ServerSpawnError(commandText, "serve.command is empty");

  mkdirSync(dirname(options.logFile), { recursive: true });
  const logStart = existsSync(options.logFile) ? statSync(options.logFile).size : 0;
  if (logStart > 0) appendFileSync(options.logFile, "\n");
  appendLogNote(options.logFile, now(), `starting the server of variant ${variant.name} in ${cwd}: ${commandText}`);
  const spawnedAt = now();
  const fd = openSync(options.logFile, "a");
  let child: ChildProcess;
  try {
    // detached: its own process group, so stopServer can signal every process vLLM forks, and the terminal's
    // Ctrl-C goes to quanteval alone. The log fd is inherited (the server writes to the file directly, so no
    // output is lost if quanteval dies) and closed here once the child has its copy.
    child = spawn(program, args, {
      cwd,
      env: { ...(options.env ?? process.env), ...serve.env },
      detached: true,
      stdio: ["ignore", fd, fd],
    });
  } finally {
    closeSync(fd);
  }
  const spawnError = await new Promise<Error | undefined>((resolveSpawn) => {
    child.once("spawn", () => resolveSpawn(undefined));
    child.once("error", resolveSpawn);
  });
  child.on("error", () => {}); // a later error (a signal that could not be sent) is handled where it is sent
  const pid = child.pid;
  if (spawnError !== undefined || pid === undefined) {
    const detail = spawnError?.message ?? "no process id";
    appendFileSync(options.logFile, `=== quanteval: cannot start: ${detail}\n`);
    throw new ServerSpawnError(commandText, detail, { cause: spawnError });
  }
  // quanteval's own exit must not wait for the server: the registry's 'exit' handler kills it instead.
  child.unref();
  const handle = new ServerHandle({
    variant: variant.name,
    child,
    pid,
    command: serve.command,
    logFile: options.logFile,
    logStart,
    serve,
    target,
    servers: options.servers,
  });
  options.servers.add(handle);
  writePidFile(handle.pidFile, { pid, command: serve.command, spawnedAt });
  log(`[${variant.name}] starting the server (pid ${pid}): ${commandText}; log: ${options.logFile}`);

  try {
    await waitReady(handle, variant, serve, options, spawnedAt);
  } catch (error) {
    await stopServer(handle, { log, pollMs: options.pollMs });
    throw error;
  }
  const startupSec = Math.round(now() - spawnedAt) / 1000;
  handle.markReady(startupSec);
  appendLogNote(options.logFile, now(), `ready after ${startupSec.toFixed(1)}s`);
  log(`[${variant.name}] server ready after ${startupSec.toFixed(1)}s`);
  return handle;
}
