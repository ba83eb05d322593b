/**
 * A reply the server gave is never asked again: SIGKILL lands while LiveCodeBench programs are being graded in
 * Pyodide (seconds each, some until their time limit), at seeded points, three times; each resume grades the
 * replies the journal holds without a verdict and asks only the units that had none. A proxy in front of the
 * simulator counts requests per unit (prompt and seed), so "asked again" is seen where the server sees it.
 */
import { join } from "node:path";
import { expect, test } from "vitest";
import { seededRandom } from "../../src/core/seeded-random.ts";
import { readJournal } from "../../src/journal/journal.ts";
import { awaitsGrading, type JournalRecord } from "../../src/journal/record.ts";
import { SimServer } from "../../src/sim/index.ts";
import { startCountingProxy, unitOfRequest } from "../helpers/counting-proxy.ts";
import { runMain } from "../helpers/run-main.ts";
import { FIXTURE_HUB } from "../helpers/task-data.ts";
import { runCli, simItemsFor, slowProfile, tempDir, waitFor } from "./harness.ts";

const TASK = "livecodebench:v6";
const SAMPLES = 4;
const UNITS = 3 * SAMPLES;
const KILL_SEED = 20_261_205;

/**
 * Two kills while replies are still arriving (at a seeded number of replies on disk), and one once the third session
 * has graded something; every kill waits for at least one reply on disk without its grade, so each lands during
 * grading (Pyodide takes seconds to start, and a program in an endless loop runs to its time limit).
 */
type KillPoint = (state: { replies: number; graded: number; gradedAtStart: number }) => boolean;

function killPoints(seed: number): KillPoint[] {
  const random = seededRandom(seed, "kill-points");
  const first = 2 + Math.floor(random() * 3);
  const second = first + 2 + Math.floor(random() * 3);
  return [(s) => s.replies >= first, (s) => s.replies >= second, (s) => s.graded > s.gradedAtStart];
}

function unitOfRecord(record: JournalRecord): string {
  return unitOfRequest({ messages: record.request.messages, seed: record.request.params.seed });
}

test("SIGKILL during slow code grading, three times: every reply received is graded on resume and never asked again", async () => {
  const items = await simItemsFor([TASK]);
  const sim = await SimServer.start({ seed: 11, variants: [slowProfile("m-bf16", { accuracy: 0.5 })], items });
  const proxy = await startCountingProxy(sim.url);
  const dir = tempDir("kill-grading");
  const artifacts = join(dir, "a");
  const file = join(artifacts, "kg", "bf16", `${TASK}.jsonl`);
  const records = (): JournalRecord[] => readJournal(file).records;
  const first = [
    "run",
    "--base-url",
    proxy.baseUrl,
    "--model",
    "m-bf16",
    "--variant",
    "bf16",
    "--tasks",
    TASK,
    "--data-dir",
    FIXTURE_HUB,
    "--run-id",
    "kg",
    "--artifacts",
    artifacts,
    "--reports",
    join(dir, "r"),
    "--concurrency",
    "2",
    "--temperature",
    "0.8",
    "--seed",
    "7",
    "--set",
    `taskOptions.livecodebench.samples=${SAMPLES}`,
    "--set",
    "taskOptions.livecodebench.timeoutSec=2",
  ];
  const resume = ["run", "--resume", "kg", "--artifacts", artifacts, "--reports", join(dir, "r")];
  /** Per unit: the server's request count when its reply was first seen on disk after a kill. */
  const countWhenReplied = new Map<string, number>();
  try {
    for (const [index, point] of killPoints(KILL_SEED).entries()) {
      const gradedAtStart = records().filter((r) => r.grade !== undefined).length;
      const running = runCli(index === 0 ? first : resume, { cwd: dir });
      await waitFor(() => {
        const now = records();
        const state = {
          replies: now.filter((r) => r.reply !== undefined).length,
          graded: now.filter((r) => r.grade !== undefined).length,
          gradedAtStart,
        };
        return point(state) && now.some(awaitsGrading);
      }, 120_000);
      running.child.kill("SIGKILL");
      const killed = await running;
      expect(killed.signal, `run ${index + 1} should still have been grading:\n${killed.stderr}`).toBe("SIGKILL");
      const onDisk = records();
      // Killed while grading: replies on disk without their verdict, which the next session must grade, not ask.
      expect(onDisk.filter(awaitsGrading).length, `kill ${index + 1}`).toBeGreaterThan(0);
      for (const record of onDisk) {
        const unit = unitOfRecord(record);
        if (record.reply !== undefined && !countWhenReplied.has(unit)) countWhenReplied.set(unit, proxy.count(unit));
      }
      // No faults: a unit that had its reply by the first kill was asked exactly once.
      if (index === 0) for (const count of countWhenReplied.values()) expect(count).toBe(1);
    }

    const last = await runMain(resume, { cwd: dir });
    expect(last.code, last.stderr).toBe(0);

    const all = records();
    const replies = all.filter((r) => r.reply !== undefined);
    expect(replies).toHaveLength(UNITS);
    expect(new Set(replies.map(unitOfRecord)).size).toBe(UNITS);
    for (const record of replies)
      expect(record.grade, `${record.itemId} sample ${record.sample}: ${record.error?.message ?? ""}`).toBeDefined();
    // Every reply on disk at a kill: not one request more after it, though the later sessions graded it.
    expect(countWhenReplied.size).toBeGreaterThan(0);
    for (const [unit, count] of countWhenReplied) expect(proxy.count(unit), unit).toBe(count);
    // A unit is asked again only if a kill caught its request in flight: once per session at the most.
    for (const record of replies) expect(proxy.count(unitOfRecord(record))).toBeLessThanOrEqual(4);
  } finally {
    await proxy.close();
    await sim.close();
  }
}, 300_000);
