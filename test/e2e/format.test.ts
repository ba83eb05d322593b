/**
 * `report --format` and `compare --format`: a run on the simulator, then the per-precision table alone on stdout,
 * checked against the report's own scores.json.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { ReportData } from "../../src/report/report-types.ts";
import type { SimServer } from "../../src/sim/index.ts";
import { runMain } from "../helpers/run-main.ts";
import { profile, startSuiteSim, tempDir } from "./harness.ts";

describe("--format", () => {
  let sim: SimServer;
  let cwd: string;
  const variant = (name: string) => ["--variant", name, "--base-url", sim.baseUrl, "--model", `m-${name}`];

  beforeAll(async () => {
    sim = await startSuiteSim([profile("m-bf16", { accuracy: 0.9 }), profile("m-fp8", { accuracy: 0.75 })]);
    cwd = tempDir("format");
    const both = await runMain(["run", ...variant("bf16"), ...variant("fp8"), "--tasks", "suite40", "--run-id", "r"], {
      cwd,
    });
    expect(both.code).toBe(0);
    for (const name of ["bf16", "fp8"]) {
      const one = await runMain(["run", ...variant(name), "--tasks", "suite40", "--run-id", `r-${name}`], { cwd });
      expect(one.code).toBe(0);
    }
  });
  afterAll(async () => {
    await sim.close();
  });

  const scores = (runId: string) =>
    JSON.parse(readFileSync(join(cwd, "reports", runId, "scores.json"), "utf8")) as ReportData;

  test("report --format latex prints the tabular alone on stdout; the rest goes to stderr", async () => {
    const result = await runMain(["report", "r", "--format", "latex"], { cwd });
    expect(result.code).toBe(0);
    const lines = result.stdout.split("\n");
    expect(lines[0]).toMatch(/^% Caption: n = 40 items per task\. .* quanteval run r\.$/);
    expect(lines.slice(2, 4)).toEqual(["\\begin{tabular}{lrrrrl}", "\\toprule"]);
    expect(lines[4]).toBe(" & \\multicolumn{2}{c}{Score (\\%)} & \\multicolumn{3}{c}{fp8 vs bf16} \\\\");
    expect(lines.filter((line) => line.startsWith("Task & "))).toHaveLength(1);
    expect(lines.filter((line) => line.startsWith("suite40 & "))).toHaveLength(1);
    expect(lines.filter((line) => line.startsWith("Overall (macro mean over tasks) & "))).toHaveLength(1);
    expect(result.stdout.endsWith("\\bottomrule\n\\end{tabular}\n")).toBe(true);
    expect(result.stdout).not.toMatch(/Throughput|Delta vs reference/);
    expect(result.stderr).toMatch(/report written to .*r \(report\.md/);
  });

  test("report --format csv parses back to the scores and deltas of scores.json", async () => {
    const result = await runMain(["report", "r", "--format", "csv"], { cwd });
    expect(result.code).toBe(0);
    const rows: Record<string, string>[] = parse(result.stdout, { columns: true });
    expect(rows.map((r) => [r.task, r.metric, r.n])).toEqual([
      ["suite40", "accuracy", "40"],
      ["overall", "macro mean", ""],
    ]);
    const row = scores("r").tasks[0]?.rows[0];
    const score = (name: string) => row?.scores.find((s) => s.variant === name)?.accuracy;
    const delta = row?.deltas.find((d) => d.variant === "fp8");
    expect(Number(rows[0]?.bf16_score_fraction)).toBe(score("bf16"));
    expect(Number(rows[0]?.fp8_score_fraction)).toBe(score("fp8"));
    expect(Number(rows[0]?.fp8_delta_pp)).toBe(delta?.decision?.deltaPp ?? delta?.deltaPp);
    // The simulator's fp8 answers 0.75 of the time and bf16 0.9: it loses ground, so the delta is below zero.
    expect(Number(rows[0]?.fp8_delta_pp)).toBeLessThan(0);
    const overall = scores("r").overall.find((o) => o.variant === "fp8");
    expect(Number(rows[1]?.bf16_score_fraction)).toBe(score("bf16"));
    expect(Number(rows[1]?.fp8_score_fraction)).toBe(overall?.macroScore);
    expect(Number(rows[1]?.fp8_delta_pp)).toBe(overall?.decision?.deltaPp);
    expect(Number(rows[1]?.fp8_recovery_ratio)).toBe(overall?.recovery?.value);
  });

  test("an unknown format exits 2 naming the three", async () => {
    const result = await runMain(["report", "r", "--format", "xlsx"], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/'xlsx' is invalid\. Allowed choices are md, csv, latex\./);
    expect(result.stdout).toBe("");
  });

  test("without --format, report prints the usual summary", async () => {
    const result = await runMain(["report", "r"], { cwd });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^\| Task +\| Variant +\| +Score \| +Δ pp \[95% CI\] \|/m);
    expect(result.stdout).not.toMatch(/fp8 Δ pp|quanteval run r\./);
  });

  test("compare --format md prints the joined runs' table and its note", async () => {
    const result = await runMain(["compare", "r-bf16", "r-fp8", "--name", "joined", "--format", "md"], { cwd });
    expect(result.code).toBe(0);
    const lines = result.stdout.split("\n");
    expect(lines[0]).toMatch(
      /^\| Task +\| bf16 \(ref\) \| +fp8 \| +fp8 Δ pp \[95% CI\] \| +fp8 recovery \[95% CI\] \| fp8 verdict +\|$/,
    );
    expect(lines[2]).toMatch(/^\| suite40 /);
    expect(lines[3]).toMatch(/^\| Overall \(macro mean over tasks\) /);
    expect(lines.slice(4)).toEqual([
      "",
      expect.stringMatching(/^n = 40 items per task\. .* quanteval run joined\.$/),
      "",
    ]);
    expect(result.stderr).toMatch(/joined 2 runs; report written to/);
  });
});
