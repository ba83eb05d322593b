/**
 * Takes the dangerous capabilities out of a worker thread's JS realm once Pyodide is loaded, so that a Python
 * program that somehow gets hold of a JS object (a JsProxy) still cannot reach the host: no code generation
 * from strings (which would reach `process` or `import()`), no network, no process control.
 */

function refuse(): never {
  throw new EvalError("not available in the sandbox");
}

const FUNCTION_KINDS = [
  function () {},
  async function () {},
  function* () {},
  async function* () {},
];

/** Global names removed from the realm. */
const REMOVED_GLOBALS = [
  "fetch", "WebSocket", "EventSource", "XMLHttpRequest", "Request", "Response", "Headers", "navigator",
  "require", "module", "Buffer", "importScripts",
];

/** Members of the worker's `process` that reach native bindings, other processes or the file system. */
const PROCESS_MEMBERS = [
  "getBuiltinModule", "binding", "_linkedBinding", "dlopen", "kill", "abort", "reallyExit", "_kill", "chdir",
  "setuid", "setgid", "seteuid", "setegid", "setgroups", "initgroups", "loadEnvFile", "execve", "permission",
  "report", "_rawDebug", "openStdin", "_getActiveHandles", "_getActiveRequests", "mainModule",
];

export function lockDownRealm(): void {
  for (const kind of FUNCTION_KINDS) {
    const prototype = Object.getPrototypeOf(kind) as object;
    Object.defineProperty(prototype, "constructor", { value: refuse, writable: false, configurable: false });
  }
  const globals = globalThis as Record<string, unknown>;
  Object.defineProperty(globalThis, "eval", { value: refuse, writable: false, configurable: false });
  Object.defineProperty(globalThis, "Function", { value: refuse, writable: false, configurable: false });
  for (const name of REMOVED_GLOBALS) {
    try {
      delete globals[name];
    } catch {
      // A non-configurable global stays; nothing in the list is one today.
    }
  }
  const processObject = process as unknown as Record<string, unknown>;
  for (const name of PROCESS_MEMBERS) {
    try {
      Object.defineProperty(processObject, name, { value: undefined, writable: false, configurable: false });
    } catch {
      // Already non-configurable: leave it.
    }
  }
}
