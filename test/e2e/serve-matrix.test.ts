/**
 * Issue 6's "done when", end to end. Three variants, each with a serve block whose command is `quanteval sim` with
 * faults of its own, take turns on one port (one GPU). quanteval is SIGKILLed at two seeded points while a server
 * is up; each time the next resume stops the orphaned server itself and goes on. At the end every item has exactly
 * one final record, no answered item was asked again, the report accounts for every item, every server was stopped,
 * and no simulator is left running.
 */
import type { ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { stringify } from "yaml";
import { seededRandom } from "../../src/core/seeded-random.ts";
import { isFinished, type JournalRecord } from "../../src/journal/record.ts";
import { portAccepts } from "../../src/runner/serve/index.ts";
import { freePort } from "../helpers/free-port.ts";
import { runMain } from "../helpers/run-main.ts";
import { FIXTURE_HUB } from "../helpers/task-data.ts";
import {
  alive,
  BIN,
  countRows,
  journal,
  manifestVariants,
  profile,
  runCli,
  serverPid,
  simItemsFor,
  taskScores,
  tempDir,
  waitFor,
  waitForAsync,
} from "./harness.ts";

const NAMES = ["bf16", "fp8", "nvfp4"] as const;
type Name = (typeof NAMES)[number];
const TASKS = ["suite40", "aime24"] as const;
const RUN = "matrix";
const KILL_SEED = 20_260_106;
const SLOW_START_SEC = 2;

/** Each server's own trouble: error statuses with Retry-After; broken streams; a slow start ("loading") and 500s. */
const FAULTS: Record<Name, string[]> = {
  bf16: ["--status-rates", "429=0.08,503=0.05", "--retry-after", "1"],
  fp8: [
    ...["--drop-rate", "0.05", "--truncate-rate", "0.05", "--malformed-rate", "0.05", "--missing-usage-rate", "0.03"],
    // Missing usage is counted by the client since issue 21; a 400 is what still fails an item for good.
    ...["--status-rates", "400=0.03"],
  ],
  nvfp4: ["--slow-start", String(SLOW_START_SEC), "--status-rates", "500=0.04"],
};
/** The start-up banner lines of `quanteval sim` that say those faults are in force. */
const FAULT_BANNERS: Record<Name, string[]> = {
  bf16: ["fault: error statuses: 429 0.08, 503 0.05 (Retry-After 1 s on 429/503)"],
  fp8: [
    "fault: dropped connections: 0.05",
    "fault: truncated replies: 0.05",
    "fault: malformed JSON: 0.05",
    "fault: missing usage: 0.03",
    "fault: error statuses: 400 0.03 (Retry-After 1 s on 429/503)",
  ],
  nvfp4: [
    `fault: slow start: 503 "loading" for the first ${SLOW_START_SEC} s`,
    "fault: error statuses: 500 0.04 (Retry-After 1 s on 429/503)",
  ],
};

/**
 * Where to kill quanteval: once some of a variant's items are journalled, so its server is up. The first kill is in
 * bf16 or fp8 and the second in a later variant, so each lands in a different session.
 */
function killPoints(seed: number): { variant: Name; after: number }[] {
  const random = seededRandom(seed, "serve-matrix-kills");
  const first = Math.floor(random() * 2);
  const second = first + 1 + Math.floor(random() * (2 - first));
  return [first, second].map((index) => ({ variant: NAMES[index] ?? "nvfp4", after: 4 + Math.floor(random() * 27) }));
}

/** Timed (not instant) so a run is still going when it is killed; nothing asserts on speed. */
function writeProfiles(dir: string): string {
  const speed = {
    ttftMs: 5,
    ttftPerPromptTokenMs: 0,
    decodeTokensPerSec: 800,
    maxDecodeTokensPerSec: 1600,
    maxNumSeqs: 4,
  };
  const accuracy: Record<Name, number> = { bf16: 0.9, fp8: 0.88, nvfp4: 0.8 };
  const file = join(dir, "profiles.json");
  writeFileSync(
    file,
    JSON.stringify(
      NAMES.map((name) =>
        profile(`qe-${name}`, { accuracy: accuracy[name], unansweredRate: 0.03, reasoningTokens: 60, speed }),
      ),
    ),
  );
  return file;
}

/** The run config: every variant served by `quanteval sim` on the same port, its tasks read from the same config. */
function writeConfig(dir: string, port: number): string {
  const file = join(dir, "matrix.yaml");
  const profiles = writeProfiles(dir);
  const config = {
    variants: NAMES.map((name) => ({
      name,
      baseUrl: `http://127.0.0.1:${port}/v1`,
      model: `qe-${name}`,
      serve: {
        command: [
          process.execPath,
          BIN,
          "sim",
          "--port",
          String(port),
          "-c",
          file,
          "--seed",
          "7",
          "--profiles",
          profiles,
          ...FAULTS[name],
        ],
        stopGraceSec: 10,
        startupTimeoutSec: 60,
      },
    })),
    tasks: [...TASKS],
    data: { dataDir: FIXTURE_HUB },
    warmup: { requests: 2 },
    concurrency: 3,
    // Retry-After (1 s) is capped by maxDelayMs, which keeps the test quick; 8 attempts leave no item out of retries.
    retry: { maxAttempts: 8, baseDelayMs: 1, maxDelayMs: 20 },
    runId: RUN,
  };
  writeFileSync(file, stringify(config));
  return file;
}

/** Live processes whose command line mentions `text` (the config's path: every simulator of this test has it). */
function processesMentioning(text: string): number[] {
  return readdirSync("/proc")
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(text) && alive(pid);
      } catch {
        return false; // gone meanwhile
      }
    });
}

test("three served variants with faults, SIGKILLed twice and resumed: every item once, nothing asked twice, counts add up, no server left", async () => {
  const dir = tempDir("serve-matrix");
  const artifacts = join(dir, "artifacts");
  const port = await freePort();
  const config = writeConfig(dir, port);
  const items = await simItemsFor([...TASKS], { dataDir: FIXTURE_HUB });
  const itemIds = (task: string): string[] => items.filter((i) => i.task === task).map((i) => i.itemId);
  expect(itemIds("aime24").length).toBeGreaterThan(0);
  const records = (name: Name, task: string): JournalRecord[] => journal(artifacts, RUN, name, task);
  const recordCount = (name: Name): number => TASKS.reduce((sum, task) => sum + records(name, task).length, 0);
  const itemCount = TASKS.reduce((sum, task) => sum + itemIds(task).length, 0);
  /** The runs this test kills, killed in any case at the end (a failed wait leaves one going). */
  const killable: ChildProcess[] = [];
  /** variant/task/item of every item whose latest record is an error, sorted. */
  const failedItems = (): string[] =>
    NAMES.flatMap((name) =>
      TASKS.flatMap((task) => {
        const latest = new Map(records(name, task).map((r) => [r.itemId, r]));
        return [...latest.values()].filter((r) => r.error !== undefined).map((r) => `${name}/${task}/${r.itemId}`);
      }),
    ).sort();

  const kills = killPoints(KILL_SEED);
  let orphanBefore: number | undefined;
  const expectReclaimed = (stderr: string, orphan: number): void => {
    expect(stderr).toMatch(
      new RegExp(`\\[\\w+\\] a server an earlier session of this run started is still running \\(pid ${orphan}: `),
    );
    expect(stderr).toMatch(new RegExp(`\\[\\w+\\] the server left running \\(pid ${orphan}\\) stopped with SIGTERM`));
    expect(alive(orphan)).toBe(false);
  };
  try {
    for (const [index, point] of kills.entries()) {
      const running = runCli(index === 0 ? ["run", "-c", config] : ["run", "--resume", RUN], { cwd: dir });
      killable.push(running.child);
      await waitFor(() => recordCount(point.variant) >= point.after, 120_000);
      running.child.kill("SIGKILL");
      const killed = await running;
      expect(killed.signal, `run ${index + 1} should still have been going:\n${killed.stderr}`).toBe("SIGKILL");
      expect(recordCount(point.variant)).toBeLessThan(itemCount);

      // No handler runs on SIGKILL: the variant's server is orphaned. The next session (holding the run lock, so this
      // one is gone) stops it before starting any server: nobody has to clean up by hand.
      if (orphanBefore !== undefined) expectReclaimed(killed.stderr, orphanBefore);
      const orphan = serverPid(artifacts, RUN, point.variant);
      expect(alive(orphan)).toBe(true);
      orphanBefore = orphan;
    }

    // A 400 is not retried (the same request would be refused again), and the simulator is seeded, so its faults come
    // at the same attempts in every session: those items stay errors (exit 1), and only those. Missing usage is no
    // longer an error: those replies are counted by the client (usageCountedBy "chunks").
    const last = await runMain(["run", "--resume", RUN], { cwd: dir });
    if (orphanBefore !== undefined) expectReclaimed(last.stderr, orphanBefore);
    const failed = failedItems();
    expect(last.code, last.stderr).toBe(failed.length > 0 ? 1 : 0);
    expect(last.stderr).not.toMatch(/error\[E_(?!REQUEST_FAILED)/);
    // (With these seeds fp8 has such an item, so the report's error count is exercised too.)
    expect(failed.length, "no 400 error: the seeds changed?").toBeGreaterThan(0);
    const counted = TASKS.flatMap((task) => records("fp8", task).filter((r) => r.reply?.usageCountedBy === "chunks"));
    expect(counted.length, "no reply without usage: the seeds changed?").toBeGreaterThan(0);
    for (const r of counted) expect(r.reply?.usage.promptTokens).toBeNull();

    const sessionsOf = new Set<string>();
    for (const name of NAMES) {
      for (const task of TASKS) {
        const all = records(name, task);
        for (const r of all) sessionsOf.add(r.session);
        // Once an item has a reply, nothing more is recorded for it: it was not asked again by any later session.
        const answered = new Set<string>();
        for (const r of all) {
          expect(answered.has(r.itemId), `${name}/${task}/${r.itemId} was asked again after its reply`).toBe(false);
          if (isFinished(r)) answered.add(r.itemId);
        }
        // Every item has a final record: a graded reply, or (a 400 only) an error.
        const latest = new Map(all.map((r) => [r.itemId, r]));
        expect([...latest.keys()].sort()).toEqual(itemIds(task).sort());
        for (const r of latest.values()) {
          if (isFinished(r)) expect(r.grade, `${name}/${task}/${r.itemId}`).toBeDefined();
          else expect(r.error?.status, `${name}/${task}/${r.itemId}: ${r.error?.message}`).toBe(400);
        }
        // The report counts exactly what the journal holds.
        const finals = [...latest.values()];
        const score = taskScores(join(dir, "reports"), RUN)[task]?.[name];
        expect(score, `${name}/${task}`).toEqual(
          expect.objectContaining({
            n: itemIds(task).length,
            missing: 0,
            graded: finals.filter((r) => r.grade !== undefined).length,
            correct: finals.filter((r) => r.grade?.correct === true).length,
            unanswered: finals.filter((r) => r.grade?.answered === false).length,
            errors: finals.filter((r) => r.error !== undefined).length,
          }),
        );
      }
    }
    // The faults happened and were retried through: replies after more than one attempt, on the variants that retry.
    for (const name of NAMES) {
      expect(
        TASKS.some((task) => records(name, task).some((r) => isFinished(r) && r.attempts > 1)),
        name,
      ).toBe(true);
    }
    // The two killed sessions and the one that finished wrote records (the refused ones wrote none).
    expect(sessionsOf.size).toBeGreaterThanOrEqual(3);

    const scores: unknown = JSON.parse(readFileSync(join(dir, "reports", RUN, "scores.json"), "utf8"));
    const rows = countRows(scores);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row.n).toBe(Number(row.graded) + Number(row.errors) + Number(row.missing));
    const report = readFileSync(join(dir, "reports", RUN, "report.md"), "utf8");
    for (const name of NAMES) expect(report).toContain(name);

    const variants = manifestVariants(artifacts, RUN);
    expect(variants.map((v) => [v.name, v.status])).toEqual(NAMES.map((name) => [name, "done"]));
    for (const v of variants) expect(v.serverStartupSec, v.name).toBeGreaterThan(0);
    // Ready means /health and /v1/models answered 200, which the slow start withholds for its seconds.
    expect(variants.find((v) => v.name === "nvfp4")?.serverStartupSec).toBeGreaterThanOrEqual(SLOW_START_SEC);

    for (const name of NAMES) {
      const log = readFileSync(join(artifacts, RUN, name, "server.log"), "utf8");
      for (const banner of FAULT_BANNERS[name]) expect(log, name).toContain(banner);
      expect(log, name).toMatch(/^sim: qe-\w+ \S+ attempt \d+.*\(injected fault\)$/m);
      expect(log).toContain(`listening on http://127.0.0.1:${port}/v1`);
      // Every session that started this server appended to the one log (a killed variant: that session and a later
      // one), and the last of them stopped it.
      const killedIn = kills.filter((k) => k.variant === name).length;
      expect(log.match(/quanteval: starting the server of variant /g)?.length ?? 0, name).toBeGreaterThanOrEqual(
        1 + killedIn,
      );
      expect(log).toMatch(/=== \S+ quanteval: server stopped \(with code 0\)\n$/);
      expect(existsSync(join(artifacts, RUN, name, "server.pid")), name).toBe(false);
    }
  } finally {
    // Whatever failed above, no quanteval or simulator of this test may outlive it.
    for (const child of killable) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    for (const pid of processesMentioning(config)) process.kill(pid, "SIGKILL");
  }
  expect(await portAccepts({ host: "127.0.0.1", port })).toBe(false);
  expect(processesMentioning(config)).toEqual([]);
}, 300_000);

/** What makes the server logs above useful: one line per request, and each injected fault said as such. */
test("`quanteval sim` logs each fault it injects, as a server's log would", async () => {
  const dir = tempDir("sim-log");
  const port = await freePort();
  const [item] = await simItemsFor(["suite40"]);
  const sim = runCli(["sim", "--port", String(port), "--status-rates", "429=1", "--retry-after", "0"], { cwd: dir });
  try {
    await waitForAsync(() => portAccepts({ host: "127.0.0.1", port }));
    const response = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "qwen3-32b-bf16", messages: [{ role: "user", content: item?.promptKey ?? "" }] }),
    });
    expect(response.status).toBe(429);
  } finally {
    sim.child.kill("SIGTERM");
  }
  expect((await sim).stdout).toMatch(/attempt 1: 429 \(injected fault\)/);
});
