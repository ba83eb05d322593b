/**
 * Our SamplerBase: one served model behind vLLM's OpenAI-compatible API. `chat` turns messages and sampling
 * params into a Reply that records what came back and when, retrying transient failures itself (the SDK
 * runs with maxRetries 0 so the two layers never multiply). A request that still fails throws
 * RequestFailedError; there is no default Reply.
 */
import OpenAI from "openai";
import { z } from "zod";
import { EndpointUnreachableError, ModelNotServedError, RequestFailedError, type RequestFailureKind } from "../errors.ts";
import type { Message, Reply } from "../tasks/types.ts";
import { displayUrl, normalizeBaseUrl } from "./base-url.ts";
import { type AttemptFailure, classifyError, problemFailure } from "./attempt-failure.ts";
import { type BuildResult, StreamReplyBuilder, completionToReply } from "./reply-builder.ts";
import { buildRequestParams, type SamplingParams } from "./request-params.ts";
import { DEFAULT_RETRY_POLICY, type RetryDecision, type RetryPolicy, backoffDelayMs, shouldRetry } from "./retry.ts";

export interface EndpointConfig {
  /** OpenAI-style base URL; "http://h:8000" and "http://h:8000/v1/" are accepted too. */
  baseUrl: string;
  model: string;
  apiKey?: string | undefined;
  /** Merged into every request body, e.g. { chat_template_kwargs: { enable_thinking: false } }. */
  extraBody?: Record<string, unknown> | undefined;
  /** Default true: streaming is what gives TTFT. */
  stream?: boolean | undefined;
  /** Per attempt, from sending to the last byte. */
  timeoutMs?: number | undefined;
  retry?: { [K in keyof RetryPolicy]?: RetryPolicy[K] | undefined } | undefined;
  // Seams for tests, as openai-node takes `fetch`.
  fetch?: typeof fetch | undefined;
  now?: (() => number) | undefined;
  sleep?: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined;
  random?: (() => number) | undefined;
}

export interface ChatResult {
  reply: Reply;
  /** HTTP attempts it took, the successful one included. */
  attempts: number;
}

/** Long enough for a 32k-token reasoning reply on a slow variant, streamed or not. */
export const DEFAULT_TIMEOUT_MS = 30 * 60_000;
/** A health check that takes longer than this will not answer; no need to wait a whole request timeout. */
const LIST_MODELS_TIMEOUT_MS = 30_000;
const MAX_TIMER_MS = 2 ** 31 - 1;
/** vLLM accepts any key when started without --api-key; the SDK insists on one. */
const PLACEHOLDER_API_KEY = "EMPTY";

type AttemptOutcome = { ok: true; reply: Reply } | { ok: false; failure: AttemptFailure };

const ModelListSchema = z.object({ data: z.array(z.object({ id: z.string() })) });

export class Endpoint {
  readonly baseUrl: string;
  readonly model: string;
  readonly #client: OpenAI;
  readonly #apiKey: string | undefined;
  readonly #extraBody: Record<string, unknown>;
  readonly #stream: boolean;
  readonly #timeoutMs: number;
  readonly #policy: RetryPolicy;
  readonly #now: () => number;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly #random: () => number;

  constructor(config: EndpointConfig) {
    this.baseUrl = normalizeBaseUrl(config.baseUrl);
    this.model = config.model;
    this.#apiKey = config.apiKey;
    this.#extraBody = config.extraBody ?? {};
    this.#stream = config.stream ?? true;
    // Whole milliseconds (the SDK rejects fractions) below setTimeout's 2^31 - 1 limit, past which it fires at once.
    this.#timeoutMs = Math.min(Math.max(1, Math.ceil(config.timeoutMs ?? DEFAULT_TIMEOUT_MS)), MAX_TIMER_MS);
    this.#policy = {
      maxAttempts: config.retry?.maxAttempts ?? DEFAULT_RETRY_POLICY.maxAttempts,
      baseDelayMs: config.retry?.baseDelayMs ?? DEFAULT_RETRY_POLICY.baseDelayMs,
      maxDelayMs: config.retry?.maxDelayMs ?? DEFAULT_RETRY_POLICY.maxDelayMs,
    };
    this.#now = config.now ?? Date.now;
    this.#sleep = config.sleep ?? sleepUnlessAborted;
    this.#random = config.random ?? Math.random;
    this.#client = new OpenAI({
      baseURL: this.baseUrl,
      apiKey: config.apiKey ?? PLACEHOLDER_API_KEY,
      // Explicit nulls, or the SDK reads OPENAI_* environment variables deep inside a library call.
      adminAPIKey: null,
      organization: null,
      project: null,
      webhookSecret: null,
      maxRetries: 0,
      timeout: this.#timeoutMs,
      // We report every failure ourselves; the SDK would also print malformed chunks to the console.
      logLevel: "off",
      ...(config.fetch === undefined ? {} : { fetch: config.fetch }),
    });
  }

  /** Asks once per attempt until a complete reply arrives; throws RequestFailedError, or the abort reason. */
  async chat(messages: Message[], params: SamplingParams, signal?: AbortSignal): Promise<ChatResult> {
    const requestParams = buildRequestParams(params, this.#extraBody);
    for (let attempt = 1; ; attempt += 1) {
      signal?.throwIfAborted();
      const outcome = await this.#attempt(messages, requestParams, signal);
      if (outcome.ok) return { reply: outcome.reply, attempts: attempt };
      const decision = shouldRetry(outcome.failure);
      if (!decision.retry || attempt >= this.#policy.maxAttempts) throw this.#requestFailed(outcome.failure, decision, attempt);
      await this.#sleep(backoffDelayMs(attempt, this.#policy, this.#random, outcome.failure.retryAfter, this.#now), signal);
    }
  }

  /** GET /v1/models once (no retries: callers that wait for a starting server poll this). */
  async listModels(signal?: AbortSignal): Promise<string[]> {
    const url = displayUrl(`${this.baseUrl}/models`);
    const timeoutMs = Math.min(this.#timeoutMs, LIST_MODELS_TIMEOUT_MS);
    const deadline = startDeadline(signal, timeoutMs);
    let body: unknown;
    try {
      body = await this.#client.get<unknown>("/models", { signal: deadline.signal, timeout: timeoutMs });
    } catch (error) {
      signal?.throwIfAborted();
      if (deadline.signal.aborted) throw new EndpointUnreachableError(url, `no answer within ${timeoutMs} ms`, { cause: error });
      const failure = classifyError(error);
      const detail = this.#redact(failure.detail);
      // 404 on /models: something answers, but it is not the OpenAI-compatible root.
      if (failure.status === undefined || failure.status === 404) throw new EndpointUnreachableError(url, detail, { cause: failure.cause });
      throw new RequestFailedError(url, `${detail} (${shouldRetry(failure).reason})`, { status: failure.status, attempts: 1, retryable: false, kind: "http" });
    } finally {
      deadline.dispose();
    }
    const parsed = ModelListSchema.safeParse(body);
    if (!parsed.success) {
      throw new EndpointUnreachableError(url, "the answer is not an OpenAI model list (is baseUrl the server's /v1 root?)");
    }
    return parsed.data.data.map((model) => model.id);
  }

  /** Fails early, before any item is asked, when the server does not serve the configured model name. */
  async checkServed(signal?: AbortSignal): Promise<void> {
    const served = await this.listModels(signal);
    if (!served.includes(this.model)) throw new ModelNotServedError(displayUrl(this.baseUrl), this.model, served);
  }

  /** One HTTP attempt with its own deadline covering the whole body, not just the headers. */
  async #attempt(messages: Message[], requestParams: Record<string, unknown>, signal: AbortSignal | undefined): Promise<AttemptOutcome> {
    const deadline = startDeadline(signal, this.#timeoutMs);
    try {
      const outcome = this.#stream
        ? await this.#streamOnce(messages, requestParams, deadline.signal)
        : await this.#requestOnce(messages, requestParams, deadline.signal);
      // The SDK ends a stream quietly when its signal aborts, so a short outcome may really be an abort.
      signal?.throwIfAborted();
      if (!outcome.ok && deadline.signal.aborted) {
        return { ok: false, failure: { timeout: true, detail: `no complete reply within ${this.#timeoutMs} ms` } };
      }
      return outcome;
    } finally {
      deadline.dispose();
    }
  }

  async #streamOnce(messages: Message[], requestParams: Record<string, unknown>, signal: AbortSignal): Promise<AttemptOutcome> {
    const body = { ...requestParams, model: this.model, messages, stream: true as const, stream_options: { include_usage: true } };
    const sentAt = this.#now();
    let events: AsyncIterator<unknown>;
    let cancel: () => void;
    try {
      const stream = await this.#client.chat.completions.create(body, { signal });
      events = stream[Symbol.asyncIterator]();
      cancel = () => stream.controller.abort();
    } catch (error) {
      return { ok: false, failure: classifyError(error) };
    }
    const builder = new StreamReplyBuilder();
    for (;;) {
      let next: IteratorResult<unknown>;
      try {
        next = await events.next();
      } catch (error) {
        return { ok: false, failure: classifyError(error) };
      }
      if (next.done === true) break;
      const problem = builder.add(next.value, this.#now());
      if (problem !== undefined) {
        cancel();
        return { ok: false, failure: problemFailure(problem) };
      }
    }
    return fromBuild(builder.finish(sentAt, this.#now()));
  }

  async #requestOnce(messages: Message[], requestParams: Record<string, unknown>, signal: AbortSignal): Promise<AttemptOutcome> {
    const body = { ...requestParams, model: this.model, messages, stream: false as const };
    const sentAt = this.#now();
    let completion: unknown;
    try {
      completion = await this.#client.chat.completions.create(body, { signal });
    } catch (error) {
      return { ok: false, failure: classifyError(error) };
    }
    return fromBuild(completionToReply(completion, sentAt, this.#now()));
  }

  #requestFailed(failure: AttemptFailure, decision: RetryDecision, attempts: number): RequestFailedError {
    const url = displayUrl(`${this.baseUrl}/chat/completions`);
    const why = decision.retry ? `${decision.reason}; out of attempts` : `${decision.reason}; not retried`;
    const kind: RequestFailureKind = failure.status !== undefined ? "http" : failure.timeout === true ? "timeout" : failure.networkError === true ? "connection" : "protocol";
    const info = { attempts, retryable: decision.retry, kind, ...(failure.status === undefined ? {} : { status: failure.status }) };
    // HTTP error bodies are already in the detail, and a server may echo the request headers into them.
    const cause = failure.status === undefined ? failure.cause : undefined;
    return new RequestFailedError(url, this.#redact(`${failure.detail} (${why})`), info, { cause });
  }

  /** A server that echoes the Authorization header into its error body must not put the key in our messages. */
  #redact(text: string): string {
    const key = this.#apiKey;
    return key === undefined || key === "" ? text : text.replaceAll(key, "[redacted]");
  }
}

function fromBuild(result: BuildResult): AttemptOutcome {
  return result.ok ? result : { ok: false, failure: problemFailure(result.problem) };
}

/**
 * A per-attempt signal that aborts when the caller's does or when `ms` pass. A listener removed in dispose()
 * rather than AbortSignal.any, so the run-long SIGINT signal collects nothing across thousands of requests.
 */
function startDeadline(signal: AbortSignal | undefined, ms: number): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(signal?.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  const timer = setTimeout(() => controller.abort(), ms);
  return {
    signal: controller.signal,
    dispose: () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    },
  };
}

/** Resolves after `ms`, or rejects with the signal's own reason (not a generic AbortError) when it aborts. */
function sleepUnlessAborted(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, Math.min(ms, MAX_TIMER_MS));
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
