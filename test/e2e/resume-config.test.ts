/**
 * `quanteval run -c run.yaml --resume <id>`: the run is found in the config's output folder, the config file
 * replaces the stored one, and a config that changes what is asked is refused naming the field. In-process.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { SimServer } from "../../src/sim/index.ts";
import { runMain } from "../helpers/run-main.ts";
import { profile, startSuiteSim, tempDir } from "./harness.ts";

let sim: SimServer;
beforeAll(async () => {
  sim = await startSuiteSim([profile("m-bf16")]);
});
afterAll(async () => {
  await sim.close();
});

/** A config whose journals and reports go to out/a and out/r, not ./artifacts. */
function writeConfig(dir: string, lines: string[] = []): string {
  const file = join(dir, "run.yaml");
  writeFileSync(
    file,
    [
      "variants:",
      `  - { name: bf16, model: m-bf16, baseUrl: "${sim.baseUrl}" }`,
      "tasks: [suite40]",
      "limit: 4",
      "output: { artifacts: out/a, reports: out/r }",
      ...lines,
    ].join("\n"),
  );
  return file;
}

test("-c with --resume finds the run under the config's output.artifacts; the file replaces the stored config", async () => {
  const dir = tempDir("resume-config");
  const first = await runMain(["run", "-c", writeConfig(dir), "--run-id", "rc1"], { cwd: dir });
  expect(first.code).toBe(0);
  // Only what does not change what is asked: more requests in flight.
  const config = writeConfig(dir, ["concurrency: 3"]);
  const resumed = await runMain(["run", "-c", config, "--resume", "rc1"], { cwd: dir });
  expect(resumed.stderr).not.toMatch(/error\[/);
  expect(resumed.code).toBe(0);
  const manifest = JSON.parse(readFileSync(join(dir, "out", "a", "rc1", "manifest.json"), "utf8")) as {
    config: { concurrency: number };
    sessions: unknown[];
  };
  expect(manifest.config.concurrency).toBe(3);
  expect(manifest.sessions).toHaveLength(2);
});

test("an explicit --artifacts wins over the config's folder", async () => {
  const dir = tempDir("resume-config");
  const config = writeConfig(dir);
  expect((await runMain(["run", "-c", config, "--run-id", "rc2", "--artifacts", "elsewhere"], { cwd: dir })).code).toBe(
    0,
  );
  const resumed = await runMain(["run", "-c", config, "--resume", "rc2", "--artifacts", "elsewhere"], { cwd: dir });
  expect(resumed.code).toBe(0);
  const missing = await runMain(["run", "-c", config, "--resume", "rc2"], { cwd: dir });
  expect(missing.stderr).toContain(`error[E_RUN_NOT_FOUND]: no run "rc2" under ${join(dir, "out", "a")}`);
  expect(missing.code).toBe(2);
});

test("a config that changes what is asked is refused, naming what differs", async () => {
  const dir = tempDir("resume-config");
  expect((await runMain(["run", "-c", writeConfig(dir), "--run-id", "rc3"], { cwd: dir })).code).toBe(0);
  const changed = join(dir, "changed.yaml");
  writeFileSync(
    changed,
    readFileSync(join(dir, "run.yaml"), "utf8")
      .replace("tasks: [suite40]", "tasks: [suite40, aime24]")
      .replace("limit: 4", "limit: 5"),
  );
  const resumed = await runMain(["run", "-c", changed, "--resume", "rc3"], { cwd: dir });
  expect(resumed.stderr).toContain("error[E_CONFIG]");
  expect(resumed.stderr).toContain('changed.yaml: tasks: ["suite40"] in run rc3, ["suite40","aime24"] now');
  expect(resumed.stderr).toContain("changed.yaml: limit: 4 in run rc3, 5 now");
  expect(resumed.code).toBe(2);
});

test("a config whose runId names another run is refused", async () => {
  const dir = tempDir("resume-config");
  expect((await runMain(["run", "-c", writeConfig(dir), "--run-id", "rc4"], { cwd: dir })).code).toBe(0);
  const resumed = await runMain(["run", "-c", writeConfig(dir, ["runId: other"]), "--resume", "rc4"], { cwd: dir });
  expect(resumed.stderr).toContain('run.yaml: runId: "other", but --resume names run "rc4"');
  expect(resumed.code).toBe(2);
});
