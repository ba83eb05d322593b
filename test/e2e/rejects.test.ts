/**
 * A server that rejects every request the same way (vLLM's 400 for a parameter it does not take): the variant stops
 * after a handful of requests instead of sending every item, and the server's own message is the reason shown on
 * the console and in the report.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { STOP_AFTER_CONSECUTIVE_FAILURES } from "../../src/runner/endpoint-breaker.ts";
import { json, startScriptedServer } from "../client/scripted-server.ts";
import { runMain } from "../helpers/run-main.ts";
import { tempDir } from "./harness.ts";

const CONCURRENCY = 4;
const VLLM_400 = {
  object: "error",
  message:
    "[{'type': 'extra_forbidden', 'loc': ('body', 'top_kk'), 'msg': 'Extra inputs are not permitted', 'input': 20}]",
  type: "BadRequestError",
  param: null,
  code: 400,
};

test("the same 400 for every request stops the variant after a handful, with the server's message on the console and in the report", async () => {
  const server = await startScriptedServer({
    models: [json(200, { object: "list", data: [{ id: "m", object: "model", max_model_len: 32768 }] })],
    chat: Array.from({ length: 40 }, () => json(400, VLLM_400)),
  });
  try {
    const dir = tempDir("rejects");
    const result = await runMain(
      [
        "run",
        "--base-url",
        `${server.url}/v1`,
        "--model",
        "m",
        "--variant",
        "bf16",
        "--tasks",
        "suite40",
        "--concurrency",
        String(CONCURRENCY),
        "--run-id",
        "rj",
        "--set",
        "variants[0].extraBody.top_kk=20",
      ],
      { cwd: dir },
    );
    expect(result.code).toBe(1);
    const said = `${server.url}/v1 rejected ${STOP_AFTER_CONSECUTIVE_FAILURES} requests in a row with the same error; the server said: HTTP 400 ${VLLM_400.message}`;
    expect(result.stderr).toContain(`error[E_ENDPOINT_REJECTS]: variant bf16: ${said}`);
    expect(result.stderr).toMatch(/fix: fix what the server's message names .*then rerun with --resume rj/);
    // The fifth refusal stops it; the requests already in flight then come back refused too, and no more are sent.
    const asked = server.requests.filter((r) => r.path === "/v1/chat/completions").length;
    expect(asked).toBeGreaterThanOrEqual(STOP_AFTER_CONSECUTIVE_FAILURES);
    expect(asked).toBeLessThanOrEqual(STOP_AFTER_CONSECUTIVE_FAILURES + CONCURRENCY - 1);
    const report = readFileSync(join(dir, "reports", "rj", "report.md"), "utf8");
    expect(report).toContain(`- **bf16** failed: E_ENDPOINT_REJECTS: ${said}`);
    // Each refused item, with the server's words, in the report's Errors table.
    const row =
      /## Errors\n\n.*\n.*\n\| bf16 +\| suite40 +\| +(\d+) \| E_REQUEST_FAILED \(HTTP 400\): .*Extra inputs are not permitted/.exec(
        report,
      );
    expect(row, report).not.toBeNull();
    // Refusals that came back after the stop are not recorded: those items stay missing, for --resume.
    expect(Number(row?.[1])).toBeGreaterThanOrEqual(STOP_AFTER_CONSECUTIVE_FAILURES);
    expect(Number(row?.[1])).toBeLessThanOrEqual(asked);
  } finally {
    await server.close();
  }
});
