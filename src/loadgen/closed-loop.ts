/**
 * The load generator of `quanteval bench`: a closed loop, as bench_openai.py and `genai-bench`'s concurrency
 * scenarios run. Exactly `concurrency` requests are in flight until `requests` have been sent: each finished
 * request is replaced at once by the next, so the server sees a constant load rather than waves. Requests are
 * numbered 0…requests−1 in the order they are sent. The clock is a parameter, so tests need no waiting.
 */

import type { UsageCounter } from "../core/types.ts";

/** What one request came to: a reply with its timing, or a failure after retries. Never a thrown request error. */
export type RequestOutcome =
  | {
      ok: true;
      /** promptTokens null: not known (the server sent no usage, and no --tokenizer counted it). */
      usage: { promptTokens: number | null; completionTokens: number };
      /** Epoch ms: sent, first token of any kind (streamed only), last byte. */
      timing: { sentAt: number; firstTokenAt?: number; firstAnswerTokenAt?: number; doneAt: number };
      finishReason: string;
      /** HTTP attempts, the successful one included. */
      attempts: number;
      /** Streamed only: when each chunk carrying a token arrived (ms, same clock as timing). */
      chunkTimes?: readonly number[];
      /** The output length asked for with ignore_eos or min_tokens; absent when not held (figure-checks.ts). */
      heldTo?: number;
      /** Characters of the prompt's messages, for the prompt-growth check. */
      promptChars?: number;
      /** The server sent no usage: counted with --tokenizer, or by the streamed token chunks (Reply.usageCountedBy). */
      countedBy?: UsageCounter;
    }
  | { ok: false; code: string; message: string };

export interface ClosedLoopResult {
  /** One per request sent and finished, in request order (index i is request i). */
  outcomes: RequestOutcome[];
  /** `now()` before the first request was sent and after the last one finished: the run's wall time. */
  startedAt: number;
  finishedAt: number;
  /** False when the signal stopped it early: outcomes then holds only the requests that finished. */
  complete: boolean;
}

export interface ClosedLoopOptions {
  requests: number;
  concurrency: number;
  /** Sends request `index`; resolves to its outcome. May throw only when `signal` has aborted. */
  send: (index: number, signal: AbortSignal | undefined) => Promise<RequestOutcome>;
  signal?: AbortSignal | undefined;
  now: () => number;
}

export async function runClosedLoop(options: ClosedLoopOptions): Promise<ClosedLoopResult> {
  const { requests, concurrency, send, signal, now } = options;
  if (!Number.isInteger(requests) || requests < 0)
    throw new RangeError(`runClosedLoop needs requests >= 0 (got ${requests})`);
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new RangeError(`runClosedLoop needs concurrency >= 1 (got ${concurrency})`);
  const outcomes: (RequestOutcome | undefined)[] = new Array<RequestOutcome | undefined>(requests);
  let next = 0;
  // A function, not an inline test: the checker would narrow `aborted` across the await.
  const aborted = (): boolean => signal?.aborted === true;
  const worker = async (): Promise<void> => {
    while (next < requests && !aborted()) {
      const index = next;
      next += 1;
      try {
        outcomes[index] = await send(index, signal);
      } catch (error) {
        // Interrupted: the request is dropped, not counted. Anything else is a bug in `send`.
        if (aborted()) return;
        throw error;
      }
    }
  };
  const startedAt = now();
  await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, requests)) }, worker));
  const finishedAt = now();
  const finished = outcomes.filter((o): o is RequestOutcome => o !== undefined);
  return { outcomes: finished, startedAt, finishedAt, complete: finished.length === requests };
}
