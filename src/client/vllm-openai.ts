/**
 * The openai SDK's client, made to read the error bodies vLLM and FastAPI send besides OpenAI's own. The SDK takes
 * an error's message from `{"error": {"message": …}}` only; vLLM before its ErrorResponse gained the `error` wrapper
 * (vllm/entrypoints/openai/protocol.py: `{"object": "error", "message", "type", "param", "code"}`), and FastAPI's
 * `{"detail": …}` for a route or a field it refuses, came out as "400 status code (no body)". That lost the one
 * sentence a context-length 400 carries (see context-limit.ts).
 */
import OpenAI, { type APIError } from "openai";

export class VllmOpenAI extends OpenAI {
  // The SDK's hook for turning an error response into its APIError; the body arrives parsed (or undefined).
  protected override makeStatusError(
    status: number,
    error: object,
    message: string | undefined,
    headers: Headers,
  ): APIError {
    return super.makeStatusError(status, wrapBareError(error) ?? error, message, headers);
  }

  /**
   * The APIError the SDK throws for an error response it read itself, for one read elsewhere (the streamed chat,
   * http-transport.ts): a JSON body is the error, any other text its message, as the SDK's own reading does.
   */
  statusError(status: number, text: string, headers: Headers): APIError {
    const body = parseJsonObject(text);
    return this.makeStatusError(status, body ?? {}, body === undefined ? text : undefined, headers);
  }
}

/** The SDK's safeJSON, for what it passes on: a parsed value that is truthy, or undefined. */
function parseJsonObject(text: string): object | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A bare vLLM ErrorResponse or FastAPI `detail` body put under `error`, in OpenAI's shape; undefined for a body that
 * is already in that shape or is neither (the SDK then reads it as before).
 */
export function wrapBareError(body: unknown): object | undefined {
  if (typeof body !== "object" || body === null || "error" in body) return undefined;
  if ("message" in body && typeof body.message === "string") {
    const { message } = body;
    const type = "type" in body ? body.type : undefined;
    const param = "param" in body ? body.param : undefined;
    const code = "code" in body ? body.code : undefined;
    return { error: { message, type, param, code } };
  }
  // A list of validation issues (pydantic's 422) is shown as JSON rather than dropped.
  if (!("detail" in body)) return undefined;
  return { error: { message: typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail) } };
}
