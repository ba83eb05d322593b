/**
 * Ctrl-C while LiveCodeBench replies are being graded, through the real CLI: the first SIGINT stops asking at once
 * and says how many gradings are pending; they finish within the grace period or are left for resume, as the
 * message says. A second SIGINT exits at once, every reply received already on disk. Either way resume asks no
 * unit that had a reply again (a proxy counts requests per unit at the server's side).
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { readJournal } from "../../src/journal/journal.ts";
import { awaitsGrading, type JournalRecord } from "../../src/journal/record.ts";
import { SimServer } from "../../src/sim/index.ts";
import { type CountingProxy, startCountingProxy, unitOfRequest } from "../helpers/counting-proxy.ts";
import { runMain } from "../helpers/run-main.ts";
import { FIXTURE_HUB } from "../helpers/task-data.ts";
import { runCli, simItemsFor, slowProfile, tempDir, waitFor } from "./harness.ts";

const TASK = "livecodebench:v6";

describe("interrupting a run while it grades", () => {
  let sim: SimServer;
  let proxy: CountingProxy;
  beforeAll(async () => {
    sim = await SimServer.start({
      seed: 11,
      variants: [slowProfile("m-bf16", { accuracy: 0.5 })],
      items: await simItemsFor([TASK]),
    });
    proxy = await startCountingProxy(sim.url);
  });
  afterAll(async () => {
    await proxy.close();
    await sim.close();
  });

  function setUp(runId: string) {
    const dir = tempDir(`int-${runId}`);
    const artifacts = join(dir, "a");
    const records = (): JournalRecord[] => readJournal(join(artifacts, runId, "bf16", `${TASK}.jsonl`)).records;
    const args = [
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
      runId,
      "--artifacts",
      artifacts,
      "--reports",
      join(dir, "r"),
      "--concurrency",
      "2",
      "--temperature",
      "0.8",
      "--seed",
      "5",
      "--set",
      "taskOptions.livecodebench.samples=4",
      "--set",
      "taskOptions.livecodebench.timeoutSec=2",
    ];
    const resume = ["run", "--resume", runId, "--artifacts", artifacts, "--reports", join(dir, "r")];
    const unit = (r: JournalRecord) => unitOfRequest({ messages: r.request.messages, seed: r.request.params.seed });
    return { dir, records, args, resume, unit };
  }

  /** After the resume: every unit has its graded reply, and a unit replied before it was not asked again. */
  async function resumeAndCheck(run: ReturnType<typeof setUp>, before: readonly JournalRecord[]): Promise<void> {
    const counted = new Map(
      before.filter((r) => r.reply !== undefined).map((r) => [run.unit(r), proxy.count(run.unit(r))]),
    );
    const resumed = await runMain(run.resume, { cwd: run.dir });
    expect(resumed.code, resumed.stderr).toBe(0);
    const all = run.records();
    expect(all.filter((r) => r.reply !== undefined)).toHaveLength(12);
    expect(all.filter(awaitsGrading)).toEqual([]);
    for (const [key, count] of counted) expect(proxy.count(key), key).toBe(count);
  }

  test("the first SIGINT says how many gradings are pending, finishes or leaves them as it says, and exits 130", async () => {
    const run = setUp("i1");
    const running = runCli(run.args, { cwd: run.dir });
    await waitFor(() => run.records().some(awaitsGrading), 120_000);
    running.child.kill("SIGINT");
    const first = await running;
    expect(first.code).toBe(130);
    expect(first.stderr).toMatch(
      /SIGINT: stopping; no new requests; in-flight ones are dropped and asked again on resume; \d+ grading\(s\) pending: finishing them \(up to 10 s\), else left for resume \(press again to exit now\)/,
    );
    expect(first.stderr).toContain("interrupted: resume with `quanteval run --resume i1");
    const after = run.records();
    // Asking stopped: the units left were not asked.
    expect(after.filter((r) => r.reply !== undefined).length).toBeLessThan(12);
    const left =
      /: (\d+) grading\(s\) did not finish within 10 s of the interrupt; their replies are in the journal/.exec(
        first.stderr,
      );
    expect(after.filter(awaitsGrading).length).toBe(left === null ? 0 : Number(left[1]));
    await resumeAndCheck(run, after);
  }, 240_000);

  test("a second SIGINT exits at once, with every reply received already in the journal", async () => {
    const run = setUp("i2");
    const running = runCli(run.args, { cwd: run.dir });
    await waitFor(() => run.records().some(awaitsGrading), 120_000);
    let said = "";
    running.child.stderr?.on("data", (chunk: Buffer) => {
      said += chunk.toString("utf8");
    });
    running.child.kill("SIGINT");
    // The second signal only after the first was handled: two sent at once can reach the process as one.
    await waitFor(() => said.includes("press again to exit now"), 30_000);
    running.child.kill("SIGINT");
    const first = await running;
    expect(first.code).toBe(130);
    expect(first.stderr).toContain(
      "SIGINT again: exiting now; every reply received is already in the journal (resume grades any left ungraded)",
    );
    // On disk, whole: every reply received, no torn line (what resume does with them, kill-grading.test.ts shows).
    const journal = readJournal(join(run.dir, "a", "i2", "bf16", `${TASK}.jsonl`));
    expect(journal.tornBytes).toBe(0);
    expect(journal.unreadable).toEqual([]);
    expect(journal.records.filter((r) => r.reply !== undefined).length).toBeGreaterThan(0);
  }, 240_000);
});
