import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { RunLock, RunLockedError } from "../../src/runner/run-lock.ts";

const runDir = () => join(mkdtempSync(join(tmpdir(), "qe-lock-")), "r1");

test("a second holder is refused while the first lives, and admitted once it releases", () => {
  const dir = runDir();
  const first = RunLock.acquire(dir, "r1");
  expect(() => RunLock.acquire(dir, "r1")).toThrow(RunLockedError);
  expect(() => RunLock.acquire(dir, "r1")).toThrow(new RegExp(`run r1 is being written by another quanteval process \\(pid ${process.pid}\\)`));
  first.release();
  expect(existsSync(first.file)).toBe(false);
  RunLock.acquire(dir, "r1").release();
});

test("a lock left by a process that is gone (SIGKILL) is taken over", () => {
  const dir = runDir();
  const gone = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  const deadPid = Number(gone.stdout);
  expect(deadPid).toBeGreaterThan(0);
  RunLock.acquire(dir, "r1").release();
  writeFileSync(join(dir, "run.lock"), JSON.stringify({ pid: deadPid, host: hostname(), at: "2026-01-01T00:00:00Z" }));
  const lock = RunLock.acquire(dir, "r1");
  lock.release();
});

test("a torn lock file is taken over", () => {
  const dir = runDir();
  RunLock.acquire(dir, "r1").release();
  writeFileSync(join(dir, "run.lock"), '{"pid": 12');
  RunLock.acquire(dir, "r1").release();
});
