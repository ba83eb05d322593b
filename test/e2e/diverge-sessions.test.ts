/**
 * `quanteval diverge` over several sessions. A resumed one keeps the cut of each reply it started with
 * (--max-positions): the reference's stored scores and a variant's new ones must cover the same positions, or their
 * token ids differ and the variant would be refused as a tokenization mismatch, blaming the servers for a flag. On
 * one GPU (README) the reference is scored alone first, then each variant while its server is up. In-process,
 * against the simulator.
 */
import { rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { forcedJournalPath } from "../../src/journal/index.ts";
import type { SimServer } from "../../src/sim/index.ts";
import { runMain } from "../helpers/run-main.ts";
import { profile, startSuiteSim, tempDir } from "./harness.ts";

let sim: SimServer;
let cwd: string;

beforeAll(async () => {
  sim = await startSuiteSim([profile("m-bf16", { reasoning: "field" }), profile("m-copy", { reasoning: "field" })]);
  cwd = tempDir("diverge-cut");
  const variant = (name: string) => ({ name, baseUrl: sim.baseUrl, model: `m-${name}` });
  writeFileSync(
    `${cwd}/run.json`,
    JSON.stringify({ variants: [variant("bf16"), variant("copy")], tasks: ["suite40"], limit: 3 }),
  );
  const run = await runMain(["run", "-c", "run.json", "--run-id", "cut"], { cwd });
  expect(run.code, run.stderr).toBe(0);
});
afterAll(async () => {
  await sim.close();
});

test("a session with another --max-positions is refused as a setting, not as a tokenization mismatch", async () => {
  const first = await runMain(["diverge", "cut", "--max-positions", "5"], { cwd });
  expect(first.code, first.stderr).toBe(0);
  // The variant's scores are lost (or were never asked); the reference's, cut at 5 tokens, stay.
  rmSync(dirname(forcedJournalPath(`${cwd}/artifacts`, "cut", "copy", "suite40")), { recursive: true });
  const wider = await runMain(["diverge", "cut"], { cwd });
  expect(wider.code, wider.stderr).toBe(2);
  expect(wider.stderr).toContain(
    "scored with --top-k 20 and --max-positions 5; this session asks --top-k 20 and --max-positions 1024",
  );
  expect(wider.stderr).not.toContain("E_TOKENIZATION_MISMATCH");
  const all = await runMain(["diverge", "cut", "--max-positions", "all"], { cwd });
  expect(all.code).toBe(2);
  expect(all.stderr).toContain("scored with --top-k 20 and --max-positions 5; this session asks --top-k 20\n");
  // The settings it started with resume it.
  const same = await runMain(["diverge", "cut", "--max-positions", "5"], { cwd });
  expect(same.code, same.stderr).toBe(0);
  expect(same.stdout).toMatch(/copy\s+done\s+3\s+0\s+0\s+0/);
});

test("one at a time: --variants <reference> scores the reference alone, then each variant its own", async () => {
  const run = await runMain(["run", "-c", "run.json", "--run-id", "one"], { cwd });
  expect(run.code, run.stderr).toBe(0);
  const reference = await runMain(["diverge", "one", "--variants", "bf16"], { cwd });
  expect(reference.code, reference.stderr).toBe(0);
  expect(reference.stdout).toMatch(/bf16\s+done\s+3\s+0\s+0\s+0/);
  expect(reference.stdout).not.toMatch(/copy/);
  const variant = await runMain(["diverge", "one", "--variants", "copy"], { cwd });
  expect(variant.code, variant.stderr).toBe(0);
  expect(variant.stdout).toMatch(/bf16\s+done\s+0\s+3\s+0\s+0/);
  expect(variant.stdout).toMatch(/copy\s+done\s+3\s+0\s+0\s+0/);
});
