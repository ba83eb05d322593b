/**
 * vLLM's checks of a chat request against max_model_len, in its order and its words, so a client meets the
 * simulator's 400s as it meets vLLM's (client/context-limit.ts reads them back):
 * 1. max_tokens over max_model_len (vllm/renderers/params.py, TokenizeParams.__post_init__);
 * 2. the prompt over max_model_len - max_tokens (same file, _token_len_check). vLLM stops tokenizing at that budget
 *    plus one token, so it names that many "at least", never the prompt's real length;
 * 3. with no max_tokens, a prompt exactly max_model_len long, which leaves no room for one token
 *    (vllm/v1/engine/input_processor.py).
 * VLLMValidationError adds "(parameter=…, value=…)" to the first two. Not simulated: the renderer's check by
 * characters before tokenizing, which depends on the tokenizer's longest token.
 */

export interface ContextRequest {
  maxModelLen: number;
  promptTokens: number;
  /** The request's max_completion_tokens or max_tokens; undefined when it sent neither. */
  maxTokens: number | undefined;
  /** Which of the two it sent: vLLM names that one. */
  maxTokensField: "max_tokens" | "max_completion_tokens";
}

export type ContextCheck =
  | { ok: true /** What the reply may run to: the request's max_tokens, or all the context left. */; maxTokens: number }
  | { ok: false; message: string /** The error body's `param`. */; param: string | null };

export function checkContextWindow(request: ContextRequest): ContextCheck {
  const { maxModelLen, promptTokens, maxTokensField } = request;
  // vLLM's TokenizeParams takes `max_tokens or 0` as the output budget.
  const requested = request.maxTokens ?? 0;
  if (requested > maxModelLen) {
    return {
      ok: false,
      param: maxTokensField,
      message:
        `${maxTokensField}=${requested} cannot be greater than max_model_len=${maxModelLen}. ` +
        `Please request fewer output tokens. (parameter=${maxTokensField}, value=${requested})`,
    };
  }
  const maxInputTokens = maxModelLen - requested;
  if (promptTokens > maxInputTokens) {
    const counted = maxInputTokens + 1;
    return {
      ok: false,
      param: "input_tokens",
      message:
        `This model's maximum context length is ${maxModelLen} tokens. However, you requested ${requested} ` +
        `output tokens and your prompt contains at least ${counted} input tokens, for a total of at least ` +
        `${counted + requested} tokens. Please reduce the length of the input prompt or the number of requested ` +
        `output tokens. (parameter=input_tokens, value=${counted})`,
    };
  }
  if (request.maxTokens === undefined && promptTokens === maxModelLen) {
    return {
      ok: false,
      param: null,
      message:
        `The decoder prompt (length ${promptTokens}) plus the number of requested output tokens (at least 1) ` +
        `is longer than the maximum model length of ${maxModelLen}. Make sure that \`max_model_len\` is no smaller ` +
        "than the number of text tokens (prompt + requested output tokens).",
    };
  }
  return { ok: true, maxTokens: request.maxTokens ?? maxModelLen - promptTokens };
}
