/**
 * A stand-in for the native Python executor in tests, until the native-python branch's runNativePython and
 * detectNativePython (graders/code/native-*.ts) are merged: then `scicodePython`'s body becomes
 * `const found = await detectNativePython(); return found.available ? { run: (program, o) =>
 * runNativePython(found, program, o) } : { skip: found.reason };`.
 * Not a sandbox: it runs only our own fixture programs (reference solutions and the simulator's wrong answers),
 * in a fresh python3 process in a temporary folder, killed at the time limit. Tests skip where bubblewrap, python3,
 * numpy or scipy is missing, as they will with the real executor.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PythonProgramResult, RunPythonProgram } from "../../src/core/types.ts";

export type PythonForTests = { run: RunPythonProgram; skip?: undefined } | { skip: string };

export async function scicodePython(bwrap = "/usr/bin/bwrap"): Promise<PythonForTests> {
  if (!existsSync(bwrap))
    return { skip: `bubblewrap is not installed (no ${bwrap}; Debian: apt-get install bubblewrap)` };
  try {
    execFileSync("python3", ["-I", "-c", "import numpy, scipy"], { stdio: "ignore", timeout: 60_000 });
  } catch {
    return { skip: "python3 with numpy and scipy is not available (Debian: python3-numpy python3-scipy)" };
  }
  return { run: runLocally };
}

function runLocally(program: string, options: { timeoutMs: number }): Promise<PythonProgramResult> {
  const dir = mkdtempSync(join(tmpdir(), "qe-scicode-py-"));
  writeFileSync(join(dir, "main.py"), program);
  return new Promise((resolve, reject) => {
    const child = spawn("python3", ["-I", "main.py"], { cwd: dir, env: { PATH: process.env.PATH ?? "" } });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, options.timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
      resolve({ exitCode: timedOut ? null : code, stdout, stderr, timedOut });
    });
  });
}
