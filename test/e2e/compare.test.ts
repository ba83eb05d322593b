/** `quanteval compare`: runs made one variant at a time, joined into one report; incomparable runs refused. */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { SimServer } from "../../src/sim/index.ts";
import { runMain } from "../helpers/run-main.ts";
import { profile, startSuiteSim, tempDir } from "./harness.ts";

describe("compare", () => {
  let sim: SimServer;
  let cwd: string;
  const run = (variant: string, runId: string, extra: string[] = []) =>
    runMain(
      [
        "run",
        "--base-url",
        sim.baseUrl,
        "--model",
        `m-${variant}`,
        "--variant",
        variant,
        "--tasks",
        "suite40",
        "--run-id",
        runId,
        ...extra,
      ],
      { cwd },
    );

  beforeAll(async () => {
    sim = await startSuiteSim([
      profile("m-bf16", { accuracy: 0.9 }),
      profile("m-fp8", { accuracy: 0.8 }),
      profile("m-nvfp4", { accuracy: 0.7 }),
    ]);
    cwd = tempDir("compare");
    for (const [variant, runId] of [
      ["nvfp4", "r-nvfp4"],
      ["fp8", "r-fp8"],
      ["bf16", "r-bf16"],
    ] as const) {
      expect((await run(variant, runId)).code).toBe(0);
    }
    // The same three variants in one run, to check the joined report gives the same paired numbers.
    const together = await runMain(
      [
        "run",
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
        "--variant",
        "nvfp4",
        "--base-url",
        sim.baseUrl,
        "--model",
        "m-nvfp4",
        "--tasks",
        "suite40",
        "--run-id",
        "together",
      ],
      { cwd },
    );
    expect(together.code).toBe(0);
  });
  afterAll(async () => {
    await sim.close();
  });

  test("three one-variant runs join into one report with the deltas a joint run gives", async () => {
    const result = await runMain(["compare", "r-nvfp4", "r-fp8", "r-bf16", "--reference", "bf16", "--name", "joined"], {
      cwd,
    });
    expect(result.stderr).toMatch(/joined 3 runs; report written to .*joined/);
    expect(result.code).toBe(0);
    for (const file of ["report.md", "index.html", "scores.csv", "scores.json", "charts/accuracy.svg"])
      expect(existsSync(join(cwd, "reports", "joined", file))).toBe(true);
    type Json = {
      tasks: {
        rows: {
          deltas: {
            variant: string;
            deltaPp: number;
            referenceRightVariantWrong: number;
            referenceWrongVariantRight: number;
          }[];
        }[];
      }[];
    };
    const joined = JSON.parse(readFileSync(join(cwd, "reports", "joined", "scores.json"), "utf8")) as Json;
    const together = JSON.parse(readFileSync(join(cwd, "reports", "together", "scores.json"), "utf8")) as Json;
    const deltas = (r: Json) =>
      (r.tasks[0]?.rows[0]?.deltas ?? [])
        .map((d) => [d.variant, d.deltaPp, d.referenceRightVariantWrong, d.referenceWrongVariantRight])
        .sort();
    expect(deltas(joined)).toEqual(deltas(together));
    expect(deltas(joined)).toHaveLength(2);
  });

  test("runs that asked differently are refused, naming each difference", async () => {
    expect((await run("fp8", "r-fp8-short", ["--limit", "10"])).code).toBe(0);
    const limited = await runMain(["compare", "r-bf16", "r-fp8-short"], { cwd });
    expect(limited.code).toBe(2);
    expect(limited.stderr).toMatch(/run r-fp8-short vs r-bf16: sampling, limit or streaming differ/);
    expect(limited.stderr).toMatch(/run r-fp8-short vs r-bf16: task suite40 differs in items/);

    const twice = await runMain(["compare", "r-bf16", "together"], { cwd });
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(/variant bf16 is in run r-bf16 and in run together/);

    const one = await runMain(["compare", "r-bf16"], { cwd });
    expect(one.code).toBe(2);
    const unknown = await runMain(["compare", "r-bf16", "no-such-run"], { cwd });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/E_RUN_NOT_FOUND/);
  });
});
