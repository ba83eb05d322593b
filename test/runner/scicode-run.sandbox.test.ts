/**
 * A SciCode run against the simulator: two variants answer the fixture's sub-steps (the reference code when the
 * simulator is right, a wrong program otherwise), the runner grades them against our test_data.h5 in Python, and
 * the report gives the sub-step and main-problem rates. Expected values come from the journals' replies and the
 * answer keys, not from the code under test. Skipped, with the reason, where bubblewrap or numpy cannot run.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { parseRunConfig } from "../../src/config.ts";
import { writeReport } from "../../src/report/write-report.ts";
import { SilentProgress } from "../../src/runner/progress.ts";
import { runEvaluation } from "../../src/runner/run.ts";
import { SimServer } from "../../src/sim/index.ts";
import { journal, profile, simItemsFor } from "../e2e/harness.ts";
import { writeScicodeTargets } from "../fixtures/make-scicode-fixtures.ts";
import { scicodePython } from "../helpers/native-python.ts";
import { FIXTURE_HUB, localDatasets, ROOT } from "../helpers/task-data.ts";

const python = await scicodePython();
afterAll(async () => {
  if (python.skip === undefined) await python.close();
});

test.skipIf(python.skip !== undefined)(
  `scicode against the simulator: sub-steps graded from the fixture h5, main problems in the report${
    python.skip === undefined ? "" : ` (skipped: ${python.skip})`
  }`,
  { timeout: 900_000 },
  async () => {
    if (python.skip !== undefined) return;
    const cwd = mkdtempSync(join(tmpdir(), "qe-scicode-run-"));
    const h5 = join(cwd, "test_data.h5");
    await writeScicodeTargets(h5);
    const taskOptions = { scicode: { h5, timeoutSec: 120 } };
    const items = await simItemsFor(["scicode"], { taskOptions });
    // Seed 5: the half-right variant gets some sub-steps right and wrong in both problems (checked below).
    const sim = await SimServer.start({
      seed: 5,
      variants: [profile("m-bf16", { accuracy: 1 }), profile("m-fp8", { accuracy: 0.5 })],
      items,
    });
    try {
      const config = parseRunConfig(
        {
          variants: [
            { name: "bf16", baseUrl: sim.baseUrl, model: "m-bf16" },
            { name: "fp8", baseUrl: sim.baseUrl, model: "m-fp8" },
          ],
          tasks: ["scicode"],
          runId: "sc",
          concurrency: 2,
          taskOptions,
          data: { dataDir: FIXTURE_HUB, offline: true },
        },
        "test",
      );
      const outcome = await runEvaluation(config, {
        root: ROOT,
        cwd,
        apiKeys: {},
        datasets: localDatasets(),
        // No python here: the run grades in its own code runner's native executor, as `quanteval run` does.
        progress: new SilentProgress(),
      });
      expect(outcome.unavailable).toEqual([]);
      expect(outcome.errors).toBe(0);

      const correct = new Map(items.map((i) => [i.itemId, i.answers.correct]));
      const expected = new Map<string, { steps: number; problems: number }>();
      for (const variant of ["bf16", "fp8"]) {
        const records = journal(join(cwd, "artifacts"), "sc", variant, "scicode");
        expect(records.map((r) => r.itemId).sort()).toEqual(["1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "2.4"]);
        const right = new Map<string, boolean>();
        for (const record of records) {
          const saidCorrect = record.reply?.text.includes(correct.get(record.itemId) ?? "\u0000") ?? false;
          expect(record.grade?.correct, `${variant}/${record.itemId}: ${record.grade?.detail ?? ""}`).toBe(saidCorrect);
          expect(record.labels).toEqual({ problem: record.itemId.split(".")[0] });
          right.set(record.itemId, saidCorrect);
        }
        const problemPassed = (p: string) => [...right].filter(([id]) => id.startsWith(`${p}.`)).every(([, ok]) => ok);
        expected.set(variant, {
          steps: [...right.values()].filter(Boolean).length,
          problems: ["1", "2"].filter(problemPassed).length,
        });
      }
      expect(expected.get("bf16")).toEqual({ steps: 7, problems: 2 });
      const fp8 = expected.get("fp8");
      // The seed must leave fp8 between all and nothing, or the main-problem rule is not exercised.
      expect(fp8?.steps).toBeGreaterThan(0);
      expect(fp8?.steps).toBeLessThan(7);

      const written = await writeReport({
        artifactsDir: join(cwd, "artifacts"),
        reportsDir: join(cwd, "reports"),
        runId: "sc",
      });
      const task = written.report.tasks.find((t) => t.name === "scicode");
      expect(task?.problemRates).toEqual([
        { variant: "bf16", problems: 2, passed: 2, rate: 1 },
        { variant: "fp8", problems: 2, passed: fp8?.problems, rate: (fp8?.problems ?? 0) / 2 },
      ]);
      const markdown = readFileSync(join(written.dir, "report.md"), "utf8");
      expect(markdown).toContain("## Main problems (all sub-steps passed)");
      const html = readFileSync(join(written.dir, "index.html"), "utf8");
      expect(html).toMatch(/Main problems \(all sub-steps passed\)[\s\S]*<td[^>]*>2\/2<\/td>/);
      expect(markdown).toMatch(/\| scicode +\| bf16 +\| +2\/2 \| +100\.0% \| +100\.0% \|/);
      const fp8Rate = `${(((fp8?.problems ?? 0) / 2) * 100).toFixed(1)}%`;
      const fp8Steps = `${(((fp8?.steps ?? 0) / 7) * 100).toFixed(1)}%`;
      expect(markdown).toMatch(
        new RegExp(`\\| scicode +\\| fp8 +\\| +${fp8?.problems}/2 \\| +${fp8Rate} \\| +${fp8Steps} \\|`),
      );
    } finally {
      await sim.close();
    }
  },
);
