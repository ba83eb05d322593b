/**
 * The runner after an interrupt: it stops asking at once, gives started gradings their grace period, and leaves
 * those that do not finish for resume, saying so; resume grades them without asking the server. In process
 * (runEvaluation with a real simulator behind a counting proxy and real Pyodide grading), so the grace can be 1 ms.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { parseRunConfig } from "../../src/config.ts";
import { journalPath, readJournal } from "../../src/journal/journal.ts";
import { awaitsGrading } from "../../src/journal/record.ts";
import { type ProgressCounts, type ProgressSink, SilentProgress } from "../../src/runner/progress.ts";
import { type RunActivity, runEvaluation } from "../../src/runner/run.ts";
import { SimServer } from "../../src/sim/index.ts";
import { profile, simItemsFor } from "../e2e/harness.ts";
import { startCountingProxy, unitOfRequest } from "../helpers/counting-proxy.ts";
import { localDatasets, ROOT } from "../helpers/task-data.ts";

const TASK = "livecodebench:v6";

/** Aborts the run once `after` replies are journalled and some of them still await their grade. */
class AbortingProgress implements ProgressSink {
  readonly lines: string[] = [];
  readonly #controller: AbortController;
  readonly #after: number;
  constructor(controller: AbortController, after: number) {
    this.#controller = controller;
    this.#after = after;
  }
  start(): void {}
  update(_variant: string, _task: string, counts: ProgressCounts): void {
    if (counts.done >= this.#after && counts.graded < counts.done) this.#controller.abort(new Error("SIGINT"));
  }
  finish(): void {}
  log(line: string): void {
    this.lines.push(line);
  }
  stop(): void {}
}

test("interrupted while grading: gradings past the grace are left for resume, said so, and graded on resume without a request", async () => {
  const sim = await SimServer.start({
    seed: 11,
    variants: [profile("m-bf16", { accuracy: 0.5 })],
    items: await simItemsFor([TASK]),
  });
  const proxy = await startCountingProxy(sim.url);
  const cwd = mkdtempSync(join(tmpdir(), "qe-grace-"));
  try {
    const config = parseRunConfig(
      {
        variants: [{ name: "bf16", baseUrl: proxy.baseUrl, model: "m-bf16" }],
        tasks: [TASK],
        runId: "g1",
        concurrency: 2,
        sampling: { temperature: 0.8, seed: 3 },
        taskOptions: { livecodebench: { samples: 4, timeoutSec: 2 } },
        data: { dataDir: join(ROOT, "test/fixtures/hub"), offline: true },
      },
      "test",
    );
    const controller = new AbortController();
    const progress = new AbortingProgress(controller, 3);
    const activity: RunActivity = { pendingGradings: 0 };
    const base = () => ({ root: ROOT, cwd, apiKeys: {}, datasets: localDatasets() });
    const first = await runEvaluation(config, {
      ...base(),
      progress,
      signal: controller.signal,
      activity,
      gradingGraceMs: 1,
    });
    expect(first.interrupted).toBe(true);

    const file = journalPath(join(cwd, "artifacts"), "g1", "bf16", TASK);
    const afterInterrupt = readJournal(file).records;
    const left = afterInterrupt.filter(awaitsGrading);
    expect(left.length).toBeGreaterThan(0);
    expect(progress.lines.join("\n")).toMatch(
      new RegExp(
        `${TASK}: ${left.length} grading\\(s\\) did not finish within 0\\.001 s of the interrupt; ` +
          "their replies are in the journal: resume with `quanteval run --resume g1` to grade them \\(no request is sent again\\)",
      ),
    );
    // Stopped asking at once: not every unit was asked.
    expect(afterInterrupt.length).toBeLessThan(12);
    const unit = (r: (typeof afterInterrupt)[number]) =>
      unitOfRequest({ messages: r.request.messages, seed: r.request.params.seed });
    const counted = new Map(afterInterrupt.map((r) => [unit(r), proxy.count(unit(r))]));

    const second = await runEvaluation(config, { ...base(), progress: new SilentProgress(), activity });
    expect(second.interrupted).toBe(false);
    const records = readJournal(file).records;
    expect(records.filter((r) => r.reply !== undefined)).toHaveLength(12);
    expect(records.filter(awaitsGrading)).toEqual([]);
    for (const [key, count] of counted) expect(proxy.count(key), key).toBe(count);
    expect(activity.pendingGradings).toBe(0);
  } finally {
    await proxy.close();
    await sim.close();
  }
}, 120_000);
