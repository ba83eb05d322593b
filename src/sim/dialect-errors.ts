/**
 * Each engine's error answers, in its own shape and words (docs/engines.md cites the source of each): the body of
 * any error, the context-length check, and the sampling checks. vLLM's are the simulator's originals
 * (context-window.ts, wire.ts); the others are as their servers write them, up to their numbers.
 */
import { checkContextWindow } from "./context-window.ts";
import { errorBody } from "./wire.ts";

/** A chat request against the context: the prompt's tokens and the max_tokens it asked for, if any. */
export interface ContextAsk {
  maxModelLen: number;
  promptTokens: number;
  maxTokens: number | undefined;
  maxTokensField: "max_tokens" | "max_completion_tokens";
}

/** The reply may run to `maxTokens`; or the engine refuses with a 400 whose body is `body`. */
export type ContextAnswer = { ok: true; maxTokens: number } | { ok: false; body: string };

/** The fields of any error answer; `type` is vLLM's name for the status (BadRequestError, …). */
export interface ErrorFields {
  status: number;
  type: string;
  message: string;
  param?: string | null;
}

/** vLLM's `{"error": {message, type, param, code}}`. */
export const vllmError = (e: ErrorFields): string => errorBody(e.status, e.type, e.message, e.param ?? null);

/** SGLang's, TensorRT-LLM's and LMDeploy's ErrorResponse: the same fields, unwrapped, with `object: "error"`. */
export function flatError(e: ErrorFields, type = e.type): string {
  return JSON.stringify({ object: "error", message: e.message, type, param: e.param ?? null, code: e.status });
}

/** LMDeploy's error types (lmdeploy/serve/openai/errors.py): a few by status, invalid_request_error otherwise. */
export function lmdeployError(e: ErrorFields): string {
  const type =
    e.status === 401
      ? "authentication_error"
      : e.status === 404
        ? "not_found_error"
        : e.status >= 500
          ? "server_error"
          : "invalid_request_error";
  return flatError(e, type);
}

/** llama.cpp's `{"error": {code, message, type}}` (tools/server: format_error_response) plus any extra fields. */
export function llamacppError(e: ErrorFields, extra: Record<string, unknown> = {}): string {
  const type =
    e.status === 401
      ? "authentication_error"
      : e.status === 404
        ? "not_found_error"
        : e.status === 501
          ? "not_supported_error"
          : e.status === 503
            ? "unavailable_error"
            : e.status >= 500
              ? "server_error"
              : "invalid_request_error";
  return JSON.stringify({ error: { code: e.status, message: e.message, type, ...extra } });
}

/** vLLM: its checks, in its order and words (context-window.ts). */
export function vllmContext(ask: ContextAsk): ContextAnswer {
  const fit = checkContextWindow(ask);
  if (fit.ok) return fit;
  return {
    ok: false,
    body: vllmError({ status: 400, type: "BadRequestError", message: fit.message, param: fit.param }),
  };
}

/**
 * SGLang (tokenizer_manager.py, _validate_one_request): the prompt alone, then prompt + max_tokens, each a 400
 * (SGLang copied vLLM's older "Requested token count" sentence).
 */
export function sglangContext(ask: ContextAsk): ContextAnswer {
  const { maxModelLen: ctx, promptTokens: p, maxTokens: m } = ask;
  const refuse = (message: string): ContextAnswer => ({
    ok: false,
    body: flatError({ status: 400, type: "BadRequestError", message }),
  });
  if (p >= ctx) return refuse(`The input (${p} tokens) is longer than the model's context length (${ctx} tokens).`);
  if (m !== undefined && p + m > ctx) {
    return refuse(
      `Requested token count exceeds the model's maximum context length of ${ctx} tokens. You requested a total of ` +
        `${p + m} tokens: ${p} tokens from the input messages and ${m} tokens for the completion. Please reduce ` +
        "the number of tokens in the input messages or the completion to fit within the limit.",
    );
  }
  return { ok: true, maxTokens: m ?? ctx - p };
}

/**
 * The engines that refuse only a prompt that fills the context, and cut a reply where the context ends (finish_reason
 * "length") instead of refusing a max_tokens over it: LMDeploy (async_engine.py clips max_new_tokens to session_len),
 * TensorRT-LLM (llm.py _check_arguments compares the prompt with max_num_tokens, never the output) and llama.cpp.
 */
function clippingContext(ask: ContextAsk, refuse: (p: number, ctx: number) => string): ContextAnswer {
  const { maxModelLen: ctx, promptTokens: p, maxTokens: m } = ask;
  if (p >= ctx) return { ok: false, body: refuse(p, ctx) };
  return { ok: true, maxTokens: Math.min(m ?? ctx - p, ctx - p) };
}

export const lmdeployContext = (ask: ContextAsk): ContextAnswer =>
  clippingContext(ask, (p, ctx) =>
    lmdeployError({
      status: 400,
      type: "BadRequestError",
      message: `Input length (${p}) must be smaller than the model context length (${ctx}).`,
    }),
  );

/** TensorRT-LLM's PyTorch backend prints the prompt length as a float ("38049.0"), as users' logs show. */
export const trtllmContext = (ask: ContextAsk): ContextAnswer =>
  clippingContext(ask, (p, ctx) =>
    flatError({
      status: 400,
      type: "BadRequestError",
      message: `The sum of prompt length (${p}.0), query length (0) should not exceed max_num_tokens (${ctx})`,
    }),
  );

/** llama.cpp (b7498 and later): exceed_context_size_error, with the two numbers as fields too. */
export const llamacppContext = (ask: ContextAsk): ContextAnswer =>
  clippingContext(ask, (p, ctx) =>
    llamacppError(
      {
        status: 400,
        type: "BadRequestError",
        message: `request (${p} tokens) exceeds the available context size (${ctx} tokens), try increasing it`,
      },
      { type: "exceed_context_size_error", n_prompt_tokens: p, n_ctx: ctx },
    ),
  );

/** The sampling knobs the engines check. */
export interface SamplingAsk {
  temperature?: number | null | undefined;
  top_p?: number | null | undefined;
  top_k?: number | null | undefined;
  min_p?: number | null | undefined;
}

const given = (value: number | null | undefined): value is number => value !== undefined && value !== null;

/** SGLang's SamplingParams.verify (sampling_params.py). */
export function sglangSamplingProblem(request: SamplingAsk): string | undefined {
  const { top_p: topP, top_k: topK, min_p: minP } = request;
  if (given(topP) && !(topP > 0 && topP <= 1)) return `top_p must be in (0, 1], got ${topP}.`;
  if (given(topK) && topK < 1 && topK !== -1) return `top_k must be -1 (disable), or at least 1, got ${topK}.`;
  if (given(minP) && !(minP >= 0 && minP <= 1)) return `min_p must be in [0, 1], got ${minP}.`;
  return undefined;
}

/** LMDeploy's check_request (chat_completions/validation.py). */
export function lmdeploySamplingProblem(request: SamplingAsk): string | undefined {
  const { top_p: topP, top_k: topK, temperature } = request;
  if (given(topP) && !(topP > 0 && topP <= 1)) return `The top_p ${topP} must be in (0, 1].`;
  if (given(topK) && topK < 0) return `The top_k ${topK} cannot be a negative integer.`;
  if (given(temperature) && !(temperature >= 0 && temperature <= 2))
    return `The temperature ${temperature} must be in [0, 2]`;
  return undefined;
}

/**
 * TensorRT-LLM's ChatCompletionRequest is `extra="forbid"`: a field it does not know is a 400 whose body is pydantic's
 * text under `error` (openai_server.py, validation_exception_handler), not its ErrorResponse.
 */
export function trtllmUnknownFields(fields: readonly string[], raw: Record<string, unknown>): string {
  const lines = fields.map((field) => {
    const value = raw[field];
    const kind = value === null ? "NoneType" : Array.isArray(value) ? "list" : typeof value;
    return `${field}\n  Extra inputs are not permitted [type=extra_forbidden, input_value=${JSON.stringify(value)}, input_type=${kind}]`;
  });
  const count = fields.length === 1 ? "1 validation error" : `${fields.length} validation errors`;
  return JSON.stringify({ error: `${count} for ChatCompletionRequest\n${lines.join("\n")}` });
}
