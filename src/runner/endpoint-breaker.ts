import type { RequestFailedError } from "../errors.ts";

/** Why a variant stopped early, with the fix. */
export interface BreakerStop { code: string; message: string; hint: string }

/** Consecutive failures of one kind after which a variant stops: asking more would only record more errors. */
export const STOP_AFTER_CONSECUTIVE_FAILURES = 5;

/**
 * Stops a variant whose endpoint went down (connections refused or broken, timeouts) or whose replies are not
 * usable completions (e.g. no usage), so the rest stays missing for --resume instead of becoming errors.
 * HTTP errors do not count: a 400 or a 500 on some items is an answer about those items, not about the server.
 */
export class EndpointBreaker {
  readonly #url: string;
  readonly #runId: string;
  #kind: "down" | "protocol" | undefined;
  #count = 0;

  constructor(url: string, runId: string) {
    this.#url = url;
    this.#runId = runId;
  }

  succeeded(): void {
    this.#count = 0;
  }

  failed(error: RequestFailedError): BreakerStop | undefined {
    const kind = error.kind === "connection" || error.kind === "timeout" ? "down" : error.kind === "protocol" ? "protocol" : undefined;
    this.#count = kind !== undefined && kind === this.#kind ? this.#count + 1 : kind === undefined ? 0 : 1;
    this.#kind = kind;
    if (kind === undefined || this.#count < STOP_AFTER_CONSECUTIVE_FAILURES) return undefined;
    const resume = `rerun with --resume ${this.#runId} to ask only the missing and failed items`;
    return kind === "down"
      ? { code: "E_ENDPOINT_DOWN", message: `${this.#url} stopped answering (${this.#count} requests in a row could not connect or timed out); last: ${error.message}`, hint: `restart the server, then ${resume}` }
      : { code: "E_ENDPOINT_PROTOCOL", message: `${this.#url} sent ${this.#count} unusable replies in a row; last: ${error.message}`, hint: `fix the server settings named in the message, then ${resume}` };
  }
}
