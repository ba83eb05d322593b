/**
 * A place in the JavaScript pool (a SandboxPool of these, sized to the cores): a child process running JavaScript
 * in isolated-vm (javascript-child.ts), one program run at a time. A child that dies (V8's fatal out-of-memory
 * error aborts the process it runs in) fails only its test, as a memory limit, and is replaced; the grading process
 * carries on. Children start on demand and idle ones do not keep the process alive.
 */
import { type ChildProcess, fork } from "node:child_process";
import type { Socket } from "node:net";
import type { JavaScriptChildReply, JavaScriptChildRequest } from "./javascript-protocol.ts";
import { SandboxHolder } from "./sandbox-pool.ts";
import type { CodeTest, RunLimits, TestOutcome } from "./types.ts";

/**
 * Past a test's time limit, how long before the child is killed. The child enforces the limit itself (and
 * disposes a stuck isolate 2 s later); this is for a child that stopped answering altogether, as one does while
 * isolated-vm reads the looping getters of an unhandled rejection's value
 * (see test/graders/code/hostile.sandbox.test.ts).
 */
const HARD_TIMEOUT_GRACE_MS = 15_000;
const STDERR_KEPT_CHARS = 2000;

interface Pending {
  id: number;
  resolve: (outcome: TestOutcome) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/** One place in the pool: a child process, started on demand and replaced when it dies. */
export class JavaScriptSlot {
  readonly #sandbox = new SandboxHolder<ChildProcess>("JavaScript", {
    start: () => this.#spawn(),
    stop: (child) => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    },
  });
  #pending: Pending | undefined;
  #nextId = 1;
  #stderr = "";

  async runTest(code: string, limits: RunLimits, test: CodeTest, funcName: string | undefined): Promise<TestOutcome> {
    const child = await this.#sandbox.get();
    const id = this.#nextId++;
    child.ref();
    child.channel?.ref();
    try {
      return await new Promise<TestOutcome>((resolve, reject) => {
        const timer = setTimeout(() => {
          this.#settle({ status: "time_limit", detail: "the JavaScript sandbox stopped answering" });
          this.#sandbox.discard(child);
        }, limits.timeoutMs + HARD_TIMEOUT_GRACE_MS);
        this.#pending = { id, resolve, reject, timer };
        const request: JavaScriptChildRequest = { type: "test", id, code, limits, test, funcName };
        child.send(request);
      });
    } finally {
      if (this.#sandbox.holds(child)) {
        child.unref();
        child.channel?.unref();
      }
    }
  }

  /** The run is over: the child drops its isolate. */
  release(): void {
    const request: JavaScriptChildRequest = { type: "release" };
    const child = this.#sandbox.current;
    if (child?.connected === true) child.send(request);
  }

  get starts(): number {
    return this.#sandbox.starts;
  }

  close(): Promise<void> {
    this.#pending?.reject(new Error("the JavaScript pool was closed during a test"));
    return this.#sandbox.close();
  }

  #spawn(): { handle: ChildProcess; ready: Promise<void> } {
    this.#stderr = "";
    const child = fork(new URL("./javascript-child.ts", import.meta.url), [], {
      execArgv: [],
      env: {}, // nothing of the host environment in the sandbox's process
      stdio: ["ignore", "ignore", "pipe", "ipc"],
      serialization: "json",
    });
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => {
      this.#stderr = (this.#stderr + chunk).slice(-STDERR_KEPT_CHARS);
    });
    (child.stderr as Socket | null)?.unref(); // a pipe is a socket, which would keep the process alive
    const ready = new Promise<void>((resolve, reject) => {
      const onMessage = (reply: JavaScriptChildReply): void => {
        if (reply.type === "ready") {
          child.unref();
          child.channel?.unref();
          resolve();
        } else if (reply.type === "result" || reply.type === "error") {
          this.#answer(reply);
        }
      };
      child.on("message", onMessage);
      child.on("error", (error) => {
        if (this.#sandbox.holds(child)) this.#sandbox.discard(child);
        reject(new Error(`the JavaScript sandbox did not start: ${error.message}`));
      });
      child.on("exit", (code, signal) => {
        if (this.#sandbox.holds(child)) this.#sandbox.discard(child); // dead already: only forgotten
        reject(
          new Error(
            `the JavaScript sandbox exited before it was ready (${signal ?? code}): ${this.#stderr.trim().slice(-300)}`,
          ),
        );
        // V8's fatal out-of-memory error aborts the process (SIGABRT).
        this.#settle(
          signal === "SIGABRT" || code === 134 || /out of memory|heap limit/iu.test(this.#stderr)
            ? {
                status: "memory_limit",
                detail: "JavaScript heap limit reached (the sandbox process ran out of memory)",
              }
            : { status: "runtime_error", detail: `the JavaScript sandbox exited (${signal ?? code})` },
        );
      });
    });
    return { handle: child, ready };
  }

  #answer(reply: Extract<JavaScriptChildReply, { type: "result" | "error" }>): void {
    const pending = this.#pending;
    if (pending === undefined || pending.id !== reply.id) return;
    this.#pending = undefined;
    clearTimeout(pending.timer);
    if (reply.type === "result") pending.resolve(reply.outcome);
    else pending.reject(new Error(reply.message));
  }

  #settle(outcome: TestOutcome): void {
    const pending = this.#pending;
    if (pending === undefined) return;
    this.#pending = undefined;
    clearTimeout(pending.timer);
    pending.resolve(outcome);
  }
}
