/**
 * The `data:` payloads of a chat completion's text/event-stream body, parsed, with the openai SDK's semantics:
 * `[DONE]` ends the stream, JSON that will not parse is a SyntaxError, an `error` event or a payload with an
 * `error` field is an APIError (so classifyError reads it as before), and an event cut off by the end of the body
 * is dropped. The request itself still goes through the SDK (`.asResponse()`); only the reading is ours, because
 * the SDK's stream iterator cost about 2 ms of CPU per request in `npm run bench` (overhead) — the harness, not
 * the server, was the limit at a few hundred requests per second.
 */
import { APIError } from "openai";

export async function* sseData(body: ReadableStream<Uint8Array> | null, headers: Headers): AsyncGenerator<unknown> {
  if (body === null) return;
  const decoder = new TextDecoder();
  let buffer = "";
  let data: string[] = [];
  let event: string | undefined;
  let done = false;
  // Read to the end even after [DONE]: cancelling the body would close a keep-alive connection.
  for await (const bytes of body) {
    if (done) continue;
    buffer += decoder.decode(bytes, { stream: true });
    let start = 0;
    for (let newline = buffer.indexOf("\n"); newline >= 0; newline = buffer.indexOf("\n", start)) {
      const line = buffer.charCodeAt(newline - 1) === 13 && newline > start ? buffer.slice(start, newline - 1) : buffer.slice(start, newline);
      start = newline + 1;
      if (line === "") {
        if (data.length > 0) {
          const payload = data.length === 1 ? (data[0] ?? "") : data.join("\n");
          const name = event;
          data = [];
          event = undefined;
          if (payload === "[DONE]") { done = true; break; }
          yield parsePayload(payload, name, headers);
        } else {
          event = undefined;
        }
        continue;
      }
      if (line.charCodeAt(0) === 58) continue; // ":" comment (keep-alive)
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.charCodeAt(colon + 1) === 32 ? line.slice(colon + 2) : line.slice(colon + 1);
      if (field === "data") data.push(value);
      else if (field === "event") event = value;
    }
    buffer = buffer.slice(start);
  }
}

function parsePayload(payload: string, event: string | undefined, headers: Headers): unknown {
  let data: unknown;
  try {
    data = JSON.parse(payload);
  } catch {
    throw new SyntaxError("Error reading response: malformed server-sent event JSON.");
  }
  const error = typeof data === "object" && data !== null && "error" in data ? (data as { error: unknown }).error : undefined;
  if (event === "error") throw new APIError(undefined, (error ?? data) as object, undefined, headers);
  if (error !== undefined && error !== null && error !== false) throw new APIError(undefined, error as object, undefined, headers);
  return data;
}
