/** An open-loop level's bench.json fields from what the loop recorded: the achieved rate, lateness, "inf" as text. */
import { describe, expect, test } from "vitest";
import type { SendTiming } from "../../src/loadgen/open-loop.ts";
import { sendLag, sendLagWarning, summarizeOpenLoop } from "../../src/loadgen/open-loop-summary.ts";
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

describe("sendLag", () => {
  /** Ten requests let in `lags` ms after they were due, and sent `slotWaitMs` after that. */
  const timingsOf = (lags: number[], slotWaitMs = 0): SendTiming[] =>
    lags.map((lag, i) => ({ dueAt: i * 10, arrivedAt: i * 10 + lag, sentAt: i * 10 + lag + slotWaitMs }));
  const LAGS = [0, 0, 1, 1, 1, 2, 2, 3, 5, 40]; // p90 (nearest rank) is 5 ms

  test("flagged when the timer's lag p90 reaches half the mean gap: 5 ms at 100 req/s, not at 99", () => {
    expect(sendLag({ timings: timingsOf(LAGS) }, { requestRate: 100 })).toEqual({
      timer_p90_ms: 5,
      mean_gap_ms: 10,
      flagged: true,
    });
    expect(sendLag({ timings: timingsOf(LAGS) }, { requestRate: 99 }).flagged).toBe(false);
  });

  test("the wait for a slot at the cap is not timer lag; all at once has no gap and is never flagged", () => {
    expect(sendLag({ timings: timingsOf([0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 500) }, { requestRate: 100 })).toEqual({
      timer_p90_ms: 0,
      mean_gap_ms: 10,
      flagged: false,
    });
    const inf = sendLag({ timings: timingsOf(LAGS) }, { requestRate: Number.POSITIVE_INFINITY });
    expect(inf).toEqual({ timer_p90_ms: 5, mean_gap_ms: null, flagged: false });
    expect(sendLagWarning(inf)).toBeUndefined();
  });

  test("the warning names the lag, its share of the gap and the fix; the level's fields carry the check", () => {
    const warning = sendLagWarning({ timer_p90_ms: 7.25, mean_gap_ms: 10, flagged: true });
    expect(warning).toBe(
      "arrivals went out late: the timer's lag p90 7.3 ms is 73% of the 10.0 ms mean gap (warned from 50%), so the " +
        "gaps the server saw are not the ones asked; run on a less loaded machine or at a lower rate",
    );
    expect(sendLagWarning({ timer_p90_ms: 4, mean_gap_ms: 10, flagged: false })).toBeUndefined();
    const fields = summarizeOpenLoop(
      { ...loopOf(timingsOf(LAGS)), startedAt: 0 },
      { requestRate: 100, burstiness: 1, seed: 0 },
      undefined,
    );
    expect(fields.send_lag).toEqual({ timer_p90_ms: 5, mean_gap_ms: 10, flagged: true });
  });
});
