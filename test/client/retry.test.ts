import { fc, test } from "@fast-check/vitest";
import { describe, expect } from "vitest";
import type { RetryPolicy } from "../../src/client/index.ts";
import { backoffDelayMs, shouldRetry } from "../../src/client/index.ts";

const RUNS = { seed: 0xbac0ff, numRuns: 500 };
const POLICY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 1_000, maxDelayMs: 30_000 };
const NOW = Date.parse("2025-01-01T00:00:00Z");

describe("shouldRetry", () => {
  test.each([
    { failure: { status: 408 }, retry: true, reason: "408 request timeout" },
    { failure: { status: 409 }, retry: true, reason: "409 conflict (lock timeout)" },
    { failure: { status: 429 }, retry: true, reason: "429 rate limited" },
    { failure: { status: 500 }, retry: true, reason: "500 server error" },
    { failure: { status: 503 }, retry: true, reason: "503 server error" },
    { failure: { status: 599 }, retry: true, reason: "599 server error" },
    { failure: { networkError: true }, retry: true, reason: "the connection failed or broke off" },
    { failure: { timeout: true }, retry: true, reason: "the attempt timed out" },
    // Near misses: the request itself is wrong, asking again gets the same answer.
    {
      failure: { status: 400 },
      retry: false,
      reason: "400 bad request (prompt longer than max_model_len, or a parameter the server rejects)",
    },
    { failure: { status: 401 }, retry: false, reason: "401 unauthorized (check the API key)" },
    { failure: { status: 403 }, retry: false, reason: "403 forbidden (check the API key)" },
    { failure: { status: 404 }, retry: false, reason: "404 not found (check baseUrl and the model name)" },
    { failure: { status: 422 }, retry: false, reason: "422 unprocessable (a request field the server rejects)" },
    { failure: { status: 418 }, retry: false, reason: "418 client error" },
    { failure: { status: 600 }, retry: false, reason: "unexpected status 600" },
    { failure: { status: 302 }, retry: false, reason: "unexpected status 302" },
    { failure: {}, retry: false, reason: "the server's reply does not follow the OpenAI protocol" },
  ])("$failure → retry $retry", ({ failure, retry, reason }) => {
    expect(shouldRetry(failure)).toStrictEqual({ retry, reason });
  });
});

describe("backoffDelayMs", () => {
  test.each([
    { attempt: 1, random: 0.5, expected: 500 },
    { attempt: 2, random: 0.5, expected: 1_000 },
    { attempt: 3, random: 0.5, expected: 2_000 },
    { attempt: 3, random: 0, expected: 0 },
    { attempt: 6, random: 1, expected: 30_000 }, // 32 s window capped at 30 s
    { attempt: 2000, random: 1, expected: 30_000 },
  ])("attempt $attempt, random $random → $expected ms", ({ attempt, random, expected }) => {
    expect(backoffDelayMs(attempt, POLICY, () => random)).toBe(expected);
  });

  test.each([
    { header: "2", expected: 2_000, why: "delta-seconds replace the jitter" },
    { header: "0", expected: 0, why: "zero means now" },
    { header: "1.5", expected: 1_500, why: "decimal seconds" },
    { header: "120", expected: 30_000, why: "capped at maxDelayMs" },
    { header: "Wed, 01 Jan 2025 00:00:07 GMT", expected: 7_000, why: "an HTTP date, from the injected now" },
    { header: "Tue, 31 Dec 2024 23:59:00 GMT", expected: 0, why: "an HTTP date in the past" },
    // Near misses fall back to the jitter (random 0.25 of the 1 s window).
    { header: "-3", expected: 250, why: "negative seconds are not a Retry-After" },
    { header: "soon", expected: 250, why: "not a number or date" },
    { header: "", expected: 250, why: "empty" },
  ])("Retry-After $header: $why", ({ header, expected }) => {
    expect(
      backoffDelayMs(
        1,
        POLICY,
        () => 0.25,
        header,
        () => NOW,
      ),
    ).toBe(expected);
  });

  test("null and undefined Retry-After mean none", () => {
    expect(backoffDelayMs(2, POLICY, () => 0.25, null)).toBe(500);
    expect(backoffDelayMs(2, POLICY, () => 0.25, undefined)).toBe(500);
  });

  const policyArb = fc.record({
    maxAttempts: fc.integer({ min: 1, max: 20 }),
    baseDelayMs: fc.integer({ min: 0, max: 100_000 }),
    maxDelayMs: fc.integer({ min: 0, max: 600_000 }),
  });
  const headerArb = fc.option(
    fc.oneof(
      fc.string(),
      fc.nat().map(String),
      fc.date({ noInvalidDate: true }).map((date) => date.toUTCString()),
    ),
  );

  test.prop(
    [fc.integer({ min: -5, max: 5_000 }), policyArb, fc.double({ min: 0, max: 1, noNaN: true }), headerArb],
    RUNS,
  )("always within [0, maxDelayMs]", (attempt, policy, random, header) => {
    const delay = backoffDelayMs(
      attempt,
      policy,
      () => random,
      header,
      () => NOW,
    );
    expect(delay).toBeGreaterThanOrEqual(0);
    expect(delay).toBeLessThanOrEqual(policy.maxDelayMs);
  });

  test.prop([fc.integer({ min: 1, max: 60 }), policyArb, fc.double({ min: 0, max: 1, noNaN: true })], RUNS)(
    "for the same draw, a later attempt never waits less (so the expectation grows)",
    (attempt, policy, random) => {
      expect(backoffDelayMs(attempt + 1, policy, () => random)).toBeGreaterThanOrEqual(
        backoffDelayMs(attempt, policy, () => random),
      );
    },
  );

  test("the mean over seeded draws doubles per attempt until the cap", () => {
    // A seeded uniform generator: fast-check's draws favour edge values on purpose, which would skew a mean.
    const draws = Array.from({ length: 4_000 }, mulberry32(42));
    const mean = (attempt: number): number => {
      let index = 0;
      const random = (): number => draws[index++ % draws.length] ?? 0;
      const total = draws.reduce((sum) => sum + backoffDelayMs(attempt, POLICY, random), 0);
      return total / draws.length;
    };
    const means = [1, 2, 3, 4, 5, 6, 7].map(mean);
    // Window 1, 2, 4, 8, 16 s, then capped at 30 s: the mean is half of it.
    expect(means.map((value) => Math.round(value / 250) * 250)).toStrictEqual([
      500, 1_000, 2_000, 4_000, 8_000, 15_000, 15_000,
    ]);
  });
});

/** mulberry32, a small seeded PRNG with uniform output in [0, 1). */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
