/**
 * A vLLM-like OpenAI-compatible server on node:http, so the whole pipeline runs with no GPU. It serves
 * several models (one per precision variant), each with its own engine, recognises a question by the
 * content of the last user message, and answers it as the variant's profile says. It says plainly that it
 * is a simulator: /v1/models lists every model as owned by "quanteval-simulator (not a real model)".
 *
 * Like vLLM it has a context length per model (max_model_len, in /v1/models), answers a request over it with
 * vLLM's 400 (context-window.ts), and counts prompts on POST /tokenize (tokenize.ts) as its chat usage counts
 * them. `tokenize: false` takes /tokenize away, as on a server without it (llama.cpp, most proxies).
 * Chat and POST /v1/completions (completions.ts) serve vLLM's `prompt_logprobs` (prompt-logprobs.ts), each variant
 * perturbed by its profile's `logprobNoise`, capped at --max-logprobs as vLLM caps them.
 * `dialect` makes it speak another engine's dialect instead (dialects.ts: SGLang, LMDeploy, TensorRT-LLM, llama.cpp):
 * its routes, model list, usage placement, reasoning field, request fields and error bodies.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { z } from "zod";
import { ConfigError } from "../core/errors.ts";
import { seededRandom } from "../core/seeded-random.ts";
import type { AnswerKey } from "../tasks/index.ts";
import { formatIssue } from "../zod-issues.ts";
import { answerCompletion } from "./completions.ts";
import type { ErrorFields } from "./dialect-errors.ts";
import {
  type FixedAnswer,
  type ModelFacts,
  SIM_DIALECTS,
  SIM_OWNED_BY,
  type SimDialect,
  type SimDialectName,
  unknownFields,
} from "./dialects.ts";
import { DecodeEngine, InstantScheduler, type TokenScheduler } from "./engine.ts";
import { decideFault, type FaultKind, faultStatus, type SimFaults, SimFaultsSchema } from "./faults.ts";
import { decideOutcome, type Outcome } from "./outcome.ts";
import { quirkyUsage, SimProfilesSchema, type SimVariantProfile } from "./profiles.ts";
import { type PromptLogprobs, promptLogprobs, promptLogprobsProblem, type RequestProblem } from "./prompt-logprobs.ts";
import {
  layOutReply,
  padReply,
  type ReplyToken,
  UNKNOWN_QUESTION_REPLY,
  writeClosing,
  writeJunk,
  writeWorking,
} from "./reply-text.ts";
import { type ReplyFault, sendCompletion } from "./respond.ts";
import { hexHash } from "./seeded-random.ts";
import { answerTokenize } from "./tokenize.ts";
import { chatPromptTokens, tokenId } from "./tokens.ts";
import { type ChatRequest, ChatRequestSchema, messageText, templateOptions, templateProblem } from "./wire.ts";

export { SIM_OWNED_BY };

export interface SimItem {
  /** The exact content of the LAST user message of the item; the server recognises a request by it. */
  promptKey: string;
  itemId: string;
  task: string;
  category?: string;
  answers: AnswerKey;
}

export interface SimOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  seed: number;
  variants: SimVariantProfile[];
  items: SimItem[];
  faults?: SimFaults;
  log?: (line: string) => void;
  /**
   * One log line per request, as vLLM logs them; false is vLLM's --disable-log-requests. Injected faults, internal
   * errors and start-up lines are logged either way. Default true.
   */
  logRequests?: boolean;
  /** Milliseconds, for `slowStartSec`; default Date.now. */
  now?: () => number;
  /**
   * Context length in tokens (vLLM's --max-model-len) of every model whose profile does not set its own `maxModelLen`.
   * Default SIM_MAX_MODEL_LEN.
   */
  maxModelLen?: number;
  /** False: POST /tokenize is a 404, as on a server without vLLM's /tokenize (llama.cpp, a proxy). Default true. */
  tokenize?: boolean;
  /** The largest `prompt_logprobs` k of a model whose profile sets no `maxLogprobs` (vLLM's --max-logprobs); 20. */
  maxLogprobs?: number;
  /** The engine whose dialect it speaks (dialects.ts); default "vllm". */
  dialect?: SimDialectName;
}

/** The context length of a model when neither its profile nor SimOptions.maxModelLen sets one. */
export const SIM_MAX_MODEL_LEN = 131072;
/** vLLM's default --max-logprobs. */
export const SIM_MAX_LOGPROBS = 20;
const MAX_BODY_BYTES = 32 * 1024 * 1024;
const GARBLED_TOKENS = 40;
const MAX_REMEMBERED_TOKENS = 1_000_000;
/** Retry-After on 429 and 503 unless `retryAfterSec` says otherwise. */
const DEFAULT_RETRY_AFTER_SEC = 1;
/** vLLM's error `type` per status (fastapi's names as the openai SDK maps them); others get a generic one. */
const ERROR_TYPES: Readonly<Record<number, string>> = {
  400: "BadRequestError",
  401: "AuthenticationError",
  403: "PermissionDeniedError",
  404: "NotFoundError",
  408: "RequestTimeoutError",
  409: "ConflictError",
  422: "UnprocessableEntityError",
  429: "RateLimitError",
  500: "InternalServerError",
  502: "BadGatewayError",
  503: "ServiceUnavailableError",
  504: "GatewayTimeoutError",
};

interface Variant {
  profile: SimVariantProfile;
  scheduler: TokenScheduler;
  maxModelLen: number;
  maxLogprobs: number;
}

export class SimServer {
  readonly url: string;
  readonly baseUrl: string;
  readonly #server: Server;
  readonly #seed: number;
  readonly #faults: SimFaults;
  readonly #variants: ReadonlyMap<string, Variant>;
  readonly #items: ReadonlyMap<string, SimItem>;
  readonly #tokenize: boolean;
  readonly #dialect: SimDialect;
  /** Item id → the prompts answered under it (several when two tasks share an id). */
  readonly #promptsById = new Map<string, string[]>();
  readonly #log: (line: string) => void;
  /** A line about one ordinary request: dropped under logRequests: false. */
  readonly #logRequest: (line: string) => void;
  readonly #createdAt = Math.floor(Date.now() / 1000);
  /** Chat requests per model and prompt: the attempt number of the next one is this plus one. */
  readonly #attempts = new Map<string, number>();
  /** Chat requests per model and prompt, those answered "loading" included: what requestCount reports. */
  readonly #received = new Map<string, number>();
  readonly #now: () => number;
  /** When the slow start ends (`slowStartSec` after the server started). */
  readonly #readyAt: number;
  /** Token id → text, for every token the server has tokenized (decoded_token of prompts sent as ids). */
  readonly #texts = new Map<number, string>();
  #total = 0;
  #dead = false;

  private constructor(server: Server, options: SimOptions, variants: SimVariantProfile[], faults: SimFaults) {
    const address = server.address();
    if (address === null || typeof address === "string")
      throw new Error("SimServer: listening server has no TCP address");
    this.#server = server;
    this.url = `http://${formatHost(address)}:${address.port}`;
    this.baseUrl = `${this.url}/v1`;
    this.#seed = options.seed;
    this.#faults = faults;
    this.#log = options.log ?? (() => {});
    this.#logRequest = options.logRequests === false ? () => {} : this.#log;
    this.#now = options.now ?? Date.now;
    this.#readyAt = this.#now() + (faults.slowStartSec ?? 0) * 1000;
    this.#variants = new Map(
      variants.map((profile) => [
        profile.model,
        {
          profile,
          scheduler: profile.speed === "instant" ? new InstantScheduler() : new DecodeEngine(profile.speed),
          maxModelLen: profile.maxModelLen ?? options.maxModelLen ?? SIM_MAX_MODEL_LEN,
          maxLogprobs: profile.maxLogprobs ?? options.maxLogprobs ?? SIM_MAX_LOGPROBS,
        },
      ]),
    );
    this.#dialect = SIM_DIALECTS[options.dialect ?? "vllm"];
    // POST /tokenize is vLLM's: the other dialects have none (SGLang's own is not simulated).
    this.#tokenize = options.tokenize !== false && this.#dialect.vllmExtensions;
    const items = new Map<string, SimItem>();
    for (const item of options.items) {
      const first = items.get(item.promptKey);
      // Two items with the same question: a model at temperature 0 would answer both alike, so the first wins.
      if (first === undefined) items.set(item.promptKey, item);
      else
        this.#log(
          `sim: ${item.task}/${item.itemId} has the same question as ${first.task}/${first.itemId}; both get the latter's reply`,
        );
    }
    this.#items = items;
    for (const item of items.values())
      this.#promptsById.set(item.itemId, [...(this.#promptsById.get(item.itemId) ?? []), item.promptKey]);
  }

  /** Validates the options (ConfigError naming the field), listens, and resolves once the port is bound. */
  static async start(options: SimOptions): Promise<SimServer> {
    const variants = checked(SimProfilesSchema, options.variants, "sim.variants");
    const faults = checked(SimFaultsSchema, options.faults ?? {}, "sim.faults");
    if (!Number.isFinite(options.seed))
      throw new ConfigError([`sim.seed: must be a finite number (got ${String(options.seed)})`]);
    for (const field of ["maxModelLen", "maxLogprobs"] as const) {
      const value = options[field];
      if (value !== undefined && !(Number.isSafeInteger(value) && value > 0))
        throw new ConfigError([`sim.${field}: must be a positive integer (got ${String(value)})`]);
    }
    let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
      res.writeHead(503).end();
    };
    const server = createServer((req, res) => handler(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
    const sim = new SimServer(server, options, variants, faults);
    handler = (req, res) => {
      sim.#handle(req, res);
    };
    sim.#log(`sim: ${SIM_OWNED_BY} serving ${[...sim.#variants.keys()].join(", ")} at ${sim.baseUrl}`);
    return sim;
  }

  /**
   * Chat requests received for that item by that model, all attempts (0 if none). Items of different tasks
   * that share an id are summed; an item whose question repeats an earlier item's counts under the earlier.
   */
  requestCount(model: string, itemId: string): number {
    let count = 0;
    for (const promptKey of this.#promptsById.get(itemId) ?? [])
      count += this.#received.get(attemptKey(model, promptKey)) ?? 0;
    return count;
  }

  /** The model's context length (max_model_len), or undefined when it is not served. */
  maxModelLen(model: string): number | undefined {
    return this.#variants.get(model)?.maxModelLen;
  }

  /** Every POST to /v1/chat/completions, malformed ones and the one that found the server dying included. */
  totalRequests(): number {
    return this.#total;
  }

  /** True once `dieAfterRequests` made the server die. */
  get dead(): boolean {
    return this.#dead;
  }

  /** Stops the engines, closes open connections (streams in flight are cut) and the listener. */
  async close(): Promise<void> {
    for (const variant of this.#variants.values()) variant.scheduler.close();
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await closed;
  }

  /**
   * The `dieAfterRequests` fault: stops listening and destroys every socket, streams in flight included, as a
   * crashed process would. The engines stop too. close() still works afterwards.
   */
  #die(): void {
    if (this.#dead) return;
    this.#dead = true;
    this.#log(
      `sim: dying after ${this.#faults.dieAfterRequests ?? 0} chat requests (injected fault): listener and connections closed`,
    );
    for (const variant of this.#variants.values()) variant.scheduler.close();
    this.#server.close();
    this.#server.closeAllConnections();
  }

  /** Seconds of slow start left (0 once the server is ready). */
  #loadingSecondsLeft(): number {
    return Math.max(0, (this.#readyAt - this.#now()) / 1000);
  }

  /**
   * The slow start's answer: 503 with Retry-After, as a server that is still loading behind a proxy gives; on a health
   * route, the dialect's own loading answer.
   */
  #loading(res: ServerResponse, onHealth: boolean): void {
    const retryAfter = { "retry-after": String(Math.max(1, Math.ceil(this.#loadingSecondsLeft()))) };
    if (onHealth) {
      answer(res, this.#dialect.loadingHealth, retryAfter);
      return;
    }
    const message = "the model is loading (quanteval-simulator slow start)";
    json(res, 503, this.#errorBody({ status: 503, type: "ServiceUnavailableError", message }), retryAfter);
  }

  /** Any error's body, in the dialect's shape. */
  readonly #errorBody = (error: ErrorFields): string => this.#dialect.errorBody(error);

  #handle(req: IncomingMessage, res: ServerResponse): void {
    if (this.#dead) return void res.destroy();
    const path = (req.url ?? "/").split("?")[0];
    const loading = this.#loadingSecondsLeft() > 0;
    const dialect = this.#dialect;
    if (req.method === "GET" && dialect.healthRoutes.includes(path ?? "")) {
      if (loading) this.#loading(res, true);
      else answer(res, dialect.healthy);
      return;
    }
    const info = path !== undefined && Object.hasOwn(dialect.infoRoutes, path) ? dialect.infoRoutes[path] : undefined;
    if (req.method === "GET" && info !== undefined) {
      json(res, 200, JSON.stringify(info(this.#modelFacts())));
      return;
    }
    if (req.method === "GET" && path === "/v1/models") {
      if (loading) this.#loading(res, false);
      else json(res, 200, this.#modelList());
      return;
    }
    if (req.method === "POST" && path === "/v1/chat/completions") {
      this.#total += 1;
      const dieAfter = this.#faults.dieAfterRequests;
      if (dieAfter !== undefined && this.#total > dieAfter) this.#die();
      else this.#chat(req, res).catch((error: unknown) => this.#internalError(res, error));
      return;
    }
    if (req.method === "POST" && path === "/tokenize" && dialect.vllmExtensions) {
      if (!this.#tokenize) {
        this.#logRequest("sim: POST /tokenize: 404 (this simulator has no /tokenize, as a server without vLLM's)");
        json(res, 404, JSON.stringify({ detail: "Not Found" }));
      } else if (loading) this.#loading(res, false);
      else this.#tokenizeRequest(req, res).catch((error: unknown) => this.#internalError(res, error));
      return;
    }
    if (req.method === "POST" && path === "/v1/completions" && dialect.vllmExtensions) {
      if (loading) this.#loading(res, false);
      else this.#completion(req, res).catch((error: unknown) => this.#internalError(res, error));
      return;
    }
    const routes = [...dialect.healthRoutes, ...Object.keys(dialect.infoRoutes), "/v1/models", "/v1/chat/completions"];
    if (dialect.vllmExtensions) routes.push("/v1/completions");
    if (this.#tokenize) routes.push("/tokenize");
    if (routes.includes(path ?? "")) json(res, 405, JSON.stringify({ detail: "Method Not Allowed" }));
    else json(res, 404, dialect.notFound);
  }

  /** A bug in the simulator: answer 500 like a crashed server, and say why in the log. */
  #internalError(res: ServerResponse, error: unknown): void {
    this.#log(`sim: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    const body = this.#errorBody({ status: 500, type: "InternalServerError", message: "simulator internal error" });
    if (!res.headersSent) json(res, 500, body);
    else res.destroy();
  }

  #modelFacts(): ModelFacts[] {
    return [...this.#variants].map(([id, v]) => ({ id, created: this.#createdAt, maxModelLen: v.maxModelLen }));
  }

  #modelList(): string {
    return JSON.stringify({ object: "list", data: this.#modelFacts().map((m) => this.#dialect.modelCard(m)) });
  }

  async #tokenizeRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readJson(req, res, this.#errorBody);
    if (raw === undefined) return;
    const firstModel = [...this.#variants.keys()][0] ?? "";
    const answer = answerTokenize(
      raw,
      (model) => this.#variants.get(model)?.maxModelLen,
      firstModel,
      (tokens) => this.#ids(tokens),
    );
    this.#logRequest(answer.log);
    json(res, answer.status, answer.body);
  }

  async #completion(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readJson(req, res, this.#errorBody);
    if (raw === undefined) return;
    const answer = answerCompletion(raw, {
      modelOf: (name) => {
        const model = name ?? [...this.#variants.keys()][0] ?? "";
        const variant = this.#variants.get(model);
        if (variant === undefined) return undefined;
        const { maxModelLen, maxLogprobs, profile } = variant;
        return { model, seed: this.#seed, noise: profile.logprobNoise ?? 0, maxModelLen, maxLogprobs };
      },
      idsOf: (tokens) => this.#ids(tokens),
      textOf: (id) => this.#texts.get(id),
      idFor: (model, ids) => hexHash(32, this.#seed, model, ids.join(",")),
    });
    this.#logRequest(answer.log);
    json(res, answer.status, answer.body);
  }

  async #chat(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // The engines run on realClock (performance.now()): the time the headers arrived, before the body is read.
    const arrivedAt = performance.now();
    const raw = await readJson(req, res, this.#errorBody);
    if (raw === undefined) return;
    const dialect = this.#dialect;
    const bad = (message: string, param: string | null = null): void =>
      json(res, 400, this.#errorBody({ status: 400, type: "BadRequestError", message, param }));
    const unknown = isRecord(raw) ? unknownFields(dialect, raw) : [];
    if (unknown.length > 0 && isRecord(raw) && dialect.strictFields !== undefined) {
      this.#logRequest(`sim: 400 unknown request fields ${unknown.join(", ")} (${dialect.engine} refuses them)`);
      return json(res, 400, dialect.strictFields.body(unknown, raw));
    }
    const parsed = ChatRequestSchema.safeParse(raw);
    if (!parsed.success)
      return bad(parsed.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; "));
    const request = parsed.data;
    const model = request.model ?? [...this.#variants.keys()][0] ?? "";
    const variant = this.#variants.get(model);
    if (variant === undefined) {
      this.#logRequest(`sim: 404 unknown model ${JSON.stringify(model)}`);
      const message = `The model \`${model}\` does not exist.`;
      return json(res, 404, this.#errorBody({ status: 404, type: "NotFoundError", message, param: "model" }));
    }
    const messages = request.messages.map((m) => ({ role: m.role, content: messageText(m) }));
    const badRequest = this.#promptProblem(request, variant);
    if (badRequest !== undefined) return bad(badRequest.message, badRequest.param);
    const promptTokenList = chatPromptTokens(messages, templateOptions(request));
    const promptTokens = promptTokenList.length;
    // vLLM reads max_completion_tokens first (`max_completion_tokens or max_tokens`) and names the field it used.
    const fromCompletion = request.max_completion_tokens !== undefined && request.max_completion_tokens !== null;
    const fit = dialect.context({
      maxModelLen: variant.maxModelLen,
      promptTokens,
      maxTokens: request.max_completion_tokens ?? request.max_tokens ?? undefined,
      maxTokensField: fromCompletion ? "max_completion_tokens" : "max_tokens",
    });
    if (!fit.ok) {
      this.#logRequest(`sim: ${model}: 400 over max_model_len ${variant.maxModelLen} (${promptTokens} prompt tokens)`);
      return json(res, 400, fit.body);
    }
    const maxTokens = fit.maxTokens;
    const badSampling = dialect.samplingProblem(request);
    if (badSampling !== undefined) return bad(badSampling);
    // min_tokens under the dialect's name for it (LMDeploy's min_new_tokens); an engine without one ignores it.
    const minField = dialect.minTokensField;
    const requestedMin = (minField === undefined ? undefined : request[minField]) ?? 0;
    const badMin = dialect.minTokensProblem?.(requestedMin, maxTokens);
    if (badMin !== undefined) return bad(badMin);
    const promptKey = messages.findLast((m) => m.role === "user")?.content ?? "";
    if (this.#items.has(promptKey))
      this.#received.set(attemptKey(model, promptKey), (this.#received.get(attemptKey(model, promptKey)) ?? 0) + 1);
    // Loading: answered before the attempt counts for fault injection, so the faults an item gets do not depend on timing.
    if (this.#loadingSecondsLeft() > 0) {
      this.#logRequest(`sim: ${model}: 503 loading (slow start)`);
      return this.#loading(res, false);
    }
    // Sampling (temperature > 0) with a seed draws its own outcome per seed, as several samples of a model would;
    // at temperature 0 every request for an item gets the same outcome.
    const sampleKey =
      (request.temperature ?? 0) > 0 && request.seed !== undefined && request.seed !== null
        ? `#seed${request.seed}`
        : "";
    const plan = this.#plan(variant.profile, promptKey, sampleKey);
    // ignore_eos: the reply runs on to max_tokens; min_tokens: to at least that many (vLLM's extensions). An empty or
    // garbled reply is left as it is: that fault is what is being simulated. A profile that does not honour ignore_eos
    // ends the reply as without it, or at its eosAfterTokens (the users' "stopped at 513 tokens"), by "stop".
    const padded = plan.fault !== "empty" && plan.fault !== "garbled";
    const ignoreEos = request.ignore_eos === true && variant.profile.ignoreEosHonoured !== false;
    const earlyEos = request.ignore_eos === true && !ignoreEos ? (variant.profile.eosAfterTokens ?? 0) : 0;
    const minTokens = !padded ? 0 : ignoreEos ? maxTokens : Math.max(requestedMin, earlyEos);
    const planned =
      minTokens > plan.tokens.length
        ? padReply(plan.tokens, minTokens, seededRandom(this.#seed, "filler", model, promptKey))
        : plan.tokens;
    const tokens = planned.slice(0, maxTokens);
    // A reply made to run on until max_tokens ends there by length, as vLLM's does.
    const finishReason =
      planned.length > maxTokens ||
      (minTokens === maxTokens && planned.length > plan.tokens.length) ||
      (padded && ignoreEos)
        ? "length"
        : "stop";
    const what = `${model} ${plan.label}`;
    const status = faultStatus(plan.fault);
    if (status !== undefined) {
      this.#log(`sim: ${what}: ${status} (injected fault)`);
      return this.#errorStatus(res, status);
    }
    const usage = quirkyUsage(variant.profile, promptTokens, tokens.length);
    sendCompletion(res, variant.scheduler, {
      header: { id: `chatcmpl-${plan.id}`, created: Math.floor(Date.now() / 1000), model },
      tokens,
      finishReason,
      promptTokens,
      arrivedAt,
      stream: request.stream === true,
      includeUsage: includeUsage(request),
      reasoningField: variant.profile.reasoning === "field",
      fault: variant.profile.usageQuirk?.omit === true ? "missingUsage" : replyFault(plan.fault),
      promptLogprobs: dialect.vllmExtensions
        ? this.#promptLogprobs(request.prompt_logprobs, variant.profile, this.#ids(promptTokenList))
        : null,
      reasoningKey: variant.profile.reasoningField ?? dialect.reasoningField,
      ...(usage === undefined ? {} : { usage }),
      usageOnFinishChunk: dialect.streamUsage === "finish-chunk",
      ...(dialect.replyExtras === undefined ? {} : { replyExtras: dialect.replyExtras }),
      onFinish: (outcome) => {
        const line = `sim: ${what}: ${outcome}, ${tokens.length} tokens, finish_reason ${finishReason}`;
        if (replyFault(plan.fault) === undefined) this.#logRequest(line);
        else this.#log(`${line} (injected fault)`);
      },
    });
  }

  /** A 400's message for a request vLLM refuses before running it (template switches, prompt_logprobs). */
  #promptProblem(request: ChatRequest, variant: Variant): RequestProblem | undefined {
    // prompt_logprobs is vLLM's: the other engines ignore the field (TensorRT-LLM refuses it as unknown, above).
    const k = this.#dialect.vllmExtensions ? request.prompt_logprobs : undefined;
    const template = templateProblem(request);
    return (
      (template === undefined ? undefined : { message: template, param: null }) ??
      (k === undefined || k === null
        ? undefined
        : promptLogprobsProblem(k, request.stream === true, variant.maxLogprobs))
    );
  }

  /** vLLM's prompt_logprobs for these prompt token ids, or null when the request did not ask (k null or absent). */
  #promptLogprobs(
    k: number | null | undefined,
    profile: SimVariantProfile,
    ids: readonly number[],
  ): PromptLogprobs | null {
    if (k === undefined || k === null) return null;
    const textOf = (id: number): string | undefined => this.#texts.get(id);
    return promptLogprobs(ids, { seed: this.#seed, model: profile.model, noise: profile.logprobNoise ?? 0, k, textOf });
  }

  /** The tokens' ids, remembering each id's text so prompt logprobs of a prompt sent as ids can decode it. */
  #ids(tokens: readonly string[]): number[] {
    // Bounded: a long-running demo server must not grow without end; a forgotten text decodes as "".
    if (this.#texts.size > MAX_REMEMBERED_TOKENS) this.#texts.clear();
    return tokens.map((token) => {
      const id = tokenId(token);
      this.#texts.set(id, token);
      return id;
    });
  }

  /** An injected error status with a vLLM-shaped body; 429 and 503 say when to come back. */
  #errorStatus(res: ServerResponse, status: number): void {
    const type = ERROR_TYPES[status] ?? (status >= 500 ? "InternalServerError" : "BadRequestError");
    const message = `simulated ${status} ${type} (quanteval-simulator fault injection)`;
    const body = this.#errorBody({ status, type, message });
    const retryAfter =
      status === 429 || status === 503
        ? { "retry-after": String(this.#faults.retryAfterSec ?? DEFAULT_RETRY_AFTER_SEC) }
        : {};
    json(res, status, body, retryAfter);
  }

  /** What to answer: the reply tokens, the fault if any, and a label for the log. Deterministic per attempt. */
  #plan(
    profile: SimVariantProfile,
    promptKey: string,
    sampleKey: string,
  ): { tokens: ReplyToken[]; fault: FaultKind | undefined; id: string; label: string } {
    const item = this.#items.get(promptKey);
    if (item === undefined) {
      return {
        tokens: layOutReply(profile.reasoning, "", UNKNOWN_QUESTION_REPLY),
        fault: undefined,
        id: hexHash(32, this.#seed, profile.model, promptKey),
        label: "unknown question",
      };
    }
    const key = attemptKey(profile.model, promptKey);
    const attempt = (this.#attempts.get(key) ?? 0) + 1;
    this.#attempts.set(key, attempt);
    const itemKey = `${item.task}/${item.itemId}`;
    const fault = decideFault(this.#seed, this.#faults, {
      model: profile.model,
      itemKey,
      itemId: item.itemId,
      attempt,
    });
    const id = hexHash(32, this.#seed, profile.model, itemKey, attempt);
    const label = `${itemKey} attempt ${attempt}`;
    if (faultStatus(fault) !== undefined) return { tokens: [], fault, id, label };
    if (fault === "empty") return { tokens: [], fault, id, label: `${label} (empty)` };
    if (fault === "garbled") {
      const junk = writeJunk(seededRandom(this.#seed, "junk", profile.model, itemKey, attempt), GARBLED_TOKENS);
      return { tokens: layOutReply("none", "", junk), fault, id, label: `${label} (garbled)` };
    }
    const outcome = decideOutcome(
      this.#seed,
      profile,
      {
        key: itemKey,
        ...(item.category === undefined ? {} : { category: item.category }),
        answers: item.answers,
      },
      sampleKey,
    );
    return {
      tokens: this.#replyTokens(profile, itemKey, outcome),
      fault,
      id,
      label: `${label} (${outcome.kind}${fault === undefined ? "" : `, ${fault}`})`,
    };
  }

  #replyTokens(profile: SimVariantProfile, itemKey: string, outcome: Outcome): ReplyToken[] {
    // Seeded by item, not attempt: a retry gets the same text, as at temperature 0.
    const random = seededRandom(this.#seed, "text", profile.model, itemKey);
    const working = profile.reasoningTokens > 0 ? writeWorking(random, profile.reasoningTokens) : "";
    return layOutReply(profile.reasoning, working, writeClosing(random, outcome));
  }
}

function checked<S extends z.ZodType>(schema: S, value: unknown, source: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => formatIssue(issue, value, source)),
    "fix the simulator options named above",
    "simulator options",
  );
}

function includeUsage(request: ChatRequest): boolean {
  return request.stream_options?.include_usage === true;
}

function attemptKey(model: string, promptKey: string): string {
  return `${model}\u0000${promptKey}`;
}

function json(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers }).end(body);
}

/** A dialect's fixed answer (a health route's): no body, a JSON body, or a text one. */
function answer(res: ServerResponse, fixed: FixedAnswer, headers: Record<string, string> = {}): void {
  if (fixed.body === undefined) return void res.writeHead(fixed.status, headers).end();
  const type = fixed.text === true ? "text/plain; charset=utf-8" : "application/json";
  res.writeHead(fixed.status, { "content-type": type, ...headers }).end(fixed.body);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function replyFault(fault: FaultKind | undefined): ReplyFault | undefined {
  return fault === "drop" || fault === "truncate" || fault === "malformed" || fault === "missingUsage"
    ? fault
    : undefined;
}

function formatHost(address: AddressInfo): string {
  return address.family === "IPv6" ? `[${address.address}]` : address.address;
}

/**
 * The body as JSON; undefined when it answered the request already (413 over the limit, 400 not JSON), with an error
 * body in the server's dialect.
 */
async function readJson(
  req: IncomingMessage,
  res: ServerResponse,
  errorBody: (error: ErrorFields) => string,
): Promise<unknown> {
  const body = await readBody(req);
  if (body === undefined) {
    const message = `request body over ${MAX_BODY_BYTES} bytes`;
    json(res, 413, errorBody({ status: 413, type: "BadRequestError", message }));
    return undefined;
  }
  try {
    return JSON.parse(body);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    json(res, 400, errorBody({ status: 400, type: "BadRequestError", message: `malformed JSON body: ${why}` }));
    return undefined;
  }
}

/** The whole body as text, or undefined when it is over the limit. */
async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const part of req) {
    const buffer = Buffer.isBuffer(part) ? part : Buffer.from(String(part));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}
