/**
 * The messages of a text/event-stream body, split by eventsource-parser, read as the openai SDK's stream reads
 * them: `[DONE]` is the end, and an event cut off by the end of the body is dropped. Messages come in batches, one
 * per piece the network delivered, so chunks that arrived together are timed together. JSON is stream-chunk.ts's job.
 */
import { createParser } from "eventsource-parser";
import { type ReplyLimits, ReplyTooLargeError } from "./reply-limits.ts";

export interface SseMessage {
  data: string;
  /** The `event:` field, when the server named the event (vLLM names only errors). */
  event?: string;
}

/**
 * The messages of each piece of the body, in order (a piece may complete none), up to `[DONE]`. Reading stops at
 * `[DONE]`, as the SDK's did, without cancelling the body: a server that keeps the response open after it must not
 * turn a finished reply into a timeout; the rest is the caller's to release. Past `limits.maxBodyBytes` it throws
 * ReplyTooLargeError: a server that streams without end.
 */
export async function* sseBatches(
  body: AsyncIterable<Uint8Array> | null,
  limits?: ReplyLimits,
): AsyncGenerator<SseMessage[]> {
  if (body === null) return;
  let batch: SseMessage[] = [];
  let done = false;
  const parser = createParser({
    onEvent: ({ data, event }) => {
      if (done) return;
      if (data === "[DONE]") done = true;
      else batch.push(event === undefined ? { data } : { data, event });
    },
  });
  const decoder = new TextDecoder();
  let received = 0;
  for await (const bytes of body) {
    received += bytes.byteLength;
    if (limits !== undefined && received > limits.maxBodyBytes) throw ReplyTooLargeError.body(limits);
    parser.feed(decoder.decode(bytes, { stream: true }));
    if (batch.length > 0) {
      const messages = batch;
      batch = [];
      yield messages;
    }
    if (done) return;
  }
}
