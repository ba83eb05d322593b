/**
 * Capacity at SLO in the decision report, end to end against the simulator on 127.0.0.1: a run of two variants,
 * then `bench --find-max-rate --run <run-id>` attaches its max rates and rewrites the run's report; `report --bench`
 * attaches again without a change; a later `report` keeps it; `--detach-bench` gives back the report byte for byte.
 * What the search finds depends on this machine's speed, so nothing here asserts a rate: only where each figure
 * goes, that the ratios are the stored figures' ratios, and the refusals (sent before any request).
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { ReportData } from "../../src/report/index.ts";
import type { SimServer } from "../../src/sim/index.ts";
import { runMain } from "../helpers/run-main.ts";
import { profile, startSuiteSim, tempDir } from "./harness.ts";

// Two slots and 20 ms (bf16) or 15 ms (fp8) per 16-token reply: a finite capacity that 20-request trials can find
// with e2e ≤ 100 ms (all 20 at once would finish their p90 at about 180 and 135 ms, so some rate fails).
const speed = (decodeTokensPerSec: number) => ({
  ttftMs: 5,
  ttftPerPromptTokenMs: 0,
  decodeTokensPerSec,
  maxDecodeTokensPerSec: 2 * decodeTokensPerSec,
  maxNumSeqs: 2,
});
const REPORT_FILES = ["report.md", "index.html", "scores.csv", "scores.json"];

interface BenchMaxRate {
  variant: string;
  max_rate: number;
  interval: { low: number; high: number; confidence: number } | null;
  repetitions: { max_rate: number; stopped: string }[];
}

describe("capacity at SLO from an attached bench", () => {
  let sim: SimServer;
  let cwd: string;
  const variants = (fp8Model = "m-fp8", fp8Name = "fp8"): string[] =>
    [
      ["bf16", "m-bf16"],
      [fp8Name, fp8Model],
    ].flatMap(([name = "", model = ""]) => ["--variant", name, "--base-url", sim.baseUrl, "--model", model]);
  const benchArgs = (id: string): string[] => [
    "bench",
    "--bench-id",
    id,
    "--concurrency",
    "2",
    "--requests",
    "20",
    "--max-tokens",
    "16",
    "--ignore-eos",
    "--prompt-tokens",
    "8",
  ];
  const maxRateArgs = ["--slo", "e2e=100ms", "--find-max-rate", "--trials", "2", "--trial-warmup", "0"];
  const reportFile = (name: string) => readFileSync(join(cwd, "reports", "r", name), "utf8");
  const reportFiles = () => REPORT_FILES.map(reportFile);
  const scores = () => JSON.parse(reportFile("scores.json")) as ReportData;
  let withoutBench: string[];

  beforeAll(async () => {
    sim = await startSuiteSim([
      profile("m-bf16", { accuracy: 0.9, speed: speed(1000) }),
      profile("m-fp8", { accuracy: 0.85, speed: speed(1500) }),
    ]);
    cwd = tempDir("capacity");
    const run = await runMain(["run", ...variants(), "--tasks", "suite40", "--run-id", "r"], { cwd });
    expect(run.code, run.stderr).toBe(0);
    const report = await runMain(["report", "r"], { cwd });
    expect(report.code, report.stderr).toBe(0);
    withoutBench = reportFiles();
  });
  afterAll(async () => {
    await sim.close();
  });

  test("bench --run refuses, before any request, a variant or model the run lacks, or no --find-max-rate", async () => {
    const before = sim.totalRequests();
    const renamed = await runMain([...benchArgs("x1"), ...variants("m-fp8", "fp8-kv"), ...maxRateArgs, "--run", "r"], {
      cwd,
    });
    expect(renamed.code).toBe(2);
    expect(renamed.stderr).toContain(
      "error[E_BENCH_MISMATCH]: bench variant fp8-kv: not a variant of run r (bf16, fp8)",
    );
    const otherModel = await runMain([...benchArgs("x2"), ...variants("m-bf16"), ...maxRateArgs, "--run", "r"], {
      cwd,
    });
    expect(otherModel.code).toBe(2);
    expect(otherModel.stderr).toContain(
      'error[E_BENCH_MISMATCH]: bench variant fp8: model "m-bf16" in this bench, but run r served "m-fp8" under ' +
        "that name",
    );
    const noSearch = await runMain([...benchArgs("x3"), ...variants(), "--run", "r"], { cwd });
    expect(noSearch.code).toBe(2);
    expect(noSearch.stderr).toContain('flags: --run: only with --find-max-rate (got "r")');
    // The run's folder, as --from-run takes it, names the same run.
    const byFolder = await runMain(
      [...benchArgs("x5"), ...variants("m-fp8", "fp8-kv"), ...maxRateArgs, "--run", join("artifacts", "r")],
      { cwd },
    );
    expect(byFolder.stderr).toContain("bench variant fp8-kv: not a variant of run r (bf16, fp8)");
    const noRun = await runMain([...benchArgs("x4"), ...variants(), ...maxRateArgs, "--run", "r9"], { cwd });
    expect(noRun.code).toBe(2);
    expect(noRun.stderr).toContain('error[E_RUN_NOT_FOUND]: no run "r9"');
    expect(sim.totalRequests()).toBe(before);
    expect(existsSync(join(cwd, "artifacts", "r", "capacity.json"))).toBe(false);
    expect(reportFiles()).toEqual(withoutBench);
  });

  test("report --bench refuses a bench without a max rate, and one that is not there", async () => {
    const plain = await runMain([...benchArgs("plain"), ...variants()], { cwd });
    expect(plain.code, plain.stderr).toBe(0);
    const noMaxRate = await runMain(["report", "r", "--bench", "plain"], { cwd });
    expect(noMaxRate.code).toBe(2);
    expect(noMaxRate.stderr).toMatch(
      /error\[E_BENCH_NO_MAX_RATE\]: bench plain \(.*bench-plain\/bench\.json\) has no max rate: it was run without/,
    );
    const missing = await runMain(["report", "r", "--bench", "nope"], { cwd });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('error[E_BENCH_NOT_FOUND]: no bench "nope"');
    expect(existsSync(join(cwd, "artifacts", "r", "capacity.json"))).toBe(false);
  });

  test("bench --run attaches the max rates and rewrites the report; the ratios are the stored figures'", async () => {
    const bench = await runMain([...benchArgs("cap"), ...variants(), ...maxRateArgs, "--run", "r"], { cwd });
    expect(bench.code, bench.stderr).toBe(0);
    const benchText = readFileSync(join(cwd, "reports", "bench-cap", "bench.json"), "utf8");
    const maxRates = (JSON.parse(benchText) as { max_rate: BenchMaxRate[] }).max_rate;
    expect(maxRates.map((m) => m.variant)).toEqual(["bf16", "fp8"]);
    expect(bench.stderr).toContain(`bench cap attached to run r (${join(cwd, "artifacts", "r", "capacity.json")})`);

    // The run keeps the bench's figures, searches included, and the sha256 of the bench.json they came from.
    const stored = JSON.parse(readFileSync(join(cwd, "artifacts", "r", "capacity.json"), "utf8"));
    expect(stored.bench).toMatchObject({ id: "cap", sha256: createHash("sha256").update(benchText).digest("hex") });
    expect(stored).toMatchObject({ percentile: 90, slo: { e2e_ms: 100 }, requests_per_trial: 20 });
    for (const m of maxRates) {
      const kept = stored.variants.find((v: { variant: string }) => v.variant === m.variant);
      expect(kept).toEqual({
        variant: m.variant,
        model: `m-${m.variant}`,
        max_rate: m.max_rate,
        interval: m.interval,
        searches: m.repetitions.map((r) => ({ max_rate: r.max_rate, stopped: r.stopped })),
      });
    }

    const [bf16, fp8] = maxRates;
    if (bf16 === undefined || fp8 === undefined || bf16.interval === null || fp8.interval === null)
      throw new Error("two searches each give an interval");
    const capacity = scores().capacity;
    expect(capacity?.bench.id).toBe("cap");
    expect(capacity?.variants.map((c) => [c.variant, c.isReference, c.maxRate, c.searches])).toEqual([
      ["bf16", true, bf16.max_rate, 2],
      ["fp8", false, fp8.max_rate, 2],
    ]);
    // However fast this machine, 20 requests at once miss the p90 (the profile's note), and a rate well below
    // capacity meets it: every search closes its bracket, so the ratio is a plain one with a range.
    expect(maxRates.flatMap((m) => m.repetitions.map((r) => r.stopped))).not.toContain("above-max-rate");
    expect(bf16.interval.low).toBeGreaterThan(0);
    const fp8Row = capacity?.variants[1];
    expect(fp8Row?.ratio).toBe(fp8.max_rate / bf16.max_rate);
    expect(fp8Row?.ratioBound).toBe("exact");
    expect(fp8Row?.ratioInterval).toEqual({
      low: fp8.interval.low / bf16.interval.high,
      high: fp8.interval.high / bf16.interval.low,
      confidence: 0.25,
    });

    // Beside the speedups in every output, and in the verdict lines.
    const md = reportFile("report.md");
    expect(md).toContain("## Capacity at SLO (vs bf16)");
    expect(md).toContain("**Capacity at SLO** (bench cap, section Capacity at SLO): fp8 serves ");
    expect(md).toContain("> From bench cap (attached to this run;");
    expect(md.indexOf("## Speed × accuracy")).toBeLessThan(md.indexOf("## Capacity at SLO"));
    const html = reportFile("index.html");
    expect(html).toContain('<section id="capacity"><h2>Capacity at SLO (vs bf16)</h2>');
    const csvHeader = reportFile("scores.csv").split("\n")[0] ?? "";
    expect(csvHeader).toMatch(/,seconds_per_correct,capacity_bench,capacity_slo,capacity_max_rate,/);
    const fp8Line = reportFile("scores.csv")
      .split("\n")
      .find((l) => l.includes(",suite40,all,all,fp8,"));
    expect(fp8Line).toContain(`,cap,p90 of e2e ≤ 100 ms,${fp8.max_rate},${fp8.interval.low},${fp8.interval.high},`);
    const ratio = (fp8.max_rate / bf16.max_rate).toFixed(2);
    const claim = `fp8 serves ${ratio}× the requests/s of bf16 at p90 of e2e ≤ 100 ms`;
    expect(md).toContain(claim);
    expect(bench.stderr).toContain(claim);
    const terminal = await runMain(["report", "r"], { cwd });
    expect(terminal.stdout).toMatch(/\| Decode × \| Capacity × \|\n/);
    expect(terminal.stdout).toMatch(new RegExp(`\\| Overall \\| fp8 .*\\| +${ratio} \\|\\n`));
    expect(terminal.stdout).toContain(`; ${claim.replace(/^fp8 /, "")} (range `);
  });

  test("attaching again changes nothing; a later report keeps it; detached, the same bytes as before", async () => {
    const attached = reportFiles();
    const capacityFile = join(cwd, "artifacts", "r", "capacity.json");
    const stored = readFileSync(capacityFile, "utf8");
    const again = await runMain(["report", "r", "--bench", "cap"], { cwd });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain("bench cap was already attached to run r (unchanged)");
    expect(readFileSync(capacityFile, "utf8")).toBe(stored);
    expect(reportFiles()).toEqual(attached);
    // By path too: the same bench, the same bytes.
    await runMain(["report", "r", "--bench", join(cwd, "reports", "bench-cap", "bench.json")], { cwd });
    expect(readFileSync(capacityFile, "utf8")).toBe(stored);

    const rebuilt = await runMain(["report", "r"], { cwd });
    expect(rebuilt.code).toBe(0);
    expect(reportFiles()).toEqual(attached);

    const both = await runMain(["report", "r", "--bench", "cap", "--detach-bench"], { cwd });
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("flags: --bench and --detach-bench: give one");
    const detached = await runMain(["report", "r", "--detach-bench"], { cwd });
    expect(detached.code, detached.stderr).toBe(0);
    expect(detached.stderr).toContain("bench cap detached from run r");
    expect(existsSync(capacityFile)).toBe(false);
    expect(reportFiles()).toEqual(withoutBench);
    expect(scores()).not.toHaveProperty("capacity");
  });
});
