/** An open-loop level's bench.json fields from what the loop recorded: the achieved rate, lateness, "inf" as text. */
import { describe, expect, test } from "vitest";
import type { SendTiming } from "../../src/loadgen/open-loop.ts";
import { summarizeOpenLoop } from "../../src/loadgen/open-loop-summary.ts";
import { reply } from "./reply-outcome.ts";

function loopOf(timings: SendTiming[], startedAt = 1000) {
  return {
    outcomes: timings.map((_t, i) => reply(i)),
    timings,
    startedAt,
    finishedAt: 9000,
    complete: true,
    peakInFlight: 2,
  };
}

describe("summarizeOpenLoop", () => {
  test("achieved rate: requests over the span from the start to the last arrival; lateness from due to sent", () => {
    const timings = [
      { dueAt: 1250, arrivedAt: 1250, sentAt: 1250 },
      { dueAt: 1500, arrivedAt: 1501, sentAt: 1501 },
      { dueAt: 1750, arrivedAt: 1750, sentAt: 1790 },
      { dueAt: 2000, arrivedAt: 2000, sentAt: 2003 },
    ];
    const fields = summarizeOpenLoop(loopOf(timings), { requestRate: 4, burstiness: 0.5, seed: 0 }, 2);
    // 4 arrivals by 1 s after the start: 4 req/s, though the last one was sent 3 ms later.
    expect(fields).toMatchObject({ request_rate: 4, achieved_rate: 4, burstiness: 0.5, max_concurrency: 2 });
    expect(fields.send_delay_ms).toMatchObject({ n: 4, min: 0, max: 40, p50: 2 });
  });

  test("rate and burstiness inf are the string inf (JSON has no Infinity); no achieved rate; no cap is null", () => {
    const timings = [
      { dueAt: 1000, arrivedAt: 1000, sentAt: 1000 },
      { dueAt: 1000, arrivedAt: 1000, sentAt: 1000 },
    ];
    const inf = Number.POSITIVE_INFINITY;
    const fields = summarizeOpenLoop(loopOf(timings), { requestRate: inf, burstiness: inf, seed: 0 }, undefined);
    expect(fields).toMatchObject({
      request_rate: "inf",
      achieved_rate: null,
      burstiness: "inf",
      max_concurrency: null,
    });
    expect(JSON.parse(JSON.stringify(fields))).toEqual(fields);
  });
});
