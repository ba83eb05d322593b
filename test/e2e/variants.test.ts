/** The one-GPU workflow (--only, one variant at a time into one run) and parallel variants. */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { SimServer } from "../../src/sim/index.ts";
import { runMain } from "../helpers/run-main.ts";
import { journal, profile, startSuiteSim, tempDir } from "./harness.ts";

let sim: SimServer;
beforeAll(async () => {
  sim = await startSuiteSim([profile("m-nvfp4", { accuracy: 0.8 }), profile("m-fp8"), profile("m-bf16")]);
});
afterAll(async () => {
  await sim.close();
});

function threeVariantConfig(dir: string, baseUrl: string): string {
  const file = join(dir, "qwen3.yaml");
  writeFileSync(
    file,
    [
      "variants:",
      ...["nvfp4", "fp8", "bf16"].map((v) => `  - {name: ${v}, baseUrl: '${baseUrl}', model: m-${v}}`),
      "reference: bf16",
      "tasks: [suite40]",
      "limit: 10",
      `output: {artifacts: '${join(dir, "a")}', reports: '${join(dir, "r")}'}`,
    ].join("\n"),
  );
  return file;
}

test("--only runs one variant into the run; the rest follow later (here in parallel) without asking it again", async () => {
  const dir = tempDir("only");
  // The config's URL is wrong on purpose: one --base-url moves every variant, as after restarting vLLM on another port.
  const config = threeVariantConfig(dir, "http://127.0.0.1:1/v1");
  const first = await runMain(["run", "-c", config, "--run-id", "q", "--only", "fp8", "--base-url", sim.baseUrl], {
    cwd: dir,
  });
  expect(first.code).toBe(0);
  expect(journal(join(dir, "a"), "q", "fp8")).toHaveLength(10);
  expect(journal(join(dir, "a"), "q", "bf16")).toHaveLength(0);
  const manifest = () =>
    JSON.parse(readFileSync(join(dir, "a", "q", "manifest.json"), "utf8")) as {
      variants: { name: string; status: string }[];
    };
  expect(manifest().variants.map((v) => `${v.name}:${v.status}`)).toEqual([
    "nvfp4:pending",
    "fp8:done",
    "bf16:pending",
  ]);
  expect(first.stdout).toMatch(/bf16 \(ref\)/);

  const fp8Requests = sim.totalRequests();
  const rest = await runMain(
    ["run", "-c", config, "--run-id", "q", "--schedule", "parallel", "--base-url", sim.baseUrl],
    { cwd: dir },
  );
  expect(rest.code).toBe(0);
  expect(sim.totalRequests() - fp8Requests).toBe(20);
  expect(journal(join(dir, "a"), "q", "fp8")).toHaveLength(10);
  expect(manifest().variants.map((v) => v.status)).toEqual(["done", "done", "done"]);
  // The terminal's compact table (issue 16): every variant against bf16, with its verdict and speedup.
  expect(rest.stdout).toMatch(/Verdict \(1 pp\)/);
  expect(rest.stdout).toMatch(/Decode ×/);
  expect(rest.stdout).toMatch(/^nvfp4: .* at 1 pp/m);

  const unknown = await runMain(["run", "-c", config, "--run-id", "q", "--only", "int4"], { cwd: dir });
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toMatch(/--only: no variant named "int4"/);
});
