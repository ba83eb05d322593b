/**
 * The closed loop, driven by hand: requests finish when the test says so, so "exactly c in flight" is checked at
 * every step without any timing.
 */
import { describe, expect, test } from "vitest";
import { type RequestOutcome, runClosedLoop } from "../../src/loadgen/closed-loop.ts";
import { reply } from "./reply-outcome.ts";

/** A send() whose requests wait until finish() is called; records what is in flight. */
function manualServer() {
  const pending = new Map<number, (o: RequestOutcome) => void>();
  const sent: number[] = [];
  return {
    sent,
    pending,
    send: (index: number) =>
      new Promise<RequestOutcome>((resolve) => {
        sent.push(index);
        pending.set(index, resolve);
      }),
    finish(index: number): void {
      const resolve = pending.get(index);
      if (resolve === undefined) throw new Error(`request ${index} is not in flight`);
      pending.delete(index);
      resolve(reply(index));
    },
  };
}

const settle = () => new Promise((r) => setImmediate(r));

describe("runClosedLoop", () => {
  test("exactly c in flight until the last requests; each finished one is replaced at once, in order", async () => {
    const server = manualServer();
    let clock = 0;
    const run = runClosedLoop({ requests: 10, concurrency: 4, send: server.send, now: () => clock++ });
    await settle();
    expect([...server.pending.keys()]).toEqual([0, 1, 2, 3]);
    // Finish out of order: the next index goes out at once, whoever finished.
    const order = [2, 0, 5, 1, 3, 4, 7, 6, 8, 9];
    for (const [k, index] of order.entries()) {
      server.finish(index);
      await settle();
      const finished = k + 1;
      expect(server.sent).toHaveLength(Math.min(10, 4 + finished));
      expect(server.pending.size).toBe(Math.min(4, 10 - finished));
    }
    const result = await run;
    expect(server.sent).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(result.complete).toBe(true);
    expect(result.outcomes.map((o) => (o.ok ? o.usage.promptTokens : -1))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(result.startedAt).toBe(0);
    expect(result.finishedAt).toBe(1);
  });

  test("more concurrency than requests: all are sent at once", async () => {
    const server = manualServer();
    const run = runClosedLoop({ requests: 3, concurrency: 16, send: server.send, now: () => 0 });
    await settle();
    expect(server.pending.size).toBe(3);
    for (const index of [0, 1, 2]) server.finish(index);
    expect((await run).outcomes).toHaveLength(3);
  });

  test("an abort stops sending; requests that were dropped are not counted, the result says incomplete", async () => {
    const server = manualServer();
    const controller = new AbortController();
    const send = (index: number, signal: AbortSignal | undefined) => {
      const promise = server.send(index);
      return new Promise<RequestOutcome>((resolve, reject) => {
        signal?.addEventListener("abort", () => reject(signal.reason), { once: true });
        void promise.then(resolve);
      });
    };
    const run = runClosedLoop({ requests: 100, concurrency: 2, send, signal: controller.signal, now: () => 0 });
    await settle();
    server.finish(0);
    await settle();
    controller.abort(new Error("SIGINT"));
    const result = await run;
    expect(result.complete).toBe(false);
    expect(result.outcomes).toHaveLength(1);
    expect(server.sent).toEqual([0, 1, 2]);
  });

  test("a send that throws without an abort is a bug, not a failed request: it propagates", async () => {
    await expect(
      runClosedLoop({ requests: 2, concurrency: 1, send: () => Promise.reject(new TypeError("boom")), now: () => 0 }),
    ).rejects.toThrow("boom");
  });

  test("zero concurrency is refused", async () => {
    await expect(
      runClosedLoop({ requests: 2, concurrency: 0, send: () => Promise.resolve(reply(0)), now: () => 0 }),
    ).rejects.toThrow(RangeError);
  });
});
