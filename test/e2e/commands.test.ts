/** `quanteval sim` and `quanteval tasks`, as a user runs them. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { runMain } from "../helpers/run-main.ts";
import { runCli, tempDir, waitFor } from "./harness.ts";

test("`quanteval sim` serves the suite under the demo's model names and says it is a simulator", async () => {
  const dir = tempDir("sim");
  const running = runCli(["sim", "--port", "0"], { cwd: dir });
  let stdout = "";
  running.child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
  });
  await waitFor(() => /listening on (http:\/\/127\.0\.0\.1:\d+\/v1)/.test(stdout));
  const baseUrl = /listening on (http:\/\/127\.0\.0\.1:\d+\/v1)/.exec(stdout)?.[1] ?? "";
  expect(stdout).toMatch(/NOT a real model/);
  const models: unknown = await (await fetch(`${baseUrl}/models`)).json();
  expect(models).toMatchObject({
    object: "list",
    data: [{ id: "qwen3-32b-bf16" }, { id: "qwen3-32b-fp8" }, { id: "qwen3-32b-nvfp4" }],
  });
  expect(JSON.stringify(models)).toMatch(/"owned_by":"[^"]*simulator[^"]*"/);
  running.child.kill("SIGTERM");
  expect((await running).code).toBe(0);
});

test("`quanteval sim` rejects a bad profiles file by field path", async () => {
  const dir = tempDir("sim-bad");
  const file = join(dir, "profiles.json");
  writeFileSync(file, JSON.stringify([{ model: "x", accuracy: 1.5 }]));
  const result = await runMain(["sim", "--port", "0", "--profiles", file], { cwd: dir });
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(/error\[E_CONFIG\]: .*\[0\]\.accuracy/s);
});

test("`quanteval tasks` lists suite40 with its item count and source", async () => {
  const result = await runMain(["tasks"], { cwd: tempDir("tasks") });
  expect(result.code).toBe(0);
  expect(result.stdout).toMatch(/^suite40\s+suite40\s+40\s+4096\s+evalsets\/accuracy-suite-v1\.jsonl\s+/m);
});
