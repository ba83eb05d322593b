import { parseContextLimitError } from "../client/index.ts";
import { errorShape, type RequestFailedError } from "../core/errors.ts";

/** Why a variant stopped early, with the fix. */
export interface BreakerStop {
  code: string;
  message: string;
  hint: string;
}

/** Consecutive failures of one kind after which a variant stops: asking more would only record more errors. */
export const STOP_AFTER_CONSECUTIVE_FAILURES = 5;

/**
 * Stops a variant whose endpoint went down (connections refused or broken, timeouts), whose replies are not usable
 * completions (e.g. no usage), or that rejects request after request with the same HTTP error (a 400 for a
 * parameter the server does not take, a 401 for a wrong key): the rest stays missing for --resume instead of
 * becoming errors, and the server's own message is the reason. HTTP errors that differ (a 400 about one item's
 * prompt, a 500 now and then) are answers about those items, not about the server, and do not count.
 */
export class EndpointBreaker {
  readonly #url: string;
  readonly #runId: string;
  /** What the failures in a row have in common: "down", "protocol", or an HTTP error's signature. */
  #kind: string | undefined;
  #count = 0;

  constructor(url: string, runId: string) {
    this.#url = url;
    this.#runId = runId;
  }

  succeeded(): void {
    this.#count = 0;
    this.#kind = undefined;
  }

  failed(error: RequestFailedError): BreakerStop | undefined {
    // A context-length 400 is about one item's prompt (contextPolicy fail, or a prompt too long to fit): its numbers
    // differ per item though its shape does not, and it says nothing about the server.
    if (error.status === 400 && parseContextLimitError(error.detail) !== undefined) {
      this.succeeded();
      return undefined;
    }
    const kind = kindOf(error);
    this.#count = kind === this.#kind ? this.#count + 1 : 1;
    this.#kind = kind;
    if (this.#count < STOP_AFTER_CONSECUTIVE_FAILURES) return undefined;
    const resume = `rerun with --resume ${this.#runId} to ask only the missing and failed items`;
    if (kind === "down") {
      return {
        code: "E_ENDPOINT_DOWN",
        message: `${this.#url} stopped answering (${this.#count} requests in a row could not connect or timed out); last: ${error.message}`,
        hint: `restart the server, then ${resume}`,
      };
    }
    if (kind === "protocol") {
      return {
        code: "E_ENDPOINT_PROTOCOL",
        message: `${this.#url} sent ${this.#count} unusable replies in a row; last: ${error.message}`,
        hint: `fix the server settings named in the message, then ${resume}`,
      };
    }
    return {
      code: "E_ENDPOINT_REJECTS",
      message: `${this.#url} rejected ${this.#count} requests in a row with the same error; the server said: ${error.detail}`,
      hint: `fix what the server's message names (a request parameter, variants[].extraBody, the API key, max_tokens), then ${resume}`,
    };
  }
}

/**
 * Failures of one kind in a row are what trips the breaker. HTTP errors are the same kind when their status and
 * message agree but for numbers and ids (vLLM names each request's token counts in its 400s).
 */
function kindOf(error: RequestFailedError): string {
  if (error.kind === "connection" || error.kind === "timeout") return "down";
  if (error.kind === "protocol") return "protocol";
  return `http ${error.status ?? ""} ${errorShape(error.detail)}`;
}
