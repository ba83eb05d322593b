/**
 * A server with a 4,096-token context (the users' `vllm serve … --max-model-len 4096`) asked by tasks whose default
 * max_tokens is 32,768: every item is answered with max_tokens fitted to what its prompt leaves, the cap is in the
 * journal and the report, and no item is refused more than once. With /tokenize (vLLM) nothing is refused at all;
 * without it (llama.cpp, a proxy) one refusal per item at the most. contextPolicy fail stops before asking.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { JournalRecord } from "../../src/journal/record.ts";
import { SimServer } from "../../src/sim/index.ts";
import { type CountingProxy, startCountingProxy, unitOfRequest } from "../helpers/counting-proxy.ts";
import { runMain } from "../helpers/run-main.ts";
import { FIXTURE_HUB } from "../helpers/task-data.ts";
import { journal, profile, simItemsFor, tempDir } from "./harness.ts";

const TASKS = ["suite40", "math500"];
const CONTEXT = 4096;

describe("a server whose context is shorter than the tasks' max_tokens", () => {
  const servers: { sim: SimServer; proxy: CountingProxy }[] = [];
  let withTokenize: CountingProxy;
  let without: CountingProxy;
  beforeAll(async () => {
    const items = await simItemsFor(TASKS);
    for (const tokenize of [true, false]) {
      const sim = await SimServer.start({
        seed: 2,
        variants: [profile("m-fp8")],
        items,
        maxModelLen: CONTEXT,
        tokenize,
      });
      servers.push({ sim, proxy: await startCountingProxy(sim.url) });
    }
    [withTokenize, without] = servers.map((s) => s.proxy) as [CountingProxy, CountingProxy];
  });
  afterAll(async () => {
    for (const { sim, proxy } of servers) {
      await proxy.close();
      await sim.close();
    }
  });

  const args = (proxy: CountingProxy, runId: string) => [
    "run",
    "--base-url",
    proxy.baseUrl,
    "--model",
    "m-fp8",
    "--variant",
    "fp8",
    "--tasks",
    TASKS.join(","),
    "--data-dir",
    FIXTURE_HUB,
    "--run-id",
    runId,
    "--concurrency",
    "4",
  ];
  const records = (dir: string, runId: string): JournalRecord[] =>
    TASKS.flatMap((task) => journal(join(dir, "artifacts"), runId, "fp8", task));
  /** Each task's own max_tokens (suite40 asks 4,096, math500 32,768), as the manifest recorded them. */
  const taskMaxTokens = (dir: string, runId: string): Map<string, number> => {
    const manifest = JSON.parse(readFileSync(join(dir, "artifacts", runId, "manifest.json"), "utf8")) as {
      tasks: { name: string; maxTokens: number }[];
    };
    return new Map(manifest.tasks.map((t) => [t.name, t.maxTokens]));
  };
  const unit = (r: JournalRecord) => unitOfRequest({ messages: r.request.messages, seed: r.request.params.seed });

  /** Every item answered and graded, each asked with max_tokens = context − its prompt, said in the journal and report. */
  function expectAllFitted(dir: string, runId: string, sources: readonly string[]): JournalRecord[] {
    const all = records(dir, runId);
    const asked = taskMaxTokens(dir, runId);
    expect(all.length).toBeGreaterThan(40);
    for (const r of all) {
      expect(r.grade, `${r.task}/${r.itemId}: ${r.error?.message ?? ""}`).toBeDefined();
      expect(r.fit).toMatchObject({
        requested: asked.get(r.task),
        contextLength: CONTEXT,
        sent: CONTEXT - (r.reply?.usage.promptTokens ?? -1),
      });
      expect(sources).toContain(r.fit?.source);
      expect(r.request.params.max_tokens).toBe(r.fit?.sent);
    }
    const report = readFileSync(join(dir, "reports", runId, "report.md"), "utf8");
    expect(report).toContain(`| fp8 (ref) | \`m-fp8\``);
    expect(report).toMatch(
      new RegExp(`\\| ${CONTEXT} tokens \\((GET /v1/models max_model_len|the server's 400)\\) +\\|`),
    );
    for (const task of TASKS) {
      const n = all.filter((r) => r.task === task).length;
      // Counts: n, graded, correct, unanswered, truncated, capped = n.
      expect(report).toMatch(
        new RegExp(
          `\\| ${task} +\\| fp8 +\\| +${n} \\| +${n} \\| +\\d+ \\| +\\d+ \\| +\\d+ \\| +${n} \\| +0 \\| +0 \\|`,
        ),
      );
    }
    expect(report).toContain("Capped = asked with a lower max_tokens than the task's");
    return all;
  }

  test("with the server's /tokenize: every request fitted before it is sent, none refused", async () => {
    const dir = tempDir("ctx-tokenize");
    const result = await runMain(args(withTokenize, "c1"), { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(taskMaxTokens(dir, "c1")).toEqual(
      new Map([
        ["suite40", 4096],
        ["math500", 32_768],
      ]),
    );
    expect(result.stderr).toContain(
      `[fp8] context length ${CONTEXT} tokens (GET /v1/models max_model_len); tasks ask max_tokens up to 32768: ` +
        "each request's max_tokens is lowered to what fits",
    );
    const all = expectAllFitted(dir, "c1", ["tokenize"]);
    for (const r of all) {
      expect(withTokenize.answered(unit(r), 400), r.itemId).toBe(0);
      expect(withTokenize.count(unit(r))).toBe(1);
    }
  });

  test("without /tokenize: at most one refused request per item, then asked with what fits", async () => {
    const dir = tempDir("ctx-no-tokenize");
    const result = await runMain(args(without, "c2"), { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`[fp8] context length ${CONTEXT} tokens (GET /v1/models max_model_len)`);
    const all = expectAllFitted(dir, "c2", ["server-error", "probe"]);
    for (const r of all) {
      expect(without.answered(unit(r), 400), r.itemId).toBeLessThanOrEqual(1);
      expect(without.askedWith(unit(r), r.fit?.sent ?? -1)).toBe(1);
    }
    // The simulator words its 400 as vLLM does today, without the prompt's size: counted by a one-token request.
    expect(all.some((r) => r.fit?.source === "probe")).toBe(true);
  });

  test("contextPolicy fail: a task asking the whole context or more stops its variant before anything is asked", async () => {
    const dir = tempDir("ctx-fail");
    const asked = withTokenize.chats();
    const result = await runMain([...args(withTokenize, "c3"), "--context-policy", "fail"], { cwd: dir });
    expect(withTokenize.chats()).toBe(asked);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `error[E_CONTEXT_TOO_SHORT]: variant fp8: task suite40 asks max_tokens 4096, but the server's context is ${CONTEXT} tokens (GET /v1/models max_model_len): every request would be refused`,
    );
    expect(records(dir, "c3")).toEqual([]);
  });
});

test("a resumed run may change max_tokens: each request records what it asked, and the report says the task mixes limits", async () => {
  const items = await simItemsFor(["suite40"]);
  const faulty = await SimServer.start({
    seed: 4,
    variants: [profile("m-fp8")],
    items,
    faults: { statusRates: { "500": 0.3 } },
  });
  const healthy = await SimServer.start({ seed: 4, variants: [profile("m-fp8")], items });
  try {
    const dir = tempDir("ctx-resume-limit");
    const first = await runMain(
      [
        "run",
        "--base-url",
        faulty.baseUrl,
        "--model",
        "m-fp8",
        "--variant",
        "fp8",
        "--tasks",
        "suite40",
        "--run-id",
        "mt",
        "--max-tokens",
        "3000",
        "--max-attempts",
        "1",
      ],
      { cwd: dir },
    );
    expect(first.code).toBe(1);
    const failed = journal(join(dir, "artifacts"), "mt", "fp8").filter((r) => r.error !== undefined).length;
    expect(failed).toBeGreaterThan(0);
    const resumed = await runMain(["run", "--resume", "mt", "--base-url", healthy.baseUrl, "--max-tokens", "2000"], {
      cwd: dir,
    });
    expect(resumed.code, resumed.stderr).toBe(0);
    const latest = new Map(journal(join(dir, "artifacts"), "mt", "fp8").map((r) => [r.itemId, r]));
    const limits = [...latest.values()].map((r) => r.request.params.max_tokens);
    expect(limits.filter((l) => l === 2000)).toHaveLength(failed);
    expect(limits.filter((l) => l === 3000)).toHaveLength(40 - failed);
    const report = readFileSync(join(dir, "reports", "mt", "report.md"), "utf8");
    expect(report).toContain(
      `fp8: asked with different max_tokens: 3000 (${40 - failed} items), 2000 (${failed} item${failed === 1 ? "" : "s"})`,
    );
  } finally {
    await faulty.close();
    await healthy.close();
  }
});
