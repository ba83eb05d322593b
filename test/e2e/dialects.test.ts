/**
 * `quanteval run` and `quanteval bench` against the simulator speaking each engine's dialect (docs/engines.md): the
 * client gets every reply, its reasoning apart and its usage, wherever the engine puts them, with no error.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { stringify } from "yaml";
import { SIM_DIALECT_NAMES, type SimDialectName, SimServer } from "../../src/sim/index.ts";
import { freePort } from "../helpers/free-port.ts";
import { runMain } from "../helpers/run-main.ts";
import { BIN, journal, manifestVariants, profile, simItemsFor, taskScores, tempDir } from "./harness.ts";

/** How report.md names each engine. */
const ENGINE_LABELS: Record<SimDialectName, string> = {
  vllm: "vLLM",
  sglang: "SGLang",
  lmdeploy: "LMDeploy",
  trtllm: "TensorRT-LLM",
  llamacpp: "llama.cpp",
};

const LIMIT = 6;
const SPEED = {
  ttftMs: 2,
  ttftPerPromptTokenMs: 0,
  decodeTokensPerSec: 20_000,
  maxDecodeTokensPerSec: 80_000,
  maxNumSeqs: 8,
};

describe.each(SIM_DIALECT_NAMES)("the %s dialect", (dialect: SimDialectName) => {
  let sim: SimServer;
  beforeAll(async () => {
    const variants = [profile("m", { accuracy: 0.8, reasoning: "field", reasoningTokens: 30, speed: SPEED })];
    sim = await SimServer.start({ seed: 0, dialect, variants, items: await simItemsFor(["suite40"]) });
  });
  afterAll(async () => {
    await sim.close();
  });

  test("run: every item answered, reasoning kept apart, usage read, graded, no errors", async () => {
    const dir = tempDir(`dialect-run-${dialect}`);
    const artifacts = join(dir, "artifacts");
    const reports = join(dir, "reports");
    const result = await runMain(
      [
        "run",
        ...["--variant", "v", "--model", "m", "--base-url", sim.baseUrl, "--tasks", "suite40"],
        ...["--limit", String(LIMIT), "--concurrency", "3", "--run-id", "r", "--artifacts", artifacts],
        ...["--reports", reports],
      ],
      { cwd: dir },
    );
    expect(result.stderr).not.toMatch(/error\[/);
    expect(result.code).toBe(0);
    const records = journal(artifacts, "r", "v");
    expect(records).toHaveLength(LIMIT);
    for (const record of records) {
      expect(record.error).toBeUndefined();
      expect(record.reply?.reasoning?.length).toBeGreaterThan(0);
      expect(record.reply?.text).toMatch(/Answer/);
      expect(record.reply?.usage.promptTokens).toBeGreaterThan(0);
      expect(record.reply?.usage.completionTokens).toBeGreaterThan(0);
    }
    expect(taskScores(reports, "r").suite40?.v).toMatchObject({ n: LIMIT, graded: LIMIT, errors: 0 });
    // The engine, as the simulated server says it of itself (client/engine.ts), in the manifest and report.md.
    expect(manifestVariants(artifacts, "r")[0]?.engine).toMatchObject({ name: dialect, source: "server" });
    const label = ENGINE_LABELS[dialect];
    expect(readFileSync(join(reports, "r", "report.md"), "utf8")).toMatch(
      new RegExp(`\\| ${label} (\\S*simulator|\\(version not stated\\)) \\(server\\)`),
    );
    expect(readFileSync(join(reports, "r", "index.html"), "utf8")).toContain(`<td>${label}`);
  });

  test("bench: every request ok, token counts from the server's usage", async () => {
    const dir = tempDir(`dialect-bench-${dialect}`);
    const result = await runMain(
      [
        "bench",
        ...["--base-url", sim.baseUrl, "--model", "m", "--concurrency", "2", "--requests", "4"],
        ...["--max-tokens", "32", "--ignore-eos", "--bench-id", "b"],
      ],
      { cwd: dir },
    );
    expect(result.stderr).not.toContain("error[");
    expect(result.code).toBe(0);
    const doc = JSON.parse(readFileSync(join(dir, "reports", "bench-b", "bench.json"), "utf8")) as {
      results: { ok: number; errors: number; token_usage: { completion_tokens_mean: number } }[];
      variants: { engine?: { name: string; version?: string } }[];
    };
    expect(doc.results[0]).toMatchObject({ ok: 4, errors: 0, token_usage: { completion_tokens_mean: 32 } });
    expect(doc.variants[0]?.engine?.name).toBe(dialect);
    if (dialect !== "lmdeploy") expect(doc.variants[0]?.engine?.version).toMatch(/quanteval-simulator$/);
  });
});

// Each engine's "prompt too long" 400 is read as such (client/context-limit.ts): an error about that item, not about
// the server, so five in a row do not stop the variant (an unread one did, for LMDeploy, TensorRT-LLM and llama.cpp).
describe.each(SIM_DIALECT_NAMES)("the %s dialect, every prompt longer than the context", (dialect: SimDialectName) => {
  test("each item is an error of its own, with the server's words; the variant goes on", async () => {
    const variants = [profile("m", { maxModelLen: 24 })];
    const sim = await SimServer.start({ seed: 0, dialect, variants, items: await simItemsFor(["suite40"]) });
    try {
      const dir = tempDir(`dialect-long-${dialect}`);
      const artifacts = join(dir, "artifacts");
      const result = await runMain(
        [
          "run",
          ...["--variant", "v", "--model", "m", "--base-url", sim.baseUrl, "--tasks", "suite40"],
          ...["--limit", "7", "--concurrency", "1", "--run-id", "r", "--artifacts", artifacts],
          ...["--reports", join(dir, "reports"), "--max-attempts", "1"],
        ],
        { cwd: dir },
      );
      expect(result.stdout).not.toMatch(/rejected \d+ requests in a row/);
      const records = journal(artifacts, "r", "v");
      expect(records).toHaveLength(7);
      for (const record of records) expect(record.error?.message).toMatch(/context|max_num_tokens/);
    } finally {
      await sim.close();
    }
  });
});

test("a serve block starting `quanteval sim --dialect llamacpp`: ready by its /health, run to the end", async () => {
  const dir = tempDir("dialect-serve");
  const port = await freePort();
  const profiles = join(dir, "profiles.json");
  writeFileSync(profiles, JSON.stringify([profile("m", { reasoning: "field" })]));
  const command = [
    process.execPath,
    BIN,
    "sim",
    "--port",
    String(port),
    "--dialect",
    "llamacpp",
    "--profiles",
    profiles,
  ];
  const config = {
    variants: [{ name: "gguf", baseUrl: `http://127.0.0.1:${port}/v1`, model: "m", serve: { command } }],
    reference: "gguf",
    tasks: ["suite40"],
    concurrency: 2,
  };
  writeFileSync(join(dir, "run.yaml"), stringify(config));
  const artifacts = join(dir, "artifacts");
  const result = await runMain(
    ["run", "-c", "run.yaml", "--limit", "3", "--run-id", "s", "--artifacts", artifacts, "--reports", join(dir, "r")],
    { cwd: dir },
  );
  expect(result.stderr).not.toMatch(/error\[/);
  expect(result.code).toBe(0);
  expect(journal(artifacts, "s", "gguf").map((r) => r.reply?.finishReason)).toEqual(["stop", "stop", "stop"]);
  expect(readFileSync(join(artifacts, "s", "gguf", "server.log"), "utf8")).toContain("dialect: llama.cpp's");
});

test("TensorRT-LLM refuses an extraBody field it does not know: the variant stops with the server's own words", async () => {
  const sim = await SimServer.start({
    seed: 0,
    dialect: "trtllm",
    variants: [profile("m")],
    items: await simItemsFor(["suite40"]),
  });
  try {
    const dir = tempDir("dialect-extra");
    const config = {
      variants: [{ name: "v", baseUrl: sim.baseUrl, model: "m", extraBody: { repeat_penalty: 1.1 } }],
      reference: "v",
      tasks: ["suite40"],
      concurrency: 1,
    };
    writeFileSync(join(dir, "run.yaml"), stringify(config));
    const result = await runMain(["run", "-c", "run.yaml", "--limit", "8", "--run-id", "x"], { cwd: dir });
    expect(result.stdout + result.stderr).toMatch(/rejected 5 requests in a row/);
    expect(result.stdout + result.stderr).toContain("repeat_penalty");
    expect(result.stdout + result.stderr).toContain("Extra inputs are not permitted");
  } finally {
    await sim.close();
  }
});
