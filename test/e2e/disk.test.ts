/**
 * The disk and the journal, through the real CLI: a disk that fills mid-run (a real short write, under a file size
 * limit), a journal with a damaged line in the middle, and output folders that cannot be written. Each stops with a
 * typed error that names the path and the way on, and loses nothing already written.
 */
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { readJournal } from "../../src/journal/journal.ts";
import type { SimServer } from "../../src/sim/index.ts";
import { runMain } from "../helpers/run-main.ts";
import { BIN, type CliResult, journal, profile, slowProfile, startSuiteSim, tempDir } from "./harness.ts";

/** `quanteval <args>` with every file it writes limited to `limitKiB` (a disk that fills: writes come back short). */
function runWithFileLimit(limitKiB: number, args: readonly string[], cwd: string): Promise<CliResult> {
  const child = spawn("bash", ["-c", `ulimit -f ${limitKiB}; exec "$0" "$@"`, process.execPath, BIN, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  return new Promise((resolve) => child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })));
}

describe("the disk and the journal", () => {
  let sim: SimServer;
  beforeAll(async () => {
    sim = await startSuiteSim([slowProfile("m-bf16"), profile("m-fast")]);
  });
  afterAll(async () => {
    await sim.close();
  });

  const runArgs = (dir: string, runId: string, model = "m-bf16") => [
    "run",
    "--base-url",
    sim.baseUrl,
    "--model",
    model,
    "--variant",
    "bf16",
    "--tasks",
    "suite40",
    "--run-id",
    runId,
    "--artifacts",
    join(dir, "a"),
    "--reports",
    join(dir, "r"),
    "--concurrency",
    "3",
  ];

  test("a disk that fills mid-run stops it cleanly: the file and the way on named, only whole lines kept, resume asks no recorded item again", async () => {
    const dir = tempDir("disk-full");
    const full = await runWithFileLimit(40, runArgs(dir, "df"), dir);
    expect(full.code, full.stderr).toBe(1);
    const file = join(dir, "a", "df", "bf16", "suite40.jsonl");
    expect(full.stderr).toMatch(
      new RegExp(
        `error\\[E_OUTPUT_WRITE\\]: cannot write ${file.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: ` +
          "(a short write: the disk took only part of a line|no space left on the device) \\(.* free of .* there\\)",
      ),
    );
    expect(full.stderr).toContain(`then resume with \`quanteval run --resume df --artifacts ${join(dir, "a")}\``);
    expect(full.stderr).not.toContain("E_INTERNAL");
    const bytes = readFileSync(file);
    expect(bytes.at(-1)).toBe(0x0a);
    const before = readJournal(file);
    expect(before.unreadable).toEqual([]);
    expect(before.tornBytes).toBe(0);
    const replied = before.records.filter((r) => r.reply !== undefined).map((r) => r.itemId);
    expect(replied.length).toBeGreaterThan(0);
    expect(replied.length).toBeLessThan(40);

    const resumed = await runMain(
      ["run", "--resume", "df", "--artifacts", join(dir, "a"), "--reports", join(dir, "r")],
      { cwd: dir },
    );
    expect(resumed.code, resumed.stderr).toBe(0);
    const all = journal(join(dir, "a"), "df", "bf16");
    expect(new Set(all.filter((r) => r.reply !== undefined).map((r) => r.itemId)).size).toBe(40);
    expect(all.every((r) => r.reply === undefined || r.grade !== undefined)).toBe(true);
    for (const id of replied) expect(sim.requestCount("m-bf16", id), id).toBe(1);
  });

  test("a damaged line mid-journal is quarantined loudly and only its item asked again; report says so meanwhile", async () => {
    const dir = tempDir("quarantine");
    const done = await runMain(runArgs(dir, "qj", "m-fast"), { cwd: dir });
    expect(done.code, done.stderr).toBe(0);
    const file = join(dir, "a", "qj", "bf16", "suite40.jsonl");
    const lines = readFileSync(file, "utf8").split("\n");
    const index = lines.findIndex((l, i) => i > 10 && l.includes('"reply"'));
    const damagedItem = (JSON.parse(lines[index] ?? "{}") as { itemId: string }).itemId;
    lines[index] = `${(lines[index] ?? "").slice(0, 40)}\u0000\u0000 damaged`;
    writeFileSync(file, lines.join("\n"));
    const askedBefore = sim.requestCount("m-fast", damagedItem);

    const report = await runMain(["report", "qj", "--artifacts", join(dir, "a"), "--reports", join(dir, "r")], {
      cwd: dir,
    });
    expect(report.code, report.stderr).toBe(0);
    expect(readFileSync(join(dir, "r", "qj", "report.md"), "utf8")).toMatch(
      /bf16: WARNING: 2 unreadable journal line\(s\) skipped \(line \d+: not JSON/,
    );

    const resumed = await runMain(
      ["run", "--resume", "qj", "--artifacts", join(dir, "a"), "--reports", join(dir, "r")],
      { cwd: dir },
    );
    expect(resumed.code, resumed.stderr).toBe(0);
    // The damaged reply, and the grade record that followed it (now a grade of nothing): both moved, loudly.
    expect(resumed.stderr).toContain(
      `[bf16] suite40: WARNING: 2 unreadable journal line(s) moved to ${file.replace(/\.jsonl$/, ".quarantine.jsonl")}`,
    );
    expect(sim.requestCount("m-fast", damagedItem)).toBe(askedBefore + 1);
    const all = journal(join(dir, "a"), "qj", "bf16");
    expect(new Set(all.map((r) => r.itemId)).size).toBe(40);
    expect(all.every((r) => r.grade !== undefined)).toBe(true);
    const quarantined = readFileSync(file.replace(/\.jsonl$/, ".quarantine.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { text: string });
    expect(quarantined.map((q) => q.text)[0]).toContain("damaged");
    expect(readJournal(file).unreadable).toEqual([]);
  });

  test("output folders that cannot be written are typed errors naming the path, before anything is asked", async () => {
    const dir = tempDir("out-dirs");
    const blocker = join(dir, "not-a-folder");
    writeFileSync(blocker, "a file where the artifacts folder should be\n");
    const onFile = await runMain([...runArgs(dir, "o1"), "--artifacts", blocker], { cwd: dir });
    expect(onFile.code).toBe(1);
    expect(onFile.stderr).toMatch(
      /error\[E_OUTPUT_WRITE\]: cannot write .*not-a-folder.*: a part of the path is a file, not a folder/,
    );
    // /sys refuses new folders even to root: a folder nobody may write.
    const refused = await runMain([...runArgs(dir, "o2"), "--artifacts", "/sys/quanteval-artifacts"], { cwd: dir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /error\[E_OUTPUT_WRITE\]: cannot write \/sys\/quanteval-artifacts.*: permission denied/,
    );
    expect(refused.stderr).not.toContain("E_INTERNAL");
  });

  test("a report that cannot be written after a complete run says the journals are safe and how to write it elsewhere", async () => {
    const dir = tempDir("report-dir");
    const args = [...runArgs(dir, "rp", "m-fast"), "--reports", "/sys/quanteval-reports"];
    const result = await runMain(args, { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /error\[E_OUTPUT_WRITE\]: cannot write \/sys\/quanteval-reports.*: permission denied; nothing the run recorded is lost: its journals are in /,
    );
    expect(result.stderr).toContain(
      `fix: write the report elsewhere now with \`quanteval report rp --artifacts ${join(dir, "a")} --reports <another folder>\`; ` +
        `or make the folder writable for this user, or choose another (--artifacts/--reports), then run \`quanteval report rp --artifacts ${join(dir, "a")}\``,
    );
    expect(journal(join(dir, "a"), "rp", "bf16").filter((r) => r.grade !== undefined)).toHaveLength(40);
    const elsewhere = await runMain(["report", "rp", "--artifacts", join(dir, "a"), "--reports", join(dir, "r2")], {
      cwd: dir,
    });
    expect(elsewhere.code, elsewhere.stderr).toBe(0);
    expect(readFileSync(join(dir, "r2", "rp", "report.md"), "utf8")).toContain("suite40");
  });
});
