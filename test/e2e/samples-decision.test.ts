/**
 * Every sample counts (issue 16): a run with 8 samples per item at temperature 0.6 against the simulator, whose
 * profiles keep an item's samples mostly alike (sampleSpread 0.35), as a real model's easy and hard items stay so.
 * The decision is on item means (avg@8) with an item-clustered bootstrap, and its interval is narrower than the
 * one sample 0 alone gives on the same run.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { ReportData } from "../../src/report/index.ts";
import type { SimServer } from "../../src/sim/index.ts";
import { runMain } from "../helpers/run-main.ts";
import { journal, profile, startSuiteSim, tempDir } from "./harness.ts";

let sim: SimServer;
beforeAll(async () => {
  sim = await startSuiteSim([
    profile("m-bf16", { accuracy: 0.85, sampleSpread: 0.35 }),
    profile("m-nvfp4", { accuracy: 0.8, sampleSpread: 0.35 }),
  ]);
});
afterAll(async () => {
  await sim.close();
});

test("avg@8: clustered intervals narrower than sample 0's, recovery and verdict on item means, maj@8 beside", async () => {
  const cwd = tempDir("samples-decision");
  const variant = (name: string) => ["--variant", name, "--base-url", sim.baseUrl, "--model", `m-${name}`];
  const result = await runMain(
    [
      "run",
      ...variant("bf16"),
      ...variant("nvfp4"),
      "--tasks",
      "suite40",
      "--run-id",
      "s8",
      "--temperature",
      "0.6",
      "--seed",
      "1",
      "--set",
      "taskOptions.suite40.samples=8",
    ],
    { cwd },
  );
  expect(result.code, result.stderr).toBe(0);
  const report = JSON.parse(readFileSync(join(cwd, "reports", "s8", "scores.json"), "utf8")) as ReportData;
  const task = report.tasks[0];
  const delta = task?.rows[0]?.deltas[0];
  const decision = delta?.decision;
  expect(task?.samples).toBe(8);
  expect(decision?.samples).toBe(8);
  expect(decision?.paired).toBe(40);
  // The avg@8 means are pass@1 over every sample, on the same 40 items.
  const passAt1 = (v: string) => task?.passAtK.find((p) => p.variant === v)?.values.find((x) => x.k === 1)?.value;
  expect(decision?.referenceMean).toBeCloseTo(passAt1("bf16") ?? Number.NaN, 12);
  expect(decision?.variantMean).toBeCloseTo(passAt1("nvfp4") ?? Number.NaN, 12);
  const width = (ci: { low: number; high: number } | null | undefined) => (ci == null ? Number.NaN : ci.high - ci.low);
  expect(width(decision?.ci95Pp)).toBeLessThan(width(delta?.ci95Pp));
  expect(decision?.mdePp ?? Number.NaN).toBeLessThan(delta?.mdePp ?? Number.NaN);
  expect(decision?.recovery?.value).toBeCloseTo((decision?.variantMean ?? 0) / (decision?.referenceMean ?? 1), 12);
  // The verdict is what its interval says against −1 pp.
  const ni = decision?.nonInferiority;
  const high = ni?.interval.high ?? Number.POSITIVE_INFINITY;
  const expected = (ni?.interval.low ?? 0) > -1 ? "non-inferior" : high < -1 ? "inferior" : "inconclusive";
  expect(ni?.verdict).toBe(expected);
  // maj@8 by hand from the journal: per item, the most-voted extracted answer (first seen on a tie), right or wrong.
  for (const name of ["bf16", "nvfp4"]) {
    const byItem = new Map<string, { sample: number; extracted?: string; correct: boolean }[]>();
    for (const r of journal(join(cwd, "artifacts"), "s8", name)) {
      if (r.grade === undefined) continue;
      const list = byItem.get(r.itemId) ?? [];
      list.push({
        sample: r.sample ?? 0,
        correct: r.grade.correct,
        ...(r.grade.extracted !== undefined ? { extracted: r.grade.extracted } : {}),
      });
      byItem.set(r.itemId, list);
    }
    let right = 0;
    for (const samples of byItem.values()) {
      const votes = new Map<string, { n: number; correct: boolean }>();
      for (const s of samples.sort((a, b) => a.sample - b.sample)) {
        if (s.extracted === undefined) continue;
        const v = votes.get(s.extracted) ?? { n: 0, correct: s.correct };
        votes.set(s.extracted, { n: v.n + 1, correct: v.correct });
      }
      let best: { n: number; correct: boolean } | undefined;
      for (const v of votes.values()) if (best === undefined || v.n > best.n) best = v;
      if (best?.correct === true) right += 1;
    }
    expect(task?.passAtK.find((p) => p.variant === name)?.majority?.value).toBeCloseTo(right / byItem.size, 12);
  }
  expect(result.stdout).toMatch(/\| suite40 +\| nvfp4 +\| avg@8 /);
  // The overall score is the same avg@8, not sample 0's accuracy.
  const overallBf16 = `${((passAt1("bf16") ?? 0) * 100).toFixed(1)}%`;
  expect(result.stdout).toMatch(
    new RegExp(`\\| Overall +\\| bf16 \\(ref\\) +\\| +${overallBf16.replace(".", "\\.")} \\|`),
  );
  expect(readFileSync(join(cwd, "reports", "s8", "report.md"), "utf8")).toMatch(/\(avg@8\)/);
});
