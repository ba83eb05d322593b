/**
 * The open loop of `quanteval bench --request-rate`: each request is sent at its scheduled arrival time whatever
 * the replies are doing, as `vllm bench serve` does, so a slow server meets a growing queue rather than a gentler
 * client. With `maxConcurrency` a request that arrives while that many are in flight waits for a slot, first come
 * first served (vLLM's semaphore); the schedule itself never waits, so later arrivals keep their times. Each
 * request's due, arrival and send times are kept, so how late it went out is on record. Clock and timer are
 * parameters, so tests need no waiting.
 */
import { setImmediate, setTimeout as sleepFor } from "node:timers/promises";
import PQueue from "p-queue";
import type { ClosedLoopResult, RequestOutcome } from "./closed-loop.ts";

/** Epoch ms on the loop's clock, for one request. */
export interface SendTiming {
  /** When the schedule said it arrives. */
  dueAt: number;
  /** When the timer let it in: later than dueAt by the timer's and event loop's lag. */
  arrivedAt: number;
  /** When it got a slot and was handed to `send`: later than arrivedAt only at the concurrency cap. */
  sentAt: number;
}

export interface OpenLoopResult extends ClosedLoopResult {
  /** One per outcome, same order. */
  timings: SendTiming[];
  /** The most requests in flight at once. */
  peakInFlight: number;
}

export interface OpenLoopOptions {
  /** Arrival offsets in ms from the start, non-decreasing (arrival-schedule.ts); request i arrives at schedule[i]. */
  schedule: readonly number[];
  /** Most requests in flight; undefined: no cap. */
  maxConcurrency?: number | undefined;
  /** Sends request `index`; resolves to its outcome. May throw only when `signal` has aborted. */
  send: (index: number, signal: AbortSignal | undefined) => Promise<RequestOutcome>;
  signal?: AbortSignal | undefined;
  now: () => number;
  /** Waits `ms`; may reject once `signal` aborts. Default a timer. */
  sleep?: ((ms: number, signal: AbortSignal | undefined) => Promise<void>) | undefined;
}

/** Below this a timer is too coarse: it keeps whole milliseconds, and fires up to a millisecond either side. */
const FINE_WAIT_MS = 2;

/**
 * A timer to within FINE_WAIT_MS of the due time, then one turn of the event loop per call (I/O still runs), so
 * arrivals keep sub-millisecond times: at 100 req/s a millisecond's jitter is visible in the gaps' distribution.
 */
const timerSleep = async (ms: number, signal: AbortSignal | undefined): Promise<void> => {
  const options = signal === undefined ? {} : { signal };
  if (ms > FINE_WAIT_MS) await sleepFor(ms - FINE_WAIT_MS, undefined, options);
  else await setImmediate(undefined, options);
};

export async function runOpenLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const { schedule, maxConcurrency, send, signal, now } = options;
  const sleep = options.sleep ?? timerSleep;
  if (maxConcurrency !== undefined && (!Number.isInteger(maxConcurrency) || maxConcurrency < 1))
    throw new RangeError(`runOpenLoop needs maxConcurrency >= 1 (got ${maxConcurrency})`);
  const requests = schedule.length;
  const outcomes = new Array<RequestOutcome | undefined>(requests);
  const timings = new Array<SendTiming | undefined>(requests);
  // A function, not an inline test: the checker would narrow `aborted` across the await.
  const aborted = (): boolean => signal?.aborted === true;
  const slots = new PQueue({ concurrency: maxConcurrency ?? Number.POSITIVE_INFINITY });
  const pending: Promise<void>[] = [];
  // A bug in `send` is rethrown after the others settle, never left as an unhandled rejection mid-schedule.
  const bugs: unknown[] = [];
  let inFlight = 0;
  let peakInFlight = 0;

  const dispatch = async (index: number, dueAt: number, arrivedAt: number): Promise<void> => {
    if (aborted()) return;
    const sentAt = now();
    inFlight += 1;
    peakInFlight = Math.max(peakInFlight, inFlight);
    try {
      outcomes[index] = await send(index, signal);
      timings[index] = { dueAt, arrivedAt, sentAt };
    } catch (error) {
      // Interrupted: the request is dropped, not counted.
      if (!aborted()) bugs.push(error);
    } finally {
      inFlight -= 1;
    }
  };

  const startedAt = now();
  for (const [index, offset] of schedule.entries()) {
    const dueAt = startedAt + offset;
    // Again until due: a sleep may end early (a timer keeps whole milliseconds; the default one stops short).
    for (let wait = dueAt - now(); wait > 0 && !aborted(); wait = dueAt - now()) {
      try {
        await sleep(wait, signal);
      } catch (error) {
        if (!aborted()) throw error;
      }
    }
    if (aborted() || bugs.length > 0) break;
    const arrivedAt = now();
    pending.push(slots.add(() => dispatch(index, dueAt, arrivedAt)));
  }
  await Promise.all(pending);
  const finishedAt = now();
  if (bugs.length > 0) throw bugs[0];
  const done = outcomes.flatMap((outcome, i) => {
    const timing = timings[i];
    return outcome === undefined || timing === undefined ? [] : [{ outcome, timing }];
  });
  return {
    outcomes: done.map((d) => d.outcome),
    timings: done.map((d) => d.timing),
    startedAt,
    finishedAt,
    complete: done.length === requests,
    peakInFlight,
  };
}
