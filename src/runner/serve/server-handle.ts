/** A server quanteval started, and how it ended. */
import type { ChildProcess } from "node:child_process";
import type { ServeConfig } from "../../config.ts";
import { ServerExitedError } from "../../core/errors.ts";
import type { GpuWaitResult } from "./gpu-wait.ts";
import { pidFileOf } from "./pid-file.ts";
import type { HostPort } from "./port-wait.ts";
import { liveGroupMembers } from "./process-group.ts";
import { logTail } from "./server-log.ts";

/** What a handle needs of the registry that holds it (server-registry.ts): to leave it. */
interface ServerSet {
  delete(handle: ServerHandle): unknown;
}

/** How often a starting server is probed, and a stopping one looked at. */
export const DEFAULT_POLL_MS = 500;

export interface ServerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface StopResult {
  exit: ServerExit;
  /** SIGTERM was not enough within stopGraceSec: the group got SIGKILL. */
  killed: boolean;
  portFree: boolean;
  /** "skipped" also when waitGpuFree is off. */
  gpu: GpuWaitResult;
}

interface ServerInit {
  variant: string;
  child: ChildProcess;
  pid: number;
  command: readonly string[];
  logFile: string;
  logStart: number;
  serve: ServeConfig;
  target: HostPort;
  /** The registry startServer put it in; stopServer takes it out. */
  servers: ServerSet;
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
  readonly #servers: ServerSet;

  constructor(init: ServerInit) {
    this.variant = init.variant;
    this.pid = init.pid;
    this.command = init.command;
    this.logFile = init.logFile;
    this.serve = init.serve;
    this.target = init.target;
    this.#logStart = init.logStart;
    this.#servers = init.servers;
    this.#pids.add(this.pid);
    this.exited = new Promise((resolveExit) => {
      const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
        this.#exit = { code, signal };
        resolveExit(this.#exit);
      };
      const { child } = init;
      if (child.exitCode !== null || child.signalCode !== null) onExit(child.exitCode, child.signalCode);
      else child.once("exit", onExit);
    });
  }

  /** Seconds from spawn to ready (health 200 and the model listed). */
  get startupSec(): number {
    return this.#startupSec;
  }
  /** Set once the main process has exited. */
  get exit(): ServerExit | undefined {
    return this.#exit;
  }
  /** True once stopServer began: an exit from then on is expected. */
  get stopping(): boolean {
    return this.#stop !== undefined;
  }
  get pidFile(): string {
    return pidFileOf(this.logFile);
  }

  /** The last lines this server wrote (not earlier sessions' in the same log), indented for an error message. */
  tail(): string {
    return logTail(this.logFile, this.#logStart);
  }

  /** @internal */ markReady(startupSec: number): void {
    this.#startupSec = startupSec;
    this.rememberGroup();
  }
  /** @internal */ rememberGroup(): void {
    for (const pid of liveGroupMembers(this.pid)) this.#pids.add(pid);
  }
  /** @internal */ knownPids(): ReadonlySet<number> {
    return this.#pids;
  }
  /** @internal */ stopOnce(run: () => Promise<StopResult>): Promise<StopResult> {
    this.#stop ??= run();
    return this.#stop;
  }
  /** @internal Its processes are gone: the registry's exit handler has nothing left to kill. */
  unregister(): void {
    this.#servers.delete(this);
  }
}

/** The error for a server that exited on its own, with the end of its log. */
export function serverExitedError(
  handle: ServerHandle,
  when: "before it was ready" | "while its items were asked",
  exit: ServerExit,
): ServerExitedError {
  return new ServerExitedError(when, describeExit(exit), handle.logFile, handle.tail());
}

export function describeExit(exit: ServerExit): string {
  return exit.signal !== null ? `on signal ${exit.signal}` : `with code ${exit.code ?? "unknown"}`;
}
