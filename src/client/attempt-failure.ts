/**
 * What went wrong in one HTTP attempt, in the terms shouldRetry and backoffDelayMs take: a status, a
 * network failure or a timeout, plus a detail for the error message.
 */
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError, OpenAIError } from "openai";
import { z } from "zod";
import type { ReplyProblem } from "./reply-builder.ts";
import { ReplyTooLargeError } from "./reply-limits.ts";

/** Server error bodies can be whole HTML pages from a proxy. */
const DETAIL_MAX_CHARS = 500;

/** An error event inside a stream carries its HTTP-like status as a number in `code` (vLLM's ErrorResponse). */
const StreamErrorCodeSchema = z.object({ code: z.int().min(100).max(599) });

/** Why one attempt failed, in the terms shouldRetry and backoffDelayMs take. */
export interface AttemptFailure {
  status?: number;
  networkError?: boolean;
  timeout?: boolean;
  /** A reply came but was cut short or garbled: retried, yet no sign that the server is down. */
  incomplete?: boolean;
  retryAfter?: string | null;
  detail: string;
  cause?: unknown;
}

/**
 * Maps what the SDK or fetch threw to an attempt failure. Only SDK calls are wrapped, so an Error that is
 * not an APIError comes from fetch reading the body (undici's "terminated" when the socket closes early).
 */
export function classifyError(error: unknown): AttemptFailure {
  if (error instanceof APIConnectionTimeoutError) return { timeout: true, detail: "timed out", cause: error };
  if (error instanceof APIUserAbortError)
    return { networkError: true, detail: "the request was aborted", cause: error };
  if (error instanceof APIConnectionError) {
    return { networkError: true, detail: `connection failed${describeCodes(error)}`, cause: error.cause ?? error };
  }
  if (error instanceof APIError) {
    if (error.status !== undefined) {
      return {
        status: error.status,
        retryAfter: error.headers?.get("retry-after") ?? null,
        detail: `HTTP ${truncate(error.message)}`,
      };
    }
    const code = StreamErrorCodeSchema.safeParse(error.error);
    const detail = `the stream carried an error event: ${truncate(error.message)}`;
    return code.success ? { status: code.data.code, detail } : { detail };
  }
  // The SDK refusing on its own (a bad option, a consumed stream) is our bug: asking again will not help.
  if (error instanceof OpenAIError)
    return { detail: `the OpenAI SDK refused: ${truncate(error.message)}`, cause: error };
  // The server would stream without end again: a protocol failure, not retried, and no sign that it is down.
  if (error instanceof ReplyTooLargeError) return { detail: error.message };
  if (error instanceof SyntaxError) {
    // JSON that will not parse is a garbled transfer, not a stable server answer: asked again. But the server did
    // answer, so it is not a connection failure (which would mark a replica down or count toward "endpoint down").
    return { incomplete: true, detail: `malformed JSON from the server (${error.message})`, cause: error };
  }
  if (error instanceof Error)
    return {
      networkError: true,
      detail: `the connection broke off (${error.message}${describeCodes(error)})`,
      cause: error,
    };
  return { networkError: true, detail: `the request failed: ${String(error)}` };
}

/**
 * A reply that arrived whole as far as HTTP goes but is unusable. "truncated" (a stream that ended cleanly before
 * its finish_reason) is asked again; "protocol" (a wrong shape, no usage) is what the server would send again.
 */
export function problemFailure(problem: ReplyProblem): AttemptFailure {
  return problem.kind === "truncated" ? { incomplete: true, detail: problem.detail } : { detail: problem.detail };
}

/**
 * Node's fetch hides ECONNREFUSED/ECONNRESET two causes deep, and a body cut off carries it on the error
 * itself; they are what tells a user what happened.
 */
function describeCodes(error: Error): string {
  const codes: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth += 1) {
    if ("code" in current && typeof current.code === "string") codes.push(current.code);
    current = "cause" in current ? current.cause : undefined;
  }
  return codes.length === 0 ? "" : ` (${codes.join(", ")})`;
}

function truncate(text: string): string {
  return text.length <= DETAIL_MAX_CHARS ? text : `${text.slice(0, DETAIL_MAX_CHARS)}…`;
}
