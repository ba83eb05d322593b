/**
 * Takes the dangerous capabilities out of a worker thread's JS realm once Pyodide is loaded, so that a Python
 * program that somehow gets hold of a JS object (a JsProxy) still cannot reach the host: no code generation
 * from strings (which would reach `process` or `import()`), no network, no process control, and no way to
 * plant its own functions in the built-ins that Pyodide and Node call (they are frozen).
 */

function refuse(): never {
  throw new EvalError("not available in the sandbox");
}

const FUNCTION_KINDS = [function () {}, async function () {}, function* () {}, async function* () {}];

/** Global names removed from the realm. */
const REMOVED_GLOBALS = [
  "fetch",
  "WebSocket",
  "EventSource",
  "XMLHttpRequest",
  "Request",
  "Response",
  "Headers",
  "navigator",
  "require",
  "module",
  "Buffer",
  "importScripts",
];

/** Members of the worker's `process` that reach native bindings, other processes or the file system. */
const PROCESS_MEMBERS = [
  "getBuiltinModule",
  "binding",
  "_linkedBinding",
  "dlopen",
  "kill",
  "abort",
  "reallyExit",
  "_kill",
  "chdir",
  "setuid",
  "setgid",
  "seteuid",
  "setegid",
  "setgroups",
  "initgroups",
  "loadEnvFile",
  "execve",
  "permission",
  "report",
  "_rawDebug",
  "openStdin",
  "_getActiveHandles",
  "_getActiveRequests",
  "mainModule",
];

/**
 * The standard built-ins a JsProxy leads to (its constructor, prototype chain, statics). Frozen: otherwise a
 * program could, say, give `refuse.prototype` the real `apply` (Pyodide calls JS functions through
 * `Function.prototype.apply.apply`) and call JS again, or swap methods that the worker's own code calls.
 */
function intrinsics(): object[] {
  const constructors: unknown[] = [
    Object,
    Array,
    Map,
    Set,
    WeakMap,
    WeakSet,
    WeakRef,
    Promise,
    Error,
    TypeError,
    RangeError,
    SyntaxError,
    ReferenceError,
    EvalError,
    URIError,
    AggregateError,
    ArrayBuffer,
    SharedArrayBuffer,
    DataView,
    Int8Array,
    Uint8Array,
    Uint8ClampedArray,
    Int16Array,
    Uint16Array,
    Int32Array,
    Uint32Array,
    Float32Array,
    Float64Array,
    BigInt64Array,
    BigUint64Array,
    String,
    Number,
    Boolean,
    Symbol,
    BigInt,
    Date,
    RegExp,
    Proxy,
  ];
  const found: object[] = [JSON, Math, Reflect, Atomics];
  for (const value of constructors) {
    if (typeof value !== "function") continue;
    found.push(value);
    const prototype = (value as { prototype?: unknown }).prototype;
    if (typeof prototype === "object" && prototype !== null) found.push(prototype);
  }
  const typedArray = Object.getPrototypeOf(Uint8Array) as { prototype: object };
  found.push(typedArray, typedArray.prototype);
  for (const kind of FUNCTION_KINDS) {
    const prototype = Object.getPrototypeOf(kind) as object;
    found.push(prototype);
  }
  const iteratorPrototype = Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]())) as object;
  found.push(iteratorPrototype);
  return found;
}

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
  Object.freeze(refuse.prototype);
  Object.freeze(refuse);
  for (const value of intrinsics()) Object.freeze(value);
  const processObject = process as unknown as Record<string, unknown>;
  for (const name of PROCESS_MEMBERS) {
    try {
      Object.defineProperty(processObject, name, { value: undefined, writable: false, configurable: false });
    } catch {
      // Already non-configurable: leave it.
    }
  }
}
