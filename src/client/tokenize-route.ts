/**
 * vLLM's POST /tokenize for chat messages, which counts a prompt exactly as a chat request's usage.prompt_tokens
 * will: same chat template, same kwargs. It lives at the server root, not under /v1
 * (vllm/entrypoints/serve/tokenize/api_router.py), and takes a TokenizeChatRequest
 * (vllm/entrypoints/serve/tokenize/protocol.py): model, messages, add_generation_prompt (default true),
 * continue_final_message, add_special_tokens (default false), chat_template, chat_template_kwargs, tools, …; it
 * answers {count, max_model_len, tokens, token_strs}.
 *
 * Not every server has it: llama.cpp and most proxies answer 404; SGLang's /tokenize takes only a `prompt` string
 * (python/sglang/srt/entrypoints/openai/serving_tokenize.py) and refuses messages with a 400. Such an answer is
 * remembered and the route is not asked again. A failure that may pass (5xx, 429, a broken connection, a timeout)
 * pauses asking for a while instead. Either way the count is undefined and the caller goes on without it.
 */
import type OpenAI from "openai";
import { z } from "zod";
import type { Message } from "../core/types.ts";
import { type AttemptFailure, classifyError } from "./attempt-failure.ts";
import { displayUrl, serverRootUrl } from "./base-url.ts";
import { startDeadline } from "./deadline.ts";
import { shouldRetry } from "./retry.ts";

/** How long a failure that may pass keeps /tokenize from being asked: long enough not to hammer a struggling server. */
export const TOKENIZE_PAUSE_MS = 10_000;

/** The chat request fields that shape the rendered prompt, and so its count; both request types take them. */
const TEMPLATE_FIELDS = [
  "add_generation_prompt",
  "continue_final_message",
  "add_special_tokens",
  "chat_template",
  "chat_template_kwargs",
  "tools",
] as const;

/** The fields of a variant's extra request body that shape the rendered prompt (TEMPLATE_FIELDS), as given. */
export function templateFields(extraBody: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(
    TEMPLATE_FIELDS.flatMap((field) => (extraBody[field] === undefined ? [] : [[field, extraBody[field]]])),
  );
}

const TokenizeResponseSchema = z.object({ count: z.int().nonnegative() });

export interface TokenizeRouteOptions {
  model: string;
  /** The variant's extra request fields; those in TEMPLATE_FIELDS go along, as they do with every chat request. */
  extraBody: Readonly<Record<string, unknown>>;
  timeoutMs: number;
  now: () => number;
  log: (line: string) => void;
  /** Removes the API key from a text that may echo it. */
  redact: (text: string) => string;
}

export class TokenizeRoute {
  readonly #options: TokenizeRouteOptions;
  readonly #template: Record<string, unknown>;
  /** Why the route is not asked any more; undefined while it may be. */
  #unsupported: string | undefined;
  #pausedUntil = Number.NEGATIVE_INFINITY;

  constructor(options: TokenizeRouteOptions) {
    this.#options = options;
    this.#template = templateFields(options.extraBody);
  }

  /** Why this server's /tokenize is not used (it was found missing or unusable), or undefined. */
  get unsupported(): string | undefined {
    return this.#unsupported;
  }

  /**
   * The prompt tokens of `messages` as the server at `baseUrl` counts them, or undefined when it cannot say now.
   * `client` sends the request (the API key goes as with every other request). Throws only `signal`'s reason.
   */
  async count(
    client: OpenAI,
    baseUrl: string,
    messages: readonly Message[],
    signal?: AbortSignal,
  ): Promise<number | undefined> {
    signal?.throwIfAborted();
    if (this.#unsupported !== undefined || this.#options.now() < this.#pausedUntil) return undefined;
    const url = `${serverRootUrl(baseUrl)}/tokenize`;
    const body = { model: this.#options.model, messages, add_generation_prompt: true, ...this.#template };
    const { timeoutMs } = this.#options;
    const deadline = startDeadline(signal, timeoutMs);
    let answer: unknown;
    try {
      answer = await client.post<unknown>(url, { body, signal: deadline.signal, timeout: timeoutMs });
    } catch (error) {
      signal?.throwIfAborted();
      const failure: AttemptFailure = deadline.signal.aborted
        ? { timeout: true, detail: `no answer within ${timeoutMs} ms` }
        : classifyError(error);
      this.#failed(displayUrl(url), failure);
      return undefined;
    } finally {
      deadline.dispose();
    }
    const parsed = TokenizeResponseSchema.safeParse(answer);
    if (parsed.success) return parsed.data.count;
    this.#markUnsupported(displayUrl(url), "the answer has no token count");
    return undefined;
  }

  #failed(url: string, failure: AttemptFailure): void {
    // A status the server would give again (404, 405, SGLang's 400 for messages, 401) or 501 (not implemented) says
    // the route is not there for us; what shouldRetry calls transient may pass.
    const detail = this.#options.redact(failure.detail);
    const { status } = failure;
    if (status === 501 || (status !== undefined && !shouldRetry(failure).retry)) {
      this.#markUnsupported(url, detail);
      return;
    }
    const now = this.#options.now();
    if (now >= this.#pausedUntil) {
      this.#options.log(`tokenize: ${url}: ${detail}; not asked again for ${TOKENIZE_PAUSE_MS / 1000} s`);
    }
    this.#pausedUntil = now + TOKENIZE_PAUSE_MS;
  }

  #markUnsupported(url: string, why: string): void {
    if (this.#unsupported !== undefined) return;
    this.#unsupported = `${url}: ${why}`;
    this.#options.log(`tokenize: ${url} does not count chat prompts (${why}); not asked again`);
  }
}
