/** A variant served by two data-parallel servers: requests spread over both, and one dying mid-run costs nothing. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import type { SimServer } from "../../src/sim/index.ts";
import { runMain } from "../helpers/run-main.ts";
import { journal, profile, startSuiteSim, tempDir, waitFor } from "./harness.ts";

/** One variant, baseUrl the first server and replicas the rest. */
function replicaConfig(dir: string, servers: readonly SimServer[], concurrency: number): string {
  const file = join(dir, "run.json");
  const [first, ...rest] = servers;
  writeFileSync(
    file,
    JSON.stringify({
      variants: [{ name: "bf16", baseUrl: first?.baseUrl, replicas: rest.map((s) => s.baseUrl), model: "m-bf16" }],
      tasks: ["suite40"],
      concurrency,
      retry: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 100 },
      output: { artifacts: join(dir, "a"), reports: join(dir, "r") },
    }),
  );
  return file;
}

test("two replicas share the requests; each journalled reply names the server that answered it", async () => {
  const servers = [await startSuiteSim([profile("m-bf16")]), await startSuiteSim([profile("m-bf16")])];
  try {
    const dir = tempDir("replicas");
    const result = await runMain(["run", "-c", replicaConfig(dir, servers, 4), "--run-id", "rep1"], { cwd: dir });
    expect(result.stderr).not.toMatch(/error\[/);
    expect(result.code).toBe(0);
    const records = journal(join(dir, "a"), "rep1", "bf16");
    expect(records).toHaveLength(40);
    expect(new Set(records.map((r) => r.itemId)).size).toBe(40);
    const [a, b] = servers;
    if (a === undefined || b === undefined) throw new Error("two servers");
    expect(a.totalRequests() + b.totalRequests()).toBe(40);
    // Least outstanding with round-robin ties: neither server is left idle.
    expect(a.totalRequests()).toBeGreaterThanOrEqual(10);
    expect(b.totalRequests()).toBeGreaterThanOrEqual(10);
    for (const record of records) {
      expect(record.error).toBeUndefined();
      const answeredBy = record.reply?.replica === a.baseUrl ? a : record.reply?.replica === b.baseUrl ? b : undefined;
      expect(answeredBy, `reply.replica of ${record.itemId}: ${String(record.reply?.replica)}`).toBeDefined();
      expect(answeredBy?.requestCount("m-bf16", record.itemId)).toBe(1);
    }
    expect(records.filter((r) => r.reply?.replica === a.baseUrl)).toHaveLength(a.totalRequests());
  } finally {
    await Promise.all(servers.map((s) => s.close()));
  }
});

test("one replica killed mid-run: the run completes on the other with every item once and no errors", async () => {
  // Slow enough that the run is still going when the server dies; nothing asserts on speed.
  const slow = profile("m-bf16", {
    reasoningTokens: 150,
    speed: { ttftMs: 5, ttftPerPromptTokenMs: 0, decodeTokensPerSec: 1500, maxDecodeTokensPerSec: 3000, maxNumSeqs: 4 },
  });
  const survivor = await startSuiteSim([slow]);
  const victim = await startSuiteSim([slow]);
  try {
    const dir = tempDir("replica-kill");
    const running = runMain(["run", "-c", replicaConfig(dir, [survivor, victim], 4), "--run-id", "rep2"], { cwd: dir });
    await waitFor(() => journal(join(dir, "a"), "rep2", "bf16").length >= 10);
    await victim.close(); // streams in flight on it are cut; new connections are refused
    const askedOfVictim = victim.totalRequests();
    const result = await running;
    expect(result.stderr).not.toMatch(/error\[/);
    expect(result.code).toBe(0);
    const records = journal(join(dir, "a"), "rep2", "bf16");
    expect(records).toHaveLength(40);
    expect(new Set(records.map((r) => r.itemId)).size).toBe(40);
    expect(records.every((r) => r.error === undefined && r.grade !== undefined)).toBe(true);
    expect(askedOfVictim).toBeGreaterThan(0);
    expect(victim.totalRequests()).toBe(askedOfVictim);
    // Everything the victim answered was journalled under its name; everything else came from the survivor.
    const byVictim = records.filter((r) => r.reply?.replica === victim.baseUrl);
    expect(byVictim.length).toBeGreaterThan(0);
    expect(byVictim.length).toBeLessThanOrEqual(askedOfVictim);
    expect(records.filter((r) => r.reply?.replica === survivor.baseUrl)).toHaveLength(40 - byVictim.length);
  } finally {
    await survivor.close();
    await victim.close();
  }
});
