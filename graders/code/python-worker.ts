/**
 * Worker thread that hosts one Pyodide interpreter and runs one test at a time (see python-harness.py).
 * Loaded once per worker; the pool (python-pool.ts) replaces the worker when it hangs or crashes.
 */
import { readFileSync } from "node:fs";
import { createRequire, syncBuiltinESMExports } from "node:module";
import { fileURLToPath } from "node:url";
import { parentPort, workerData } from "node:worker_threads";
import type { PyodideAPI } from "pyodide";
import { loadPyodide } from "pyodide";
import type { HarnessOutcome, PythonJob, PythonWorkerData, WorkerMessage } from "./python-protocol.ts";
import { lockDownRealm } from "./realm-lockdown.ts";

const MB = 1024 * 1024;
const WASM_PAGE = 65536;

// Pyodide reports fatal errors (a program's stack overflow, say) on the console; they are not ours to print.
// Silenced before loadPyodide, which binds console.error when it runs.
for (const method of ["log", "info", "warn", "error", "debug", "trace"] as const) console[method] = () => {};

// Emscripten's system() runs `require("node:child_process").spawnSync(command, {shell: true})` in Node, and C
// code reaches it through more doors than the harness can shut (a fresh posix module, ctypes, a wasm side
// module). This worker's child_process is emptied before Pyodide loads (the main thread's is its own).
const childProcess = createRequire(import.meta.url)("node:child_process") as Record<string, unknown>;
for (const name of Object.keys(childProcess)) {
  if (typeof childProcess[name] === "function") {
    childProcess[name] = () => {
      throw new Error("processes are not available in the sandbox");
    };
  }
}
syncBuiltinESMExports();

const data = workerData as PythonWorkerData;
const port = parentPort;
if (port === null) throw new Error("python-worker.ts must run as a worker thread");
const interrupt = new Int32Array(data.interruptBuffer);

/** Caps WebAssembly memory growth; Emscripten turns a refused grow into a failed malloc (MemoryError). */
const memoryCap = { bytes: Number.POSITIVE_INFINITY, hit: false };
/** The slice of WebAssembly.Memory used here (the project's lib settings do not declare WebAssembly). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(deltaPages: number): number;
}
const memoryPrototype = (globalThis as unknown as { WebAssembly: { Memory: { prototype: WasmMemory } } }).WebAssembly
  .Memory.prototype;
const originalGrow = memoryPrototype.grow;
memoryPrototype.grow = function grow(this: WasmMemory, delta: number): number {
  if (this.buffer.byteLength + delta * WASM_PAGE > memoryCap.bytes) {
    memoryCap.hit = true;
    throw new RangeError("sandbox memory limit");
  }
  return originalGrow.call(this, delta);
};

/** The current test's standard input and captured output. */
const io = {
  input: new Uint8Array(0),
  inputPos: 0,
  output: [] as Uint8Array[],
  outputBytes: 0,
  overflow: false,
};

function readStdin(buffer: Uint8Array): number {
  const n = Math.min(buffer.length, io.input.length - io.inputPos);
  buffer.set(io.input.subarray(io.inputPos, io.inputPos + n));
  io.inputPos += n;
  return n;
}

function writeStdout(buffer: Uint8Array): number {
  if (io.overflow) {
    Atomics.store(interrupt, 0, 2); // keep interrupting a program that swallows KeyboardInterrupt
    return buffer.length;
  }
  if (io.outputBytes + buffer.length > data.outputLimitBytes) {
    io.overflow = true;
    Atomics.store(interrupt, 0, 2); // stop the flood: the result is "output limit" whatever happens next
    return buffer.length;
  }
  io.output.push(buffer.slice());
  io.outputBytes += buffer.length;
  return buffer.length;
}

function decodeOutput(): string {
  const all = new Uint8Array(io.outputBytes);
  let at = 0;
  for (const chunk of io.output) {
    all.set(chunk, at);
    at += chunk.length;
  }
  return new TextDecoder().decode(all);
}

type RunTest = (kind: string, code: string, input: string, funcName: string) => string;

async function startInterpreter(): Promise<{ runTest: RunTest; heapBytes: number }> {
  const indexURL = fileURLToPath(new URL(".", import.meta.resolve("pyodide")));
  const pyodide: PyodideAPI = await loadPyodide({
    indexURL,
    // The `js` module is this empty object, not the worker's globalThis.
    jsglobals: Object.create(null) as object,
    env: {},
    stdout: () => {},
    stderr: () => {},
  });
  pyodide.setStdin({ read: readStdin, isatty: false });
  pyodide.setStdout({ write: writeStdout, isatty: false });
  pyodide.setStderr({ write: (buffer: Uint8Array) => buffer.length, isatty: false });
  pyodide.setInterruptBuffer(interrupt);
  const harness = pyodide.globals.get("dict")();
  pyodide.runPython(readFileSync(new URL("./python-harness.py", import.meta.url), "utf8"), {
    globals: harness,
    filename: "<harness>",
  });
  harness.get("lockdown")();
  const runTest = harness.get("run_test") as RunTest;
  const module = (pyodide as unknown as { _module: { HEAPU8: Uint8Array } })._module;
  const heapBytes = module.HEAPU8.buffer.byteLength;
  for (const name of [
    "mountNodeFS",
    "mountNativeFS",
    "useNodeSockFS",
    "loadPackage",
    "loadPackagesFromImports",
    "registerJsModule",
  ]) {
    delete (pyodide as unknown as Record<string, unknown>)[name];
  }
  return { runTest, heapBytes };
}

function runJob(runTest: RunTest, heapBytes: number, job: PythonJob): WorkerMessage {
  io.input = new TextEncoder().encode(job.input);
  io.inputPos = 0;
  io.output = [];
  io.outputBytes = 0;
  io.overflow = false;
  memoryCap.bytes = heapBytes + job.memoryMb * MB;
  memoryCap.hit = false;
  Atomics.store(interrupt, 0, 0);
  let outcome: HarnessOutcome;
  let fatal = false;
  try {
    outcome = JSON.parse(
      runTest(job.kind, job.code, job.kind === "functional" ? job.input : "", job.funcName),
    ) as HarnessOutcome;
    // The harness found the sandbox's own files damaged: this interpreter is not to be trusted again.
    if (outcome.recycle === true) fatal = true;
  } catch (error) {
    // Errors that escape the harness come from Pyodide itself (e.g. a fatal error after memory ran out).
    fatal = true;
    const message = error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error);
    outcome = memoryCap.hit
      ? { status: "memory_limit", detail: "interpreter ran out of memory" }
      : { status: "runtime_error", detail: `interpreter crashed: ${message}`.slice(0, 300) };
  }
  Atomics.store(interrupt, 0, 0);
  return {
    type: "result",
    id: job.id,
    outcome,
    stdout: io.overflow ? "" : decodeOutput(),
    outputOverflow: io.overflow,
    memoryCapHit: memoryCap.hit,
    fatal,
  };
}

async function main(messagePort: NonNullable<typeof parentPort>): Promise<void> {
  const started = performance.now();
  let interpreter: { runTest: RunTest; heapBytes: number };
  try {
    interpreter = await startInterpreter();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    messagePort.postMessage({ type: "startup_failed", message } satisfies WorkerMessage);
    return;
  }
  lockDownRealm();
  const { runTest, heapBytes } = interpreter;
  messagePort.on("message", (job: PythonJob) => {
    messagePort.postMessage(runJob(runTest, heapBytes, job));
  });
  const ready: WorkerMessage = { type: "ready", loadMs: performance.now() - started, heapMb: heapBytes / MB };
  messagePort.postMessage(ready);
}

await main(port);
