/**
 * The open loop on a virtual clock and a server driven by hand: requests go out at their arrival times whether or
 * not earlier ones finished, and at the cap a due request waits for a slot, with its lateness on record.
 */
import { describe, expect, test } from "vitest";
import type { RequestOutcome } from "../../src/loadgen/closed-loop.ts";
import { runOpenLoop } from "../../src/loadgen/open-loop.ts";
import { reply } from "./reply-outcome.ts";

const settle = () => new Promise((r) => setImmediate(r));

/** A clock that moves only when the test advances it, firing the loop's sleeps in time order. */
function virtualClock() {
  let t = 0;
  const timers: { at: number; resolve: () => void }[] = [];
  return {
    now: () => t,
    sleep: (ms: number) => new Promise<void>((resolve) => timers.push({ at: t + ms, resolve })),
    async advanceTo(at: number): Promise<void> {
      for (;;) {
        await settle();
        timers.sort((a, b) => a.at - b.at);
        const next = timers[0];
        if (next === undefined || next.at > at) break;
        timers.shift();
        t = next.at;
        next.resolve();
      }
      t = at;
      await settle();
    },
  };
}

/** A send() whose requests wait until finish() is called; records when each was sent. */
function manualServer(now: () => number) {
  const pending = new Map<number, (o: RequestOutcome) => void>();
  const sent: [number, number][] = [];
  return {
    sent,
    inFlight: () => pending.size,
    send: (index: number) =>
      new Promise<RequestOutcome>((resolve) => {
        sent.push([index, now()]);
        pending.set(index, resolve);
      }),
    async finish(index: number): Promise<void> {
      const resolve = pending.get(index);
      if (resolve === undefined) throw new Error(`request ${index} is not in flight`);
      pending.delete(index);
      resolve(reply(index));
      await settle();
    },
  };
}

describe("runOpenLoop", () => {
  test("each request goes out at its arrival time though none has finished", async () => {
    const clock = virtualClock();
    const server = manualServer(clock.now);
    const run = runOpenLoop({ schedule: [0, 100, 250, 250, 400], send: server.send, ...clock });
    await clock.advanceTo(400);
    expect(server.sent).toEqual([
      [0, 0],
      [1, 100],
      [2, 250],
      [3, 250],
      [4, 400],
    ]);
    expect(server.inFlight()).toBe(5);
    for (const index of [3, 0, 4, 1, 2]) await server.finish(index);
    const result = await run;
    expect(result.complete).toBe(true);
    expect(result.peakInFlight).toBe(5);
    // In request order, whatever order they finished in.
    expect(result.outcomes.map((o) => (o.ok ? o.usage.promptTokens : -1))).toEqual([0, 1, 2, 3, 4]);
    expect(result.timings.map((t) => t.sentAt - t.dueAt)).toEqual([0, 0, 0, 0, 0]);
    expect(result.startedAt).toBe(0);
    expect(result.finishedAt).toBe(400);
  });

  test("at the cap a due request waits for a slot, first come first served; the schedule keeps its times", async () => {
    const clock = virtualClock();
    const server = manualServer(clock.now);
    const run = runOpenLoop({ schedule: [0, 100, 200, 300, 400], maxConcurrency: 2, send: server.send, ...clock });
    await clock.advanceTo(200);
    // Request 2 is due but both slots are taken.
    expect(server.sent).toEqual([
      [0, 0],
      [1, 100],
    ]);
    await clock.advanceTo(250);
    await server.finish(0);
    expect(server.sent.at(-1)).toEqual([2, 250]);
    await clock.advanceTo(400);
    expect(server.inFlight()).toBe(2);
    await server.finish(1);
    await clock.advanceTo(450);
    await server.finish(2);
    expect(server.sent.slice(3)).toEqual([
      [3, 400],
      [4, 450],
    ]);
    await server.finish(3);
    await server.finish(4);
    const result = await run;
    expect(result.peakInFlight).toBe(2);
    // Arrivals kept the schedule; the sends were late by the wait for a slot.
    expect(result.timings.map((t) => t.arrivedAt - t.dueAt)).toEqual([0, 0, 0, 0, 0]);
    expect(result.timings.map((t) => t.sentAt - t.dueAt)).toEqual([0, 0, 50, 100, 50]);
  });

  test("an arrival the timer lets in late is sent at once and recorded late; the next keeps its own time", async () => {
    let t = 0;
    const sent: number[] = [];
    // A timer that overshoots by 30 ms, as a busy event loop does.
    const sleep = async (ms: number) => {
      t += ms + 30;
    };
    const result = await runOpenLoop({
      schedule: [0, 100, 200],
      now: () => t,
      sleep,
      send: async (index) => {
        sent.push(t);
        return reply(index);
      },
    });
    // Request 2 is due at 200, 70 ms after request 1's late arrival at 130: no catch-up sleep drift.
    expect(sent).toEqual([0, 130, 230]);
    expect(result.timings.map((x) => x.arrivedAt - x.dueAt)).toEqual([0, 30, 30]);
  });

  test("an abort stops the arrivals; requests not sent are dropped and the result says incomplete", async () => {
    const clock = virtualClock();
    const server = manualServer(clock.now);
    const controller = new AbortController();
    const run = runOpenLoop({ schedule: [0, 100, 200], send: server.send, signal: controller.signal, ...clock });
    await clock.advanceTo(100);
    await server.finish(0);
    controller.abort();
    await clock.advanceTo(300);
    await server.finish(1);
    const result = await run;
    expect(server.sent.map(([i]) => i)).toEqual([0, 1]);
    expect(result.complete).toBe(false);
    expect(result.outcomes).toHaveLength(2);
  });

  test("a bug in send is thrown once the requests in flight settle, not left unhandled", async () => {
    const result = runOpenLoop({
      schedule: [0, 0],
      now: () => 0,
      send: async (index) => {
        if (index === 0) throw new TypeError("bug");
        return reply(index);
      },
    });
    await expect(result).rejects.toThrow(TypeError);
  });

  test("refuses a cap below 1", async () => {
    await expect(
      runOpenLoop({ schedule: [0], maxConcurrency: 0, now: () => 0, send: async () => reply(0) }),
    ).rejects.toThrow(/maxConcurrency >= 1/);
  });
});
