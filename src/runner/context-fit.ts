/**
 * Fitting max_tokens to the server's context length (DESIGN.md "max_tokens is fitted to the server's context length
 * unless the user says fail"). Users serve with `--max-model-len 4096` while reasoning tasks ask 32,768 tokens: vLLM
 * refuses every such request with a 400. With the policy "fit", each request asks at most what fits, max_model_len
 * minus its prompt's tokens:
 * - the prompt is counted by the server's own tokenizer (vLLM's POST /tokenize) when the request might not fit;
 * - a server without /tokenize is asked as configured, and a context-length 400 is read back (its max_model_len and
 *   the prompt's tokens): asked again once with what fits, after a one-token request to count the prompt when the
 *   message does not say (recent vLLM only says "at least"). At most one refused request per item.
 * What was asked and why is recorded per request (FitRecord); a prompt that alone fills the context is an error.
 * With the policy "fail" nothing is capped: a request that would not fit is the server's 400, and a task that asks
 * for more than the whole context stops its variant before anything is asked.
 */
import {
  allowedCompletionTokens,
  type ChatResult,
  type ContextLimitForm,
  type Endpoint,
  parseContextLimitError,
  type SamplingParams,
} from "../client/index.ts";
import { QuantevalError, RequestFailedError } from "../core/errors.ts";
import type { Message } from "../core/types.ts";
import { type ContextLength, describeSource } from "../journal/index.ts";

export type { ContextLength } from "../journal/index.ts";

export type ContextPolicy = "fit" | "fail";

/** How one request's max_tokens was lowered to fit: journalled with the request. */
export interface FitRecord {
  /** What the task (or --max-tokens) asked for. */
  requested: number;
  /** What was sent. */
  sent: number;
  contextLength: number;
  promptTokens: number;
  /** Who counted the prompt: the server's /tokenize, its 400 message, or a one-token request's usage. */
  source: "tokenize" | "server-error" | "probe";
}

/** A prompt that fills the server's context by itself: no max_tokens would do. Recorded as the item's error. */
export class PromptTooLongError extends QuantevalError {
  /** Chat requests it took to learn this (0 when the server's tokenizer said so before asking). */
  readonly attempts: number;
  constructor(promptTokens: number, contextLength: number, counted: string, attempts: number) {
    super(
      "E_PROMPT_TOO_LONG",
      `the prompt alone is ${promptTokens} tokens (${counted}), and the server's context is ${contextLength} tokens: it cannot be asked`,
      "serve the model with a longer --max-model-len, or leave this item out",
    );
    this.attempts = attempts;
  }
}

/** The context is shorter than what a task asks for, under contextPolicy "fail". */
export class ContextTooShortError extends QuantevalError {
  constructor(task: string, maxTokens: number, context: ContextLength) {
    super(
      "E_CONTEXT_TOO_SHORT",
      `task ${task} asks max_tokens ${maxTokens}, but the server's context is ${context.tokens} tokens (${describeSource(context)}): ` +
        "every request would be refused",
      "lower max_tokens (--max-tokens, taskOptions.<task>.maxTokens), serve with a longer --max-model-len, " +
        "or let quanteval fit each request to the context (contextPolicy: fit, the default)",
    );
  }
}

/**
 * Per-token upper bound of a prompt: a byte-level tokenizer never makes more tokens than UTF-8 bytes, and a chat
 * template adds some per message. A prompt under this bound with max_tokens fits without asking the server.
 */
function promptTokensAtMost(messages: readonly Message[]): number {
  const TEMPLATE_PER_MESSAGE = 16;
  const TEMPLATE_FIXED = 64;
  return messages.reduce((sum, m) => sum + Buffer.byteLength(m.content, "utf8") + TEMPLATE_PER_MESSAGE, TEMPLATE_FIXED);
}

/** What a chat that failed had done: the fitted max_tokens it last sent, and the requests before the last one. */
export interface FitTrace {
  fit?: FitRecord;
  attempts: number;
}

export interface FittedChat extends ChatResult {
  /** Set when max_tokens was lowered. */
  fit?: FitRecord;
}

/** One variant's fitting: its endpoint, its policy, and the context length as far as it is known. */
export class ContextFitter {
  readonly policy: ContextPolicy;
  readonly #endpoint: Endpoint;
  #context: ContextLength | undefined;

  constructor(endpoint: Endpoint, policy: ContextPolicy, configured: number | undefined) {
    this.#endpoint = endpoint;
    this.policy = policy;
    const stated = endpoint.contextLength();
    this.#context =
      stated !== undefined && (configured === undefined || stated <= configured)
        ? { tokens: stated, source: "server" }
        : configured !== undefined
          ? { tokens: configured, source: "config" }
          : undefined;
  }

  /** The variant's first server, as its requests and messages name it. */
  get baseUrl(): string {
    return this.#endpoint.baseUrl;
  }

  get context(): ContextLength | undefined {
    return this.#context;
  }

  /** Under "fail", a task whose max_tokens alone fills the context would have every request refused: stop first. */
  checkTask(task: string, maxTokens: number): void {
    if (this.policy === "fail" && this.#context !== undefined && maxTokens >= this.#context.tokens) {
      throw new ContextTooShortError(task, maxTokens, this.#context);
    }
  }

  /**
   * Asks for a completion within the context: max_tokens fitted before sending where the prompt might not fit, and
   * once more after a context-length 400. Throws RequestFailedError (the server's own words), PromptTooLongError,
   * or the abort reason. `trace` counts every chat request made (refused and one-token ones included) and holds the
   * fitted max_tokens last sent: what the journal records of a request that failed.
   */
  async chat(
    messages: Message[],
    params: SamplingParams,
    signal: AbortSignal,
    options: { timeoutMs?: number },
    trace: FitTrace = { attempts: 0 },
  ): Promise<FittedChat> {
    const fit = this.policy === "fit" ? await this.#fitBefore(messages, params.maxTokens, signal) : undefined;
    if (fit !== undefined) trace.fit = fit;
    const sent = fit?.sent ?? params.maxTokens;
    try {
      const result = await this.#ask(messages, { ...params, maxTokens: sent }, signal, options, trace);
      return fit === undefined ? result : { ...result, fit };
    } catch (error) {
      if (!(error instanceof RequestFailedError) || error.status !== 400 || this.policy !== "fit") throw error;
      const refit = await this.#fitAfter(error, messages, params, sent, signal, options, trace);
      if (refit === undefined) throw error;
      trace.fit = refit;
      const result = await this.#ask(messages, { ...params, maxTokens: refit.sent }, signal, options, trace);
      return { ...result, attempts: trace.attempts, fit: refit };
    }
  }

  /** One Endpoint.chat, its requests (retries included) added to `trace` whether it succeeds or not. */
  async #ask(
    messages: Message[],
    params: SamplingParams,
    signal: AbortSignal,
    options: { timeoutMs?: number },
    trace: FitTrace,
  ): Promise<ChatResult> {
    try {
      const result = await this.#endpoint.chat(messages, params, signal, options);
      trace.attempts += result.attempts;
      return { ...result, attempts: trace.attempts };
    } catch (error) {
      if (error instanceof RequestFailedError) trace.attempts += error.attempts;
      throw error;
    }
  }

  /** Counts the prompt only when it might not fit; undefined when the request goes as asked. */
  async #fitBefore(messages: Message[], requested: number, signal: AbortSignal): Promise<FitRecord | undefined> {
    const context = this.#context;
    if (context === undefined || requested + promptTokensAtMost(messages) <= context.tokens) return undefined;
    // No /tokenize: the request goes as asked, and a 400 (if any) tells the rest.
    const promptTokens = await this.#endpoint.countPromptTokens(messages, signal);
    if (promptTokens === undefined) return undefined;
    const fit = this.#capped(requested, promptTokens, { source: "tokenize", counted: "POST /tokenize", attempts: 0 });
    return fit.sent < requested ? fit : undefined;
  }

  /** After a 400: the fitted max_tokens if the server said the request was too long, else undefined. */
  async #fitAfter(
    error: RequestFailedError,
    messages: Message[],
    params: SamplingParams,
    sent: number,
    signal: AbortSignal,
    options: { timeoutMs?: number },
    trace: FitTrace,
  ): Promise<FitRecord | undefined> {
    const limit = parseContextLimitError(error.detail);
    if (limit === undefined) return undefined;
    // A limit on the prompt alone (TensorRT-LLM's max_num_tokens) is no context length: no max_tokens will fit it.
    if (limit.budgetOnly === true) throw error;
    // Learnt here: later requests whose prompt might not fit are counted (/tokenize, where the server has it) first.
    if (this.#context?.tokens !== limit.maxModelLen)
      this.#context = { tokens: limit.maxModelLen, source: "server-error" };
    const form = limit.form;
    let fit: FitRecord;
    if (limit.promptTokens !== undefined) {
      fit = this.#capped(params.maxTokens, limit.promptTokens, {
        source: "server-error",
        counted: "the server's 400",
        attempts: trace.attempts,
        form,
      });
    } else {
      // The message does not say how long the prompt is: /tokenize if the server has it, else one token asked for,
      // whose usage says. Either way the next request fits.
      const counted = await this.#endpoint.countPromptTokens(messages, signal);
      if (counted !== undefined) {
        fit = this.#capped(params.maxTokens, counted, {
          source: "tokenize",
          counted: "POST /tokenize",
          attempts: trace.attempts,
          form,
        });
      } else {
        if (limit.promptTooLong) throw error;
        const probe = await this.#ask(messages, { ...params, maxTokens: 1 }, signal, options, trace);
        // A server without usage, counted by chunks: the prompt is not known, so nothing can be fitted to it.
        const probed = probe.reply.usage.promptTokens;
        if (probed === null) throw error;
        fit = this.#capped(params.maxTokens, probed, {
          source: "probe",
          counted: "a one-token request's usage",
          attempts: trace.attempts,
          form,
        });
      }
    }
    // Asking again with what was just refused would only be refused again.
    return fit.sent === sent ? undefined : fit;
  }

  /** max_tokens = context − prompt, at most what was asked; a prompt that fills the context is an error. */
  #capped(
    requested: number,
    promptTokens: number,
    how: { source: FitRecord["source"]; counted: string; attempts: number; form?: ContextLimitForm },
  ): FitRecord {
    const contextLength = this.#context?.tokens ?? Number.POSITIVE_INFINITY;
    const room = allowedCompletionTokens(contextLength, promptTokens, how.form);
    if (room < 1) throw new PromptTooLongError(promptTokens, contextLength, how.counted, how.attempts);
    return { requested, sent: Math.min(requested, room), contextLength, promptTokens, source: how.source };
  }
}
