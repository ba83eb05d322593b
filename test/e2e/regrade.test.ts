/**
 * `quanteval regrade`, end to end: a real run against the simulator, journals made stale by hand, then the
 * real CLI re-scores the stored replies (no model asked) and puts every verdict back, keeping the stale one.
 */
import { cpSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { JournalRecord } from "../../src/journal/record.ts";
import type { SimServer } from "../../src/sim/index.ts";
import { runMain } from "../helpers/run-main.ts";
import { journal, profile, startSuiteSim, tempDir } from "./harness.ts";

const RUN = "rg";

/**
 * A journal's records, each reply with its verdict folded in (as regrade rewrites them: one line per record), to
 * edit them as a user with a text editor would.
 */
function journalLines(artifacts: string, variant: string): JournalRecord[] {
  return journal(artifacts, RUN, variant);
}

function writeJournalLines(artifacts: string, variant: string, records: readonly JournalRecord[]): void {
  writeFileSync(join(artifacts, RUN, variant, "suite40.jsonl"), records.map((r) => `${JSON.stringify(r)}\n`).join(""));
}

/** Every file under `dir` with its bytes and mtime, to prove a command wrote nothing. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = join(entry.parentPath, entry.name);
    out.set(file, `${statSync(file).mtimeMs} ${readFileSync(file, "base64")}`);
  }
  return out;
}

interface Stale {
  index: number;
  grade?: JournalRecord["grade"];
  error?: JournalRecord["error"];
}

/**
 * Makes five bf16 verdicts stale: two right ones flipped to wrong and one wrong one flipped to right, a rule
 * renamed, and a grade replaced by a grader error. Returns what each edited line now says.
 */
function makeStale(records: JournalRecord[]): Stale[] {
  const right = records.flatMap((r, index) => (r.grade?.correct === true ? [index] : []));
  const wrong = records.flatMap((r, index) => (r.grade?.correct === false && r.grade.answered ? [index] : []));
  const [r1, r2, r3, r4] = right;
  const [w1] = wrong;
  if (r1 === undefined || r2 === undefined || r3 === undefined || r4 === undefined || w1 === undefined)
    throw new Error("the run needs 4 right and 1 wrong answer");
  const stale: Stale[] = [];
  const edit = (index: number, change: (r: JournalRecord) => void) => {
    const record = structuredClone(records[index] as JournalRecord);
    change(record);
    records[index] = record;
    stale.push({
      index,
      ...(record.grade !== undefined ? { grade: record.grade } : {}),
      ...(record.error !== undefined ? { error: record.error } : {}),
    });
  };
  for (const index of [r1, r2, w1])
    edit(index, (r) => {
      if (r.grade !== undefined) r.grade.correct = !r.grade.correct;
    });
  edit(r3, (r) => {
    if (r.grade !== undefined) r.grade.rule = "answer-line/an-old-rule";
  });
  edit(r4, (r) => {
    delete r.grade;
    r.error = { code: "E_GRADER_FAILED", message: "grader for suite40 threw: an old bug" };
  });
  return stale;
}

describe("quanteval regrade", () => {
  let sim: SimServer;
  let origin: string;

  beforeAll(async () => {
    // 0.7 accuracy: the seeded simulator gives right and wrong answers for both variants.
    sim = await startSuiteSim([
      profile("m-bf16", { accuracy: 0.7 }),
      profile("m-fp8", { accuracy: 0.7, reasoning: "think-tags" }),
    ]);
    origin = tempDir("regrade-origin");
    const result = await runMain(
      [
        "run",
        "--variant",
        "bf16",
        "--variant",
        "fp8",
        "--model",
        "m-bf16",
        "--model",
        "m-fp8",
        "--base-url",
        sim.baseUrl,
        "--tasks",
        "suite40",
        "--concurrency",
        "8",
        "--run-id",
        RUN,
        "--artifacts",
        join(origin, "a"),
        "--reports",
        join(origin, "r"),
      ],
      { cwd: origin },
    );
    expect(result.stderr).not.toMatch(/error\[/);
    expect(result.code).toBe(0);
  });
  afterAll(async () => {
    await sim.close();
  });

  /** A private copy of the finished run, so each test edits its own journals. */
  function copyRun(prefix: string): { dir: string; artifacts: string; reports: string } {
    const dir = tempDir(prefix);
    cpSync(join(origin, "a"), join(dir, "a"), { recursive: true });
    return { dir, artifacts: join(dir, "a"), reports: join(dir, "r") };
  }

  test("stale verdicts are re-scored from the stored replies, the old ones kept, and the report rebuilt", async () => {
    const { dir, artifacts, reports } = copyRun("regrade");
    const original = journalLines(artifacts, "bf16");
    const edited = structuredClone(original);
    const stale = makeStale(edited);
    writeJournalLines(artifacts, "bf16", edited);
    // A report of the stale journals, which the regrade must replace.
    expect((await runMain(["report", RUN, "--artifacts", artifacts, "--reports", reports], { cwd: dir })).code).toBe(0);
    const freshScores = readFileSync(join(origin, "r", RUN, "scores.json"), "utf8");
    expect(readFileSync(join(reports, RUN, "scores.json"), "utf8")).not.toBe(freshScores);
    const requestsBefore = sim.totalRequests();

    const result = await runMain(["regrade", RUN, "--artifacts", artifacts, "--reports", reports], { cwd: dir });
    expect(result.stderr).not.toMatch(/error\[/);
    expect(result.code).toBe(0);
    expect(sim.totalRequests()).toBe(requestsBefore); // no model asked
    // bf16: 2 + 1 (the error) wrong→right, 1 right→wrong, 1 other (the rule); fp8 untouched.
    expect(result.stdout).toMatch(/^bf16\s+suite40\s+40\s+5\s+1\s+3\s+1\s+0$/m);
    expect(result.stdout).toMatch(/^fp8\s+suite40\s+40\s+0\s+0\s+0\s+0\s+0$/m);
    expect(result.stdout).toMatch(/^5 verdict\(s\) changed: 1 right→wrong, 3 wrong→right, 1 other$/m);
    expect(result.stdout).toContain(`report: ${join(reports, RUN)}/report.md`);

    const after = journal(artifacts, RUN, "bf16");
    expect(after).toHaveLength(40);
    expect(after.map((r) => r.itemId)).toEqual(original.map((r) => r.itemId));
    const staleAt = new Map(stale.map((s) => [s.index, s]));
    after.forEach((record, index) => {
      const before = original[index] as JournalRecord;
      expect(record.grade).toEqual(before.grade);
      expect(record.error).toBeUndefined();
      expect(record.reply).toEqual(before.reply);
      expect(record.recordedAt).toBe(before.recordedAt);
      const s = staleAt.get(index);
      if (s === undefined) {
        expect(record.regradedFrom).toBeUndefined();
      } else {
        expect(record.regradedFrom).toEqual({
          ...(s.grade !== undefined ? { grade: s.grade } : {}),
          ...(s.error !== undefined ? { error: s.error } : {}),
          at: expect.any(Number),
        });
      }
    });
    expect(
      readFileSync(join(artifacts, RUN, "bf16", "suite40.jsonl"), "utf8")
        .split("\n")
        .filter((l) => l !== ""),
    ).toHaveLength(40);
    expect(readFileSync(join(reports, RUN, "scores.json"), "utf8")).toBe(freshScores);
    expect(existsSync(join(artifacts, RUN, "run.lock"))).toBe(false);

    // Nothing is stale any more: a second regrade changes nothing and leaves the journals byte for byte.
    const journalsBefore = snapshot(artifacts);
    const again = await runMain(["regrade", RUN, "--artifacts", artifacts, "--reports", reports], { cwd: dir });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^bf16\s+suite40\s+40\s+0\s+0\s+0\s+0\s+0$/m);
    expect(again.stdout).toMatch(/^0 verdict\(s\) changed/m);
    expect(snapshot(artifacts)).toEqual(journalsBefore);
  });

  test("--dry-run reports what would change and writes nothing; a record whose item is gone is counted and left alone", async () => {
    const { dir, artifacts, reports } = copyRun("regrade-dry");
    const edited = journalLines(artifacts, "bf16");
    makeStale(edited);
    const retired = { ...structuredClone(edited[0] as JournalRecord), itemId: "retired-item" };
    writeJournalLines(artifacts, "bf16", [...edited, retired]);
    const before = snapshot(artifacts);

    const result = await runMain(["regrade", RUN, "--dry-run", "--artifacts", artifacts, "--reports", reports], {
      cwd: dir,
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/dry run: nothing written/);
    expect(result.stdout).toMatch(/^bf16\s+suite40\s+40\s+5\s+1\s+3\s+1\s+1$/m);
    expect(result.stderr).toMatch(
      /bf16\/suite40: 1 record\(s\) whose item is no longer in the task were left as they were \(retired-item\)/,
    );
    expect(snapshot(artifacts)).toEqual(before);
    expect(existsSync(reports)).toBe(false);
  });

  test("an unknown run id exits 2 with the known error", async () => {
    const { dir, artifacts } = copyRun("regrade-unknown");
    const result = await runMain(["regrade", "no-such-run", "--artifacts", artifacts], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/error\[E_RUN_NOT_FOUND\]: no run "no-such-run" under /);
  });

  test("a run locked by a live process is not regraded", async () => {
    const { dir, artifacts, reports } = copyRun("regrade-locked");
    const edited = journalLines(artifacts, "bf16");
    makeStale(edited);
    writeJournalLines(artifacts, "bf16", edited);
    // This test process is alive: to the regrade it is a `run` still writing.
    writeFileSync(
      join(artifacts, RUN, "run.lock"),
      JSON.stringify({ pid: process.pid, host: hostname(), at: new Date().toISOString() }),
    );
    const before = snapshot(artifacts);

    const result = await runMain(["regrade", RUN, "--artifacts", artifacts, "--reports", reports], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `error\\[E_RUN_LOCKED\\]: run ${RUN} is being written by another quanteval process \\(pid ${process.pid}\\)`,
      ),
    );
    expect(snapshot(artifacts)).toEqual(before);
    expect(existsSync(reports)).toBe(false);
  });
});
