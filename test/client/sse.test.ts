/** sseBatches / SseParser: the messages of a text/event-stream body as the openai SDK split them, over bodies cut at any byte. */
import { Readable } from "node:stream";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { type SseMessage, sseBatches } from "../../src/client/sse.ts";

function body(parts: readonly string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const part of parts) controller.enqueue(encoder.encode(part));
      controller.close();
    },
  });
}

async function collect(stream: AsyncIterable<Uint8Array> | null): Promise<SseMessage[]> {
  const out: SseMessage[] = [];
  for await (const messages of sseBatches(stream)) out.push(...messages);
  return out;
}

const STREAM =
  'data: {"a":1}\n\n: keep-alive\n\ndata: {"b":"é😀"}\r\n\r\nevent: error\ndata: {"c":\ndata: 3}\n\ndata: [DONE]\n\ndata: {"after":true}\n\n';
const MESSAGES: SseMessage[] = [{ data: '{"a":1}' }, { data: '{"b":"é😀"}' }, { data: '{"c":\n3}', event: "error" }];

describe("sseBatches", () => {
  test("data messages in order; comments skipped; CRLF; multi-line data joined; the event name kept; nothing after [DONE]", async () => {
    expect(await collect(body([STREAM]))).toEqual(MESSAGES);
  });

  test("the same messages wherever the body is cut, even inside a multi-byte character", async () => {
    const bytes = new TextEncoder().encode(STREAM);
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 12 }),
        async (cuts) => {
          const points = [0, ...cuts.sort((a, b) => a - b), bytes.length];
          const stream = new ReadableStream<Uint8Array>({
            start(controller) {
              for (let i = 1; i < points.length; i++) controller.enqueue(bytes.slice(points[i - 1], points[i]));
              controller.close();
            },
          });
          expect(await collect(stream)).toEqual(MESSAGES);
        },
      ),
    );
  });

  test("one batch per piece of the body: a piece of three events is one batch of three", async () => {
    const batches: SseMessage[][] = [];
    for await (const batch of sseBatches(body(["data: 1\n\ndata: 2\n\ndata: 3\n\ndata: 4", "\n\n"])))
      batches.push(batch);
    expect(batches).toEqual([[{ data: "1" }, { data: "2" }, { data: "3" }], [{ data: "4" }]]);
  });

  test("Node's own stream (what the node:http fetch hands over) reads the same", async () => {
    expect(await collect(Readable.from([Buffer.from(STREAM.slice(0, 30)), Buffer.from(STREAM.slice(30))]))).toEqual(
      MESSAGES,
    );
  });

  test("a message cut off by the end of the body is dropped (the reply builder then sees no finish_reason)", async () => {
    expect(await collect(body(['data: {"a":1}\n\ndata: {"b":2}']))).toEqual([{ data: '{"a":1}' }]);
  });

  test("no body: no messages", async () => {
    expect(await collect(null)).toEqual([]);
  });
});
