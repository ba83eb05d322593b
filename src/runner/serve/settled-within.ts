import { setTimeout } from "node:timers/promises";

/**
 * `promise`'s value, or undefined once `ms` have passed or `signal` aborts, whichever comes first; the caller looks
 * at what changed. The timer is cancelled as soon as the race is decided, so no timer outlives the wait and keeps
 * quanteval from exiting.
 */
export async function settledWithin<T>(promise: Promise<T>, ms: number, signal?: AbortSignal): Promise<T | undefined> {
  const decided = new AbortController();
  const timerSignal = signal === undefined ? decided.signal : AbortSignal.any([decided.signal, signal]);
  // An abort ends the wait like the timer does: it is the caller's to throw (signal.throwIfAborted), with its reason.
  const elapsed = setTimeout(ms, undefined, { signal: timerSignal }).catch(() => undefined);
  try {
    return await Promise.race([promise, elapsed]);
  } finally {
    decided.abort();
  }
}
