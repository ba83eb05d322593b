/**
 * The Python half of the hostile-code set, shared by the Pyodide suite (hostile.sandbox.test.ts) and the native
 * executor's (native-hostile.sandbox.test.ts): the cases, the secret and marker they hunt for, and the checks.
 */
import { existsSync, readdirSync } from "node:fs";
import { createServer } from "node:net";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import type { RunLimits, TestOutcome, TestStatus } from "../../../graders/code/types.ts";
import { ROOT } from "../../helpers/task-data.ts";

// A host secret: nothing a program prints or reports may contain it.
export const SECRET = "s3cret";
process.env.QUANTEVAL_SECRET_PROBE = SECRET;
/** The name every file-writing case uses, so that the host can be searched for it afterwards. */
export const MARKER = `quanteval-hostile-${process.pid}`;
/** Hostile programs are meant to hit the limits, so the limits are short. */
export const LIMITS: RunLimits = { timeoutMs: 1000, memoryMb: 64 };

export interface HostileCase {
  name: string;
  code: string;
  /** The failure the case must end in (several when the engine may reach either first). */
  expected: TestStatus | readonly TestStatus[];
  /** What the program prints if its attack works (default "escaped"). */
  output?: string;
  /** Standard input; "{port}" becomes the port of a local server that must see no connection. */
  input?: string;
  /** A functional test calling this function with `input` as its JSON argument. */
  funcName?: string;
  limits?: RunLimits;
}

/** A local server that counts the connections offered to it: a hostile program's must be none. */
export async function listenCounting(): Promise<{
  port: number;
  connections: () => number;
  close: () => Promise<void>;
}> {
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as { port: number }).port,
    connections: () => connections,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A case's text with its placeholders filled: the marker, the local server's port, the project root. */
export function fill(text: string, port: number): string {
  return text.replaceAll("{marker}", MARKER).replaceAll("{port}", String(port)).replaceAll("{root}", ROOT);
}
export function checkContained(c: HostileCase, outcome: TestOutcome): void {
  const expected: readonly TestStatus[] = typeof c.expected === "string" ? [c.expected] : c.expected;
  expect(outcome.status, JSON.stringify(outcome)).not.toBe("passed");
  expect(expected, JSON.stringify(outcome)).toContain(outcome.status);
  expect(JSON.stringify(outcome)).not.toContain(SECRET);
}

/** Host places a hostile program could have written to: none may hold the marker. */
export function markersOnHost(): string[] {
  const folders = [ROOT, join(ROOT, "test"), join(ROOT, "graders", "code"), tmpdir(), homedir(), process.cwd(), "/"];
  const found: string[] = [];
  for (const folder of folders) {
    let names: string[] = [];
    try {
      names = readdirSync(folder);
    } catch {
      continue;
    }
    for (const name of names) if (name.includes("quanteval-hostile")) found.push(join(folder, name));
  }
  for (const path of ["/work/main", "/tmp", homedir()].map((folder) => join(folder, MARKER))) {
    if (existsSync(path)) found.push(path);
  }
  return found;
}
export const PYTHON_CASES: HostileCase[] = [
  // Infinite loops.
  {
    name: "loop inside a generator",
    code: "def forever():\n    while True:\n        yield 1\nfor _ in forever():\n    pass",
    expected: "time_limit",
  },
  {
    name: "loop in a finally block after the interrupt",
    code: "try:\n    while True:\n        pass\nfinally:\n    while True:\n        pass",
    expected: "time_limit",
  },
  {
    name: "a SIGINT handler that ignores the interrupt",
    code: "import signal\nsignal.signal(signal.SIGINT, lambda *args: None)\nwhile True:\n    pass",
    expected: "time_limit",
  },
  {
    name: "a loop that catches MemoryError and allocates again",
    code: "keep = []\nwhile True:\n    try:\n        keep.append(bytearray(10**7))\n    except MemoryError:\n        pass",
    expected: "time_limit",
  },
  {
    name: "ignores the interrupt, then prints the right answer before the worker is killed",
    code: "import signal, time\nsignal.signal(signal.SIGINT, lambda *args: None)\nstart = time.monotonic()\nwhile time.monotonic() - start < 1.2:\n    pass\nprint('escaped')",
    expected: "time_limit",
  },
  // Memory bombs.
  {
    name: "dict of large strings",
    code: "d = {}\ni = 0\nwhile True:\n    d[i] = 'x' * 10**5 + str(i)\n    i += 1",
    expected: "memory_limit",
  },
  { name: "string doubling", code: "s = 'ab'\nwhile True:\n    s += s", expected: "memory_limit" },
  { name: "bytearray doubling", code: "b = bytearray(b'x')\nwhile True:\n    b.extend(b)", expected: "memory_limit" },
  { name: "bytes past wasm32's sizes", code: "b = bytes(2**40)", expected: "memory_limit" },
  {
    name: "unbounded recursion with the recursion limit lifted",
    code: "import sys\nsys.setrecursionlimit(10**9)\ndef f(n):\n    return f(n + 1) + 1\nf(0)",
    expected: "memory_limit",
    limits: { timeoutMs: 10_000, memoryMb: 32 },
  },
  // RecursionError as a rule; sometimes Pyodide runs out of memory first (a MemoryError, seen once in CI). Both are contained.
  {
    name: "recursion through __repr__",
    code: "class A:\n    def __repr__(self):\n        return repr(self)\nrepr(A())",
    expected: ["runtime_error", "memory_limit"],
  },
  // Processes.
  { name: "os.fork", code: "import os\nos.fork()\nprint('escaped')", expected: "runtime_error" },
  {
    name: "os.execv",
    code: "import os\nos.execv('/bin/sh', ['sh', '-c', 'touch /tmp/{marker}'])",
    expected: "runtime_error",
  },
  {
    name: "os.posix_spawn",
    code: "import os\nos.posix_spawn('/bin/touch', ['touch', '/tmp/{marker}'], {})",
    expected: "runtime_error",
  },
  { name: "pty.spawn", code: "import pty\npty.spawn(['touch', '/tmp/{marker}'])", expected: "runtime_error" },
  {
    name: "multiprocessing",
    code: "import multiprocessing\nmultiprocessing.Process(target=print).start()",
    expected: "runtime_error",
  },
  {
    // Emscripten's system() runs a real host shell in Node; a fresh posix module skips the harness's os.system.
    name: "a fresh posix module made with _imp.create_builtin",
    code: "import _imp, importlib.machinery as m\nposix = _imp.create_builtin(m.ModuleSpec('posix', m.BuiltinImporter))\nposix.system('touch /tmp/{marker}')",
    expected: "runtime_error",
  },
  {
    name: "importlib.reload(os), then os.system",
    code: "import importlib, os\nimportlib.reload(os)\nos.system('touch /tmp/{marker}')",
    expected: "runtime_error",
  },
  {
    name: "os.system reached through __subclasses__ and __globals__",
    code: "c = [c for c in object.__subclasses__() if c.__name__ == '_wrap_close'][0]\nc.__init__.__globals__['system']('touch /tmp/{marker}')",
    expected: "runtime_error",
  },
  {
    name: "ctypes' libc system()",
    code: "import ctypes\nctypes.CDLL(None).system(b'touch /tmp/{marker}')",
    expected: "runtime_error",
  },
  {
    name: "a binary extension module written into the sandbox",
    code: "import importlib.machinery as m\nopen('/tmp/evil.so', 'wb').write(b'\\0asm\\1\\0\\0\\0')\nloader = m.ExtensionFileLoader('evil', '/tmp/evil.so')\nloader.create_module(m.ModuleSpec('evil', loader))",
    expected: "runtime_error",
  },
  // Reading host files and the environment.
  {
    name: "/etc/passwd",
    code: "print('escaped' if 'root:' in open('/etc/passwd').read() else 'no')",
    expected: "runtime_error",
  },
  {
    name: "the project's package.json, relative to /",
    code: "import os\nprint(os.listdir('/work'))",
    expected: "runtime_error",
  },
  { name: "/proc/1/environ", code: "print(open('/proc/1/environ').read())", expected: "runtime_error" },
  {
    name: "a walk of the whole sandbox file system for host files",
    code: "import os\nfound = [f for _, _, files in os.walk('/') for f in files if f in ('package.json', 'passwd')]\nprint('escaped' if found else 'clean')",
    expected: "wrong_answer",
  },
  {
    name: "the secret in os.environ",
    code: `import os\nfound = ' '.join(os.environ.values())\nprint('escaped' if '${SECRET}' in found or os.getenv('QUANTEVAL_SECRET_PROBE') else found)`,
    expected: "wrong_answer",
  },
  // Network (the local server counts connections).
  {
    name: "socket.socket().connect",
    code: "import socket\ns = socket.socket()\ns.connect(('127.0.0.1', int(input())))\nprint('escaped')",
    input: "{port}",
    expected: "runtime_error",
  },
  {
    name: "a fresh _socket module made with _imp.create_builtin",
    code: "import _imp, importlib.machinery as m\ns = _imp.create_builtin(m.ModuleSpec('_socket', m.BuiltinImporter))\nprint('escaped', s)",
    expected: "runtime_error",
  },
  {
    name: "urllib to the local server",
    code: "import urllib.request\nurllib.request.urlopen(f'http://127.0.0.1:{int(input())}/')\nprint('escaped')",
    input: "{port}",
    expected: "runtime_error",
  },
  {
    name: "http.client to the local server",
    code: "import http.client\nc = http.client.HTTPConnection('127.0.0.1', int(input()))\nc.request('GET', '/')\nprint('escaped')",
    input: "{port}",
    expected: "runtime_error",
  },
  {
    name: "pyodide.http.pyfetch",
    code: "from pyodide.http import pyfetch\nprint('escaped')",
    expected: "runtime_error",
  },
  // Reaching the JS host or the harness.
  {
    name: "_pyodide_core dug out with gc, to make JS objects",
    code: "import gc\ncore = [m for m in gc.get_objects() if type(m).__name__ == 'module' and m.__name__ == '_pyodide_core'][0]\nprint('escaped', core.to_js([1]))",
    expected: "runtime_error",
  },
  {
    name: "a JS object anywhere gc can see",
    code: "import gc\nfound = [o for o in gc.get_objects() if not isinstance(o, type) and type(type(o)).__name__ == '_JsProxyMetaClass']\nprint('escaped' if found else 'clean')",
    expected: "wrong_answer",
  },
  {
    name: "JsException found through __subclasses__, to make a JS error",
    code: "e = [c for c in Exception.__subclasses__() if c.__name__ == 'JsException'][0]('TypeError', 'x')\nprint('escaped', e.constructor)",
    expected: "runtime_error",
  },
  {
    name: "the harness's globals dug out with gc",
    code: "import gc\nfound = [d for d in gc.get_objects() if isinstance(d, dict) and ('run_test' in d or 'lockdown' in d)]\nprint('escaped' if found else 'clean')",
    expected: "wrong_answer",
  },
  {
    name: "sys._getframe up to the harness",
    code: "import sys\nprint(sorted(sys._getframe(1).f_globals)[:3])",
    expected: "runtime_error",
  },
  {
    name: "a traceback's frames up to the harness",
    code: "try:\n    1 / 0\nexcept ZeroDivisionError as e:\n    print(e.__traceback__.tb_frame.f_back.f_globals)",
    expected: "runtime_error",
  },
  { name: "a generator's frame", code: "def g():\n    yield 1\nprint(g().gi_frame.f_back)", expected: "runtime_error" },
  {
    name: "str's own dict through gc.get_referents",
    code: "import gc\ngc.get_referents(str.__dict__)[0]['upper'] = lambda s: 'escaped'\nprint('a'.upper())",
    expected: "runtime_error",
  },
  {
    // Refused quietly (CPython drops a new hook when an existing one objects), so the probe checks it took.
    name: "an audit hook of its own",
    code: "import sys\nsys.addaudithook(lambda event, args: event == 'open' and print('escaped'))\nopen('/dev/null').close()",
    expected: "wrong_answer",
  },
  {
    name: "a trace function",
    code: "import sys\nsys.settrace(lambda *args: None)\nprint('escaped')",
    expected: "runtime_error",
  },
  {
    name: "a sys.monitoring callback",
    code: "import sys\nm = sys.monitoring\nm.use_tool_id(3, 'x')\nm.register_callback(3, m.events.PY_START, lambda *a: None)\nprint('escaped')",
    expected: "runtime_error",
  },
  {
    name: "finders removed, then _pyodide_core imported",
    code: "import sys\nsys.meta_path.clear()\nimport _pyodide_core\nprint('escaped')",
    expected: "runtime_error",
  },
  {
    name: "the pyodide package loaded straight from the zip",
    code: "import zipimport\nzipimport.zipimporter('/lib/python314.zip').load_module('pyodide')\nprint('escaped')",
    expected: "runtime_error",
  },
  {
    name: "a standard function's code replaced",
    code: "import json\njson.loads.__code__ = (lambda s, **k: 'escaped').__code__",
    expected: "runtime_error",
  },
  // Passing without solving: the expected output never enters the sandbox.
  {
    name: "the expected output read from the harness's frame",
    code: "import sys\nf = sys._getframe()\nwhile f.f_code.co_name != 'run_test':\n    f = f.f_back\nprint(f.f_locals)",
    expected: "runtime_error",
  },
  {
    name: "functional: a result equal to everything",
    code: "class Always:\n    def __eq__(self, other):\n        return True\ndef f(x):\n    return Always()",
    funcName: "f",
    expected: "wrong_answer",
  },
  {
    name: "functional: json patched to print the expected value",
    code: "import json\nclass Fake:\n    def encode(self, o):\n        return '\"escaped\"'\njson._default_encoder = Fake()\njson.dumps = lambda *a, **k: '\"escaped\"'\ndef f(x):\n    return object()",
    funcName: "f",
    expected: "wrong_answer",
  },
  // Output floods.
  {
    name: "sys.stdout.write flood",
    code: "import sys\nwhile True:\n    sys.stdout.write('x' * 100000)",
    expected: "runtime_error",
  },
  {
    name: "os.write(1) flood that swallows every error",
    code: "import os\nwhile True:\n    try:\n        os.write(1, b'x' * 100000)\n    except BaseException:\n        pass",
    expected: "runtime_error",
  },
  {
    name: "stderr flood (discarded)",
    code: "import sys\nwhile True:\n    print('x' * 1000, file=sys.stderr)",
    expected: "time_limit",
  },
  // Writing files: allowed in the sandbox's own file system, never on the host's.
  {
    name: "files written everywhere it can",
    code: [
      "import os",
      "for folder in ('/tmp', '/home/pyodide', '.', '{root}', '/work/main', os.path.expanduser('~')):",
      "    os.makedirs(folder, exist_ok=True)",
      "    open(os.path.join(folder, '{marker}'), 'w').write('x')",
      "print(sorted(os.listdir('/tmp')))",
    ].join("\n"),
    expected: "wrong_answer",
  },
];

/** Each changes the shared interpreter; the innocent program after them must not notice. */
export const PYTHON_VANDALS: HostileCase[] = [
  {
    name: "builtins replaced",
    code: "import builtins\nbuiltins.len = lambda x: 42\nbuiltins.sorted = lambda x: []\nbuiltins.__import__ = None",
    expected: "wrong_answer",
  },
  {
    name: "classes and modules of the standard library changed",
    code: [
      "import collections, fractions, math, heapq, json, sys, types",
      "collections.Counter.most_common = lambda self, n=None: [('escaped', 1)]",
      "fractions.Fraction.__add__ = lambda self, other: 0",
      "math.sqrt = lambda x: -1",
      "heapq.heappush = None",
      "sys.modules['bisect'] = types.ModuleType('bisect')",
      "json.dumps.__kwdefaults__['indent'] = 4",
    ].join("\n"),
    expected: "wrong_answer",
  },
  {
    name: "containers, paths and a shadowing module on the import path",
    code: [
      "import copyreg, sys, os",
      "copyreg.dispatch_table[list] = lambda x: (str, ('escaped',))",
      "os.makedirs('/tmp/evil', exist_ok=True)",
      "open('/tmp/evil/difflib.py', 'w').write('raise SystemExit(\"escaped\")')",
      "open('/home/pyodide/difflib.py', 'w').write('raise SystemExit(\"escaped\")')",
      "sys.path.insert(0, '/tmp/evil')",
    ].join("\n"),
    expected: "wrong_answer",
  },
  {
    name: "interpreter settings and the decimal context",
    code: "import sys, decimal\nsys.setrecursionlimit(60)\nsys.set_int_max_str_digits(700)\ndecimal.getcontext().prec = 3\ndecimal.DefaultContext.prec = 3",
    expected: "wrong_answer",
  },
  {
    name: "a module key whose hash strikes when the restore looks it up",
    code: "import builtins, math\nclass Key:\n    def __hash__(self):\n        builtins.len = lambda x: 42\n        return 1\nvars(math)[Key()] = 1",
    expected: "wrong_answer",
  },
  {
    name: "a finalizer that strikes after the program ends",
    code: "import builtins, math\nclass Evil:\n    def __del__(self):\n        builtins.len = lambda x: 42\nmath.evil = Evil()",
    expected: "wrong_answer",
  },
];

export const PYTHON_INNOCENT = [
  "import collections, fractions, math, heapq, bisect, json, sys, copy, decimal, difflib",
  "h = []",
  "heapq.heappush(h, 3)",
  "print(len([1, 2]), sorted([2, 1]), collections.Counter('aab').most_common(1), fractions.Fraction(1, 2) + fractions.Fraction(1, 3))",
  "print(math.sqrt(16), h, bisect.bisect_left([1, 2, 3], 2), json.dumps([1]), copy.deepcopy([1, [2]]))",
  "print(sys.getrecursionlimit(), len(str(10 ** 4000)), decimal.Decimal(1) / decimal.Decimal(3))",
  "print(difflib.SequenceMatcher(None, 'ab', 'ac').ratio())",
].join("\n");
export const PYTHON_INNOCENT_OUTPUT = [
  "2 [1, 2] [('a', 2)] 5/6",
  "4.0 [3] 1 [1] [1, [2]]",
  "50000 4001 0.3333333333333333333333333333",
  "0.5",
].join("\n");
