/**
 * Serve blocks end to end: `quanteval run` starts each variant's server itself (here the simulator, `quanteval
 * sim`, on one port reused by all three variants as one GPU would be), warms it up, asks, stops it, and goes on
 * to the next — unattended. Also: a server that cannot start, one that dies mid-run, and quanteval itself
 * SIGKILLed mid-run (its server is left running: no handler runs on SIGKILL) followed by --resume.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { stringify } from "yaml";
import { forcedJournalPath, readForcedHeads } from "../../src/journal/index.ts";
import { portAccepts } from "../../src/runner/serve/index.ts";
import { freePort } from "../helpers/free-port.ts";
import { runMain } from "../helpers/run-main.ts";
import {
  alive,
  BIN,
  journal,
  manifestVariants,
  profile,
  runCli,
  serverPid,
  slowProfile,
  startSuiteSim,
  taskScores,
  tempDir,
  waitFor,
} from "./harness.ts";

const MODELS = { bf16: "qwen3-32b-bf16", fp8: "qwen3-32b-fp8", nvfp4: "qwen3-32b-nvfp4" } as const;
type VariantName = keyof typeof MODELS;
const NAMES = Object.keys(MODELS) as VariantName[];

function simCommand(port: number, profiles?: string): string[] {
  return [
    process.execPath,
    BIN,
    "sim",
    "--port",
    String(port),
    "--tasks",
    "suite40",
    ...(profiles !== undefined ? ["--profiles", profiles] : []),
  ];
}

/** A run config with one served variant per precision, all on `port`; `commands` replaces a variant's command. */
function writeConfig(
  dir: string,
  port: number,
  runId: string,
  options: { commands?: Partial<Record<VariantName, string[]>>; profiles?: string; concurrency?: number } = {},
): string {
  const config = {
    variants: NAMES.map((name) => ({
      name,
      baseUrl: `http://127.0.0.1:${port}/v1`,
      model: MODELS[name],
      serve: { command: options.commands?.[name] ?? simCommand(port, options.profiles), stopGraceSec: 10 },
    })),
    tasks: ["suite40"],
    warmup: { requests: 2 },
    concurrency: options.concurrency ?? 8,
    retry: { baseDelayMs: 1 },
    runId,
  };
  const file = join(dir, "run.yaml");
  writeFileSync(file, stringify(config));
  return file;
}

/** Per variant: n, graded, errors and missing of suite40 in scores.json. */
function counts(
  dir: string,
  runId: string,
): Record<string, { n: number; graded: number; errors: number; missing: number }> {
  const scores = taskScores(join(dir, "reports"), runId).suite40 ?? {};
  return Object.fromEntries(
    Object.entries(scores).map(([variant, s]) => [
      variant,
      { n: s.n, graded: s.graded, errors: s.errors, missing: s.missing },
    ]),
  );
}

/** Lines of quanteval's stderr that mark the servers' lifecycle, in order. */
function lifecycle(stderr: string): string[] {
  return stderr
    .split("\n")
    .filter((l) =>
      /^\[\w+\] (starting the server|server ready|warm-up:|suite40: 40 items|server stopped|server had already exited|failed:)/.test(
        l,
      ),
    )
    .map((l) =>
      l.replace(/ \(pid \d+\).*| after [\d.]+s$|: \d+ request.*|: error\[(\w+)\].*/, (_m, code: string | undefined) =>
        code !== undefined ? `: ${code}` : "",
      ),
    );
}

describe("serve blocks", () => {
  test("three variants served one after another on one port: started, warmed up, asked, stopped — unattended", async () => {
    const dir = tempDir("serve");
    const port = await freePort();
    const result = await runMain(["run", "-c", writeConfig(dir, port, "s1")], { cwd: dir });
    expect(result.stderr).not.toMatch(/error\[/);
    expect(result.code).toBe(0);

    // One server at a time: each is stopped before the next starts, and warmed up before its items.
    expect(lifecycle(result.stderr)).toEqual(
      NAMES.flatMap((name) => [
        `[${name}] starting the server`,
        `[${name}] server ready`,
        `[${name}] warm-up`,
        `[${name}] suite40: 40 items`,
        `[${name}] server stopped (with code 0)`,
      ]),
    );
    for (const name of NAMES) {
      const log = readFileSync(join(dir, "artifacts", "s1", name, "server.log"), "utf8");
      expect(log).toMatch(
        new RegExp(
          `^=== \\S+ quanteval: starting the server of variant ${name} in .*: .* sim --port ${port} --tasks suite40\\n`,
        ),
      );
      expect(log).toContain(`listening on http://127.0.0.1:${port}/v1`);
      expect(log).toMatch(/quanteval: server stopped/);
      expect(existsSync(join(dir, "artifacts", "s1", name, "server.pid"))).toBe(false);
      // Warm-up requests are not journalled: exactly the 40 items, once each.
      const records = journal(join(dir, "artifacts"), "s1", name);
      expect(records).toHaveLength(40);
      expect(new Set(records.map((r) => r.itemId)).size).toBe(40);
    }
    expect(await portAccepts({ host: "127.0.0.1", port })).toBe(false);
    const variants = manifestVariants(join(dir, "artifacts"), "s1");
    expect(variants.map((v) => v.status)).toEqual(["done", "done", "done"]);
    for (const v of variants) expect(v.serverStartupSec).toBeGreaterThan(0);
    for (const name of NAMES) expect(counts(dir, "s1")[name]).toEqual({ n: 40, graded: 40, errors: 0, missing: 0 });

    // Everything is answered: a rerun of the run starts no server at all.
    const again = await runMain(["run", "--resume", "s1"], { cwd: dir });
    expect(again.code).toBe(0);
    expect(again.stderr).not.toMatch(/starting the server/);
    expect(again.stderr).toMatch(/\[fp8\] every item is in the journal: its server is not started/);

    // Divergence on the same run (issue 18): the reference's server first (its scores are the cache the others are
    // compared with), then each variant's in turn, each stopped before the next starts.
    const diverged = await runMain(["diverge", "s1", "--top-k", "5"], { cwd: dir });
    expect(diverged.stderr).not.toMatch(/error\[/);
    expect(diverged.code).toBe(0);
    const turns = diverged.stderr.split("\n").filter((l) => /^\[\w+\] (starting the server|server stopped)/.test(l));
    expect(turns.map((l) => l.replace(/ \(.*$/, ""))).toEqual(
      NAMES.flatMap((name) => [`[${name}] starting the server`, `[${name}] server stopped`]),
    );
    for (const name of NAMES) {
      const heads = readForcedHeads(forcedJournalPath(join(dir, "artifacts"), "s1", name, "suite40")).records;
      expect(heads.size, name).toBe(40);
      // The demo profiles add no logprob noise: every variant scores the reference's replies exactly as it does.
      for (const head of heads.values()) if (name !== "bf16") expect(head.divergence?.meanKl).toBe(0);
    }
    expect(await portAccepts({ host: "127.0.0.1", port })).toBe(false);
  }, 240_000);

  test("schedule: parallel — served variants still take turns on their shared port, beside a variant already up elsewhere", async () => {
    const dir = tempDir("serve-par");
    const port = await freePort();
    const external = await startSuiteSim([profile("ext-model")]);
    try {
      const config = {
        variants: [
          {
            name: "bf16",
            baseUrl: `http://127.0.0.1:${port}/v1`,
            model: MODELS.bf16,
            serve: { command: simCommand(port) },
          },
          { name: "ext", baseUrl: external.baseUrl, model: "ext-model" },
          {
            name: "fp8",
            baseUrl: `http://127.0.0.1:${port}/v1`,
            model: MODELS.fp8,
            serve: { command: simCommand(port) },
          },
        ],
        tasks: ["suite40"],
        schedule: "parallel",
        runId: "p1",
      };
      writeFileSync(join(dir, "run.yaml"), stringify(config));
      const result = await runMain(["run", "-c", join(dir, "run.yaml")], { cwd: dir });
      expect(result.stderr).not.toMatch(/error\[/);
      expect(result.code).toBe(0);
      // Were the two served variants started at once, the second would find the port taken (E_SERVER_PORT_BUSY).
      const served = lifecycle(result.stderr).filter((l) => /starting the server|server stopped/.test(l));
      expect(served).toEqual([
        "[bf16] starting the server",
        "[bf16] server stopped (with code 0)",
        "[fp8] starting the server",
        "[fp8] server stopped (with code 0)",
      ]);
      expect(
        manifestVariants(join(dir, "artifacts"), "p1").map((v) => [v.name, v.status, v.serverStartupSec !== undefined]),
      ).toEqual([
        ["bf16", "done", true],
        ["ext", "done", false],
        ["fp8", "done", true],
      ]);
      expect(external.totalRequests()).toBe(40);
    } finally {
      await external.close();
    }
  }, 180_000);

  test("a server that cannot start (CUDA out of memory) fails its variant with the log's end; the others complete; exit 1", async () => {
    const dir = tempDir("serve-oom");
    const port = await freePort();
    const oom = [
      process.execPath,
      "-e",
      "console.log('loading weights'); console.error('torch.OutOfMemoryError: CUDA out of memory'); process.exit(1)",
    ];
    const result = await runMain(["run", "-c", writeConfig(dir, port, "s2", { commands: { fp8: oom } })], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /error\[E_SERVER_EXITED\]: variant fp8: the server exited with code 1 before it was ready; last lines of \S+fp8\/server\.log:\n {4}\| loading weights\n {4}\| torch\.OutOfMemoryError: CUDA out of memory\n/,
    );
    expect(result.stderr).toContain("once the server(s) are fixed, resume with `quanteval run --resume s2`");
    expect(lifecycle(result.stderr)).toEqual([
      "[bf16] starting the server",
      "[bf16] server ready",
      "[bf16] warm-up",
      "[bf16] suite40: 40 items",
      "[bf16] server stopped (with code 0)",
      "[fp8] starting the server",
      "[fp8] server had already exited (with code 1)",
      "[fp8] failed: E_SERVER_EXITED",
      "[nvfp4] starting the server",
      "[nvfp4] server ready",
      "[nvfp4] warm-up",
      "[nvfp4] suite40: 40 items",
      "[nvfp4] server stopped (with code 0)",
    ]);
    const variants = manifestVariants(join(dir, "artifacts"), "s2");
    expect(variants.map((v) => v.status)).toEqual(["done", "failed", "done"]);
    expect(variants[1]?.error?.message).toContain("CUDA out of memory");
    expect(variants[1]?.serverStartupSec).toBeUndefined();
    expect(readFileSync(join(dir, "reports", "s2", "report.md"), "utf8")).toMatch(
      /\*\*fp8\*\* failed: E_SERVER_EXITED: the server exited with code 1 before it was ready;[\s\S]*CUDA out of memory/,
    );
    expect(counts(dir, "s2")).toEqual({
      bf16: { n: 40, graded: 40, errors: 0, missing: 0 },
      fp8: { n: 40, graded: 0, errors: 0, missing: 40 },
      nvfp4: { n: 40, graded: 40, errors: 0, missing: 0 },
    });
    expect(await portAccepts({ host: "127.0.0.1", port })).toBe(false);
  }, 180_000);

  test("a server that dies mid-run fails its variant at once with the log's end; the next variant still runs", async () => {
    const dir = tempDir("serve-died");
    const port = await freePort();
    const profiles = join(dir, "slow-profiles.json");
    writeFileSync(profiles, JSON.stringify(NAMES.map((name) => slowProfile(MODELS[name]))));
    const running = runMain(["run", "-c", writeConfig(dir, port, "s3", { profiles, concurrency: 2 })], { cwd: dir });
    await waitFor(() => journal(join(dir, "artifacts"), "s3", "fp8").length >= 5, 120_000);
    // As a CUDA error or the OOM killer would: the whole server, at once.
    process.kill(-serverPid(join(dir, "artifacts"), "s3", "fp8"), "SIGKILL");
    const result = await running;
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /error\[E_SERVER_EXITED\]: variant fp8: the server exited on signal SIGKILL while its items were asked; last lines of \S+fp8\/server\.log:\n {4}\| [\s\S]*\n {4}\| sim: qwen3-32b-fp8 suite40\/\S+ attempt \d+ /,
    );
    const variants = manifestVariants(join(dir, "artifacts"), "s3");
    expect(variants.map((v) => v.status)).toEqual(["done", "failed", "done"]);
    const fp8 = counts(dir, "s3").fp8;
    expect(fp8?.missing).toBeGreaterThan(0);
    expect((fp8?.graded ?? 0) + (fp8?.errors ?? 0) + (fp8?.missing ?? 0)).toBe(40);
    expect(await portAccepts({ host: "127.0.0.1", port })).toBe(false);
  }, 180_000);

  test("Ctrl-C mid-run stops the server quanteval started before it exits 130; --resume finishes the run", async () => {
    const dir = tempDir("serve-int");
    const port = await freePort();
    const profiles = join(dir, "slow-profiles.json");
    writeFileSync(profiles, JSON.stringify(NAMES.map((name) => slowProfile(MODELS[name]))));
    const running = runCli(["run", "-c", writeConfig(dir, port, "s5", { profiles, concurrency: 2 })], { cwd: dir });
    await waitFor(() => journal(join(dir, "artifacts"), "s5", "bf16").length >= 5, 120_000);
    const pid = serverPid(join(dir, "artifacts"), "s5", "bf16");
    running.child.kill("SIGINT");
    const first = await running;
    expect(first.code).toBe(130);
    expect(first.stderr).toContain(
      "SIGINT: stopping; no new requests; in-flight ones are dropped and asked again on resume; then the server quanteval started is stopped",
    );
    expect(lifecycle(first.stderr).slice(-1)).toEqual(["[bf16] server stopped (with code 0)"]);
    expect(first.stderr).not.toMatch(/\[fp8\] starting the server/);
    expect(alive(pid)).toBe(false);
    expect(existsSync(join(dir, "artifacts", "s5", "bf16", "server.pid"))).toBe(false);
    expect(await portAccepts({ host: "127.0.0.1", port })).toBe(false);
    expect(manifestVariants(join(dir, "artifacts"), "s5").map((v) => v.status)).toEqual([
      "pending",
      "pending",
      "pending",
    ]);

    const resumed = await runMain(["run", "--resume", "s5"], { cwd: dir });
    expect(resumed.code).toBe(0);
    for (const name of NAMES)
      expect(new Set(journal(join(dir, "artifacts"), "s5", name).map((r) => r.itemId)).size).toBe(40);
  }, 240_000);

  test("quanteval SIGKILLed mid-run: its server is left running (no handler runs on SIGKILL); --resume stops it and completes every item exactly once", async () => {
    const dir = tempDir("serve-kill");
    const port = await freePort();
    const profiles = join(dir, "slow-profiles.json");
    writeFileSync(profiles, JSON.stringify(NAMES.map((name) => slowProfile(MODELS[name]))));
    const running = runCli(["run", "-c", writeConfig(dir, port, "s4", { profiles, concurrency: 2 })], { cwd: dir });
    await waitFor(() => journal(join(dir, "artifacts"), "s4", "fp8").length >= 5, 120_000);
    running.child.kill("SIGKILL");
    const first = await running;
    expect(first.signal).toBe("SIGKILL");
    const recordedFirst = journal(join(dir, "artifacts"), "s4", "fp8").length;
    expect(recordedFirst).toBeLessThan(40);

    // SIGKILL cannot be caught, so the 'exit' handler that kills started servers never ran: the sim is orphaned.
    const orphan = serverPid(join(dir, "artifacts"), "s4", "fp8");
    expect(alive(orphan)).toBe(true);
    expect(await portAccepts({ host: "127.0.0.1", port })).toBe(true);

    const resumed = await runMain(["run", "--resume", "s4"], { cwd: dir });
    expect(resumed.stderr).not.toMatch(/error\[/);
    expect(resumed.code).toBe(0);
    // The resume (holding the run lock, so the killed session is gone) stopped the orphan before starting fp8 again.
    expect(resumed.stderr).toContain(
      `[fp8] a server an earlier session of this run started is still running (pid ${orphan}: `,
    );
    expect(resumed.stderr).toMatch(
      new RegExp(`\\[fp8\\] the server left running \\(pid ${orphan}\\) stopped with SIGTERM`),
    );
    expect(alive(orphan)).toBe(false);
    for (const name of NAMES) {
      const records = journal(join(dir, "artifacts"), "s4", name);
      expect(records).toHaveLength(40);
      expect(new Set(records.map((r) => r.itemId)).size).toBe(40);
    }
    expect(new Set(journal(join(dir, "artifacts"), "s4", "fp8").map((r) => r.session)).size).toBe(2);
    expect(resumed.stderr).toMatch(/\[bf16\] every item is in the journal: its server is not started/);
    expect(manifestVariants(join(dir, "artifacts"), "s4").map((v) => v.status)).toEqual(["done", "done", "done"]);
    expect(counts(dir, "s4")).toEqual(
      Object.fromEntries(NAMES.map((name) => [name, { n: 40, graded: 40, errors: 0, missing: 0 }])),
    );
    expect(await portAccepts({ host: "127.0.0.1", port })).toBe(false);
  }, 240_000);
});
