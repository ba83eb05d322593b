/**
 * A request timeout per task (`taskOptions.<task>.requestTimeoutSec`): a task with a short one times out against a
 * server slower than it, while the run's other task, under the run's timeoutSec, is answered by the same server.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { SimServer } from "../../src/sim/index.ts";
import { runMain } from "../helpers/run-main.ts";
import { FIXTURE_HUB } from "../helpers/task-data.ts";
import { journal, profile, simItemsFor, tempDir } from "./harness.ts";

// Every reply starts 1.5 s after it is admitted: 30× the short timeout, well within the run's own (1800 s).
const SLOW = {
  ttftMs: 1500,
  ttftPerPromptTokenMs: 0,
  decodeTokensPerSec: 5000,
  maxDecodeTokensPerSec: 100_000,
  maxNumSeqs: 64,
};

describe("request timeout per task", () => {
  test("math500's 0.05 s timeout fails its items as timeouts; suite40 under the run's timeout is answered", async () => {
    const items = await simItemsFor(["suite40", "math500"], { dataDir: FIXTURE_HUB });
    const sim = await SimServer.start({ seed: 0, variants: [profile("m-bf16", { speed: SLOW })], items });
    const dir = tempDir("task-timeout");
    try {
      const result = await runMain(
        [
          "run",
          "--base-url",
          sim.baseUrl,
          "--model",
          "m-bf16",
          "--variant",
          "bf16",
          "--tasks",
          "suite40,math500",
          "--limit",
          "3",
          "--data-dir",
          FIXTURE_HUB,
          "--run-id",
          "t1",
          "--artifacts",
          join(dir, "a"),
          "--reports",
          join(dir, "r"),
          "--max-attempts",
          "2",
          "--retry-delay-ms",
          "1",
          "--set",
          "taskOptions.math500.requestTimeoutSec=0.05",
        ],
        { cwd: dir },
      );
      expect(result.code).toBe(1); // some requests failed after retries
      const suite = journal(join(dir, "a"), "t1", "bf16", "suite40");
      expect(suite).toHaveLength(3);
      for (const record of suite) expect(record.error).toBeUndefined();
      const math = journal(join(dir, "a"), "t1", "bf16", "math500");
      expect(math).toHaveLength(3);
      for (const record of math) {
        expect(record.reply).toBeUndefined();
        expect(record.attempts).toBe(2);
        expect(record.error?.message).toMatch(/no complete reply within 50 ms|timed out/);
      }
      const manifest = JSON.parse(readFileSync(join(dir, "a", "t1", "manifest.json"), "utf8")) as {
        tasks: { name: string; requestTimeoutSec?: number; options: object }[];
      };
      expect(manifest.tasks.map((t) => [t.name, t.requestTimeoutSec])).toEqual([
        ["suite40", undefined],
        ["math500", 0.05],
      ]);
      expect(manifest.tasks.every((t) => !("requestTimeoutSec" in t.options))).toBe(true);
    } finally {
      await sim.close();
    }
  }, 60_000);

  test("a bad value is a config error naming the field", async () => {
    const dir = tempDir("task-timeout-bad");
    const result = await runMain(
      [
        "run",
        "--base-url",
        "http://127.0.0.1:9/v1",
        "--model",
        "m",
        "--tasks",
        "suite40",
        "--artifacts",
        join(dir, "a"),
        "--set",
        "taskOptions.suite40.requestTimeoutSec=-1",
      ],
      { cwd: dir },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /taskOptions\.suite40\.requestTimeoutSec: must be a positive number of seconds \(got -1\)/,
    );
  });
});
