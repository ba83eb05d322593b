/**
 * How much one streamed reply may bring before the server is known to be broken. A server that streams without
 * end (a proxy loop, a bug) would otherwise grow the reply in memory until the process dies, and a retry would
 * only do it again. The limits scale with the request's max_tokens and sit far above what vLLM can send for it:
 *
 * - Text and reasoning: 256 characters per token, at least 1 MiB. The longest tokens of cl100k_base and
 *   o200k_base (which Qwen's and Llama 3's vocabularies extend) are 128 characters, runs of spaces: a reply made
 *   only of them reaches half the limit.
 * - Body bytes: 4096 per token, at least 64 MiB. vLLM sends a chunk per token: ~200 bytes of JSON around the
 *   token's text, which is at most 128 characters of up to 6 bytes each (\u00XX escapes), so about 1 KiB at worst.
 *   Logprobs add an entry per alternative of about that size again, so the allowance is multiplied by
 *   1 + top_logprobs when they are asked for. Keep-alive comments, empty chunks and a line that never ends count.
 *
 * Not covered: a non-streamed body is read whole by the SDK before any of this sees it.
 */

export interface ReplyLimits {
  /** The request's max_tokens, named in the message. */
  maxTokens: number;
  maxTextChars: number;
  maxBodyBytes: number;
}

const TEXT_CHARS_PER_TOKEN = 256;
const MIN_TEXT_CHARS = 1024 * 1024;
const BODY_BYTES_PER_TOKEN = 4096;
const MIN_BODY_BYTES = 64 * 1024 * 1024;

/** The limits for a request body as sent (`max_tokens`, and `logprobs`/`top_logprobs` from extraBody). */
export function replyLimits(requestParams: Readonly<Record<string, unknown>>): ReplyLimits {
  const maxTokens = countOf(requestParams.max_tokens);
  const alternatives = requestParams.logprobs === true ? 1 + countOf(requestParams.top_logprobs) : 1;
  return {
    maxTokens,
    maxTextChars: Math.max(MIN_TEXT_CHARS, TEXT_CHARS_PER_TOKEN * maxTokens),
    maxBodyBytes: Math.max(MIN_BODY_BYTES, BODY_BYTES_PER_TOKEN * maxTokens * alternatives),
  };
}

/**
 * Thrown by the SSE reader (bytes) or the reply builder (text) when a limit is passed. The endpoint records it as
 * a protocol failure that is not retried: the same server would stream without end again.
 */
export class ReplyTooLargeError extends Error {
  static text(limits: ReplyLimits): ReplyTooLargeError {
    return new ReplyTooLargeError(
      limits,
      `text and reasoning past ${limits.maxTextChars} characters ` +
        `(${TEXT_CHARS_PER_TOKEN} per token, at least 1 MiB)`,
    );
  }

  static body(limits: ReplyLimits): ReplyTooLargeError {
    return new ReplyTooLargeError(
      limits,
      `a body past ${limits.maxBodyBytes} bytes ` +
        `(${BODY_BYTES_PER_TOKEN} per token and logprob alternative, at least 64 MiB)`,
    );
  }

  private constructor(limits: ReplyLimits, what: string) {
    super(`the server sent more than max_tokens ${limits.maxTokens} allows: ${what}; the reply was given up`);
    this.name = "ReplyTooLargeError";
  }
}

function countOf(value: unknown): number {
  return typeof value === "number" && Number.isSafeInteger(value) && value > 0 ? value : 0;
}
