/**
 * The messages of a text/event-stream body, as the openai SDK's stream reader splits them: `data:` lines joined,
 * `event:` kept, comments skipped, `[DONE]` the end, and an event cut off by the end of the body dropped. The
 * request itself still goes through the SDK (`.asResponse()`); only the reading is ours, because the SDK's
 * stream iterator cost about 2 ms of CPU per request in `npm run bench` (overhead) — the harness, not the
 * server, was the limit at a few hundred requests per second. Messages come in batches, one per piece the
 * network delivered, so a fast server's hundreds of events in one piece cost one await, not hundreds.
 * JSON is ChunkDecoder's job.
 */
import { Readable } from "node:stream";
import { type ReplyLimits, ReplyTooLargeError } from "./reply-limits.ts";

export interface SseMessage {
  data: string;
  /** The `event:` field, when the server named the event (vLLM names only errors). */
  event?: string;
}

/**
 * The messages of each piece of the body, in order (a piece may complete none), up to `[DONE]`. `body` is a web
 * ReadableStream or Node's own stream (NodeHttpResponse.nodeBody). Reading stops at `[DONE]`, as the SDK's did,
 * without cancelling the body: a server that keeps the response open after it must not turn a finished reply into
 * a timeout. What is left of the body is the caller's (releaseBody). Past `limits.maxBodyBytes` it throws
 * ReplyTooLargeError: a server that streams without end.
 */
export async function* sseBatches(
  body: AsyncIterable<Uint8Array> | null, limits?: ReplyLimits,
): AsyncGenerator<SseMessage[]> {
  if (body === null) return;
  const parser = new SseParser();
  const decoder = new TextDecoder();
  const pieces = body instanceof Readable ? body.iterator({ destroyOnReturn: false })
    : body instanceof ReadableStream ? body.values({ preventCancel: true }) : body;
  let received = 0;
  for await (const bytes of pieces) {
    received += bytes.byteLength;
    if (limits !== undefined && received > limits.maxBodyBytes) throw ReplyTooLargeError.body(limits);
    const messages = parser.feed(decoder.decode(bytes, { stream: true }));
    if (messages.length > 0) yield messages;
    if (parser.done) return;
  }
}

/** How long the rest of a body may take to end after `[DONE]` before its connection is closed. */
const DRAIN_AFTER_DONE_MS = 10_000;
/** How long the reply waits for that end: a server ends the body with [DONE], and then its connection is free. */
const END_AFTER_DONE_MS = 200;

/**
 * After the reply was read: a Node body is read to its end, so its kept-alive connection goes back to the pool
 * before the next request picks one (waited for briefly; then in the background, and closed if the server does not
 * end it soon); a web body is cancelled.
 */
export async function releaseBody(body: ReadableStream<Uint8Array> | Readable | null): Promise<void> {
  if (body === null) return;
  if (!(body instanceof Readable)) {
    await body.cancel().catch(() => {});
    return;
  }
  if (body.readableEnded || body.destroyed) return;
  const timer = setTimeout(() => body.destroy(), DRAIN_AFTER_DONE_MS);
  timer.unref();
  body.on("error", () => {});
  const ended = new Promise<void>((resolve) => body.once("close", () => {
    clearTimeout(timer);
    resolve();
  }));
  body.resume();
  let wait: NodeJS.Timeout | undefined;
  await Promise.race([ended, new Promise<void>((resolve) => { wait = setTimeout(resolve, END_AFTER_DONE_MS); })]);
  clearTimeout(wait);
}
/** Splits text/event-stream text, fed in pieces cut anywhere, into messages. */
export class SseParser {
  /** True once `[DONE]` has arrived; later text is ignored. */
  done = false;
  #buffer = "";
  #data: string[] = [];
  #event: string | undefined;

  /** The messages this piece completes. */
  feed(text: string): SseMessage[] {
    const messages: SseMessage[] = [];
    if (this.done) return messages;
    // A piece without a newline completes no line. Appending it alone keeps a line that never ends (a broken
    // server, until the body limit) from being searched again with every piece.
    if (!text.includes("\n")) {
      this.#buffer += text;
      return messages;
    }
    const buffer = this.#buffer + text;
    let start = 0;
    for (let newline = buffer.indexOf("\n"); newline >= 0; newline = buffer.indexOf("\n", start)) {
      const line = buffer.charCodeAt(newline - 1) === 13 && newline > start ? buffer.slice(start, newline - 1) : buffer.slice(start, newline);
      start = newline + 1;
      if (line === "") {
        if (this.#data.length > 0) {
          const data = this.#data.length === 1 ? (this.#data[0] ?? "") : this.#data.join("\n");
          const event = this.#event;
          this.#data = [];
          this.#event = undefined;
          if (data === "[DONE]") {
            this.done = true;
            this.#buffer = "";
            return messages;
          }
          messages.push(event === undefined ? { data } : { data, event });
        } else {
          this.#event = undefined;
        }
        continue;
      }
      if (line.charCodeAt(0) === 58) continue; // ":" comment (keep-alive)
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.charCodeAt(colon + 1) === 32 ? line.slice(colon + 2) : line.slice(colon + 1);
      if (field === "data") this.#data.push(value);
      else if (field === "event") this.#event = value;
    }
    this.#buffer = buffer.slice(start);
    return messages;
  }
}
