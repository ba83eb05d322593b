/**
 * Secrets never reach a file or a log. With an API key (apiKeyEnv) and HF_TOKEN set, two runs whose variant server
 * quanteval starts itself (`quanteval sim`, which inherits both), a gated dataset downloaded with the token, requests
 * that fail after retries (so error messages are written), then `report`, `regrade` and `compare`: no file under
 * artifacts/ or reports/ (binary ones too) and nothing printed holds either secret, as written, in base64 or in hex.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { stringify } from "yaml";
import { freePort } from "../helpers/free-port.ts";
import { type FakeHub, startFakeHub } from "../helpers/hub-server.ts";
import { type MainResult, runMain } from "../helpers/run-main.ts";
import { findSecrets } from "../helpers/secret-scan.ts";
import { FIXTURE_HUB } from "../helpers/task-data.ts";
import { BIN, journal, tempDir } from "./harness.ts";

const GATED = "Idavidrein/gpqa";

describe("secrets", () => {
  // Fresh each run, so a hit can only come from this run.
  const apiKey = `sk-test-${randomBytes(16).toString("hex")}`;
  const hfToken = `hf_${randomBytes(16).toString("hex")}`;
  let hub: FakeHub;
  beforeAll(async () => {
    hub = await startFakeHub({ root: FIXTURE_HUB, gated: [GATED], tokens: [hfToken] });
  });
  afterAll(async () => {
    await hub.close();
  });

  test("the scan finds a secret planted as written, in base64 at any offset, in hex, inside binary bytes or printed output", () => {
    const dir = tempDir("secret-scan");
    mkdirSync(join(dir, "deep", "er"), { recursive: true });
    writeFileSync(join(dir, "clean.txt"), "nothing to see\n");
    expect(findSecrets([dir], [apiKey, hfToken])).toEqual([]);
    const binary = (inner: Buffer): Buffer =>
      Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0xff]), inner, Buffer.from([0, 1, 2])]);
    writeFileSync(join(dir, "deep", "er", "chart.png"), binary(Buffer.from(apiKey)));
    expect(findSecrets([dir], [apiKey, hfToken]).map((h) => [h.file, h.form])).toEqual([
      [join(dir, "deep", "er", "chart.png"), "plain"],
    ]);
    for (const prefix of ["", "a", "ab"]) {
      const embedded = `<img src="data:image/png;base64,${Buffer.from(`${prefix}${hfToken}xyz`).toString("base64")}">`;
      writeFileSync(join(dir, "index.html"), embedded);
      expect(
        findSecrets([dir], [hfToken]).map((h) => h.form),
        `offset ${prefix.length}`,
      ).toContain("base64");
    }
    writeFileSync(join(dir, "index.html"), Buffer.from(hfToken).toString("hex"));
    expect(findSecrets([dir], [hfToken]).map((h) => h.form)).toEqual(["hex"]);
    expect(findSecrets([], [apiKey], { stderr: `oops ${apiKey}` })).toEqual([
      { file: "stderr", secret: apiKey, form: "plain" },
    ]);
  });

  test("served variants, a gated dataset, failed requests, report, regrade and compare: neither secret in any file or output", async () => {
    const cwd = tempDir("secrets");
    const env = {
      VLLM_API_KEY: apiKey,
      HF_TOKEN: hfToken,
      HF_ENDPOINT: hub.url,
      // An empty HF_HOME: a token saved by `hf auth login` on this machine is not picked up instead of ours.
      HF_HUB_CACHE: join(cwd, "hf-cache"),
      HF_HOME: join(cwd, "hf-home"),
    };
    const outputs: Record<string, string> = {};
    const cli = async (name: string, args: string[]): Promise<MainResult> => {
      const result = await runMain(args, { cwd, env });
      outputs[`${name} stdout`] = result.stdout;
      outputs[`${name} stderr`] = result.stderr;
      return result;
    };

    // One GPU, one precision per run (as `compare` joins them); the server inherits VLLM_API_KEY and HF_TOKEN.
    const port = await freePort();
    for (const [runId, precision] of [
      ["sa", "bf16"],
      ["sb", "fp8"],
    ] as const) {
      const config = join(cwd, `${runId}.yaml`);
      writeFileSync(
        config,
        stringify({
          variants: [
            {
              name: precision,
              baseUrl: `http://127.0.0.1:${port}/v1`,
              model: `qwen3-32b-${precision}`,
              apiKeyEnv: "VLLM_API_KEY",
              serve: {
                command: [
                  process.execPath,
                  BIN,
                  "sim",
                  "--port",
                  String(port),
                  "-c",
                  config,
                  "--status-rates",
                  "500=0.3,429=0.1",
                  "--retry-after",
                  "0",
                ],
                stopGraceSec: 10,
              },
            },
          ],
          tasks: ["suite40", "gpqa_diamond"],
          limit: 12,
          concurrency: 4,
          warmup: { requests: 1 },
          // Two attempts against a 40% error rate: some requests fail for good and their errors are journalled.
          retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5 },
          runId,
        }),
      );
      const run = await cli(`run ${runId}`, ["run", "-c", config]);
      expect(run.stderr).toMatch(new RegExp(`\\[${precision}\\] server stopped \\(with code 0\\)`));
      expect(run.code, run.stderr).toBe(1); // the failed requests
      expect(run.stderr).toMatch(/request\(s\) failed after retries/);
      const errors = [
        ...journal(join(cwd, "artifacts"), runId, precision),
        ...journal(join(cwd, "artifacts"), runId, precision, "gpqa_diamond"),
      ].filter((r) => r.error !== undefined);
      expect(errors.length).toBeGreaterThan(0);
      // The gated task ran, and the server (which inherited HF_TOKEN) knows its questions too.
      expect(journal(join(cwd, "artifacts"), runId, precision, "gpqa_diamond").length).toBeGreaterThan(0);
      expect(readFileSync(join(cwd, "artifacts", runId, precision, "server.log"), "utf8")).toContain(
        "tasks recognised: suite40 (40), gpqa_diamond (",
      );
    }
    // The token went to the hub, where it belongs.
    expect(hub.requests.some((r) => r.headers.authorization === `Bearer ${hfToken}`)).toBe(true);

    expect((await cli("report", ["report", "sa"])).code).toBe(0);
    const regrade = await cli("regrade", ["regrade", "sa"]);
    expect(regrade.code, regrade.stderr).toBe(0);
    const compare = await cli("compare", ["compare", "sa", "sb"]);
    expect(compare.code, compare.stderr).toBe(0);

    const hits = findSecrets([join(cwd, "artifacts"), join(cwd, "reports")], [apiKey, hfToken], outputs);
    expect(hits.map((h) => `${h.file}: ${h.secret === apiKey ? "API key" : "HF token"} (${h.form})`)).toEqual([]);
  }, 180_000);
});
