/** --slo parsing (every bad piece named at once), per-request verdicts as vLLM's goodput judges them, and goodput. */
import { describe, expect, test } from "vitest";
import type { RequestOutcome } from "../../src/loadgen/closed-loop.ts";
import { parseSlo, sloValuesMs, sloVerdict, summarizeGoodput } from "../../src/loadgen/slo.ts";
import { issuesOf } from "../helpers/config-issues.ts";

function reply(ttftMs: number | undefined, e2eMs: number, completionTokens = 11): RequestOutcome {
  return {
    ok: true,
    usage: { promptTokens: 8, completionTokens },
    timing: { sentAt: 1000, ...(ttftMs === undefined ? {} : { firstTokenAt: 1000 + ttftMs }), doneAt: 1000 + e2eMs },
    finishReason: "length",
    attempts: 1,
  };
}
const FAILED: RequestOutcome = { ok: false, code: "E_REQUEST_FAILED", message: "HTTP 500" };

describe("parseSlo", () => {
  test("targets in ms or s, spaces allowed, vLLM's e2el as e2e", () => {
    expect(parseSlo("ttft=500ms,tpot=50ms,e2e=20s")).toEqual({ ttft: 500, tpot: 50, e2e: 20_000 });
    expect(parseSlo(" ttft = 0.25s , e2el=1500ms")).toEqual({ ttft: 250, e2e: 1500 });
  });

  test("each bad piece is named with its fix, all at once", () => {
    const issues = issuesOf(() => parseSlo("ttft=500,tpot=50us,itl=20ms,speed,e2e=1s,e2e=2s,ttft=0ms"));
    expect(issues).toEqual([
      'flags: --slo: "ttft=500" has no unit: write ttft=500ms or ttft=500s',
      'flags: --slo: "tpot=50us" has unit "us": write tpot=50ms or tpot=50s',
      `flags: --slo: unknown metric "itl" in "itl=20ms": use ttft, tpot or e2e (ITL has no per-request target in vLLM's goodput; use tpot)`,
      'flags: --slo: "speed" is not metric=value (got "ttft=500,tpot=50us,itl=20ms,speed,e2e=1s,e2e=2s,ttft=0ms")',
      'flags: --slo: e2e is given twice (got "ttft=500,tpot=50us,itl=20ms,speed,e2e=1s,e2e=2s,ttft=0ms")',
      'flags: --slo: "ttft=0ms": a target must be more than 0',
    ]);
  });
});

describe("sloVerdict", () => {
  const slo = { ttft: 500, tpot: 100, e2e: 1500 };

  test("TTFT, TPOT = (E2E − TTFT) / (tokens − 1), E2E; a value at its target meets it, 1 ms over misses", () => {
    expect(sloValuesMs(reply(500, 1500))).toEqual({ ttft: 500, tpot: 100, e2e: 1500 });
    expect(sloVerdict(reply(500, 1500), slo)).toEqual({ ttft: true, tpot: true, e2e: true, all: true });
    expect(sloVerdict(reply(501, 1500), slo)).toEqual({ ttft: false, tpot: true, e2e: true, all: false });
    expect(sloVerdict(reply(400, 1501), slo)).toEqual({ ttft: true, tpot: false, e2e: false, all: false });
  });

  test("a one-token reply's TPOT is 0, as vLLM counts it; only the targets given are judged", () => {
    expect(sloVerdict(reply(100, 5000, 1), { tpot: 1 })).toEqual({ tpot: true, all: true });
  });

  test("a failed request meets nothing; a reply not streamed misses TTFT and TPOT but is judged on E2E", () => {
    expect(sloVerdict(FAILED, slo)).toEqual({ ttft: false, tpot: false, e2e: false, all: false });
    expect(sloVerdict(reply(undefined, 900), slo)).toEqual({ ttft: false, tpot: false, e2e: true, all: false });
  });
});

describe("summarizeGoodput", () => {
  test("good requests and their output tokens per second of wall time; shares over every request sent", () => {
    const outcomes = [reply(100, 900, 11), reply(200, 1000, 21), reply(900, 1400, 11), FAILED];
    expect(summarizeGoodput(outcomes, 2000, { ttft: 500, e2e: 1500 })).toEqual({
      requests: 4,
      good: 2,
      requests_per_s: 1,
      output_tokens_per_s: 16,
      share_met: { all: 0.5, ttft: 0.5, e2e: 0.75 },
    });
  });

  test("no requests or no time: zeros, not NaN", () => {
    expect(summarizeGoodput([], 0, { e2e: 1 })).toEqual({
      requests: 0,
      good: 0,
      requests_per_s: 0,
      output_tokens_per_s: 0,
      share_met: { all: 0, e2e: 0 },
    });
  });
});
