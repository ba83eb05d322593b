/**
 * Variant servers that quanteval starts itself (variants[].serve): one vLLM per precision, one after another on
 * one GPU, so a whole matrix runs unattended.
 *
 * startServer spawns the command in its own process group (so Ctrl-C on the terminal reaches quanteval, which
 * decides when the server stops) with stdout and stderr appended to artifacts/<run-id>/<variant>/server.log, and
 * returns once the health URL answers 200 and GET <baseUrl>/models lists the variant's model. stopServer ends the
 * whole group, not just its leader (vLLM's engine core is a child process, and it is the one holding the GPU):
 * SIGTERM, SIGKILL after stopGraceSec, then waits until the port accepts no connections and nvidia-smi no longer
 * lists the group's processes, so the next variant's server can bind the port and allocate the memory.
 *
 * Every started server is in a registry that an 'exit' handler SIGKILLs, for the ways out that skip `finally` (a
 * second Ctrl-C, process.exit). SIGKILL of quanteval itself runs no handler: the server's pid is in server.pid
 * next to its log, and the next session of the run (which holds the run lock, so the killed one is gone) stops
 * that server before it starts its own: a resume after a kill needs no one to clean up by hand.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { z } from "zod";
import { Endpoint } from "../client/index.ts";
import type { ServeConfig, VariantConfig } from "../config.ts";
import { ModelNotServedError, QuantevalError, RequestFailedError, ServerExitedError, ServerLeftRunningError, ServerPortBusyError, ServerSpawnError, ServerStartTimeoutError } from "../core/errors.ts";
import { type HostPort, formatHostPort, hostPortOf, portAccepts, waitPortClosed } from "./port-wait.ts";
import { readProcStat } from "./proc-stat.ts";

/** How often a starting server is probed, and a stopping one looked at. */
const DEFAULT_POLL_MS = 500;
/** One health or /models probe; a server that takes longer is not ready. */
const PROBE_TIMEOUT_MS = 10_000;
/** While a server loads its weights (minutes), a line now and then says quanteval is still waiting, and on what. */
const WAIT_NOTICE_MS = 60_000;
/** After SIGKILL the kernel ends a process at once, unless it is stuck in the driver; no point waiting longer. */
const KILL_WAIT_MS = 10_000;
/** Sockets close with their process; something still listening after that is another server. */
const PORT_WAIT_MS = 30_000;
/** The driver frees a dead process's memory within seconds; after this we go on and say so. */
const GPU_WAIT_MS = 120_000;
/** Lines of server.log quoted in an error. */
const TAIL_LINES = 20;
/** Bytes read from the end of server.log for the tail: a log of a long run is large, its end is what matters. */
const TAIL_BYTES = 64 * 1024;

export interface ServerExit { code: number | null; signal: NodeJS.Signals | null }

export interface StartOptions {
  /** artifacts/<run-id>/<variant>/server.log; server.pid goes next to it. */
  logFile: string;
  /** Folder a relative serve.cwd is resolved against: the one quanteval runs in. */
  cwd: string;
  /** The run's folder: a server left running by an earlier session of the run (any variant) is looked for here. */
  runDir?: string | undefined;
  /** For GET /models of a server started with --api-key. */
  apiKey?: string | undefined;
  /** Aborts the wait (SIGINT): the server is stopped and the abort reason thrown. */
  signal?: AbortSignal | undefined;
  log?: ((line: string) => void) | undefined;
  /** The environment the server inherits, before serve.env; default quanteval's own. */
  env?: NodeJS.ProcessEnv | undefined;
  pollMs?: number | undefined;
  fetch?: typeof fetch | undefined;
  now?: (() => number) | undefined;
}

export type GpuApps = { kind: "absent" } | { kind: "failed"; detail: string } | { kind: "pids"; pids: number[] };

export interface StopOptions {
  log?: ((line: string) => void) | undefined;
  pollMs?: number | undefined;
  /** Test seam: what nvidia-smi lists. */
  gpuApps?: (() => Promise<GpuApps>) | undefined;
  gpuTimeoutMs?: number | undefined;
  now?: (() => number) | undefined;
}

export interface StopResult {
  exit: ServerExit;
  /** SIGTERM was not enough within stopGraceSec: the group got SIGKILL. */
  killed: boolean;
  portFree: boolean;
  /** "skipped": waitGpuFree off or no nvidia-smi; "unknown": nvidia-smi failed; "busy": still listed at the deadline. */
  gpu: "free" | "busy" | "unknown" | "skipped";
}

/** A server quanteval started. Its exit before stopServer is a crash: the runner watches `exited` for it. */
export class ServerHandle {
  readonly variant: string;
  readonly pid: number;
  readonly command: readonly string[];
  readonly logFile: string;
  readonly serve: ServeConfig;
  readonly target: HostPort;
  /** Settles when the server's main process has exited, on its own or stopped. */
  readonly exited: Promise<ServerExit>;
  #exit: ServerExit | undefined;
  #startupSec = 0;
  #stop: Promise<StopResult> | undefined;
  /** The group's processes seen so far: nvidia-smi is asked about them once they are gone. */
  readonly #pids = new Set<number>();
  readonly #logStart: number;

  constructor(init: { variant: string; child: ChildProcess; pid: number; command: readonly string[]; logFile: string; logStart: number; serve: ServeConfig; target: HostPort }) {
    this.variant = init.variant;
    this.pid = init.pid;
    this.command = init.command;
    this.logFile = init.logFile;
    this.serve = init.serve;
    this.target = init.target;
    this.#logStart = init.logStart;
    this.#pids.add(this.pid);
    this.exited = new Promise((resolveExit) => {
      const onExit = (code: number | null, signal: NodeJS.Signals | null): void => { this.#exit = { code, signal }; resolveExit(this.#exit); };
      if (init.child.exitCode !== null || init.child.signalCode !== null) onExit(init.child.exitCode, init.child.signalCode);
      else init.child.once("exit", onExit);
    });
  }

  /** Seconds from spawn to ready (health 200 and the model listed). */
  get startupSec(): number { return this.#startupSec; }
  /** Set once the main process has exited. */
  get exit(): ServerExit | undefined { return this.#exit; }
  /** True once stopServer began: an exit from then on is expected. */
  get stopping(): boolean { return this.#stop !== undefined; }
  get pidFile(): string { return join(dirname(this.logFile), "server.pid"); }

  /** The last lines this server wrote (not those of earlier sessions in the same log), indented for an error message. */
  tail(): string {
    return logTail(this.logFile, this.#logStart);
  }

  /** @internal */ markReady(startupSec: number): void { this.#startupSec = startupSec; this.rememberGroup(); }
  /** @internal */ rememberGroup(): void { for (const pid of liveGroupMembers(this.pid)) this.#pids.add(pid); }
  /** @internal */ knownPids(): ReadonlySet<number> { return this.#pids; }
  /** @internal */ stopOnce(run: () => Promise<StopResult>): Promise<StopResult> { this.#stop ??= run(); return this.#stop; }
}

const started = new Set<ServerHandle>();
let exitHookInstalled = false;

/**
 * SIGKILLs the process group of every server still running. Installed as an 'exit' handler, where nothing can
 * wait for a graceful stop: a second Ctrl-C (process.exit) or a crash must not leave a server holding the GPU.
 */
export function killStartedServers(): number {
  const count = started.size;
  for (const handle of started) {
    // Inside an 'exit' handler a throw would hide the reason quanteval is exiting: each server is tried, whatever.
    try {
      signalGroup(handle.pid, "SIGKILL");
      rmSync(handle.pidFile, { force: true });
    } catch {
      // EPERM (the group changed owner) or an unwritable folder: nothing more can be done on the way out.
    }
  }
  started.clear();
  return count;
}

/** How many servers quanteval started and has not stopped yet. */
export function runningServerCount(): number {
  return started.size;
}

export async function startServer(variant: VariantConfig, options: StartOptions): Promise<ServerHandle> {
  const serve = variant.serve;
  if (serve === undefined) throw new Error(`startServer: variant ${variant.name} has no serve block`);
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => {});
  const commandText = shellQuote(serve.command);
  const target = hostPortOf(variant.baseUrl);

  const leftBehind = findLeftRunning(options.runDir, options.logFile);
  if (leftBehind !== undefined) await stopLeftRunning(leftBehind, serve, { log, now, pollMs: options.pollMs ?? DEFAULT_POLL_MS, variant: variant.name, target });
  if (await portAccepts(target)) {
    throw new ServerPortBusyError(formatHostPort(target), ` (from its baseUrl ${variant.baseUrl}): another server is up, and it would be measured instead of the one variants[].serve starts`,
      `stop the server on port ${target.port} (\`ss -ltnp 'sport = :${target.port}'\` shows its pid), or drop the serve block of variant ${variant.name} to evaluate the server that is already up`);
  }

  const cwd = resolve(options.cwd, serve.cwd ?? ".");
  if (!existsSync(cwd) || !statSync(cwd).isDirectory()) throw new ServerSpawnError(commandText, `serve.cwd ${cwd} is not a folder`);
  const [program, ...args] = serve.command;
  if (program === undefined) throw new ServerSpawnError(commandText, "serve.command is empty");

  mkdirSync(dirname(options.logFile), { recursive: true });
  const logStart = existsSync(options.logFile) ? statSync(options.logFile).size : 0;
  appendFileSync(options.logFile, `${logStart > 0 ? "\n" : ""}=== ${new Date(now()).toISOString()} quanteval: starting the server of variant ${variant.name} in ${cwd}: ${commandText}\n`);
  const spawnedAt = now();
  const fd = openSync(options.logFile, "a");
  let child: ChildProcess;
  try {
    // detached: its own process group, so stopServer can signal every process vLLM forks, and the terminal's
    // Ctrl-C goes to quanteval alone. The log fd is inherited (the server writes to the file directly, so no
    // output is lost if quanteval dies) and closed here once the child has its copy.
    child = spawn(program, args, { cwd, env: { ...(options.env ?? process.env), ...serve.env }, detached: true, stdio: ["ignore", fd, fd] });
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
  // quanteval's own exit must not wait for the server: the 'exit' hook kills it instead.
  child.unref();
  const handle = new ServerHandle({ variant: variant.name, child, pid, command: serve.command, logFile: options.logFile, logStart, serve, target });
  track(handle);
  writePidFile(handle, spawnedAt);
  log(`[${variant.name}] starting the server (pid ${pid}): ${commandText}; log: ${options.logFile}`);

  try {
    await waitReady(handle, variant, serve, options, spawnedAt);
  } catch (error) {
    await stopServer(handle, { log, pollMs: options.pollMs });
    throw error;
  }
  const startupSec = Math.round(now() - spawnedAt) / 1000;
  handle.markReady(startupSec);
  appendFileSync(options.logFile, `=== ${new Date(now()).toISOString()} quanteval: ready after ${startupSec.toFixed(1)}s\n`);
  log(`[${variant.name}] server ready after ${startupSec.toFixed(1)}s`);
  return handle;
}

/** Health 200, then the model listed by GET /models; fails at once when the process exits or the model is not the one served. */
async function waitReady(handle: ServerHandle, variant: VariantConfig, serve: ServeConfig, options: StartOptions, spawnedAt: number): Promise<void> {
  const now = options.now ?? Date.now;
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  const healthUrl = serve.healthUrl ?? `${new URL(variant.baseUrl).origin}/health`;
  const endpoint = new Endpoint({ baseUrl: variant.baseUrl, model: variant.model, apiKey: options.apiKey, timeoutMs: PROBE_TIMEOUT_MS, fetch: options.fetch });
  const deadline = spawnedAt + serve.startupTimeoutSec * 1000;
  let lastSeen = `${healthUrl}: no answer yet`;
  let nextNotice = spawnedAt + WAIT_NOTICE_MS;
  for (;;) {
    options.signal?.throwIfAborted();
    if (handle.exit !== undefined) throw serverExitedError(handle, "before it was ready", handle.exit);
    if (now() >= deadline) throw new ServerStartTimeoutError(serve.startupTimeoutSec, `last seen: ${lastSeen}`, handle.logFile, handle.tail());
    const health = await probeHealth(healthUrl, options);
    if (health.ok) {
      const listed = await listModels(endpoint, options.signal);
      // vLLM answers /health and /v1/models once the engine is up, with every served name: a list without ours
      // will not change by waiting (a --served-model-name that differs from variants[].model).
      if (listed.ok && listed.models.includes(variant.model)) return;
      if (listed.ok) throw new ModelNotServedError(endpoint.baseUrl, variant.model, listed.models);
      lastSeen = `${healthUrl} answered 200, but ${listed.detail}`;
    } else {
      lastSeen = `${healthUrl}: ${health.detail}`;
    }
    if (now() >= nextNotice) {
      options.log?.(`[${variant.name}] waiting for the server: ${Math.round((now() - spawnedAt) / 1000)}s so far (startupTimeoutSec ${serve.startupTimeoutSec}); ${lastSeen}; log: ${handle.logFile}`);
      nextNotice += WAIT_NOTICE_MS;
    }
    await pause(pollMs, handle.exited, options.signal);
  }
}

async function probeHealth(url: string, options: StartOptions): Promise<{ ok: true } | { ok: false; detail: string }> {
  const timeout = AbortSignal.timeout(PROBE_TIMEOUT_MS);
  const signal = options.signal === undefined ? timeout : AbortSignal.any([timeout, options.signal]);
  try {
    const response = await (options.fetch ?? fetch)(url, { signal });
    await response.body?.cancel();
    return response.status === 200 ? { ok: true } : { ok: false, detail: `HTTP ${response.status}` };
  } catch (error) {
    const cause: unknown = error instanceof Error ? error.cause : undefined;
    const code = typeof cause === "object" && cause !== null && "code" in cause ? String(cause.code) : undefined;
    return { ok: false, detail: code ?? (error instanceof Error ? error.message : String(error)) };
  }
}

async function listModels(endpoint: Endpoint, signal: AbortSignal | undefined): Promise<{ ok: true; models: string[] } | { ok: false; detail: string }> {
  try {
    return { ok: true, models: await endpoint.listModels(signal) };
  } catch (error) {
    signal?.throwIfAborted();
    // A key the server refuses will not be accepted by waiting.
    if (error instanceof RequestFailedError && (error.status === 401 || error.status === 403)) throw error;
    if (!(error instanceof QuantevalError)) throw error;
    return { ok: false, detail: error.message };
  }
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
      log(`[${name}] processes of the server's group are still there after SIGKILL (pids ${liveGroupMembers(handle.pid).join(", ")}): stuck in the kernel or the GPU driver?`);
    }
  }
  const exit = handle.exit ?? await Promise.race([handle.exited, delay(KILL_WAIT_MS).then((): ServerExit => ({ code: null, signal: null }))]);
  started.delete(handle);
  rmSync(handle.pidFile, { force: true });

  const portFree = await waitPortClosed(handle.target, { timeoutMs: PORT_WAIT_MS, pollMs, now });
  if (!portFree) log(`[${name}] ${formatHostPort(handle.target)} still accepts connections after the server's processes exited: another server is on that port`);
  const gpu = handle.serve.waitGpuFree ? await waitGpuFree(handle, options, now, log) : "skipped";
  const how = crashed ? `had already exited (${describeExit(exit)})` : killed ? "killed with SIGKILL after stopGraceSec" : `stopped (${describeExit(exit)})`;
  appendFileSync(handle.logFile, `=== ${new Date(now()).toISOString()} quanteval: server ${how}\n`);
  log(`[${name}] server ${how}`);
  return { exit, killed, portFree, gpu };
}

/** True once no live process is left in the group, and the leader's exit has been seen (reaped). */
async function waitGroupGone(handle: ServerHandle, ms: number, pollMs: number, now: () => number): Promise<boolean> {
  if (!(await waitGroupEmpty(handle.pid, ms, pollMs, now, handle.exited))) return false;
  // The leader's exit event follows its death within a tick or two; a dead group with no event yet is done too.
  if (handle.exit === undefined) await Promise.race([handle.exited, delay(Math.min(pollMs, 1000))]);
  return true;
}

/** True once no live process is left in the group `pgid`, false after `ms`; `wake` (the leader's exit) cuts a poll short. */
async function waitGroupEmpty(pgid: number, ms: number, pollMs: number, now: () => number, wake: Promise<unknown> = new Promise(() => {})): Promise<boolean> {
  const deadline = now() + ms;
  while (liveGroupMembers(pgid).length > 0) {
    if (now() >= deadline) return false;
    await pause(Math.min(pollMs, 100), wake);
  }
  return true;
}

async function waitGpuFree(handle: ServerHandle, options: StopOptions, now: () => number, log: (line: string) => void): Promise<StopResult["gpu"]> {
  const query = options.gpuApps ?? (() => queryGpuApps());
  const pids = handle.knownPids();
  const deadline = now() + (options.gpuTimeoutMs ?? GPU_WAIT_MS);
  for (;;) {
    const apps = await query();
    if (apps.kind === "absent") return "skipped";
    if (apps.kind === "failed") {
      log(`[${handle.variant}] cannot tell whether the GPU is free: nvidia-smi failed (${apps.detail})`);
      return "unknown";
    }
    const still = apps.pids.filter((pid) => pids.has(pid));
    if (still.length === 0) return "free";
    if (now() >= deadline) {
      log(`[${handle.variant}] nvidia-smi still lists the server's processes (${still.join(", ")}) after ${Math.round((options.gpuTimeoutMs ?? GPU_WAIT_MS) / 1000)}s; going on`);
      return "busy";
    }
    await delay(options.pollMs ?? DEFAULT_POLL_MS);
  }
}

/** The pids holding a GPU context, as nvidia-smi lists them; "absent" when there is no nvidia-smi (no GPU here). */
export function queryGpuApps(command = "nvidia-smi"): Promise<GpuApps> {
  return new Promise((resolveApps) => {
    execFile(command, ["--query-compute-apps=pid", "--format=csv,noheader"], { timeout: 30_000 }, (error, stdout) => {
      if (error !== null) {
        resolveApps("code" in error && error.code === "ENOENT" ? { kind: "absent" } : { kind: "failed", detail: error.message.split("\n")[0] ?? error.message });
        return;
      }
      resolveApps({ kind: "pids", pids: stdout.split(/\s+/).filter((s) => /^\d+$/.test(s)).map(Number) });
    });
  });
}

function track(handle: ServerHandle): void {
  started.add(handle);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on("exit", () => { killStartedServers(); });
  }
}

/** Signals the process group; a group already gone (ESRCH) is what we wanted. */
function signalGroup(pgid: number, signal: NodeJS.Signals): void {
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
    if (stat !== undefined && stat.pgrp === pgid && stat.state !== "Z" && stat.state !== "X") members.push(Number(entry));
  }
  return members;
}

const PidFileSchema = z.object({ pid: z.int(), startTime: z.string(), command: z.array(z.string()) });

/**
 * server.pid: the server's pid and its start time in clock ticks since boot. The pair names one process for
 * good (a pid alone may be reused), so the next session can tell its own server, left running, from a stranger.
 */
function writePidFile(handle: ServerHandle, spawnedAt: number): void {
  const startTime = readProcStat(handle.pid)?.startTime ?? "";
  writeFileSync(handle.pidFile, `${JSON.stringify({ pid: handle.pid, startTime, command: handle.command, startedAt: new Date(spawnedAt).toISOString() })}\n`);
}

/** A server an earlier session of this run started and never stopped (quanteval was SIGKILLed), if it still lives. */
function findLeftRunning(runDir: string | undefined, logFile: string): { pid: number; command: string[]; file: string } | undefined {
  const files = new Set([join(dirname(logFile), "server.pid")]);
  if (runDir !== undefined && existsSync(runDir)) {
    for (const entry of readdirSync(runDir, { withFileTypes: true })) if (entry.isDirectory()) files.add(join(runDir, entry.name, "server.pid"));
  }
  for (const file of files) {
    if (!existsSync(file)) continue;
    let parsed: z.infer<typeof PidFileSchema> | undefined;
    try {
      const result = PidFileSchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
      parsed = result.success ? result.data : undefined;
    } catch {
      parsed = undefined; // torn by a crash while written: it names nobody
    }
    const stat = parsed === undefined ? undefined : readProcStat(parsed.pid);
    if (parsed !== undefined && stat !== undefined && parsed.startTime !== "" && stat.startTime === parsed.startTime && stat.state !== "Z") {
      return { pid: parsed.pid, command: parsed.command, file };
    }
    rmSync(file, { force: true }); // its process is gone: stale
  }
  return undefined;
}

/**
 * At the start of a session: stops the server an earlier, killed session started for this variant, if it still runs,
 * with the variant's own stopGraceSec and port. Run for every served variant, so an orphan is stopped even when its
 * variant has nothing left to ask (startServer would never be called for it).
 */
export async function stopServerLeftRunning(variant: VariantConfig, options: { runDir: string; log?: (line: string) => void; now?: () => number; pollMs?: number }): Promise<void> {
  if (variant.serve === undefined) return;
  const left = findLeftRunning(undefined, join(options.runDir, variant.name, "server.log"));
  if (left === undefined) return;
  await stopLeftRunning(left, variant.serve, {
    log: options.log ?? (() => {}), now: options.now ?? Date.now, pollMs: options.pollMs ?? DEFAULT_POLL_MS, variant: variant.name, target: hostPortOf(variant.baseUrl),
  });
}

/**
 * Stops a server an earlier session of this run started and could not stop (it was SIGKILLed). Safe because the
 * caller holds the run lock, so that session is dead, and server.pid's pid + start time name the very process it
 * spawned, not a stranger that reused the pid. Same sequence as stopServer: SIGTERM to the group, SIGKILL after
 * stopGraceSec; a group that survives even that is left to the user, with the command to end it.
 */
async function stopLeftRunning(left: { pid: number; command: string[]; file: string }, serve: ServeConfig,
  options: { log: (line: string) => void; now: () => number; pollMs: number; variant: string; target: HostPort }): Promise<void> {
  const { log, now, pollMs } = options;
  const gone = (ms: number): Promise<boolean> => waitGroupEmpty(left.pid, ms, pollMs, now);
  log(`[${options.variant}] a server an earlier session of this run started is still running (pid ${left.pid}: ${shellQuote(left.command)}); that session was killed before it could stop it: stopping it now`);
  signalGroup(left.pid, "SIGTERM");
  let how = "stopped with SIGTERM";
  if (!(await gone(serve.stopGraceSec * 1000))) {
    signalGroup(left.pid, "SIGKILL");
    how = "killed with SIGKILL after stopGraceSec";
    if (!(await gone(KILL_WAIT_MS))) throw new ServerLeftRunningError(left.pid, shellQuote(left.command), left.file);
  }
  rmSync(left.file, { force: true });
  const logFile = join(dirname(left.file), "server.log");
  if (existsSync(logFile)) appendFileSync(logFile, `=== ${new Date(now()).toISOString()} quanteval: server left running by a killed session ${how}\n`);
  log(`[${options.variant}] the server left running (pid ${left.pid}) ${how}`);
  // Its port closes with it; a port that stays open is another server's, which the caller's check reports.
  await waitPortClosed(options.target, { timeoutMs: Math.min(PORT_WAIT_MS, 5000), pollMs, now });
}

/** The last lines of a log from `fromByte` on, each indented, for an error message. */
export function logTail(file: string, fromByte = 0, lines = TAIL_LINES): string {
  let text = "";
  try {
    const size = statSync(file).size;
    const start = Math.max(fromByte, size - TAIL_BYTES);
    const buffer = Buffer.alloc(Math.max(0, size - start));
    const fd = openSync(file, "r");
    try {
      readSync(fd, buffer, 0, buffer.length, start);
    } finally {
      closeSync(fd);
    }
    text = buffer.toString("utf8");
  } catch {
    return "    (no log)";
  }
  // Our own "=== quanteval:" lines are the frame, not what the server said.
  const last = text.split(/\r?\n/).filter((line) => line.trim() !== "" && !line.startsWith("=== ")).slice(-lines);
  return last.length === 0 ? "    (the server wrote nothing)" : last.map((line) => `    | ${line}`).join("\n");
}

/** The error for a server that exited on its own, with the end of its log. */
/**
 * Runs `body` while a started server is up, then stops it whatever happens (the stop in a `finally`, so no server
 * outlives its variant). The signal `body` gets also aborts when the server exits on its own: left alone, requests
 * would retry into a closed port until a vaguer error. `diedWith` is that exit as a ServerExitedError (the exit
 * stopServer causes is expected, and not watched); callers decide whether it fails their variant.
 */
export async function whileServerUp<T>(server: ServerHandle, signal: AbortSignal | undefined, stop: StopOptions,
  body: (signal: AbortSignal) => Promise<T>): Promise<{ result: T; diedWith: unknown }> {
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

export function serverExitedError(handle: ServerHandle, when: "before it was ready" | "while its items were asked", exit: ServerExit): ServerExitedError {
  return new ServerExitedError(when, describeExit(exit), handle.logFile, handle.tail());
}

function describeExit(exit: ServerExit): string {
  return exit.signal !== null ? `on signal ${exit.signal}` : `with code ${exit.code ?? "unknown"}`;
}

/** argv as it would be typed in a shell, for the log header and messages. */
export function shellQuote(argv: readonly string[]): string {
  return argv.map((arg) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`)).join(" ");
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Waits `ms`, or less when `wake` settles or `signal` aborts; the caller looks at what changed. */
function pause(ms: number, wake: Promise<unknown>, signal?: AbortSignal): Promise<void> {
  return new Promise((resolvePause) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolvePause();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
    void wake.then(done);
  });
}
