/**
 * Our SamplerBase: one served model behind vLLM's OpenAI-compatible API. `chat` turns messages and sampling
 * params into a Reply that records what came back and when, retrying transient failures itself (the SDK
 * runs with maxRetries 0 so the two layers never multiply). A request that still fails throws
 * RequestFailedError; there is no default Reply. A streamed reply travels over undici (http-transport.ts), is split
 * by eventsource-parser (sse.ts) and JSON-parsed per chunk (stream-chunk.ts); the SDK sends the other requests.
 *
 * A variant may be served by several data-parallel servers (`replicas`): each attempt goes to one of them as
 * ReplicaPool decides, a retry after a failed connection goes to another, and the Reply says which answered.
 *
 * For fitting max_tokens to the server's context: contextLength() is the max_model_len the servers state in
 * GET /v1/models, and countPromptTokens() asks vLLM's POST /tokenize how long a prompt is (tokenize-route.ts).
 */
import { fetch as undiciFetch } from "undici";
import { z } from "zod";
import {
  EndpointUnreachableError,
  ModelNotServedError,
  type QuantevalError,
  RequestFailedError,
  type RequestFailureKind,
} from "../core/errors.ts";
import type { Message, Reply } from "../core/types.ts";
import { type AttemptFailure, classifyError, problemFailure } from "./attempt-failure.ts";
import { displayUrl, normalizeBaseUrl } from "./base-url.ts";
import { mediaType, notAnAnswer } from "./content-type.ts";
import { startDeadline } from "./deadline.ts";
import { createHttpPool, fetchPost, type PostStream, type StreamResponse, undiciPost } from "./http-transport.ts";
import { ReplicaPool, type ReplicaStatus } from "./replicas.ts";
import {
  type BuildResult,
  completionToReply,
  isReplyProblem,
  StreamReplyBuilder,
  type UsageTokenizer,
} from "./reply-builder.ts";
import { replyLimits } from "./reply-limits.ts";
import { buildRequestParams, type SamplingParams } from "./request-params.ts";
import { backoffDelayMs, DEFAULT_RETRY_POLICY, type RetryDecision, type RetryPolicy, shouldRetry } from "./retry.ts";
import { sseBatches } from "./sse.ts";
import { decodeChunk } from "./stream-chunk.ts";
import { type ForcedLogprobs, type ForcedReply, type ForcingOptions, forcedLogprobs } from "./teacher-forcing.ts";
import { TokenizeRoute } from "./tokenize-route.ts";
import { VllmOpenAI } from "./vllm-openai.ts";

export interface EndpointConfig {
  /** OpenAI-style base URL; "http://h:8000" and "http://h:8000/v1/" are accepted too. */
  baseUrl: string;
  /** More servers of the same model (data-parallel replicas), spelled like baseUrl; requests are spread over all. */
  replicas?: readonly string[] | undefined;
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
  /** Replicas marked down, back, or left out, and a /tokenize found missing; one line each, without a newline. */
  log?: ((line: string) => void) | undefined;
  /** Return each streamed reply's token-chunk arrival times in ChatResult.chunkTimes (for inter-token latency). */
  recordChunkTimes?: boolean | undefined;
  /** A stream without usage gives a reply counted client-side (Reply.usageCountedBy) instead of failing. */
  countMissingUsage?: boolean | undefined;
  /** The model's tokenizer for those counts; without it the completion is counted in chunks and the prompt unknown. */
  usageTokenizer?: UsageTokenizer | undefined;
}

export interface ChatResult {
  reply: Reply;
  /** HTTP attempts it took, the successful one included. */
  attempts: number;
  /**
   * With recordChunkTimes and streaming: when each chunk carrying a token (reasoning included) of the successful
   * attempt arrived, in the `now` clock's ms. Kept out of Reply so journals do not grow by one number per token.
   */
  chunkTimes?: readonly number[];
}

/** Long enough for a 32k-token reasoning reply on a slow variant, streamed or not. */
export const DEFAULT_TIMEOUT_MS = 30 * 60_000;
/** A health check that takes longer than this will not answer; no need to wait a whole request timeout. */
const LIST_MODELS_TIMEOUT_MS = 30_000;
/** A probe of a down replica: a server that is back answers /v1/models at once. */
const PROBE_TIMEOUT_MS = 10_000;
/** Tokenizing even a long prompt takes milliseconds; a server that takes longer is better not waited for. */
const TOKENIZE_TIMEOUT_MS = 30_000;
const MAX_TIMER_MS = 2 ** 31 - 1;
/** vLLM accepts any key when started without --api-key; the SDK insists on one. */
const PLACEHOLDER_API_KEY = "EMPTY";

type AttemptOutcome =
  | { ok: true; reply: Reply; chunkTimes?: readonly number[] }
  | { ok: false; failure: AttemptFailure };
type ListOutcome =
  | { ok: true; models: string[] }
  | { ok: false; error: QuantevalError; retryable: boolean; retryAfter: string | null };

interface Replica {
  /** Normalized, as requests are sent to it. */
  baseUrl: string;
  client: VllmOpenAI;
}

// max_model_len: vLLM's ModelCard (vllm/entrypoints/openai/protocol.py) and SGLang's /v1/models
// (python/sglang/srt/entrypoints/http_server.py) state it; OpenAI, llama.cpp and proxies may not, and vLLM gives
// null for a LoRA adapter. Anything but a positive integer reads as not stated, rather than failing the listing.
const ModelListSchema = z.object({
  data: z.array(z.object({ id: z.string(), max_model_len: z.int().positive().optional().catch(undefined) })),
});

export class Endpoint {
  /** The first server (variants[].baseUrl), normalized. */
  readonly baseUrl: string;
  readonly model: string;
  readonly #replicas: Replica[];
  readonly #pool: ReplicaPool;
  readonly #apiKey: string | undefined;
  readonly #extraBody: Record<string, unknown>;
  readonly #stream: boolean;
  readonly #timeoutMs: number;
  readonly #policy: RetryPolicy;
  readonly #now: () => number;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly #random: () => number;
  readonly #recordChunkTimes: boolean;
  readonly #countMissingUsage: boolean;
  readonly #usageTokenizer: UsageTokenizer | undefined;
  readonly #tokenize: TokenizeRoute;
  /** Per replica: the max_model_len its last GET /v1/models stated for this model. */
  readonly #maxModelLens: (number | undefined)[];
  /** How streamed chat requests are sent (http-transport.ts); the SDK's client sends the others. */
  readonly #post: PostStream;

  constructor(config: EndpointConfig) {
    this.baseUrl = normalizeBaseUrl(config.baseUrl);
    // The same server listed twice would count double in the routing.
    const urls = [...new Set([this.baseUrl, ...(config.replicas ?? []).map(normalizeBaseUrl)])];
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
    this.#recordChunkTimes = config.recordChunkTimes === true;
    this.#countMissingUsage = config.countMissingUsage === true;
    this.#usageTokenizer = config.usageTokenizer;
    // One keep-alive pool for all of the variant's servers, shared by the SDK's requests and the streamed chat.
    const pool = config.fetch === undefined ? createHttpPool() : undefined;
    this.#post = pool === undefined ? fetchPost(config.fetch ?? fetch) : undiciPost(pool.redirecting);
    this.#replicas = urls.map((baseUrl) => ({
      baseUrl,
      client: new VllmOpenAI({
        baseURL: baseUrl,
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
        // undici's fetch types its own Response; at run time it is the web Response the SDK reads.
        fetch: config.fetch ?? (undiciFetch as unknown as typeof fetch),
        ...(pool === undefined ? {} : { fetchOptions: { dispatcher: pool.agent } }),
      }),
    }));
    this.#maxModelLens = urls.map(() => undefined);
    this.#tokenize = new TokenizeRoute({
      model: this.model,
      extraBody: this.#extraBody,
      timeoutMs: Math.min(this.#timeoutMs, TOKENIZE_TIMEOUT_MS),
      now: this.#now,
      log: config.log ?? (() => {}),
      redact: (text) => this.#redact(text),
    });
    this.#pool = new ReplicaPool(urls.map(displayUrl), {
      now: this.#now,
      probe: (index) => this.#probe(index),
      log: config.log,
    });
  }

  /** Every server of this variant (baseUrl first), as they appear in messages. */
  get replicaUrls(): string[] {
    return this.#replicas.map((r) => displayUrl(r.baseUrl));
  }

  /** Which replicas are up, down or left out, and how many attempts each has in flight. */
  replicaStatus(): ReplicaStatus[] {
    return this.#pool.status();
  }

  /**
   * Asks once per attempt until a complete reply arrives; throws RequestFailedError, or the abort reason.
   * `timeoutMs` overrides the endpoint's per-attempt timeout for this request (a task's own, e.g. long reasoning).
   */
  async chat(
    messages: Message[],
    params: SamplingParams,
    signal?: AbortSignal,
    options: { timeoutMs?: number } = {},
  ): Promise<ChatResult> {
    const requestParams = buildRequestParams(params, this.#extraBody);
    const timeoutMs =
      options.timeoutMs === undefined
        ? this.#timeoutMs
        : Math.min(Math.max(1, Math.ceil(options.timeoutMs)), MAX_TIMER_MS);
    let failedOn: number | undefined;
    for (let attempt = 1; ; attempt += 1) {
      signal?.throwIfAborted();
      const index = this.#pool.acquire(failedOn);
      let outcome: AttemptOutcome;
      try {
        outcome = await this.#attempt(this.#replica(index), messages, requestParams, signal, timeoutMs);
      } finally {
        this.#pool.release(index);
      }
      if (outcome.ok) {
        this.#pool.succeeded(index);
        // Only with several servers: a variant with one keeps the journal exactly as before.
        const reply = this.#pool.size > 1 ? { ...outcome.reply, replica: this.#pool.url(index) } : outcome.reply;
        return {
          reply,
          attempts: attempt,
          ...(outcome.chunkTimes === undefined ? {} : { chunkTimes: outcome.chunkTimes }),
        };
      }
      const failure = outcome.failure;
      const unreachable = failure.networkError === true || failure.timeout === true;
      if (unreachable) this.#pool.markDown(index, this.#redact(failure.detail));
      const decision = shouldRetry(failure);
      if (!decision.retry || attempt >= this.#policy.maxAttempts)
        throw this.#requestFailed(index, failure, decision, attempt);
      failedOn = index;
      // A server that could not be reached is out of the routing now: another one that is up can take the retry at once.
      if (unreachable && this.#pool.hasUpOtherThan(index)) continue;
      await this.#sleep(backoffDelayMs(attempt, this.#policy, this.#random, failure.retryAfter, this.#now), signal);
    }
  }

  /**
   * Teacher forcing (teacher-forcing.ts) on one of the variant's servers: the logprobs of `reply` after `messages`,
   * with the variant's template fields. A failure that may pass is tried again (all of its requests, on the
   * retry policy); a refusal (too few max logprobs, no prompt_logprobs, a mismatch) is thrown at once.
   * `attempts` counts the tries, the successful one included.
   */
  async forced(
    messages: readonly Message[],
    reply: ForcedReply,
    options: ForcingOptions,
  ): Promise<ForcedLogprobs & { attempts: number }> {
    for (let attempt = 1; ; attempt += 1) {
      options.signal?.throwIfAborted();
      const index = this.#pool.acquire(undefined);
      const { client, baseUrl } = this.#replica(index);
      try {
        const target = { client, baseUrl, model: this.model, extraBody: this.#extraBody };
        const forced = await forcedLogprobs(target, messages, reply, options);
        this.#pool.succeeded(index);
        return { ...forced, attempts: attempt };
      } catch (error) {
        if (!(error instanceof RequestFailedError)) throw error;
        if (!error.retryable || attempt >= this.#policy.maxAttempts) {
          const { status, retryable, kind } = error;
          const info = { attempts: attempt, retryable, kind, ...(status === undefined ? {} : { status }) };
          throw new RequestFailedError(error.url, error.detail, info, { cause: error });
        }
      } finally {
        this.#pool.release(index);
      }
      await this.#sleep(backoffDelayMs(attempt, this.#policy, this.#random, undefined, this.#now), options.signal);
    }
  }

  /**
   * The model's context length (max_model_len) as its servers state it in GET /v1/models, read by checkServed,
   * listModels and the probes of down replicas: the smallest over the replicas that serve the model and state it.
   * Undefined before any of those answered, or when no server states it (OpenAI, llama.cpp, some proxies).
   */
  contextLength(): number | undefined {
    // A replica left out for not serving the model has no value: only the model's own card is read.
    const stated = this.#maxModelLens.filter((len) => len !== undefined);
    return stated.length === 0 ? undefined : Math.min(...stated);
  }

  /**
   * How many prompt tokens `messages` are to the server, counted by vLLM's POST /tokenize with the chat template
   * and the variant's template fields (extraBody's chat_template_kwargs, …): what a chat request's
   * usage.prompt_tokens will say.
   * Asks the first replica that is up. Undefined when the server has no usable /tokenize (remembered: it is not
   * asked again) or it failed just now (asked again after a pause). Never throws but for `signal`'s reason.
   */
  async countPromptTokens(messages: readonly Message[], signal?: AbortSignal): Promise<number | undefined> {
    const index = Math.max(
      0,
      this.#pool.status().findIndex((replica) => replica.state === "up"),
    );
    const replica = this.#replica(index);
    return this.#tokenize.count(replica.client, replica.baseUrl, messages, signal);
  }

  /** GET /v1/models on baseUrl once (no retries: callers that wait for a starting server poll this). */
  async listModels(signal?: AbortSignal): Promise<string[]> {
    const outcome = await this.#listModelsAt(0, signal, Math.min(this.#timeoutMs, LIST_MODELS_TIMEOUT_MS));
    if (!outcome.ok) throw outcome.error;
    return outcome.models;
  }

  /**
   * Fails early, before any item is asked, when no server of the variant serves the configured model name.
   * Each server is asked GET /v1/models, retrying what is retryable (a 503 while it loads, with Retry-After).
   * With replicas, one that does not list the model is left out, one that cannot be reached is marked down (and
   * probed again later); the variant fails only when none serves the model. Returns every replica's state.
   */
  async checkServed(signal?: AbortSignal): Promise<ReplicaStatus[]> {
    const outcomes = await Promise.all(this.#replicas.map(async (_, index) => this.#listModelsRetrying(index, signal)));
    signal?.throwIfAborted();
    let firstError: QuantevalError | undefined;
    let notServed: ModelNotServedError | undefined;
    let serving = 0;
    outcomes.forEach((outcome, index) => {
      if (!outcome.ok) {
        firstError ??= outcome.error;
        this.#pool.markDown(index, outcome.error.message);
      } else if (!outcome.models.includes(this.model)) {
        const error = new ModelNotServedError(displayUrl(this.#replica(index).baseUrl), this.model, outcome.models);
        notServed ??= error;
        if (this.#pool.size > 1)
          this.#pool.exclude(
            index,
            `does not serve model "${this.model}" (it serves: ${outcome.models.join(", ") || "nothing"})`,
          );
      } else {
        serving += 1;
      }
    });
    // A server that answers without the model is a configuration mistake, more telling than one that is down.
    if (serving === 0)
      throw notServed ?? firstError ?? new EndpointUnreachableError(displayUrl(this.baseUrl), "no server answered");
    return this.#pool.status();
  }

  /** listModels with the retry policy: a server that is starting answers 503 (often with Retry-After) for a while. */
  async #listModelsRetrying(index: number, signal: AbortSignal | undefined): Promise<ListOutcome> {
    const timeoutMs = Math.min(this.#timeoutMs, LIST_MODELS_TIMEOUT_MS);
    for (let attempt = 1; ; attempt += 1) {
      const outcome = await this.#listModelsAt(index, signal, timeoutMs, attempt);
      if (outcome.ok || !outcome.retryable || attempt >= this.#policy.maxAttempts) return outcome;
      await this.#sleep(backoffDelayMs(attempt, this.#policy, this.#random, outcome.retryAfter, this.#now), signal);
    }
  }

  /** A down replica is back once it answers and lists the model. */
  async #probe(index: number): Promise<boolean> {
    const outcome = await this.#listModelsAt(index, undefined, Math.min(this.#timeoutMs, PROBE_TIMEOUT_MS));
    return outcome.ok && outcome.models.includes(this.model);
  }

  /** One GET /v1/models; throws only the caller's abort reason. */
  async #listModelsAt(
    index: number,
    signal: AbortSignal | undefined,
    timeoutMs: number,
    attempts = 1,
  ): Promise<ListOutcome> {
    const replica = this.#replica(index);
    const url = displayUrl(`${replica.baseUrl}/models`);
    const deadline = startDeadline(signal, timeoutMs);
    let body: unknown;
    try {
      body = await replica.client.get<unknown>("/models", { signal: deadline.signal, timeout: timeoutMs });
    } catch (error) {
      signal?.throwIfAborted();
      if (deadline.signal.aborted) {
        return {
          ok: false,
          error: new EndpointUnreachableError(url, `no answer within ${timeoutMs} ms`, { cause: error }),
          retryable: false,
          retryAfter: null,
        };
      }
      const failure = classifyError(error);
      const detail = this.#redact(failure.detail);
      // 404 on /models: something answers, but it is not the OpenAI-compatible root.
      if (failure.status === undefined || failure.status === 404) {
        return {
          ok: false,
          error: new EndpointUnreachableError(url, detail, { cause: failure.cause }),
          retryable: false,
          retryAfter: null,
        };
      }
      const decision = shouldRetry(failure);
      const why = decision.retry && attempts > 1 ? `${decision.reason}; out of attempts` : decision.reason;
      return {
        ok: false,
        error: new RequestFailedError(url, `${detail} (${why})`, {
          status: failure.status,
          attempts,
          retryable: decision.retry,
          kind: "http",
        }),
        retryable: decision.retry,
        retryAfter: failure.retryAfter ?? null,
      };
    } finally {
      deadline.dispose();
    }
    const parsed = ModelListSchema.safeParse(body);
    if (!parsed.success) {
      return {
        ok: false,
        error: new EndpointUnreachableError(
          url,
          "the answer is not an OpenAI model list (is baseUrl the server's /v1 root?)",
        ),
        retryable: false,
        retryAfter: null,
      };
    }
    const served = parsed.data.data.find((model) => model.id === this.model);
    // Read by every successful listing, so a replica that comes back, or restarts with another length, is current.
    this.#maxModelLens[index] = served?.max_model_len;
    return { ok: true, models: parsed.data.data.map((model) => model.id) };
  }

  /** One HTTP attempt with its own deadline covering the whole body, not just the headers. */
  async #attempt(
    replica: Replica,
    messages: Message[],
    requestParams: Record<string, unknown>,
    signal: AbortSignal | undefined,
    timeoutMs: number,
  ): Promise<AttemptOutcome> {
    const deadline = startDeadline(signal, timeoutMs);
    try {
      // The SDK's own timeout (headers; non-streamed requests) must not cut a request shorter than its deadline.
      const options = { signal: deadline.signal, timeout: timeoutMs };
      const outcome = this.#stream
        ? await this.#streamOnce(replica, messages, requestParams, deadline.signal)
        : await this.#requestOnce(replica.client, messages, requestParams, options);
      // An abort ends the reading as a failed attempt: a short outcome may be the caller's abort or the deadline.
      signal?.throwIfAborted();
      if (!outcome.ok && deadline.signal.aborted) {
        return { ok: false, failure: { timeout: true, detail: `no complete reply within ${timeoutMs} ms` } };
      }
      return outcome;
    } finally {
      deadline.dispose();
    }
  }

  async #streamOnce(
    replica: Replica,
    messages: Message[],
    requestParams: Record<string, unknown>,
    signal: AbortSignal,
  ): Promise<AttemptOutcome> {
    const body = JSON.stringify({
      ...requestParams,
      model: this.model,
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    const headers = {
      "content-type": "application/json",
      accept: "text/event-stream",
      authorization: `Bearer ${this.#apiKey ?? PLACEHOLDER_API_KEY}`,
    };
    const sentAt = this.#now();
    let response: StreamResponse;
    try {
      response = await this.#post(`${replica.baseUrl}/chat/completions`, headers, body, signal);
      if (response.status < 200 || response.status > 299) {
        // As the SDK reads an error response: the whole body, or why it could not be read.
        const text = await response.text().catch((error: unknown) => (error instanceof Error ? error.message : ""));
        const error = replica.client.statusError(response.status, text, response.headers);
        return { ok: false, failure: classifyError(error) };
      }
    } catch (error) {
      return { ok: false, failure: classifyError(error) };
    }
    const refused = notAnAnswer(response.headers);
    if (refused !== undefined) {
      response.discard();
      return { ok: false, failure: problemFailure(refused) };
    }
    const limits = replyLimits(requestParams);
    const builder = new StreamReplyBuilder({
      recordChunkTimes: this.#recordChunkTimes,
      limits,
      ...(this.#countMissingUsage ? { countMissingUsage: { countText: this.#usageTokenizer?.countText } } : {}),
    });
    try {
      for await (const batch of sseBatches(response.body, limits)) {
        const at = this.#now();
        for (const message of batch) {
          const chunk = decodeChunk(message, response.headers);
          if (isReplyProblem(chunk)) {
            response.discard();
            return { ok: false, failure: problemFailure(chunk) };
          }
          builder.add(chunk, at);
        }
      }
    } catch (error) {
      // The reading stops without closing the body (sseBatches), so a garbled stream's connection is closed here.
      response.discard();
      return { ok: false, failure: classifyError(error) };
    }
    const doneAt = this.#now();
    await response.release();
    const outcome = fromBuild(this.#withPromptCount(builder.finish(sentAt, doneAt), messages));
    const chunkTimes = builder.tokenChunkTimes;
    return outcome.ok && chunkTimes !== undefined ? { ...outcome, chunkTimes } : outcome;
  }

  /**
   * A reply whose completion the tokenizer counted gets its prompt counted too, from the messages sent. A template
   * that cannot render these messages (one that raises on a system turn the server's own template takes) leaves the
   * prompt unknown: the server answered, and its reply is kept.
   */
  #withPromptCount(result: BuildResult, messages: readonly Message[]): BuildResult {
    const tokenizer = this.#usageTokenizer;
    if (!result.ok || result.reply.usageCountedBy !== "tokenizer" || tokenizer === undefined) return result;
    const { reply } = result;
    let promptTokens: number | null;
    try {
      promptTokens = tokenizer.countPrompt(messages);
    } catch {
      promptTokens = null;
    }
    return { ok: true, reply: { ...reply, usage: { ...reply.usage, promptTokens } } };
  }

  async #requestOnce(
    client: VllmOpenAI,
    messages: Message[],
    requestParams: Record<string, unknown>,
    options: { signal: AbortSignal; timeout: number },
  ): Promise<AttemptOutcome> {
    const body = { ...requestParams, model: this.model, messages, stream: false as const };
    const sentAt = this.#now();
    let completion: unknown;
    let headers: Headers;
    try {
      const { data, response } = await client.chat.completions.create(body, options).withResponse();
      completion = data;
      headers = response.headers;
    } catch (error) {
      return { ok: false, failure: classifyError(error) };
    }
    const refused = notAnAnswer(headers);
    if (refused !== undefined) return { ok: false, failure: problemFailure(refused) };
    // The SDK parses only a JSON content-type and hands anything else over as text; a proxy may drop the header.
    if (typeof completion === "string" && mediaType(headers) === "") completion = parseJsonOr(completion);
    const counting = this.#countMissingUsage ? { countText: this.#usageTokenizer?.countText } : undefined;
    return fromBuild(this.#withPromptCount(completionToReply(completion, sentAt, this.#now(), counting), messages));
  }

  #requestFailed(
    index: number,
    failure: AttemptFailure,
    decision: RetryDecision,
    attempts: number,
  ): RequestFailedError {
    const url = displayUrl(`${this.#replica(index).baseUrl}/chat/completions`);
    const why = decision.retry ? `${decision.reason}; out of attempts` : `${decision.reason}; not retried`;
    const kind: RequestFailureKind =
      failure.status !== undefined
        ? "http"
        : failure.timeout === true
          ? "timeout"
          : failure.networkError === true
            ? "connection"
            : "protocol";
    const info = {
      attempts,
      retryable: decision.retry,
      kind,
      ...(failure.status === undefined ? {} : { status: failure.status }),
    };
    // HTTP error bodies are already in the detail, and a server may echo the request headers into them.
    const cause = failure.status === undefined ? failure.cause : undefined;
    return new RequestFailedError(url, this.#redact(`${failure.detail} (${why})`), info, { cause });
  }

  #replica(index: number): Replica {
    const replica = this.#replicas[index];
    if (replica === undefined) throw new Error(`Endpoint: no replica ${index}`);
    return replica;
  }

  /** A server that echoes the Authorization header into its error body must not put the key in our messages. */
  #redact(text: string): string {
    const key = this.#apiKey;
    return key === undefined || key === "" ? text : text.replaceAll(key, "[redacted]");
  }
}

/** The body's JSON, or the text itself (then reported as a malformed completion body). */
function parseJsonOr(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function fromBuild(result: BuildResult): AttemptOutcome {
  return result.ok ? result : { ok: false, failure: problemFailure(result.problem) };
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
    const timer = setTimeout(
      () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      },
      Math.min(ms, MAX_TIMER_MS),
    );
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
