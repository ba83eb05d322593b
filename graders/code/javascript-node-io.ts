/**
 * Node's standard-input idioms for programs in the JavaScript sandbox, as plain code that runs inside the
 * isolate: `require('fs').readFileSync(0 | '/dev/stdin')`, `require('readline').createInterface(…)` (events and
 * async iteration), `process.stdin` (data/end/readable events, async iteration), `process.stdout.write`,
 * `process.argv`, `process.exit`, and a small `Buffer`. Nothing here is a host object: the host passes the
 * standard input in as a string and reads the output back as a string (javascript.ts), so these shims reach
 * nothing a program could not build itself.
 *
 * The text is spliced into javascript.ts's setup closure (SETUP_SOURCE, strict mode) and uses its `input`,
 * `write`, `toText`, `create` and `exitState`; it defines `driveStdin`, which the host calls after the program's
 * top-level code and its microtasks, once per step, until it returns false: each call delivers one chunk of
 * standard input (64 Ki characters, as Node reads a pipe in 64 KiB), then the end, as Node's event loop would.
 */
export const NODE_IO_SOURCE = String.raw`
const apply = Reflect.apply;
const fromCharCode = String.fromCharCode;
const isArray = Array.isArray;
const hasOwn = Object.hasOwn;
const PromiseOf = Promise;
const Uint8 = Uint8Array;
const CHUNK_CHARS = 65536;

const nodeError = (Kind, code, message) => {
  const error = new Kind(message);
  error.code = code;
  return error;
};

const encodingOf = (encoding) => {
  if (encoding === undefined || encoding === null) return "utf8";
  const name = toText(encoding).toLowerCase();
  if (name === "utf8" || name === "utf-8") return "utf8";
  if (name === "latin1" || name === "binary" || name === "ascii") return "latin1";
  throw nodeError(TypeError, "ERR_UNKNOWN_ENCODING",
    "Unknown encoding: " + toText(encoding) + " (the sandbox reads utf8 and latin1 only)");
};

// UTF-8 as Node's Buffer does it: lone surrogates are written as U+FFFD, and invalid bytes read back as U+FFFD
// (the WHATWG decoder, one replacement per maximal invalid subsequence).
const encodeUtf8 = (text) => {
  let length = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) length += 1;
    else if (c < 0x800) length += 2;
    else if (c >= 0xd800 && c < 0xdc00 && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) { length += 4; i++; }
    else length += 3;
  }
  const bytes = new Buffer(length);
  let at = 0;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) { bytes[at++] = c; continue; }
    if (c < 0x800) { bytes[at++] = 0xc0 | (c >> 6); bytes[at++] = 0x80 | (c & 63); continue; }
    if (c >= 0xd800 && c < 0xdc00 && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      c = 0x10000 + ((c - 0xd800) << 10) + (text.charCodeAt(++i) - 0xdc00);
      bytes[at++] = 0xf0 | (c >> 18); bytes[at++] = 0x80 | ((c >> 12) & 63);
      bytes[at++] = 0x80 | ((c >> 6) & 63); bytes[at++] = 0x80 | (c & 63);
      continue;
    }
    if (c >= 0xd800 && c < 0xe000) c = 0xfffd;
    bytes[at++] = 0xe0 | (c >> 12); bytes[at++] = 0x80 | ((c >> 6) & 63); bytes[at++] = 0x80 | (c & 63);
  }
  return bytes;
};

/** Code units in batches: String.fromCharCode takes only so many arguments. */
const collector = () => {
  let text = "";
  let units = [];
  const flush = () => { text += apply(fromCharCode, null, units); units = []; };
  return {
    add(unit) { units[units.length] = unit; if (units.length === 8192) flush(); },
    done() { flush(); return text; },
  };
};

const decodeUtf8 = (bytes, start, end) => {
  const out = collector();
  let needed = 0;
  let point = 0;
  let lower = 0x80;
  let upper = 0xbf;
  for (let i = start; i < end; i++) {
    const b = bytes[i];
    if (needed === 0) {
      if (b < 0x80) out.add(b);
      else if (b >= 0xc2 && b <= 0xdf) { needed = 1; point = b & 0x1f; }
      else if (b >= 0xe0 && b <= 0xef) {
        if (b === 0xe0) lower = 0xa0;
        if (b === 0xed) upper = 0x9f;
        needed = 2; point = b & 0xf;
      } else if (b >= 0xf0 && b <= 0xf4) {
        if (b === 0xf0) lower = 0x90;
        if (b === 0xf4) upper = 0x8f;
        needed = 3; point = b & 0x7;
      } else out.add(0xfffd);
      continue;
    }
    if (b < lower || b > upper) {
      needed = 0; lower = 0x80; upper = 0xbf;
      out.add(0xfffd);
      i--; // this byte starts afresh
      continue;
    }
    lower = 0x80; upper = 0xbf;
    point = (point << 6) | (b & 63);
    if (--needed > 0) continue;
    if (point < 0x10000) out.add(point);
    else { point -= 0x10000; out.add(0xd800 + (point >> 10)); out.add(0xdc00 + (point & 0x3ff)); }
  }
  if (needed > 0) out.add(0xfffd);
  return out.done();
};

const decodeLatin1 = (bytes, start, end) => {
  const out = collector();
  for (let i = start; i < end; i++) out.add(bytes[i]);
  return out.done();
};

/** Node's Buffer, as far as programs that read standard input use it: bytes that turn back into text. */
class Buffer extends Uint8 {
  toString(encoding, start, end) {
    const kind = encodingOf(encoding);
    const from = start === undefined ? 0 : Math.max(0, Math.min(this.length, Math.trunc(start) || 0));
    const to = end === undefined ? this.length : Math.max(from, Math.min(this.length, Math.trunc(end) || 0));
    return kind === "utf8" ? decodeUtf8(this, from, to) : decodeLatin1(this, from, to);
  }
  toJSON() { return { type: "Buffer", data: Array.from(this) }; }
  static from(value, encoding) {
    if (typeof value === "string") {
      if (encodingOf(encoding) === "utf8") return encodeUtf8(value);
      const bytes = new Buffer(value.length);
      for (let i = 0; i < value.length; i++) bytes[i] = value.charCodeAt(i);
      return bytes;
    }
    if (isArray(value) || value instanceof Uint8) {
      const bytes = new Buffer(value.length);
      for (let i = 0; i < value.length; i++) bytes[i] = value[i];
      return bytes;
    }
    throw nodeError(TypeError, "ERR_INVALID_ARG_TYPE",
      "Buffer.from: the sandbox's Buffer takes a string, an array or a Uint8Array");
  }
  static concat(list, totalLength) {
    let length = 0;
    for (const part of list) length += part.length;
    const bytes = new Buffer(totalLength === undefined ? length : totalLength);
    let at = 0;
    for (const part of list) {
      for (let i = 0; i < part.length && at < bytes.length; i++) bytes[at++] = part[i];
    }
    return bytes;
  }
  static alloc(size) { return new Buffer(size); }
  static isBuffer(value) { return value instanceof Buffer; }
  static byteLength(text) { return typeof text === "string" ? encodeUtf8(text).length : text.length; }
}

const textOf = (chunk) => {
  if (typeof chunk === "string") return chunk;
  if (chunk instanceof Uint8) return decodeUtf8(chunk, 0, chunk.length);
  const kind = chunk === null ? "null" : typeof chunk;
  throw nodeError(TypeError, "ERR_INVALID_ARG_TYPE", 'The "chunk" argument must be of type string or an instance ' +
    "of Buffer, TypedArray, or DataView. Received type " + kind);
};

/** An EventEmitter's listener lists; a "raw" listener of stdin (readline's own) gets text whatever the encoding. */
const emitter = (target) => {
  const lists = create(null);
  const add = (name, fn, once, raw) => {
    if (typeof fn !== "function") {
      throw nodeError(TypeError, "ERR_INVALID_ARG_TYPE", 'The "listener" argument must be of type function');
    }
    const key = toText(name);
    (lists[key] ??= []).push({ fn, once, raw });
    return target;
  };
  const remove = (name, fn) => {
    const list = lists[toText(name)];
    if (list === undefined) return target;
    const at = list.findIndex((entry) => entry.fn === fn);
    if (at >= 0) list.splice(at, 1);
    return target;
  };
  /** Calls the listeners present now, in order; value(entry) gives each its argument. */
  const emit = (name, value) => {
    const list = lists[name];
    if (list === undefined) return false;
    for (const entry of list.slice()) {
      if (entry.once) remove(name, entry.fn);
      apply(entry.fn, target, value === undefined ? [] : [value(entry)]);
    }
    return list.length > 0;
  };
  const has = (name) => (lists[name]?.length ?? 0) > 0;
  return { add, remove, emit, has };
};

/** An async iterator over pushed values, for "for await" over readline and process.stdin. */
const asyncQueue = () => {
  const items = [];
  const waiting = [];
  let head = 0;
  let done = false;
  const settled = (value, end) => new PromiseOf((resolve) => resolve({ value, done: end }));
  const queue = {
    push(value) {
      if (done) return;
      if (waiting.length > 0) waiting.shift()({ value, done: false });
      else items.push(value);
    },
    finish() {
      done = true;
      while (waiting.length > 0) waiting.shift()({ value: undefined, done: true });
    },
    iterator: {
      next() {
        if (head < items.length) {
          const value = items[head];
          items[head++] = undefined;
          return settled(value, false);
        }
        if (done) return settled(undefined, true);
        return new PromiseOf((resolve) => waiting.push(resolve));
      },
      return(value) {
        queue.finish();
        items.length = 0;
        return settled(value, true);
      },
      [Symbol.asyncIterator]() { return this; },
    },
  };
  return queue;
};

// Standard input: what no reader has taken yet. Each read takes it, as from a pipe: a second
// readFileSync(0) returns "", and a stream that starts after it sees only the end.
let unread = input;
const takeAll = () => {
  const text = unread;
  unread = "";
  return text;
};
const takeChunk = () => {
  let size = Math.min(CHUNK_CHARS, unread.length);
  if (size < unread.length && (unread.charCodeAt(size - 1) & 0xfc00) === 0xd800) size -= 1; // keep pairs whole
  const text = unread.slice(0, size);
  unread = unread.slice(size);
  return text;
};

const stdin = { fd: 0 };
const stdinEvents = emitter(stdin);
const stdinState = {
  encoding: undefined, flowing: false, paused: false, ended: false, buffered: "", iterator: undefined,
};
const asChunk = (text) => (stdinState.encoding === undefined ? Buffer.from(text) : text);
const isStdin = (source) => source === 0 || source === "/dev/stdin" || source === stdin;
stdin.on = (name, fn) => {
  stdinEvents.add(name, fn, false, false);
  if (name === "data" && !stdinState.paused) stdinState.flowing = true;
  return stdin;
};
stdin.once = (name, fn) => {
  stdinEvents.add(name, fn, true, false);
  if (name === "data" && !stdinState.paused) stdinState.flowing = true;
  return stdin;
};
stdin.off = (name, fn) => stdinEvents.remove(name, fn);
stdin.setEncoding = (encoding) => {
  stdinState.encoding = encodingOf(encoding);
  return stdin;
};
stdin.resume = () => {
  stdinState.paused = false;
  stdinState.flowing = true;
  return stdin;
};
stdin.pause = () => {
  stdinState.paused = true;
  stdinState.flowing = false;
  return stdin;
};
/** Paused mode ('readable' listeners): what has arrived so far, or null. */
stdin.read = () => {
  if (stdinState.buffered === "") return null;
  const text = stdinState.buffered;
  stdinState.buffered = "";
  const chunk = asChunk(text);
  stdinEvents.emit("data", (entry) => (entry.raw ? text : chunk));
  return chunk;
};
stdin[Symbol.asyncIterator] = () => {
  if (stdinState.iterator === undefined) {
    const queue = asyncQueue();
    stdinEvents.add("data", (chunk) => queue.push(chunk), false, false);
    stdinEvents.add("end", () => queue.finish(), false, false);
    stdinState.flowing = true;
    stdinState.iterator = queue.iterator;
  }
  return stdinState.iterator;
};
stdin.addListener = stdin.on;
stdin.removeListener = stdin.off;

/**
 * One step of Node's event loop for standard input: a chunk to the 'data' (or 'readable') listeners, or, when
 * all is read, the 'end' and 'close' events (readline interfaces close on 'end'). False when nothing is left.
 */
const driveStdin = () => {
  if (exitState.exited || stdinState.ended) return false;
  const readable = stdinEvents.has("readable");
  if (!readable && !stdinState.flowing) return false;
  if (unread !== "") {
    const text = takeChunk();
    if (readable) {
      stdinState.buffered += text;
      stdinEvents.emit("readable", undefined);
    } else {
      const chunk = asChunk(text);
      stdinEvents.emit("data", (entry) => (entry.raw ? text : chunk));
    }
    return true;
  }
  stdinState.ended = true;
  if (readable) stdinEvents.emit("readable", undefined);
  stdinEvents.emit("end", undefined);
  stdinEvents.emit("close", undefined); // Node destroys a stream that has ended
  return true;
};

/** readline.createInterface over process.stdin, splitting lines as Node does (\n, \r\n or a lone \r). */
const createInterface = (options) => {
  const source = options !== null && typeof options === "object" && "input" in options ? options.input : options;
  if (source !== stdin) {
    throw nodeError(TypeError, "ERR_INVALID_ARG_VALUE",
      "readline.createInterface: the sandbox can read only process.stdin");
  }
  const rl = {};
  const events = emitter(rl);
  let partial = "";
  let sawReturn = false;
  let closed = false;
  let lineQueue;
  const onData = (text) => {
    if (sawReturn && text.startsWith("\n")) text = text.slice(1);
    sawReturn = false;
    const lines = (partial + text).split(/\r\n|\n|\r/);
    partial = lines.pop();
    sawReturn = text.endsWith("\r");
    // As in Node, the rest of a chunk's lines still go out when a listener closes the interface.
    for (const line of lines) {
      lineQueue?.push(line);
      events.emit("line", () => line);
    }
  };
  const onEnd = () => {
    if (partial !== "") {
      const line = partial;
      partial = "";
      lineQueue?.push(line);
      events.emit("line", () => line);
    }
    rl.close();
  };
  stdinEvents.add("data", onData, false, true);
  stdinEvents.add("end", onEnd, false, true);
  stdin.resume();
  rl.on = (name, fn) => events.add(name, fn, false, false);
  rl.once = (name, fn) => events.add(name, fn, true, false);
  rl.off = (name, fn) => events.remove(name, fn);
  rl.addListener = rl.on;
  rl.removeListener = rl.off;
  rl.close = () => {
    if (closed) return;
    closed = true;
    stdinEvents.remove("data", onData);
    stdinEvents.remove("end", onEnd);
    events.emit("close", undefined);
    lineQueue?.finish();
  };
  rl.pause = () => rl;
  rl.resume = () => rl;
  rl.setPrompt = () => undefined;
  rl.prompt = () => undefined;
  // One iterator per interface (Node caches it too): lines read before it was asked for are not in it.
  rl[Symbol.asyncIterator] = () => {
    if (lineQueue === undefined) {
      lineQueue = asyncQueue();
      if (closed) lineQueue.finish();
    }
    return lineQueue.iterator;
  };
  return rl;
};

const readFileSync = (path, options) => {
  const encoding = typeof options === "string" ? options : options?.encoding;
  if (!isStdin(path)) {
    throw nodeError(Error, "ENOENT", "ENOENT: no such file or directory, open '" + toText(path) +
      "' (the sandbox has no files: standard input is 0 or '/dev/stdin')");
  }
  const text = takeAll();
  return encoding === undefined || encoding === null ? Buffer.from(text) : (encodingOf(encoding), text);
};

const writeTo = (target, data) => {
  if (target === 1 || target === "/dev/stdout") write(textOf(data));
  else if (target !== 2 && target !== "/dev/stderr") {
    throw nodeError(Error, "EACCES", "EACCES: permission denied, open '" + toText(target) +
      "' (the sandbox writes only to standard output: 1 or '/dev/stdout')");
  }
};

const fs = {
  readFileSync,
  writeFileSync(target, data) { writeTo(target, data); },
  writeSync(target, data) { writeTo(target, data); return textOf(data).length; },
};

const stdout = {
  fd: 1,
  write(chunk, encoding, callback) {
    write(textOf(chunk));
    const done = typeof encoding === "function" ? encoding : callback;
    if (typeof done === "function") PromiseOf.resolve().then(() => done());
    return true;
  },
  on() { return stdout; },
  once() { return stdout; },
};
const stderr = { fd: 2, write: () => true, on() { return stderr; }, once() { return stderr; } };

/** process.exit ends the program where it stands; what it printed is kept (LiveCodeBench counts exit as an end). */
const exit = () => {
  exitState.exited = true;
  throw exitState.token;
};

const processObject = {
  argv: ["/usr/local/bin/node", "/sandbox/solution.js"],
  env: {},
  platform: "linux",
  exitCode: undefined,
  stdin,
  stdout,
  stderr,
  exit,
  cwd: () => "/sandbox",
  nextTick(fn, ...args) {
    if (typeof fn !== "function") {
      throw nodeError(TypeError, "ERR_INVALID_ARG_TYPE", 'The "callback" argument must be of type function');
    }
    PromiseOf.resolve().then(() => apply(fn, undefined, args));
  },
};

const moduleObject = { exports: {}, id: ".", filename: "/sandbox/solution.js", loaded: false };
const modules = create(null);
modules.fs = fs;
modules.readline = { createInterface };
modules.process = processObject;
const require = (name) => {
  const id = typeof name === "string" && name.startsWith("node:") ? name.slice(5) : name;
  if (typeof id === "string" && hasOwn(modules, id)) return modules[id];
  throw nodeError(Error, "MODULE_NOT_FOUND", "Cannot find module '" + toText(name) +
    "': the JavaScript sandbox provides only fs (standard input and output), readline and process");
};
require.main = moduleObject;
require.cache = create(null);

globalThis.require = require;
globalThis.module = moduleObject;
globalThis.exports = moduleObject.exports;
globalThis.process = processObject;
globalThis.Buffer = Buffer;
globalThis.global = globalThis;
globalThis.__filename = "/sandbox/solution.js";
globalThis.__dirname = "/sandbox";
`;
