/**
 * The five OpenAI-compatible servers the users run, as data: what each answers on its health, model-list and version
 * routes, where it puts usage in a stream, what it calls reasoning, which request fields it takes, and its error
 * bodies. `quanteval sim --dialect <name>` speaks one of them; docs/engines.md is the same table for readers, with the
 * source of each row. The server (server.ts) reads only this table, so a difference between engines lives here.
 *
 * Departures, all documented there: every dialect answers 503 while it loads (LMDeploy and TensorRT-LLM do not listen
 * until their engine is built, so a client sees connection refused instead), and POST /tokenize and /v1/completions
 * are simulated for vLLM only.
 */
import {
  type ContextAnswer,
  type ContextAsk,
  type ErrorFields,
  flatError,
  llamacppContext,
  llamacppError,
  lmdeployContext,
  lmdeployError,
  lmdeploySamplingProblem,
  type SamplingAsk,
  sglangContext,
  sglangSamplingProblem,
  trtllmContext,
  trtllmUnknownFields,
  vllmContext,
  vllmError,
} from "./dialect-errors.ts";
import { TRTLLM_FIELDS } from "./trtllm-fields.ts";
import { samplingProblem } from "./wire.ts";

export const SIM_DIALECT_NAMES = ["vllm", "sglang", "lmdeploy", "trtllm", "llamacpp"] as const;
export type SimDialectName = (typeof SIM_DIALECT_NAMES)[number];

/** What vLLM's /v1/models says of every simulated model: the simulator says plainly what it is. */
export const SIM_OWNED_BY = "quanteval-simulator (not a real model)";
/** The engine versions the simulated version routes report; "+quanteval-simulator" marks them as not real. */
const SIM_VERSION = "quanteval-simulator";
/** A Qwen3-32B-like GGUF's training context, for llama.cpp's meta.n_ctx_train: not the served context (n_ctx). */
export const SIM_N_CTX_TRAIN = 40960;

export interface ModelFacts {
  id: string;
  /** Seconds since the epoch. */
  created: number;
  /** The served context length (vLLM's max_model_len, SGLang's context_length, LMDeploy's session_len, n_ctx). */
  maxModelLen: number;
}

/** A fixed answer: status, and a body (JSON unless `text`). */
export interface FixedAnswer {
  status: number;
  body?: string;
  text?: true;
}

/** Timings of one reply, for llama.cpp's `timings` object. */
export interface ReplyTimings {
  promptTokens: number;
  completionTokens: number;
  prefillMs: number;
  decodeMs: number;
}

export interface SimDialect {
  name: SimDialectName;
  /** The engine's name as people write it. */
  engine: string;
  /** GET routes that answer 200 once the model is loaded. */
  healthRoutes: readonly string[];
  healthy: FixedAnswer;
  /** What the health routes answer while the model loads (503; the server adds Retry-After). */
  loadingHealth: FixedAnswer;
  /** GET routes that describe the server (version and settings), given the served models. */
  infoRoutes: Readonly<Record<string, (models: readonly ModelFacts[]) => unknown>>;
  /** One entry of GET /v1/models `data`. */
  modelCard(model: ModelFacts): Record<string, unknown>;
  /** The body of a 404 for a route it does not serve. */
  notFound: string;
  /** POST /tokenize, POST /v1/completions and `prompt_logprobs`: vLLM's extensions, simulated for vLLM only. */
  vllmExtensions: boolean;
  /**
   * Where a stream's usage goes: "usage-chunk", a last chunk with `choices: []` when stream_options.include_usage asks
   * (OpenAI's way); "finish-chunk", on the chunk with finish_reason, asked or not, with `timings` (llama.cpp before
   * b6xxx's PR #15444).
   */
  streamUsage: "usage-chunk" | "finish-chunk";
  /** The delta and message field that carries reasoning (with a reasoning parser on). */
  reasoningField: "reasoning_content" | "reasoning";
  /** The request field for "no end of reply before this many tokens", if it has one (others are ignored). */
  minTokensField: "min_tokens" | "min_new_tokens" | undefined;
  /** The body fields it accepts, when it refuses any other with a 400 (TensorRT-LLM); absent: others are ignored. */
  strictFields?: { known: ReadonlySet<string>; body(fields: readonly string[], raw: Record<string, unknown>): string };
  /** Any error answer's body. */
  errorBody(error: ErrorFields): string;
  /** The context-length check of a chat request. */
  context(ask: ContextAsk): ContextAnswer;
  /** A 400's message for sampling knobs out of range, as its own checks word it. */
  samplingProblem(request: SamplingAsk): string | undefined;
  /** vLLM's and SGLang's check that min_tokens fits in max_tokens; undefined where there is none. */
  minTokensProblem?(minTokens: number, maxTokens: number): string | undefined;
  /** Fields its last chunk and its non-streamed body add (llama.cpp's `timings` and `system_fingerprint`). */
  replyExtras?(timings: ReplyTimings): Record<string, unknown>;
}

const EMPTY_200: FixedAnswer = { status: 200 };
const EMPTY_503: FixedAnswer = { status: 503 };
const FASTAPI_404 = JSON.stringify({ detail: "Not Found" });

/** vLLM: what the simulator always spoke (its routes, vllm/entrypoints/openai/api_server.py). */
const VLLM: SimDialect = {
  name: "vllm",
  engine: "vLLM",
  healthRoutes: ["/health"],
  healthy: EMPTY_200,
  loadingHealth: EMPTY_503,
  infoRoutes: { "/version": () => ({ version: SIM_VERSION }) },
  modelCard: (m) => ({
    id: m.id,
    object: "model",
    created: m.created,
    owned_by: SIM_OWNED_BY,
    root: m.id,
    parent: null,
    max_model_len: m.maxModelLen,
    permission: [],
  }),
  notFound: FASTAPI_404,
  vllmExtensions: true,
  streamUsage: "usage-chunk",
  reasoningField: "reasoning_content",
  minTokensField: "min_tokens",
  errorBody: vllmError,
  context: vllmContext,
  samplingProblem,
  minTokensProblem: (min, max) =>
    min > max ? `min_tokens must be less than or equal to max_tokens=${max}, got ${min}.` : undefined,
};

/** SGLang (python/sglang/srt/entrypoints/http_server.py and openai/protocol.py). */
const SGLANG: SimDialect = {
  name: "sglang",
  engine: "SGLang",
  healthRoutes: ["/health", "/health_generate"],
  healthy: EMPTY_200,
  loadingHealth: EMPTY_503,
  infoRoutes: {
    "/get_server_info": (models) => ({
      version: `0.5.0+${SIM_VERSION}`,
      model_path: models[0]?.id ?? null,
      context_length: models[0]?.maxModelLen ?? null,
    }),
    "/get_model_info": (models) => ({
      model_path: models[0]?.id ?? null,
      tokenizer_path: models[0]?.id ?? null,
      is_generation: true,
    }),
  },
  modelCard: (m) => ({
    id: m.id,
    object: "model",
    created: m.created,
    owned_by: "sglang",
    root: m.id,
    parent: null,
    max_model_len: m.maxModelLen,
  }),
  notFound: FASTAPI_404,
  vllmExtensions: false,
  streamUsage: "usage-chunk",
  reasoningField: "reasoning_content",
  minTokensField: "min_tokens",
  errorBody: (e) => flatError(e),
  context: sglangContext,
  samplingProblem: sglangSamplingProblem,
  minTokensProblem: (min, max) =>
    min > max ? `min_new_tokens must be in [0, max_new_tokens(${max})], got ${min}.` : undefined,
};

/** LMDeploy's api_server (lmdeploy/serve/openai/: endpoints/, protocol.py, errors.py). */
const LMDEPLOY: SimDialect = {
  name: "lmdeploy",
  engine: "LMDeploy",
  healthRoutes: ["/health"],
  healthy: { status: 200, body: JSON.stringify({ status: "healthy" }) },
  loadingHealth: { status: 503, body: JSON.stringify({ status: "unhealthy", message: "engine is loading" }) },
  infoRoutes: {},
  modelCard: (m) => ({
    id: m.id,
    object: "model",
    created: m.created,
    owned_by: "lmdeploy",
    root: m.id,
    parent: null,
    permission: [{ object: "model_permission", created: m.created, allow_sampling: true, organization: "*" }],
  }),
  notFound: FASTAPI_404,
  vllmExtensions: false,
  streamUsage: "usage-chunk",
  reasoningField: "reasoning_content",
  minTokensField: "min_new_tokens",
  errorBody: lmdeployError,
  context: lmdeployContext,
  samplingProblem: lmdeploySamplingProblem,
};

/** TensorRT-LLM's trtllm-serve (tensorrt_llm/serve/openai_server.py, openai_protocol.py). */
const TRTLLM: SimDialect = {
  name: "trtllm",
  engine: "TensorRT-LLM",
  healthRoutes: ["/health", "/health_generate"],
  healthy: EMPTY_200,
  loadingHealth: {
    status: 503,
    body: "LLM is unavailable. Please check the server logs for more details.",
    text: true,
  },
  infoRoutes: { "/version": () => ({ version: `1.0.0+${SIM_VERSION}` }) },
  modelCard: (m) => ({ id: m.id, object: "model", created: m.created, owned_by: "tensorrt_llm" }),
  notFound: FASTAPI_404,
  vllmExtensions: false,
  streamUsage: "usage-chunk",
  reasoningField: "reasoning_content",
  minTokensField: "min_tokens",
  strictFields: { known: TRTLLM_FIELDS, body: trtllmUnknownFields },
  errorBody: (e) => flatError(e),
  context: trtllmContext,
  // Not found in its source: no range checks on top_p, top_k or min_p before the engine.
  samplingProblem: () => undefined,
};

/** What llama.cpp's /props `build_info` and every reply's `system_fingerprint` say. */
const LLAMACPP_BUILD = `b6000-${SIM_VERSION}`;

/** llama.cpp's llama-server (tools/server/README.md, server.cpp), before PR #15444 moved usage to its own chunk. */
const LLAMACPP: SimDialect = {
  name: "llamacpp",
  engine: "llama.cpp",
  healthRoutes: ["/health", "/v1/health"],
  healthy: { status: 200, body: JSON.stringify({ status: "ok" }) },
  loadingHealth: {
    status: 503,
    body: JSON.stringify({ error: { code: 503, message: "Loading model", type: "unavailable_error" } }),
  },
  infoRoutes: {
    "/props": (models) => ({
      default_generation_settings: { n_ctx: models[0]?.maxModelLen ?? null, params: { top_k: 40, top_p: 0.95 } },
      total_slots: 1,
      model_path: models[0]?.id ?? null,
      build_info: LLAMACPP_BUILD,
    }),
  },
  modelCard: (m) => ({
    id: m.id,
    object: "model",
    created: m.created,
    owned_by: "llamacpp",
    meta: { vocab_type: 2, n_vocab: 151936, n_ctx_train: SIM_N_CTX_TRAIN, n_embd: 5120, n_params: 32762123264 },
  }),
  notFound: llamacppError({ status: 404, type: "NotFoundError", message: "File Not Found" }),
  vllmExtensions: false,
  streamUsage: "finish-chunk",
  reasoningField: "reasoning_content",
  minTokensField: undefined,
  errorBody: (e) => llamacppError(e),
  context: llamacppContext,
  // llama.cpp clamps or ignores out-of-range sampling values rather than refusing them.
  samplingProblem: () => undefined,
  replyExtras: (t) => ({
    system_fingerprint: LLAMACPP_BUILD,
    timings: {
      prompt_n: t.promptTokens,
      prompt_ms: t.prefillMs,
      prompt_per_second: t.prefillMs > 0 ? (t.promptTokens * 1000) / t.prefillMs : null,
      predicted_n: t.completionTokens,
      predicted_ms: t.decodeMs,
      predicted_per_second: t.decodeMs > 0 ? (t.completionTokens * 1000) / t.decodeMs : null,
    },
  }),
};

export const SIM_DIALECTS: Readonly<Record<SimDialectName, SimDialect>> = {
  vllm: VLLM,
  sglang: SGLANG,
  lmdeploy: LMDEPLOY,
  trtllm: TRTLLM,
  llamacpp: LLAMACPP,
};

/** The body fields a dialect that refuses unknown ones does not know; [] for the others. */
export function unknownFields(dialect: SimDialect, raw: Record<string, unknown>): string[] {
  const known = dialect.strictFields?.known;
  return known === undefined ? [] : Object.keys(raw).filter((key) => !known.has(key));
}
