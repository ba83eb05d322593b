/** sseData: the stream reading the openai SDK did before, with its semantics, over bodies cut at any byte. */
import fc from "fast-check";
import { APIError } from "openai";
import { describe, expect, test } from "vitest";
import { classifyError } from "../../src/client/attempt-failure.ts";
import { sseData } from "../../src/client/sse.ts";

function body(parts: readonly string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const part of parts) controller.enqueue(encoder.encode(part));
      controller.close();
    },
  });
}

async function collect(parts: readonly string[]): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const event of sseData(body(parts), new Headers())) out.push(event);
  return out;
}

const STREAM = 'data: {"a":1}\n\n: keep-alive\n\ndata: {"b":"é😀"}\r\n\r\nevent: message\ndata: {"c":\ndata: 3}\n\ndata: [DONE]\n\ndata: {"after":true}\n\n';

describe("sseData", () => {
  test("data events in order; comments skipped; CRLF; multi-line data joined; nothing after [DONE]", async () => {
    expect(await collect([STREAM])).toEqual([{ a: 1 }, { b: "é😀" }, { c: 3 }]);
  });

  test("the same events wherever the body is cut, even inside a multi-byte character", async () => {
    const bytes = new TextEncoder().encode(STREAM);
    await fc.assert(fc.asyncProperty(fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 12 }), async (cuts) => {
      const points = [0, ...cuts.sort((a, b) => a - b), bytes.length];
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 1; i < points.length; i++) controller.enqueue(bytes.slice(points[i - 1], points[i]));
          controller.close();
        },
      });
      const out: unknown[] = [];
      for await (const event of sseData(stream, new Headers())) out.push(event);
      expect(out).toEqual([{ a: 1 }, { b: "é😀" }, { c: 3 }]);
    }));
  });

  test("an event cut off by the end of the body is dropped (the reply builder then sees no finish_reason)", async () => {
    expect(await collect(['data: {"a":1}\n\ndata: {"b":2}'])).toEqual([{ a: 1 }]);
  });

  test("malformed JSON is a SyntaxError, which classifyError treats as a garbled transfer (retried)", async () => {
    const error = await collect(['data: {"a":1}\n\ndata: {not json\n\n']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SyntaxError);
    expect(classifyError(error)).toMatchObject({ incomplete: true });
  });

  test("an error payload or an error event is an APIError carrying vLLM's code as the status", async () => {
    const inData = await collect(['data: {"error":{"message":"engine dead","code":500}}\n\n']).catch((e: unknown) => e);
    expect(inData).toBeInstanceOf(APIError);
    expect(classifyError(inData)).toMatchObject({ status: 500 });
    expect(classifyError(inData).detail).toContain("the stream carried an error event");
    const named = await collect(['event: error\ndata: {"message":"overloaded","code":503}\n\n']).catch((e: unknown) => e);
    expect(named).toBeInstanceOf(APIError);
    expect(classifyError(named)).toMatchObject({ status: 503 });
  });

  test("no body: no events", async () => {
    const out: unknown[] = [];
    for await (const event of sseData(null, new Headers())) out.push(event);
    expect(out).toEqual([]);
  });
});
