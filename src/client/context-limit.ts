/**
 * Reads a server's "prompt + max_tokens is over the context length" 400 back into numbers, so a client can cap
 * max_tokens and ask again. Pure: text in, numbers out. Each form below is a server's own wording, verbatim up
 * to its numbers; anything else (another 400, another server's wording) is undefined, never a guess.
 *
 * vLLM has worded this four times; all are still in use, since servers are not upgraded together:
 * - "legacy", ≤0.6 (vllm/entrypoints/openai/serving_engine.py, _validate_input):
 *   "This model's maximum context length is 4096 tokens. However, you requested 32868 tokens (100 in the messages,
 *   32768 in the completion). Please reduce the length of the messages or completion." and, for a prompt alone
 *   over it, "… However, you requested 5000 tokens in the messages, Please reduce the length of the messages."
 * - "too-large", ~0.7-0.13 (same function): "'max_tokens' or 'max_completion_tokens' is too large: 32768. This
 *   model's maximum context length is 4096 tokens and your request has 100 input tokens (32768 > 4096 - 100)."
 *   and "This model's maximum context length is 4096 tokens. However, your request has 5000 input tokens. Please
 *   reduce the length of the input messages."
 * - "you-passed", the first renderer (vllm/renderers/params.py, TokenizeParams._token_len_check): "You passed 5000
 *   input tokens and requested 32 output tokens. However, the model's context length is only 4096 tokens,
 *   resulting in a maximum input length of 4064 tokens. …", and "You passed 30000 input characters …(at most …
 *   characters)" from its character pre-check (_text_len_check).
 * - "output-tokens", the renderer today (same file): "max_tokens=32768 cannot be greater than max_model_len=4096.
 *   Please request fewer output tokens." (0.19 printed "max_model_len=max_total_tokens=4096", and an older one had
 *   no space before "cannot"), then "This model's maximum context length is 4096 tokens. However, you requested
 *   32 output tokens and your prompt contains at least 4065 input tokens, for a total of at least 4097 tokens. …",
 *   or "… your prompt contains 30000 characters (more than 16256 characters, which is the upper bound for 4064
 *   input tokens). …". The renderer tokenizes at most max_model_len - max_tokens + 1 tokens, so "at least N" is
 *   a lower bound and never the prompt's size: only /tokenize tells that.
 * - the engine (vllm/v1/engine/input_processor.py), for a prompt that fills the context by itself: "The decoder
 *   prompt (length 4096) plus the number of requested output tokens (at least 1) is longer than the maximum model
 *   length of 4096. …" and "The decoder prompt (length 5000) is longer than the maximum model length of 4096. …"
 * VLLMValidationError appends " (parameter=max_tokens, value=32768)", and some versions appended " None".
 *
 * SGLang (python/sglang/srt/managers/tokenizer_manager.py, _validate_one_request): "Requested token count exceeds
 * the model's maximum context length of 4096 tokens. You requested a total of 32868 tokens: 100 tokens from the
 * input messages and 32768 tokens for the completion. …" and "The input (5000 tokens) is longer than the model's
 * context length (4096 tokens)." Its input count includes the tokens it reserves (num_reserved_tokens).
 *
 * LMDeploy (lmdeploy/serve/core/async_engine.py): "Input length (5000) must be smaller than the model context length
 * (4096)." for a prompt that fills session_len; a max_tokens over what is left is cut, not refused.
 * llama.cpp (tools/server, b7498 and later, as users' logs show it): "request (5000 tokens) exceeds the available
 * context size (4096 tokens), try increasing it"; n_ctx is per slot, and an output over it is cut, not refused.
 * TensorRT-LLM's PyTorch backend (tensorrt_llm/llmapi/llm.py, _check_arguments): "The sum of prompt length (5000.0),
 * query length (0) should not exceed max_num_tokens (4096)". max_num_tokens bounds a prompt, never prompt + output,
 * so it is not the context length (`budgetOnly`): the prompt is too long, and nothing is learnt from the number.
 *
 * The search is not anchored: the text may be a whole RequestFailedError message around the server's sentence.
 */

/** Which wording matched; a closed list, so a log or a test can say which server generation answered. */
export type ContextLimitForm =
  | "vllm-legacy"
  | "vllm-legacy-prompt"
  | "vllm-too-large"
  | "vllm-too-large-prompt"
  | "vllm-you-passed"
  | "vllm-you-passed-chars"
  | "vllm-max-tokens-over-limit"
  | "vllm-output-tokens"
  | "vllm-output-tokens-chars"
  | "vllm-engine-prompt"
  | "sglang-total"
  | "sglang-prompt"
  | "lmdeploy-prompt"
  | "llamacpp-prompt"
  | "trtllm-prompt-budget";

export interface ContextLimit {
  /** The server's context length: vLLM's max_model_len, SGLang's context_len. */
  maxModelLen: number;
  /** The prompt's tokens as the server counted them, when the message states the exact count. */
  promptTokens?: number;
  /** A lower bound on the prompt's tokens, when the server stopped counting early (recent vLLM). */
  promptTokensAtLeast?: number;
  /** The max_tokens (or max_completion_tokens) of the rejected request, when stated. */
  requestedCompletion?: number;
  /** The prompt alone leaves no room for a single completion token: no max_tokens will do. */
  promptTooLong: boolean;
  /** `maxModelLen` bounds the prompt alone, not prompt + output (TensorRT-LLM's max_num_tokens): no context to learn. */
  budgetOnly?: true;
  form: ContextLimitForm;
}

const N = String.raw`(\d{1,12})`;
/** "model's" is also seen as "model\'s" (a Python repr) and with a typographic apostrophe. */
const MODELS = String.raw`model(?:'|\\'|’)s`;
const THIS_MODEL = `This ${MODELS} maximum context length is ${N} tokens`;
const RENDERER_TAIL =
  `However, the ${MODELS} context length is only ${N} tokens, ` + `resulting in a maximum input length of ${N} tokens`;

type Reading = Omit<ContextLimit, "form"> | undefined;

interface Form {
  form: ContextLimitForm;
  /** Written with "\\(" for a literal parenthesis; compiled once. */
  pattern: RegExp;
  /** From the captured numbers; undefined when they contradict each other (then it is not the message we know). */
  read: (n: readonly number[]) => Reading;
}

/** A request whose prompt and max_tokens the server named; `lowerBound` when it stopped counting the prompt early. */
function over(limit: number, prompt: number, requested: number, lowerBound = false): Reading {
  const count = lowerBound ? { promptTokensAtLeast: prompt } : { promptTokens: prompt };
  return { maxModelLen: limit, ...count, requestedCompletion: requested, promptTooLong: prompt >= limit };
}

/** More characters than maxInput tokens can hold: more than maxInput tokens, a lower bound. */
function overByChars(limit: number, requested: number, chars: number, maxChars: number, maxInput: number): Reading {
  if (maxInput !== limit - requested || chars <= maxChars) return undefined;
  return over(limit, maxInput + 1, requested, true);
}

/** A prompt that fills the context by itself (each server checks prompt >= limit); else not the message we know. */
function promptOver(limit: number, prompt: number): Reading {
  return prompt >= limit ? { maxModelLen: limit, promptTokens: prompt, promptTooLong: true } : undefined;
}

const FORMS: readonly Form[] = [
  {
    form: "vllm-output-tokens",
    pattern: new RegExp(
      `${THIS_MODEL}\\. However, you requested ${N} output tokens and your prompt contains ` +
        `(at least )?${N} input tokens, for a total of (?:at least )?${N} tokens`,
    ),
    read: ([limit = 0, requested = 0, atLeast = 0, prompt = 0, total = 0]) =>
      total === prompt + requested ? over(limit, prompt, requested, atLeast === 1) : undefined,
  },
  {
    form: "vllm-output-tokens-chars",
    pattern: new RegExp(
      `${THIS_MODEL}\\. However, you requested ${N} output tokens and your prompt contains ` +
        `${N} characters \\(more than ${N} characters, which is the upper bound for ${N} input tokens\\)`,
    ),
    read: ([limit = 0, requested = 0, chars = 0, maxChars = 0, maxInput = 0]) =>
      overByChars(limit, requested, chars, maxChars, maxInput),
  },
  {
    form: "vllm-max-tokens-over-limit",
    pattern: new RegExp(
      `\\bmax_(?:completion_)?tokens=${N} ?cannot be greater than ` + `max_model_len=(?:max_total_tokens=)?${N}\\b`,
    ),
    read: ([requested = 0, limit = 0]) =>
      requested > limit ? { maxModelLen: limit, requestedCompletion: requested, promptTooLong: false } : undefined,
  },
  {
    form: "vllm-you-passed",
    pattern: new RegExp(`You passed ${N} input tokens and requested ${N} output tokens\\. ${RENDERER_TAIL}`),
    read: ([prompt = 0, requested = 0, limit = 0, maxInput = 0]) =>
      maxInput === limit - requested && prompt > maxInput
        ? over(limit, prompt, requested, prompt === maxInput + 1)
        : undefined,
  },
  {
    form: "vllm-you-passed-chars",
    pattern: new RegExp(
      `You passed ${N} input characters and requested ${N} output tokens\\. ${RENDERER_TAIL} ` +
        `\\(at most ${N} characters\\)`,
    ),
    read: ([chars = 0, requested = 0, limit = 0, maxInput = 0, maxChars = 0]) =>
      overByChars(limit, requested, chars, maxChars, maxInput),
  },
  {
    form: "vllm-too-large",
    pattern: new RegExp(
      `maximum context length is ${N} tokens and your request has ${N} input tokens ` + `\\(${N} > ${N} - ${N}\\)`,
    ),
    read: ([limit = 0, prompt = 0, requested = 0, limitAgain = 0, promptAgain = 0]) =>
      limitAgain === limit && promptAgain === prompt && prompt + requested > limit
        ? over(limit, prompt, requested)
        : undefined,
  },
  {
    form: "vllm-too-large-prompt",
    pattern: new RegExp(
      `${THIS_MODEL}\\. However, your request has ${N} input tokens\\. ` +
        "Please reduce the length of the input messages",
    ),
    read: ([limit = 0, prompt = 0]) => promptOver(limit, prompt),
  },
  {
    form: "vllm-legacy",
    pattern: new RegExp(
      `${THIS_MODEL}\\. However, you requested ${N} tokens ` + `\\(${N} in the messages, ${N} in the completion\\)`,
    ),
    read: ([limit = 0, total = 0, prompt = 0, requested = 0]) =>
      total === prompt + requested && total > limit ? over(limit, prompt, requested) : undefined,
  },
  {
    form: "vllm-legacy-prompt",
    pattern: new RegExp(
      `${THIS_MODEL}\\. However, you requested ${N} tokens in the messages, ` +
        "Please reduce the length of the messages",
    ),
    read: ([limit = 0, prompt = 0]) => promptOver(limit, prompt),
  },
  {
    form: "vllm-engine-prompt",
    pattern: new RegExp(
      `The decoder prompt \\(length ${N}\\)( plus the number of requested output tokens ` +
        `\\(at least 1\\))? is longer than the maximum model length of ${N}`,
    ),
    // "plus … (at least 1)" is a prompt that fills the context exactly; without it, one that is over it.
    read: ([prompt = 0, plusOne = 0, limit = 0]) =>
      plusOne === 1 || prompt > limit ? promptOver(limit, prompt) : undefined,
  },
  {
    form: "sglang-total",
    pattern: new RegExp(
      `Requested token count exceeds the ${MODELS} maximum context length of ${N} tokens\\. ` +
        `You requested a total of ${N} tokens: ${N} tokens from the input messages and ${N} tokens for the completion`,
    ),
    // Older SGLang refused a total equal to the limit too (>=), newer only one over it (>).
    read: ([limit = 0, total = 0, prompt = 0, requested = 0]) =>
      total === prompt + requested && total >= limit ? over(limit, prompt, requested) : undefined,
  },
  {
    form: "sglang-prompt",
    pattern: new RegExp(`The input \\(${N} tokens\\) is longer than the ${MODELS} context length \\(${N} tokens\\)`),
    read: ([prompt = 0, limit = 0]) => promptOver(limit, prompt),
  },
  {
    form: "lmdeploy-prompt",
    pattern: new RegExp(`Input length \\(${N}\\) must be smaller than the model context length \\(${N}\\)`),
    read: ([prompt = 0, limit = 0]) => promptOver(limit, prompt),
  },
  {
    form: "llamacpp-prompt",
    pattern: new RegExp(`request \\(${N} tokens\\) exceeds the available context size \\(${N} tokens\\)`),
    read: ([prompt = 0, limit = 0]) => promptOver(limit, prompt),
  },
  {
    form: "trtllm-prompt-budget",
    pattern: new RegExp(
      `The sum of prompt length \\(${N}(?:\\.0)?\\), query length \\(${N}(?:\\.0)?\\) should not exceed ` +
        `max_num_tokens \\(${N}\\)`,
    ),
    read: ([prompt = 0, query = 0, limit = 0]) =>
      prompt + query > limit
        ? { maxModelLen: limit, promptTokens: prompt, promptTooLong: true, budgetOnly: true }
        : undefined,
  },
];

/**
 * The context length and what else the server said, from the text of a context-length 400 (the server's message,
 * or any text that contains it); undefined for any other text.
 */
export function parseContextLimitError(message: string): ContextLimit | undefined {
  for (const { form, pattern, read } of FORMS) {
    const match = pattern.exec(message);
    if (match === null) continue;
    // Optional groups that did not match ("at least ", "plus …") read as 0, those that did as 1.
    const numbers = match.slice(1).map((group) => (group === undefined ? 0 : /^\d+$/.test(group) ? Number(group) : 1));
    const limit = read(numbers);
    if (limit !== undefined && limit.maxModelLen > 0) return { ...limit, form };
  }
  return undefined;
}

/**
 * The most completion tokens a prompt of `promptTokens` leaves in a context of `maxModelLen`: vLLM accepts a request
 * when prompt + max_tokens <= max_model_len. 0 means the prompt alone fills the context. Older SGLang also refused a
 * total equal to the limit (>=), so after an SGLang refusal (`form` "sglang-…") one token less is what fits.
 */
export function allowedCompletionTokens(maxModelLen: number, promptTokens: number, form?: ContextLimitForm): number {
  const strict = form?.startsWith("sglang-") ? 1 : 0;
  return Math.max(0, Math.floor(maxModelLen) - Math.ceil(promptTokens) - strict);
}
