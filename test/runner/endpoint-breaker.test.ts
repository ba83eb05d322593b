import { describe, expect, test } from "vitest";
import { RequestFailedError, type RequestFailureKind } from "../../src/core/errors.ts";
import { EndpointBreaker, STOP_AFTER_CONSECUTIVE_FAILURES } from "../../src/runner/endpoint-breaker.ts";

const failure = (kind: RequestFailureKind, status?: number) =>
  new RequestFailedError("http://127.0.0.1:8000/v1/chat/completions", `${kind} failure`, {
    attempts: 4,
    retryable: true,
    kind,
    ...(status !== undefined ? { status } : {}),
  });

function feed(breaker: EndpointBreaker, kinds: readonly RequestFailureKind[]) {
  return kinds.map((kind) => breaker.failed(failure(kind, kind === "http" ? 500 : undefined)));
}

describe("EndpointBreaker", () => {
  test("five connection failures or timeouts in a row stop the variant as down, naming the URL and the resume", () => {
    const stops = feed(new EndpointBreaker("http://127.0.0.1:8000/v1", "r1"), [
      "connection",
      "timeout",
      "connection",
      "connection",
      "timeout",
    ]);
    expect(stops.slice(0, 4)).toEqual([undefined, undefined, undefined, undefined]);
    expect(stops[4]).toMatchObject({ code: "E_ENDPOINT_DOWN", hint: expect.stringContaining("--resume r1") });
    expect(stops[4]?.message).toMatch(/^http:\/\/127\.0\.0\.1:8000\/v1 stopped answering \(5 requests in a row/);
  });

  test("unusable replies stop it with their own code, not as a dead server", () => {
    const stops = feed(new EndpointBreaker("u", "r1"), Array(STOP_AFTER_CONSECUTIVE_FAILURES).fill("protocol"));
    expect(stops[STOP_AFTER_CONSECUTIVE_FAILURES - 1]).toMatchObject({ code: "E_ENDPOINT_PROTOCOL" });
  });

  test("HTTP errors that differ never trip it, and break a run of other failures", () => {
    const breaker = new EndpointBreaker("u", "r1");
    const differing = Array.from(
      { length: 20 },
      (_, i) =>
        new RequestFailedError("u", `HTTP 400 item ${i % 2 === 0 ? "too long" : "bad image"}`, {
          status: i % 3 === 0 ? 500 : 400,
          attempts: 1,
          retryable: false,
          kind: "http",
        }),
    );
    expect(differing.map((e) => breaker.failed(e)).every((s) => s === undefined)).toBe(true);
    expect(
      feed(breaker, ["connection", "connection", "connection", "connection", "http", "connection"]).every(
        (s) => s === undefined,
      ),
    ).toBe(true);
  });

  test("context-length 400s never trip it: each is about one item's prompt (contextPolicy fail, or a prompt too long)", () => {
    const breaker = new EndpointBreaker("http://h:8000/v1", "r1");
    const tooLong = (tokens: number) =>
      new RequestFailedError(
        "http://h:8000/v1/chat/completions",
        `HTTP 400 This model's maximum context length is 4096 tokens. However, your request has ${tokens} input tokens. Please reduce the length of the input messages.`,
        { status: 400, attempts: 1, retryable: false, kind: "http" },
      );
    expect(Array.from({ length: 12 }, (_, i) => breaker.failed(tooLong(4100 + i))).every((s) => s === undefined)).toBe(
      true,
    );
  });

  test("the same HTTP error five times in a row (numbers and ids aside) stops the variant with the server's own message", () => {
    const breaker = new EndpointBreaker("http://h:8000/v1", "r1");
    const rejected = (value: number, id: string) =>
      new RequestFailedError(
        "http://h:8000/v1/chat/completions",
        `HTTP 400 top_k must be -1 (disable), or at least 1, got ${value}. (request ${id})`,
        { status: 400, attempts: 1, retryable: false, kind: "http" },
      );
    const stops = [
      rejected(0, "a1b2c3d4e5"),
      rejected(5, "ffee0011aa"),
      rejected(0, "0123abcd99"),
      rejected(2, "deadbeef00"),
    ].map((e) => breaker.failed(e));
    expect(stops.every((s) => s === undefined)).toBe(true);
    const stop = breaker.failed(rejected(3, "cafebabe12"));
    expect(stop).toMatchObject({ code: "E_ENDPOINT_REJECTS", hint: expect.stringContaining("--resume r1") });
    expect(stop?.message).toBe(
      "http://h:8000/v1 rejected 5 requests in a row with the same error; the server said: HTTP 400 top_k must be -1 (disable), or at least 1, got 3. (request cafebabe12)",
    );
  });

  test("a success or a change of kind starts the count again", () => {
    const breaker = new EndpointBreaker("u", "r1");
    expect(
      feed(breaker, [
        "connection",
        "connection",
        "protocol",
        "protocol",
        "connection",
        "connection",
        "connection",
        "connection",
      ]).every((s) => s === undefined),
    ).toBe(true);
    breaker.succeeded();
    expect(feed(breaker, ["connection", "connection", "connection", "connection"]).every((s) => s === undefined)).toBe(
      true,
    );
    expect(feed(breaker, ["connection"])[0]?.code).toBe("E_ENDPOINT_DOWN");
  });
});
