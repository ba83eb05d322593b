/**
 * `--fail-below`: the release gate on run, report and compare. It exits 4 when a variant is inferior or
 * inconclusive on a gated task and 0 when every one is non-inferior, with the report written either way; a bad margin
 * or gate is refused before anything is asked.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { ReportData } from "../../src/report/index.ts";
import type { SimServer } from "../../src/sim/index.ts";
import { runMain } from "../helpers/run-main.ts";
import { profile, startSuiteSim, tempDir } from "./harness.ts";

describe("--fail-below", () => {
  let sim: SimServer;
  let cwd: string;
  const variants = (): string[] => [
    "--variant",
    "bf16",
    "--base-url",
    sim.baseUrl,
    "--model",
    "m-bf16",
    "--variant",
    "fp8",
    "--base-url",
    sim.baseUrl,
    "--model",
    "m-fp8",
  ];
  const scores = (runId: string): ReportData =>
    JSON.parse(readFileSync(join(cwd, "reports", runId, "scores.json"), "utf8")) as ReportData;

  beforeAll(async () => {
    sim = await startSuiteSim([profile("m-bf16", { accuracy: 0.9 }), profile("m-fp8", { accuracy: 0.85 })]);
    cwd = tempDir("gate");
  });
  afterAll(async () => {
    await sim.close();
  });

  test("run: a margin every variant clears passes (exit 0); the report records the gate", async () => {
    const result = await runMain(
      ["run", ...variants(), "--tasks", "suite40", "--run-id", "g", "--fail-below", "60pp"],
      {
        cwd,
      },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain("gate passed: every variant is non-inferior at 60 pp on suite40");
    const report = scores("g");
    expect(report.decision).toMatchObject({ margin: { kind: "pp", pp: 60 }, marginSource: "flag" });
    expect(report.decision?.gate).toEqual({ tasks: ["suite40"], failures: [], passed: true });
    expect(readFileSync(join(cwd, "reports", "g", "report.md"), "utf8")).toContain("**Gate passed**");
  });

  test("report: a margin 40 items cannot show fails it (exit 4), naming the pair and its verdict", async () => {
    const result = await runMain(["report", "g", "--fail-below", "0.5pp"], { cwd });
    expect(result.code).toBe(4);
    const verdict = scores("g").tasks[0]?.rows[0]?.deltas[0]?.decision?.nonInferiority?.verdict;
    expect(["inferior", "inconclusive"]).toContain(verdict);
    expect(result.stderr).toContain(`gate: fp8 on suite40: ${verdict} at 0.5 pp`);
    expect(result.stderr).toMatch(/gate failed \(--fail-below 0\.5 pp\): 1 variant × task pair/);
    expect(scores("g").decision?.gate).toEqual({
      tasks: ["suite40"],
      failures: [{ variant: "fp8", task: "suite40", verdict }],
      passed: false,
    });
    // The same report without the flag: no gate, the default margin, exit 0.
    const plain = await runMain(["report", "g"], { cwd });
    expect(plain.code).toBe(0);
    expect(scores("g").decision).toEqual({
      margin: { kind: "pp", pp: 1 },
      marginSource: "default",
      oneSidedLevel: 0.975,
    });
  });

  test("a recovery margin: 50% passes, 99.9% does not", async () => {
    expect((await runMain(["report", "g", "--fail-below", "50%"], { cwd })).code).toBe(0);
    expect(scores("g").decision?.margin).toEqual({ kind: "recovery", ratio: 0.5 });
    expect((await runMain(["report", "g", "--fail-below", "99.9%"], { cwd })).code).toBe(4);
  });

  test("run: a gate that fails exits 4 after writing everything", async () => {
    const result = await runMain(
      ["run", ...variants(), "--tasks", "suite40", "--run-id", "g2", "--fail-below", "0.1pp"],
      { cwd },
    );
    expect(result.code).toBe(4);
    expect(existsSync(join(cwd, "reports", "g2", "index.html"))).toBe(true);
    expect(scores("g2").decision?.gate?.passed).toBe(false);
  });

  test("compare gates the joined report too", async () => {
    const passed = await runMain(["compare", "g", "g2", "--reference", "bf16", "--fail-below", "60pp"], { cwd });
    // Two runs of the same variants cannot be joined (a variant in both): compare refuses, whatever the gate.
    expect(passed.code).toBe(2);
    for (const [variant, runId] of [
      ["bf16", "c-bf16"],
      ["fp8", "c-fp8"],
    ] as const) {
      const one = await runMain(
        [
          "run",
          "--variant",
          variant,
          "--base-url",
          sim.baseUrl,
          "--model",
          `m-${variant}`,
          "--tasks",
          "suite40",
        ].concat(["--run-id", runId]),
        { cwd },
      );
      expect(one.code, one.stderr).toBe(0);
    }
    const ok = await runMain(["compare", "c-bf16", "c-fp8", "--name", "joined", "--fail-below", "60pp"], { cwd });
    expect(ok.code, ok.stderr).toBe(0);
    const failed = await runMain(["compare", "c-bf16", "c-fp8", "--name", "joined", "--fail-below", "0.1pp"], { cwd });
    expect(failed.code).toBe(4);
    expect(failed.stderr).toContain("gate: fp8 on suite40:");
  });

  test("a margin that cannot be read, or a gate naming no task of the run, is refused before anything is asked", async () => {
    const bad = await runMain(["run", ...variants(), "--tasks", "suite40", "--run-id", "g3", "--fail-below", "lots"], {
      cwd,
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('flags: --fail-below lots: "lots" is not a margin');
    expect(bad.stderr).toContain('"1pp"');
    const gate = await runMain(
      [
        "run",
        ...variants(),
        "--tasks",
        "suite40",
        "--run-id",
        "g4",
        "--set",
        "report.gate=[gpqa]",
        "--fail-below",
        "1pp",
      ],
      { cwd },
    );
    expect(gate.code).toBe(2);
    expect(gate.stderr).toContain('report.gate: "gpqa" is not a task of this run');
    // Nothing was asked: neither run has a journal folder.
    expect(existsSync(join(cwd, "artifacts", "g3"))).toBe(false);
    expect(existsSync(join(cwd, "artifacts", "g4"))).toBe(false);
    const tooWide = await runMain(["report", "g", "--fail-below", "200pp"], { cwd });
    expect(tooWide.code).toBe(2);
    expect(tooWide.stderr).toContain("a margin in pp must be below 100");
    const percent = await runMain(["report", "g", "--fail-below", "1%"], { cwd });
    expect(percent.code).toBe(2);
    expect(percent.stderr).toContain('for a 1-point drop write "1pp"');
  });
});
