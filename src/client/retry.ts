/**
 * The one retry layer (the SDK runs with maxRetries 0, so attempts never multiply): which failures are worth
 * asking again, and how long to wait before doing so.
 */

export interface RetryPolicy {
  /** Attempts per request, the first included. */
  maxAttempts: number;
  /** Upper bound of the jitter window after the first failed attempt; it doubles per attempt. */
  baseDelayMs: number;
  /** No wait is ever longer, Retry-After included. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 1_000, maxDelayMs: 30_000 };

export interface FailureKind {
  status?: number;
  /** Connection refused or reset, or a socket that broke off mid-reply. */
  networkError?: boolean;
  timeout?: boolean;
  /**
   * The server answered, but the reply was cut short (a stream that ended cleanly before its finish_reason) or
   * garbled (a body or SSE `data:` line that is not JSON). Asking again can help; the server is not down.
   */
  incomplete?: boolean;
}

export interface RetryDecision {
  retry: boolean;
  reason: string;
}

/**
 * Retry rules with a reason per status, as openai-node's `shouldRetry`: 408, 409, 429 and 5xx are transient;
 * other 4xx say the request itself is wrong, and asking again at temperature 0 gets the same answer.
 */
export function shouldRetry(failure: FailureKind): RetryDecision {
  if (failure.timeout === true) return { retry: true, reason: "the attempt timed out" };
  if (failure.networkError === true) return { retry: true, reason: "the connection failed or broke off" };
  if (failure.incomplete === true) return { retry: true, reason: "the reply was cut short or garbled" };
  const status = failure.status;
  if (status === undefined) return { retry: false, reason: "the server's reply does not follow the OpenAI protocol" };
  if (status === 408) return { retry: true, reason: "408 request timeout" };
  // vLLM does not send 409, but proxies in front of it use it for lock timeouts (as openai-node notes).
  if (status === 409) return { retry: true, reason: "409 conflict (lock timeout)" };
  if (status === 429) return { retry: true, reason: "429 rate limited" };
  if (status >= 500 && status <= 599) return { retry: true, reason: `${status} server error` };
  if (status === 400)
    return {
      retry: false,
      reason: "400 bad request (prompt longer than max_model_len, or a parameter the server rejects)",
    };
  if (status === 401) return { retry: false, reason: "401 unauthorized (check the API key)" };
  if (status === 403) return { retry: false, reason: "403 forbidden (check the API key)" };
  if (status === 404) return { retry: false, reason: "404 not found (check baseUrl and the model name)" };
  if (status === 422) return { retry: false, reason: "422 unprocessable (a request field the server rejects)" };
  if (status >= 400 && status <= 499) return { retry: false, reason: `${status} client error` };
  return { retry: false, reason: `unexpected status ${status}` };
}

/**
 * Milliseconds to wait after failed attempt number `attempt` (1 = the first). Exponential with full jitter
 * (uniform in [0, baseDelayMs·2^(attempt-1)]), so many workers that failed together do not retry together.
 * A Retry-After header (delta-seconds or an HTTP date) replaces the jitter. Always within [0, maxDelayMs].
 * `now` only matters for an HTTP-date Retry-After.
 */
export function backoffDelayMs(
  attempt: number,
  policy: RetryPolicy,
  random: () => number,
  retryAfter?: string | null,
  now: () => number = Date.now,
): number {
  const maxDelayMs = Math.max(0, policy.maxDelayMs);
  const fromServer = retryAfter === undefined || retryAfter === null ? undefined : parseRetryAfterMs(retryAfter, now);
  if (fromServer !== undefined) return clamp(fromServer, 0, maxDelayMs);
  // Past 2^52 the window is far above any cap; bounding the exponent keeps 0·2^n from becoming NaN.
  const exponent = Math.min(Math.max(0, Math.floor(attempt) - 1), 52);
  const window = Math.min(maxDelayMs, Math.max(0, policy.baseDelayMs) * 2 ** exponent);
  return clamp(window * clamp(random(), 0, 1), 0, maxDelayMs);
}

/** Retry-After is either delta-seconds ("120", decimals tolerated) or an HTTP date; anything else is ignored. */
export function parseRetryAfterMs(value: string, now: () => number): number | undefined {
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  // Date.parse accepts bare numbers and odd fragments too; require a weekday or month name like an HTTP date.
  if (!/[A-Za-z]{3}/.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now());
}

function clamp(value: number, low: number, high: number): number {
  if (Number.isNaN(value)) return low;
  return Math.min(high, Math.max(low, value));
}
