/**
 * `quanteval run --sampling-preset`, end to end against the simulator behind a proxy that keeps each request body:
 * what reaches the server is the preset's values with the flags' overrides, and the journal, manifest and report
 * say the same.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { readManifest } from "../../src/journal/manifest.ts";
import type { SimServer } from "../../src/sim/index.ts";
import { type CountingProxy, startCountingProxy } from "../helpers/counting-proxy.ts";
import { runMain } from "../helpers/run-main.ts";
import { journal, profile, startSuiteSim, tempDir } from "./harness.ts";

describe("run --sampling-preset", () => {
  let sim: SimServer;
  let proxy: CountingProxy;
  beforeAll(async () => {
    sim = await startSuiteSim([profile("m-bf16")]);
    proxy = await startCountingProxy(sim.url);
  });
  afterAll(async () => {
    await proxy.close();
    await sim.close();
  });

  const run = (dir: string, ...flags: string[]) =>
    runMain(
      [
        ...["run", "--variant", "bf16", "--model", "m-bf16", "--base-url", proxy.baseUrl, "--tasks", "suite40"],
        ...["--limit", "3", "--run-id", "r1", "--artifacts", join(dir, "artifacts"), "--reports", join(dir, "reports")],
        ...flags,
      ],
      { cwd: dir },
    );

  test("qwen3-thinking with --top-k 40: the server gets T 0.6, top_p 0.95, top_k 40, min_p 0; all records agree", async () => {
    const dir = tempDir("preset");
    const before = proxy.chats();
    const result = await run(dir, "--sampling-preset", "qwen3-thinking", "--top-k", "40");
    expect(result.stderr).not.toMatch(/error\[/);
    expect(result.code).toBe(0);

    const sent = proxy.chatBodies().slice(before);
    expect(sent).toHaveLength(3);
    for (const body of sent) {
      expect(body).toMatchObject({ model: "m-bf16", temperature: 0.6, top_p: 0.95, top_k: 40, min_p: 0 });
      expect(body).not.toHaveProperty("seed");
    }
    for (const record of journal(join(dir, "artifacts"), "r1", "bf16")) {
      expect(record.request.params).toMatchObject({ temperature: 0.6, top_p: 0.95, top_k: 40, min_p: 0 });
    }
    expect(readManifest(join(dir, "artifacts"), "r1").config.sampling).toStrictEqual({
      preset: "qwen3-thinking",
      temperature: 0.6,
      topP: 0.95,
      topK: 40,
      minP: 0,
    });
    const report = readFileSync(join(dir, "reports", "r1", "report.md"), "utf8");
    expect(report).toContain(
      "- Sampling: preset qwen3-thinking: temperature 0.6, max_tokens per task (see Tasks), top_p 0.95, top_k 40, " +
        "min_p 0\n",
    );
  });

  test("without a preset nothing new is sent: temperature 0 and no top_p, top_k or min_p", async () => {
    const dir = tempDir("no-preset");
    const before = proxy.chats();
    const result = await run(dir);
    expect(result.code).toBe(0);
    const sent = proxy.chatBodies().slice(before);
    expect(sent).toHaveLength(3);
    for (const body of sent) {
      expect(body).toMatchObject({ temperature: 0 });
      for (const key of ["top_p", "top_k", "min_p"]) expect(body).not.toHaveProperty(key);
    }
  });

  test("an unknown preset stops the run before any request: exit 2, the field, the value and the known names", async () => {
    const dir = tempDir("bad-preset");
    const before = proxy.chats();
    const result = await run(dir, "--sampling-preset", "qwen3-thinkng");
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "flags: sampling.preset: unknown sampling preset; known presets: qwen3-thinking, qwen3-non-thinking, deepseek-r1, " +
        'greedy (got "qwen3-thinkng")',
    );
    expect(proxy.chats()).toBe(before);
  });
});
