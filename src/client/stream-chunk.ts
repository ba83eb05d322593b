/**
 * One SSE message of a chat stream as the reply builder's fields, with the openai SDK's semantics: JSON that will
 * not parse is a SyntaxError, an `error` event or a payload with an `error` field is an APIError (so classifyError
 * reads them as the SDK's stream raised them), and a payload that is not a chat chunk is a protocol problem.
 */
import { APIError } from "openai";
import { type ChunkFields, chunkFields, type ReplyProblem } from "./reply-builder.ts";
import type { SseMessage } from "./sse.ts";

/** The chunk's fields, or why it is not a chunk; throws SyntaxError or APIError as the SDK's stream did. */
export function decodeChunk(message: SseMessage, headers: Headers): ChunkFields | ReplyProblem {
  let data: unknown;
  try {
    data = JSON.parse(message.data);
  } catch {
    throw new SyntaxError("Error reading response: malformed server-sent event JSON.");
  }
  const error = typeof data === "object" && data !== null && "error" in data ? data.error : undefined;
  if (message.event === "error") throw new APIError(undefined, objectOr(error ?? data), undefined, headers);
  if (error !== undefined && error !== null && error !== false) {
    throw new APIError(undefined, objectOr(error), undefined, headers);
  }
  return chunkFields(data);
}

/** APIError takes an object; anything else (a bare string) becomes the message the SDK would make of it (its JSON). */
function objectOr(value: unknown): object | undefined {
  if (typeof value === "object" && value !== null) return value;
  return value === undefined ? undefined : { message: JSON.stringify(value) };
}
