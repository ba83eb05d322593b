/**
 * Crash safety under faults: with error statuses, dropped connections, truncated and malformed streams injected,
 * the CLI is SIGKILLed at three seeded points and resumed each time. At the end every item has exactly one reply
 * (graded, and the last word on it), no item that had a reply was asked again, and the report's counts add up.
 * (faults.test.ts kills a run once without faults; this one stacks kills and faults.)
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { seededRandom } from "../../src/core/seeded-random.ts";
import type { JournalRecord } from "../../src/journal/record.ts";
import { runMain } from "../helpers/run-main.ts";
import { countRows, journal, profile, runCli, startSuiteSim, tempDir, waitFor } from "./harness.ts";

const KILL_SEED = 20_251_124;

/** Three journal sizes to kill at, increasing, the last well before 40 so the run is still going. */
function killPoints(seed: number): number[] {
  const random = seededRandom(seed, "kill-points");
  const first = 3 + Math.floor(random() * 8);
  const second = first + 5 + Math.floor(random() * 8);
  const third = second + 5 + Math.floor(random() * 8);
  return [first, second, third];
}

test("SIGKILL at three seeded points under injected faults, resumed each time: one graded reply per item, none asked twice", async () => {
  // Slow enough that each run is still going when it is killed; nothing asserts on speed.
  const slow = profile("m-bf16", {
    reasoningTokens: 150,
    speed: { ttftMs: 5, ttftPerPromptTokenMs: 0, decodeTokensPerSec: 800, maxDecodeTokensPerSec: 2400, maxNumSeqs: 4 },
  });
  const sim = await startSuiteSim([slow], {
    statusRates: { "429": 0.05, "500": 0.03, "503": 0.03 },
    retryAfterSec: 0,
    dropRate: 0.05,
    truncateRate: 0.05,
    malformedRate: 0.03,
  });
  const dir = tempDir("kill-faults");
  const artifacts = join(dir, "a");
  const records = (): JournalRecord[] => journal(artifacts, "kf", "bf16");
  // The retry budget is generous so that no item runs out of attempts: the point here is crashes, not exhausted retries.
  const first = [
    "run",
    "--base-url",
    sim.baseUrl,
    "--model",
    "m-bf16",
    "--variant",
    "bf16",
    "--tasks",
    "suite40",
    "--run-id",
    "kf",
    "--artifacts",
    artifacts,
    "--reports",
    join(dir, "r"),
    "--concurrency",
    "3",
    "--retry-delay-ms",
    "1",
    "--max-attempts",
    "8",
  ];
  const resume = ["run", "--resume", "kf", "--artifacts", artifacts, "--reports", join(dir, "r")];
  /** Request counts, at the simulator, of the items that had a reply when a run was killed. */
  const repliedAt = new Map<string, number>();
  try {
    const points = killPoints(KILL_SEED);
    for (const [index, point] of points.entries()) {
      const running = runCli(index === 0 ? first : resume, { cwd: dir });
      await waitFor(() => records().length >= point, 60_000);
      running.child.kill("SIGKILL");
      const killed = await running;
      expect(
        killed.signal,
        `run ${index + 1} should still have been going at ${point} records:\n${killed.stderr}`,
      ).toBe("SIGKILL");
      // A replied item has no request in flight (one request per item at a time), so its count is final now.
      for (const record of records()) {
        if (record.reply !== undefined) repliedAt.set(record.itemId, sim.requestCount("m-bf16", record.itemId));
      }
    }
    // The kills landed mid-run: some items had replies, not all.
    expect(repliedAt.size).toBeGreaterThan(0);
    expect(repliedAt.size).toBeLessThan(40);

    const last = await runMain(resume, { cwd: dir });
    expect(last.code, last.stderr).toBe(0);

    const all = records();
    const replies = new Map<string, number>();
    for (const r of all) if (r.reply !== undefined) replies.set(r.itemId, (replies.get(r.itemId) ?? 0) + 1);
    expect(replies.size).toBe(40);
    expect([...replies.values()].every((n) => n === 1)).toBe(true);
    const latest = new Map(all.map((r) => [r.itemId, r]));
    expect(latest.size).toBe(40);
    for (const r of latest.values()) {
      expect(r.grade, `${r.itemId}: ${JSON.stringify(r.error)}`).toBeDefined();
      expect(r.error).toBeUndefined();
    }
    for (const [itemId, count] of repliedAt) expect(sim.requestCount("m-bf16", itemId), itemId).toBe(count);
    expect(new Set(all.map((r) => r.session)).size).toBe(4);
    // Faults were injected and retried: some replies took more than one attempt.
    expect(all.some((r) => r.attempts > 1)).toBe(true);

    const scores: unknown = JSON.parse(readFileSync(join(dir, "r", "kf", "scores.json"), "utf8"));
    const rows = countRows(scores);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row.n).toBe(Number(row.graded) + Number(row.errors) + Number(row.missing));
    expect(rows).toContainEqual(expect.objectContaining({ variant: "bf16", n: 40, graded: 40, errors: 0, missing: 0 }));
  } finally {
    await sim.close();
  }
});
