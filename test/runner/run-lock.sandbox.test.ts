import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import {
  RunLock,
  RunLockedError,
  RunLockTakeoverLeftError,
  RunLockUnreadableError,
} from "../../src/runner/run-lock.ts";

const CHILD = join(dirname(fileURLToPath(import.meta.url)), "lock-child.ts");
const runDir = () => join(mkdtempSync(join(tmpdir(), "qe-lock-")), "r1");
const lockFile = (dir: string) => join(dir, "run.lock");

/** A pid that was alive a moment ago and is not now (its process exited and was reaped). */
function deadPid(): number {
  const gone = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  const pid = Number(gone.stdout);
  expect(pid).toBeGreaterThan(0);
  return pid;
}

/** This process's start time in clock ticks since boot (/proc/<pid>/stat field 22), or "" without /proc. */
function ownStartTime(): string {
  if (!existsSync(`/proc/${process.pid}/stat`)) return "";
  const text = readFileSync(`/proc/${process.pid}/stat`, "utf8");
  return text.slice(text.lastIndexOf(")") + 2).split(" ")[19] ?? "";
}

test("a second holder is refused while the first lives, and admitted once it releases", () => {
  const dir = runDir();
  const first = RunLock.acquire(dir, "r1");
  expect(() => RunLock.acquire(dir, "r1")).toThrow(RunLockedError);
  expect(() => RunLock.acquire(dir, "r1")).toThrow(
    `run r1 is being written by another quanteval process (pid ${process.pid})`,
  );
  first.release();
  expect(existsSync(first.file)).toBe(false);
  RunLock.acquire(dir, "r1").release();
  // No temporary file is left behind by taking or releasing.
  expect(readdirSync(dir)).toEqual([]);
});

test("a lock left by a process that is gone (SIGKILL) is taken over", () => {
  const dir = runDir();
  mkdirSync(dir, { recursive: true });
  writeFileSync(lockFile(dir), JSON.stringify({ pid: deadPid(), host: hostname(), startTime: "1", at: "x" }));
  const lock = RunLock.acquire(dir, "r1");
  expect(JSON.parse(readFileSync(lockFile(dir), "utf8"))).toMatchObject({ pid: process.pid, host: hostname() });
  lock.release();
  expect(readdirSync(dir)).toEqual([]);
});

test.skipIf(ownStartTime() === "")("a live pid with another start time is a reused pid: its lock is taken over", () => {
  const dir = runDir();
  mkdirSync(dir, { recursive: true });
  const other = String(Number(ownStartTime()) + 1);
  writeFileSync(lockFile(dir), JSON.stringify({ pid: process.pid, host: hostname(), startTime: other, at: "x" }));
  RunLock.acquire(dir, "r1").release();
});

test("a lock whose process lives is refused, naming the pid; one from another host is refused too", () => {
  const dir = runDir();
  mkdirSync(dir, { recursive: true });
  const live = { pid: process.pid, host: hostname(), startTime: ownStartTime(), at: "x" };
  writeFileSync(lockFile(dir), JSON.stringify(live));
  expect(() => RunLock.acquire(dir, "r1")).toThrow(new RegExp(`\\(pid ${process.pid}\\)`));
  writeFileSync(lockFile(dir), JSON.stringify({ pid: deadPid(), host: `not-${hostname()}`, startTime: "1", at: "x" }));
  expect(() => RunLock.acquire(dir, "r1")).toThrow(RunLockedError);
  expect(() => RunLock.acquire(dir, "r1")).toThrow(/on host not-/);
});

for (const [what, text] of [
  ["an empty", ""],
  ["a torn", '{"pid": 12'],
  ["a non-lock JSON", "[1, 2]"],
] as const) {
  test(`${what} lock file is not taken over: an error names the file and how to remove it`, () => {
    const dir = runDir();
    mkdirSync(dir, { recursive: true });
    writeFileSync(lockFile(dir), text);
    let error: unknown;
    try {
      RunLock.acquire(dir, "r1");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RunLockUnreadableError);
    expect(error).toMatchObject({ code: "E_RUN_LOCK_UNREADABLE" });
    expect(String(error)).toContain(`${lockFile(dir)} could not be read`);
    expect((error as RunLockUnreadableError).hint).toContain(`rm ${lockFile(dir)}`);
    expect(readFileSync(lockFile(dir), "utf8")).toBe(text);
  });
}

test("a takeover lock left by a process that died is refused, naming the file", () => {
  const dir = runDir();
  mkdirSync(dir, { recursive: true });
  const pid = deadPid();
  writeFileSync(lockFile(dir), JSON.stringify({ pid, host: hostname(), startTime: "1", at: "x" }));
  writeFileSync(`${lockFile(dir)}.takeover`, JSON.stringify({ pid, host: hostname(), startTime: "1", at: "y" }));
  expect(() => RunLock.acquire(dir, "r1")).toThrow(RunLockTakeoverLeftError);
  expect(() => RunLock.acquire(dir, "r1")).toThrow(`${lockFile(dir)}.takeover was left by pid ${pid}`);
});

/**
 * Starts `count` processes that race for a fresh run lock in each of `rounds` rounds (all try at once, when the
 * round's go file appears); `before(runDir, round)` prepares each round's run folder. Returns what each child
 * printed, per round.
 */
async function race(
  count: number,
  rounds: number,
  before: (runDir: string, round: number) => void = () => {},
): Promise<string[][]> {
  const folder = mkdtempSync(join(tmpdir(), "qe-lock-race-"));
  const lines: string[][] = Array.from({ length: rounds }, () => []);
  let ready = 0;
  let progress = (): void => {};
  const children = Array.from({ length: count }, () => {
    const child = spawn(process.execPath, [CHILD, folder, String(rounds)], { stdio: ["ignore", "pipe", "inherit"] });
    let pending = "";
    child.stdout.on("data", (data: Buffer) => {
      pending += data.toString("utf8");
      for (let newline = pending.indexOf("\n"); newline >= 0; newline = pending.indexOf("\n")) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        if (line === "ready") ready += 1;
        else lines[Number(line.split(" ")[0])]?.push(line.split(" ")[1] ?? "");
      }
      progress();
    });
    return new Promise<void>((resolve) => child.on("exit", () => resolve()));
  });
  const until = (check: () => boolean): Promise<void> =>
    new Promise((resolve) => {
      progress = () => {
        if (check()) resolve();
      };
      progress();
    });
  await until(() => ready === count);
  for (let round = 0; round < rounds; round++) {
    before(join(folder, `run-${round}`), round);
    writeFileSync(join(folder, `go-${round}`), "");
    await until(() => lines[round]?.length === count);
    writeFileSync(join(folder, `release-${round}`), "");
  }
  await Promise.all(children);
  // Every winner released its lock, and nobody left a temporary file behind.
  for (let round = 0; round < rounds; round++) expect(readdirSync(join(folder, `run-${round}`))).toEqual([]);
  return lines;
}

describe("races between processes", () => {
  test("several processes take a free lock at once: exactly one wins, every time", async () => {
    const rounds = await race(6, 40);
    rounds.forEach((results, round) => {
      expect(
        results.filter((r) => r === "won"),
        `round ${round}: ${results.join(", ")}`,
      ).toHaveLength(1);
      expect(results.filter((r) => r === "E_RUN_LOCKED")).toHaveLength(5);
    });
  });

  test("several processes take over one stale lock at once: exactly one wins, every time", async () => {
    const pid = deadPid();
    const rounds = await race(6, 60, (dir, round) => {
      mkdirSync(dir, { recursive: true });
      writeFileSync(lockFile(dir), JSON.stringify({ pid, host: hostname(), startTime: "1", at: `round ${round}` }));
    });
    rounds.forEach((results, round) => {
      expect(
        results.filter((r) => r === "won"),
        `round ${round}: ${results.join(", ")}`,
      ).toHaveLength(1);
      expect(results.filter((r) => r === "E_RUN_LOCKED")).toHaveLength(5);
    });
  });
});
