/** The real CLI, end to end, against the simulator: the path of issue 2 from flags to report. */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { SimServer } from "../../src/sim/index.ts";
import { runMain } from "../helpers/run-main.ts";
import { journal, profile, simItemsFor, startSuiteSim, tempDir } from "./harness.ts";

const VARIANTS = [
  profile("m-bf16", { accuracy: 0.9 }),
  profile("m-fp8", { accuracy: 0.88 }),
  profile("m-nvfp4", { accuracy: 0.8, reasoning: "think-tags" }),
];

function variantFlags(baseUrl: string): string[] {
  return [
    "--variant",
    "bf16",
    "--variant",
    "fp8",
    "--variant",
    "nvfp4",
    "--model",
    "m-bf16",
    "--model",
    "m-fp8",
    "--model",
    "m-nvfp4",
    "--base-url",
    baseUrl,
  ];
}

describe("quanteval run", () => {
  let sim: SimServer;
  beforeAll(async () => {
    sim = await startSuiteSim(VARIANTS);
  });
  afterAll(async () => {
    await sim.close();
  });

  test("three variants from flags alone: every item asked once, graded, journalled and reported", async () => {
    const dir = tempDir("run");
    const artifacts = join(dir, "artifacts");
    const result = await runMain(
      [
        "run",
        ...variantFlags(sim.baseUrl),
        "--tasks",
        "suite40",
        "--concurrency",
        "4",
        "--run-id",
        "r1",
        "--artifacts",
        artifacts,
        "--reports",
        join(dir, "reports"),
      ],
      { cwd: dir },
    );
    expect(result.stderr).not.toMatch(/error\[/);
    expect(result.code).toBe(0);

    const answers = new Map((await simItemsFor(["suite40"])).map((i) => [i.itemId, i.answers]));
    expect(answers.size).toBe(40);
    for (const [variant, model] of [
      ["bf16", "m-bf16"],
      ["fp8", "m-fp8"],
      ["nvfp4", "m-nvfp4"],
    ] as const) {
      const records = journal(artifacts, "r1", variant);
      expect(records).toHaveLength(40);
      expect(new Set(records.map((r) => r.itemId)).size).toBe(40);
      for (const record of records) {
        expect(sim.requestCount(model, record.itemId)).toBe(1);
        expect(record.request.params).toMatchObject({ temperature: 0, stream: true });
        expect(record.reply?.usage.completionTokens).toBeGreaterThan(0);
        const expected = answers.get(record.itemId);
        // The simulator's reply ends in the key's correct line exactly when the grader says correct.
        expect(record.grade?.correct).toBe(record.reply?.text.trimEnd().endsWith(expected?.correct ?? "\u0000"));
      }
    }
    // Byte-identical prompts across variants: deltas are paired.
    const prompts = (v: string) =>
      journal(artifacts, "r1", v)
        .sort((a, b) => a.itemId.localeCompare(b.itemId))
        .map((r) => JSON.stringify(r.request.messages));
    expect(prompts("fp8")).toEqual(prompts("bf16"));
    expect(prompts("nvfp4")).toEqual(prompts("bf16"));

    const manifest = JSON.parse(readFileSync(join(artifacts, "r1", "manifest.json"), "utf8"));
    expect(manifest.variants.map((v: { status: string }) => v.status)).toEqual(["done", "done", "done"]);
    expect(manifest.tasks[0]).toMatchObject({ name: "suite40", itemCount: 40 });
    expect(manifest.tool.dependencies.openai).toMatch(/^\d+\.\d+\.\d+/);
    for (const file of ["report.md", "scores.csv", "scores.json"])
      expect(existsSync(join(dir, "reports", "r1", file))).toBe(true);
    expect(result.stdout).toMatch(/suite40/);
    expect(result.stdout).toMatch(/bf16/);
    expect(result.stdout).toMatch(/nvfp4/);

    // `report` rebuilds the same files from the journals alone.
    const again = await runMain(["report", "r1", "--artifacts", artifacts, "--reports", join(dir, "reports2")], {
      cwd: dir,
    });
    expect(again.code).toBe(0);
    expect(readFileSync(join(dir, "reports2", "r1", "scores.json"), "utf8")).toBe(
      readFileSync(join(dir, "reports", "r1", "scores.json"), "utf8"),
    );

    // Running the same run id again asks nothing: everything is in the journal.
    const before = sim.totalRequests();
    const rerun = await runMain(
      [
        "run",
        ...variantFlags(sim.baseUrl),
        "--tasks",
        "suite40",
        "--run-id",
        "r1",
        "--artifacts",
        artifacts,
        "--reports",
        join(dir, "reports"),
      ],
      { cwd: dir },
    );
    expect(rerun.code).toBe(0);
    expect(sim.totalRequests() - before).toBe(0);
  });

  test("resuming with different sampling is refused, naming the run", async () => {
    const dir = tempDir("refuse");
    const common = [
      "--base-url",
      sim.baseUrl,
      "--model",
      "m-bf16",
      "--variant",
      "bf16",
      "--tasks",
      "suite40",
      "--limit",
      "2",
      "--run-id",
      "r2",
      "--artifacts",
      join(dir, "a"),
      "--reports",
      join(dir, "r"),
    ];
    expect((await runMain(["run", ...common], { cwd: dir })).code).toBe(0);
    const changed = await runMain(["run", ...common, "--temperature", "0.7"], { cwd: dir });
    expect(changed.code).toBe(2);
    expect(changed.stderr).toMatch(
      /error\[E_CONFIG\]: .*sampling: \{"temperature":0\} in run r2, \{"temperature":0\.7\} now/s,
    );
  });

  test("an unknown task exits 2 and lists the known ones", async () => {
    const dir = tempDir("unknown");
    const result = await runMain(["run", "--base-url", sim.baseUrl, "--model", "m-bf16", "--tasks", "nosuchtask"], {
      cwd: dir,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/error\[E_UNKNOWN_TASK\]: unknown task "nosuchtask"/);
    expect(result.stderr).toMatch(/fix: use one of: .*suite40/);
  });

  test("an invalid config file exits 2 naming the field path and the value", async () => {
    const dir = tempDir("badconfig");
    const file = join(dir, "run.yaml");
    writeFileSync(
      file,
      "variants:\n  - name: bf16\n    baseUrl: localhost:8000\n    model: m\ntasks: [suite40]\nsampling:\n  max_tokens: 10\n",
    );
    const result = await runMain(["run", "-c", file], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${file}: variants[0].baseUrl:`);
    expect(result.stderr).toContain('(got "localhost:8000")');
    expect(result.stderr).toContain(`${file}: sampling: unknown field "max_tokens" (did you mean "maxTokens"?)`);
    expect(existsSync(join(dir, "artifacts"))).toBe(false);
  });

  test("a served-model mismatch skips that variant with the names the server has", async () => {
    const dir = tempDir("model");
    const result = await runMain(
      [
        "run",
        "--base-url",
        sim.baseUrl,
        "--model",
        "Qwen/Qwen3-32B",
        "--variant",
        "bf16",
        "--tasks",
        "suite40",
        "--artifacts",
        join(dir, "a"),
        "--reports",
        join(dir, "r"),
      ],
      { cwd: dir },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /error\[E_MODEL_NOT_SERVED\]: .*does not serve model "Qwen\/Qwen3-32B" \(it serves: m-bf16, m-fp8, m-nvfp4\)/,
    );
  });

  test("without a TTY, progress is plain lines on stderr and the table goes to stdout", async () => {
    const dir = tempDir("plain");
    const result = await runMain(
      [
        "run",
        "--base-url",
        sim.baseUrl,
        "--model",
        "m-fp8",
        "--variant",
        "fp8",
        "--tasks",
        "suite40",
        "--limit",
        "5",
        "--artifacts",
        join(dir, "a"),
        "--reports",
        join(dir, "r"),
      ],
      { cwd: dir },
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^\[fp8\] suite40: 5 items$/m);
    expect(result.stderr).toMatch(/^\[fp8\] suite40: 5\/5 acc .* done$/m);
    expect(result.stdout).not.toMatch(/\[fp8\] suite40: 5 items/);
    expect(result.stdout).toMatch(/fp8/);
  });
});

test("the demo runs three simulated variants and prints the table", async () => {
  const dir = tempDir("demo");
  const result = await runMain(["demo", "--artifacts", join(dir, "a"), "--reports", join(dir, "r")], { cwd: dir });
  expect(result.stderr).not.toMatch(/error\[/);
  expect(result.code).toBe(0);
  expect(result.stderr).toMatch(/NOT a real model/);
  for (const variant of ["bf16", "fp8", "nvfp4"]) expect(result.stdout).toContain(variant);
  expect(result.stdout).toMatch(/\/40\)/);
});
