/**
 * The hostile-code set through the native executor (CPython in bubblewrap): every Python case of the Pyodide suite
 * with the same verdict, except where writing outside the sandbox's tmpfs fails (a runtime error, by design), then
 * attacks on the OS sandbox itself, run as plain programs (runNativePython, without the harness's audit hook): a
 * fork bomb, sockets, the environment, writes outside the tmpfs, the host home.
 *
 * Skipped, with the reason, where bubblewrap cannot run; QUANTEVAL_REQUIRE_BWRAP=1 (CI) makes that a failure.
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { detectNativePython, type NativeSandbox, runNativePython } from "../../../graders/code/index.ts";
import { createCodeRunner } from "../../../graders/code/runner.ts";
import type { CodeTest, TestOutcome } from "../../../graders/code/types.ts";
import { ROOT } from "../../helpers/task-data.ts";
import {
  checkContained,
  fill,
  type HostileCase,
  LIMITS,
  listenCounting,
  MARKER,
  markersOnHost,
  PYTHON_CASES,
  PYTHON_INNOCENT,
  PYTHON_INNOCENT_OUTPUT,
  PYTHON_VANDALS,
  SECRET,
} from "./hostile-python-cases.ts";

const native = await detectNativePython();
/**
 * RLIMIT_NPROC binds only where the sandbox's user is not root's: as root, that needs an interpreter nobody can
 * reach (here pyenv's lives under /root, Debian's does not).
 */
const nprocNative =
  native.available && native.caveat !== undefined ? await detectNativePython({ python: "/usr/bin/python3" }) : native;
const nprocSkipped = !nprocNative.available
  ? ` (skipped: ${nprocNative.reason})`
  : nprocNative.caveat !== undefined
    ? ` (skipped: ${nprocNative.caveat})`
    : "";
const required = process.env.QUANTEVAL_REQUIRE_BWRAP === "1";
const skipped = native.available ? "" : ` (skipped: ${native.reason})`;

/**
 * Where native verdicts differ from Pyodide's by design: these cases write to /home/pyodide or the project
 * folder, which Pyodide's in-memory file system allows and the native sandbox's read-only root refuses.
 */
const NATIVE_EXPECTED: Record<string, HostileCase["expected"]> = {
  "files written everywhere it can": "runtime_error",
  "containers, paths and a shadowing module on the import path": "runtime_error",
  // CPython 3.11 reports a frame it cannot allocate as "SystemError: error return without exception set".
  "unbounded recursion with the recursion limit lifted": ["memory_limit", "runtime_error"],
};
/**
 * The native sandbox shows the system's libraries and the interpreter read-only (some have package.json files, e.g.
 * npm's under /usr/lib/node_modules), and a real /proc: its walk leaves those out and looks for everything else.
 */
const NATIVE_WALK: HostileCase = {
  name: "a walk of the whole sandbox file system for host files",
  code: [
    "import os",
    "found = []",
    "for d, dirs, files in os.walk('/'):",
    "    dirs[:] = [x for x in dirs if os.path.join(d, x) not in ('/proc', '/usr') and x != '.pyenv']",
    "    found += [f for f in files if f in ('package.json', 'passwd', 'shadow', '.bashrc', '.profile')]",
    "print('escaped' if found else 'clean')",
  ].join("\n"),
  expected: "wrong_answer",
};

/**
 * The case as the native suite runs it. A case that must end before its time limit gets 10 s rather than 1 s: a
 * fresh process on a loaded machine may need more than a second to fill 64 MB (verdicts must not hang on speed).
 */
function nativeCase(c: HostileCase): HostileCase {
  const base = c.name === NATIVE_WALK.name ? NATIVE_WALK : c;
  const expected = NATIVE_EXPECTED[c.name] ?? base.expected;
  const limits = base.limits ?? LIMITS;
  const timeLimited = typeof expected === "string" ? expected === "time_limit" : expected.includes("time_limit");
  return {
    ...base,
    expected,
    limits: timeLimited ? limits : { ...limits, timeoutMs: Math.max(limits.timeoutMs, 10_000) },
  };
}

const runner = createCodeRunner({ nativeWorkers: 1 });
let server: Awaited<ReturnType<typeof listenCounting>>;
let port = 0;
/** A file in the host home that no program may read. */
const HOME_PROBE = join(homedir(), `quanteval-native-home-probe-${process.pid}`);

beforeAll(async () => {
  server = await listenCounting();
  port = server.port;
  writeFileSync(HOME_PROBE, SECRET);
});

afterAll(async () => {
  rmSync(HOME_PROBE, { force: true });
  await runner.close();
  await server.close();
});

async function runCase(c: HostileCase): Promise<TestOutcome> {
  const test: CodeTest =
    c.funcName === undefined
      ? { input: fill(c.input ?? "", port), output: c.output ?? "escaped", testtype: "stdin" }
      : { input: c.input ?? "0", output: c.output ?? '"escaped"', testtype: "functional" };
  const verdict = await runner.run(fill(c.code, port), "python", [test], {
    limits: c.limits ?? LIMITS,
    executor: "native",
    ...(c.funcName === undefined ? {} : { funcName: c.funcName }),
  });
  const outcome = verdict.tests[0];
  if (outcome === undefined) throw new Error("no outcome");
  return outcome;
}

/** Processes on the host whose command line holds `marker` (a sandbox's leftovers would). */
function processesWith(marker: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(marker)) found.push(pid);
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

describe.skipIf(native.available || !required)("QUANTEVAL_REQUIRE_BWRAP=1", () => {
  test("the native executor runs here", () => {
    expect.fail(`QUANTEVAL_REQUIRE_BWRAP=1 but ${skipped}: apt-get install bubblewrap (.ci/run does)`);
  });
});

describe.skipIf(!native.available)(`native: the Pyodide suite's hostile programs are contained${skipped}`, () => {
  test.each(PYTHON_CASES.map(nativeCase))("$name", async (c) => {
    checkContained(c, await runCase(c));
  });

  test("vandals change nothing the next program sees", async () => {
    for (const vandal of PYTHON_VANDALS.map(nativeCase)) checkContained(vandal, await runCase(vandal));
    const innocent: CodeTest = { input: "", output: PYTHON_INNOCENT_OUTPUT, testtype: "stdin" };
    const verdict = await runner.run(PYTHON_INNOCENT, "python", [innocent, innocent], {
      limits: { timeoutMs: 10_000, memoryMb: 64 },
      executor: "native",
    });
    expect(verdict.tests, JSON.stringify(verdict.tests)).toMatchObject([{ status: "passed" }, { status: "passed" }]);
  });
});

describe.skipIf(!native.available)(`native: the OS sandbox holds without the harness's rules${skipped}`, () => {
  const sandbox = (): NativeSandbox => {
    if (!native.available) throw new Error(native.reason);
    return native;
  };
  const run = (code: string, stdin = "", timeoutMs = 10_000) =>
    runNativePython(sandbox(), code, { timeoutMs, memoryMb: 256, stdin });

  test.skipIf(nprocSkipped !== "")(
    `a fork bomb stops at RLIMIT_NPROC, and its processes die with the sandbox${nprocSkipped}`,
    async () => {
      const bomb = [
        "import os, sys",
        "forks = 0",
        "while True:",
        "    try:",
        "        if os.fork() == 0:",
        `            os.execv(sys.executable, [sys.executable, '-c', 'import time\\nwhile True: time.sleep(1)', '${MARKER}'])`,
        "        forks += 1",
        "    except OSError:",
        "        break",
        "print(forks)",
      ].join("\n");
      if (!nprocNative.available) throw new Error(nprocNative.reason);
      const result = await runNativePython(nprocNative, bomb, { timeoutMs: 10_000, memoryMb: 256 });
      expect(result.exitCode, result.stderr).toBe(0);
      expect(Number(result.stdout)).toBeGreaterThan(0);
      expect(Number(result.stdout)).toBeLessThan(16);
      // The PID namespace ends with its init: polled, since the kernel reaps asynchronously.
      for (let attempt = 0; attempt < 50 && processesWith(MARKER).length > 0; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(processesWith(MARKER)).toEqual([]);
    },
  );

  test("a fork bomb that never stops is killed at the time limit, all of it", async () => {
    const bomb = [
      "import os, sys",
      "while True:",
      "    try:",
      "        if os.fork() == 0:",
      `            os.execv(sys.executable, [sys.executable, '-c', 'while True: pass', '${MARKER}-spin'])`,
      "    except OSError:",
      "        pass",
    ].join("\n");
    const result = await run(bomb, "", 1500);
    expect(result.timedOut).toBe(true);
    expect(result.exitCode).toBe(null);
    for (let attempt = 0; attempt < 50 && processesWith(`${MARKER}-spin`).length > 0; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(processesWith(`${MARKER}-spin`)).toEqual([]);
  });

  test("sockets reach nothing: not the host's loopback, not the outside", async () => {
    const probe = [
      "import socket, sys",
      "port = int(sys.stdin.read())",
      "for host, to in (('127.0.0.1', port), ('10.0.2.2', port), ('1.1.1.1', 80)):",
      "    try:",
      "        socket.create_connection((host, to), timeout=2)",
      "        print('escaped', host)",
      "    except OSError as error:",
      "        print('refused', host)",
    ].join("\n");
    const result = await run(probe, String(port));
    expect(result.stdout).toBe("refused 127.0.0.1\nrefused 10.0.2.2\nrefused 1.1.1.1\n");
    expect(server.connections()).toBe(0);
  });

  test("the environment holds no host variable", async () => {
    const result = await run("import os\nprint(sorted(os.environ))\nprint(open('/proc/self/environ').read())");
    expect(result.stdout).not.toContain(SECRET);
    expect(result.stdout).not.toContain("QUANTEVAL_SECRET_PROBE");
    expect(result.stdout.split("\n")[0]).toBe(
      "['HOME', 'LANG', 'MKL_NUM_THREADS', 'OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'PATH', 'PWD', " +
        "'PYTHONDONTWRITEBYTECODE']",
    );
  });

  test("nothing outside the tmpfs can be written", async () => {
    const places = ["/", "/usr/lib", "/opt/quanteval", "/root", "/proc/1", "/dev", ROOT, "/tmp"];
    const probe = [
      "import os, sys",
      "for folder in sys.stdin.read().split():",
      "    try:",
      `        open(os.path.join(folder, '${MARKER}'), 'w').write('x')`,
      "        print('wrote', folder)",
      "    except OSError:",
      "        print('refused', folder)",
    ].join("\n");
    const result = await run(probe, places.join(" "));
    const expected = places.map((p) => (p === "/tmp" ? "wrote /tmp" : `refused ${p}`));
    expect(result.stdout.trim().split("\n")).toEqual(expected);
    expect(markersOnHost()).toEqual([]);
  });

  test("the host home is not there", async () => {
    const probe = `import os\nprint(os.path.exists(${JSON.stringify(HOME_PROBE)}), os.path.exists('/home'))`;
    const result = await run(probe);
    expect(result.stdout).toBe("False False\n");
  });

  test("files given to a program are in its working folder, and it gets its exit status and stderr", async () => {
    const result = await runNativePython(
      sandbox(),
      "import json, os\nprint(os.getcwd(), json.load(open('targets.json')))\nraise SystemExit(3)",
      { timeoutMs: 10_000, memoryMb: 256, files: [{ name: "targets.json", bytes: Buffer.from("[1, 2]") }] },
    );
    expect(result).toMatchObject({ exitCode: 3, stdout: "/tmp [1, 2]\n", timedOut: false });
    const crash = await run("raise ValueError('bad')");
    expect(crash.exitCode).toBe(1);
    expect(crash.stderr).toContain("ValueError: bad");
  });
});

describe("native: detection says why it cannot run", () => {
  test("without bubblewrap", async () => {
    const found = await detectNativePython({ bwrap: "/nonexistent/bwrap" });
    expect(found).toEqual({
      available: false,
      reason: "bubblewrap is not installed (no /nonexistent/bwrap; Debian: apt-get install bubblewrap)",
    });
  });

  // bubblewrap is checked first: where it is missing, that is the reason given.
  test.skipIf(!existsSync("/usr/bin/bwrap"))("without CPython", async () => {
    const found = await detectNativePython({ python: "/nonexistent/python3" });
    expect(found).toMatchObject({ available: false, reason: expect.stringMatching(/^CPython did not run/) });
  });
});

describe("the host, after the native sandboxes", () => {
  test("saw no connection, and has no file a hostile program wrote", () => {
    expect(server.connections()).toBe(0);
    expect(markersOnHost()).toEqual([]);
  });
});
