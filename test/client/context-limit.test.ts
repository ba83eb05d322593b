/**
 * The context-length 400s of vLLM, SGLang, LMDeploy, llama.cpp and TensorRT-LLM, verbatim. Messages marked "seen" are as servers sent them (quoted in
 * public bug reports and logs); the others are each server's format string filled in, with its source named.
 */
import { fc, test as fcTest } from "@fast-check/vitest";
import { describe, expect, test } from "vitest";
import { allowedCompletionTokens, type ContextLimit, parseContextLimitError } from "../../src/client/context-limit.ts";

const PLEASE_OUTPUT = "Please reduce the length of the input prompt or the number of requested output tokens.";

const CASES: [name: string, message: string, expected: ContextLimit][] = [
  // vllm/renderers/params.py (TokenizeParams.__post_init__), after the fix that dropped "max_total_tokens=".
  [
    "renderer: max_tokens over the limit (seen)",
    "max_tokens=32000 cannot be greater than max_model_len=16384. Please request fewer output tokens.",
    { maxModelLen: 16384, requestedCompletion: 32000, promptTooLong: false, form: "vllm-max-tokens-over-limit" },
  ],
  [
    "renderer 0.19: max_model_len=max_total_tokens= (seen, with a proxy's prefix and the parameter suffix)",
    "400: max_tokens=999999999 cannot be greater than max_model_len=max_total_tokens=262144. " +
      "Please request fewer output tokens. (parameter=max_tokens, value=999999999)",
    { maxModelLen: 262144, requestedCompletion: 999999999, promptTooLong: false, form: "vllm-max-tokens-over-limit" },
  ],
  [
    "renderer, first version: no space before cannot",
    "max_completion_tokens=32768cannot be greater than max_model_len=max_total_tokens=4096. Please request fewer " +
      "output tokens.",
    { maxModelLen: 4096, requestedCompletion: 32768, promptTooLong: false, form: "vllm-max-tokens-over-limit" },
  ],
  [
    "renderer: prompt over the input budget, counted to max_input + 1 (seen)",
    "This model's maximum context length is 32768 tokens. However, you requested 8192 output tokens and your prompt " +
      `contains at least 24577 input tokens, for a total of at least 32769 tokens. ${PLEASE_OUTPUT} ` +
      "(parameter=input_tokens, value=24577)",
    {
      maxModelLen: 32768,
      promptTokensAtLeast: 24577,
      requestedCompletion: 8192,
      promptTooLong: false,
      form: "vllm-output-tokens",
    },
  ],
  [
    "renderer: no max_tokens and a prompt over the context (seen)",
    "This model's maximum context length is 40960 tokens. However, you requested 0 output tokens and your prompt " +
      `contains at least 40961 input tokens, for a total of at least 40961 tokens. ${PLEASE_OUTPUT} ` +
      "(parameter=input_tokens, value=40961)",
    {
      maxModelLen: 40960,
      promptTokensAtLeast: 40961,
      requestedCompletion: 0,
      promptTooLong: true,
      form: "vllm-output-tokens",
    },
  ],
  [
    "renderer: an exact count (a prompt given as token ids is not cut short)",
    "This model's maximum context length is 4096 tokens. However, you requested 100 output tokens and your prompt " +
      `contains 5000 input tokens, for a total of 5100 tokens. ${PLEASE_OUTPUT}`,
    {
      maxModelLen: 4096,
      promptTokens: 5000,
      requestedCompletion: 100,
      promptTooLong: true,
      form: "vllm-output-tokens",
    },
  ],
  [
    "renderer: the character pre-check (seen)",
    "This model's maximum context length is 32768 tokens. However, you requested 32768 output tokens and your prompt " +
      "contains 31800 characters (more than 0 characters, which is the upper bound for 0 input tokens). " +
      `${PLEASE_OUTPUT} (parameter=input_text, value=31800)`,
    {
      maxModelLen: 32768,
      promptTokensAtLeast: 1,
      requestedCompletion: 32768,
      promptTooLong: false,
      form: "vllm-output-tokens-chars",
    },
  ],
  [
    "first renderer: You passed … input tokens (lower bound)",
    "You passed 4065 input tokens and requested 32 output tokens. However, the model's context length is only " +
      "4096 tokens, " +
      "resulting in a maximum input length of 4064 tokens. Please reduce the length of the input prompt. " +
      "(parameter=input_tokens, value=4065)",
    {
      maxModelLen: 4096,
      promptTokensAtLeast: 4065,
      requestedCompletion: 32,
      promptTooLong: false,
      form: "vllm-you-passed",
    },
  ],
  [
    "first renderer: You passed … input characters",
    "You passed 30000 input characters and requested 32 output tokens. However, the model's context length is only " +
      "4096 tokens, resulting in a maximum input length of 4064 tokens (at most 16256 characters). " +
      "Please reduce the length of the input prompt.",
    {
      maxModelLen: 4096,
      promptTokensAtLeast: 4065,
      requestedCompletion: 32,
      promptTooLong: false,
      form: "vllm-you-passed-chars",
    },
  ],
  [
    "too-large, with the old ' None' suffix (seen)",
    "'max_tokens' or 'max_completion_tokens' is too large: 8000. This model's maximum context length is 4096 tokens " +
      "and your request has 2778 input tokens (8000 > 4096 - 2778). None",
    { maxModelLen: 4096, promptTokens: 2778, requestedCompletion: 8000, promptTooLong: false, form: "vllm-too-large" },
  ],
  [
    "too-large, with the parameter suffix (seen)",
    "400 'max_tokens' or 'max_completion_tokens' is too large: 16384. This model's maximum context length is 65536 " +
      "tokens and your request has 52189 input tokens (16384 > 65536 - 52189). (parameter=max_tokens, value=16384)",
    {
      maxModelLen: 65536,
      promptTokens: 52189,
      requestedCompletion: 16384,
      promptTooLong: false,
      form: "vllm-too-large",
    },
  ],
  // vllm/entrypoints/openai/engine/serving.py, OpenAIServing._validate_input.
  [
    "too-large era: the prompt alone",
    "This model's maximum context length is 4096 tokens. However, your request has 5000 input tokens. Please reduce " +
      "the length of the input messages. (parameter=input_tokens, value=5000)",
    { maxModelLen: 4096, promptTokens: 5000, promptTooLong: true, form: "vllm-too-large-prompt" },
  ],
  [
    "legacy (seen; that version had no separate prompt check)",
    "This model's maximum context length is 16384 tokens. However, you requested 122946 tokens " +
      "(112946 in the messages, " +
      "10000 in the completion). Please reduce the length of the messages or completion.",
    { maxModelLen: 16384, promptTokens: 112946, requestedCompletion: 10000, promptTooLong: true, form: "vllm-legacy" },
  ],
  [
    "legacy: the task's own example",
    "This model's maximum context length is 4096 tokens. However, you requested 32868 tokens (100 in the messages, " +
      "32768 in the completion). Please reduce the length of the messages or completion.",
    { maxModelLen: 4096, promptTokens: 100, requestedCompletion: 32768, promptTooLong: false, form: "vllm-legacy" },
  ],
  [
    "legacy: the prompt alone, with ' None' (seen)",
    "This model's maximum context length is 32768 tokens. However, you requested 32818 tokens in the messages, " +
      "Please reduce the length of the messages. None",
    { maxModelLen: 32768, promptTokens: 32818, promptTooLong: true, form: "vllm-legacy-prompt" },
  ],
  // vllm/v1/engine/input_processor.py.
  [
    "engine: a prompt that fills the context exactly (seen)",
    "The decoder prompt (length 8192) plus the number of requested output tokens (at least 1) is longer than the " +
      "maximum model length of 8192. Make sure that `max_model_len` is no smaller than the number of text tokens " +
      "(prompt + requested output tokens).",
    { maxModelLen: 8192, promptTokens: 8192, promptTooLong: true, form: "vllm-engine-prompt" },
  ],
  [
    "engine: a prompt over the context",
    "The decoder prompt (length 9000) is longer than the maximum model length of 8192. " +
      "Make sure that `max_model_len` " +
      "is no smaller than the number of text tokens.",
    { maxModelLen: 8192, promptTokens: 9000, promptTooLong: true, form: "vllm-engine-prompt" },
  ],
  // python/sglang/srt/managers/tokenizer_manager.py, TokenizerManager._validate_one_request.
  [
    "SGLang: prompt + max_new_tokens (seen)",
    "Requested token count exceeds the model's maximum context length of 64000 tokens. " +
      "You requested a total of 71897 " +
      "tokens: 7897 tokens from the input messages and 64000 tokens for the completion. Please reduce the number of " +
      "tokens in the input messages or the completion to fit within the limit.",
    { maxModelLen: 64000, promptTokens: 7897, requestedCompletion: 64000, promptTooLong: false, form: "sglang-total" },
  ],
  [
    "SGLang: the prompt alone (seen)",
    "The input (516368 tokens) is longer than the model's context length (262144 tokens).",
    { maxModelLen: 262144, promptTokens: 516368, promptTooLong: true, form: "sglang-prompt" },
  ],
  // lmdeploy/serve/core/async_engine.py: the prompt against session_len.
  [
    "LMDeploy: the prompt alone",
    "Input length (20480) must be smaller than the model context length (16384).",
    { maxModelLen: 16384, promptTokens: 20480, promptTooLong: true, form: "lmdeploy-prompt" },
  ],
  // llama.cpp's server (b7498 and later), as users' logs quote it.
  [
    "llama.cpp: the prompt over n_ctx (seen)",
    "request (36017 tokens) exceeds the available context size (32768 tokens), try increasing it",
    { maxModelLen: 32768, promptTokens: 36017, promptTooLong: true, form: "llamacpp-prompt" },
  ],
  // tensorrt_llm/llmapi/llm.py, _check_arguments (PyTorch backend): max_num_tokens bounds the prompt alone.
  [
    "TensorRT-LLM: the prompt over max_num_tokens, printed as a float (seen)",
    "The sum of prompt length (38049.0), query length (0) should not exceed max_num_tokens (32768)",
    { maxModelLen: 32768, promptTokens: 38049, promptTooLong: true, budgetOnly: true, form: "trtllm-prompt-budget" },
  ],
  [
    "inside a RequestFailedError message",
    "request to http://127.0.0.1:8000/v1/chat/completions failed after 1 attempt(s): " +
      "HTTP 400 max_tokens=32768 cannot " +
      "be greater than max_model_len=4096. Please request fewer output tokens. (parameter=max_tokens, value=32768) " +
      "(400 bad request (prompt longer than max_model_len, or a parameter the server rejects); not retried)",
    { maxModelLen: 4096, requestedCompletion: 32768, promptTooLong: false, form: "vllm-max-tokens-over-limit" },
  ],
  [
    "as a Python repr quotes it",
    "Error code: 400 - {'object': 'error', 'message': " +
      "\"This model\\'s maximum context length is 4096 tokens. However, " +
      "you requested 5253 tokens in the messages, Please reduce the length of the messages.\", 'code': 400}",
    { maxModelLen: 4096, promptTokens: 5253, promptTooLong: true, form: "vllm-legacy-prompt" },
  ],
];

describe("parseContextLimitError", () => {
  test.each(CASES)("%s", (_name, message, expected) => {
    expect(parseContextLimitError(message)).toStrictEqual(expected);
  });

  test.each([
    ["a bare limit with nothing about the request", "This model's maximum context length is 8192 tokens."],
    [
      "OpenAI's output cap",
      "max_tokens is too large: 32000. This model supports at most 16384 completion tokens, whereas you provided " +
        "32000.",
    ],
    [
      "vLLM's truncation check, same file, other parameter",
      "truncate_prompt_tokens=5000 cannot be greater than max_model_len - max_tokens = 4000. Please request a " +
        "smaller truncation size.",
    ],
    ["vLLM's min_tokens check", "min_tokens must be less than or equal to max_tokens=64, got 100."],
    [
      "LMDeploy's numbers that contradict it",
      "Input length (100) must be smaller than the model context length (4096).",
    ],
    [
      "TensorRT-LLM's numbers under the budget",
      "The sum of prompt length (100.0), query length (0) should not exceed max_num_tokens (8192)",
    ],
    ["vLLM's max_tokens floor", "max_tokens must be at least 1, got 0."],
    ["a rate limit that names tokens", "Rate limit exceeded: 4096 tokens per minute"],
    [
      "vLLM's embedding wording",
      "This model's maximum context length is 512 tokens. " +
        "However, you requested 600 tokens in the input for embedding " +
        "generation. Please reduce the length of the input.",
    ],
    ["an encoder prompt", "The encoder prompt (length 9000) is longer than the maximum model length of 8192."],
    [
      "OpenRouter's wording",
      "This endpoint's maximum context length is 32768 tokens. However, you requested about 50000 tokens (21239 " +
        "of text input, 16384 in the output).",
    ],
    [
      "another server's 'your messages resulted in'",
      "This model's maximum context length is 4096 tokens. However, your messages resulted in 5000 tokens. " +
        "Please reduce the length of the messages.",
    ],
    // Numbers that contradict the sentence around them: not the message it looks like.
    [
      "max_tokens under the limit it is said to exceed",
      "max_tokens=100 cannot be greater than max_model_len=4096. Please request fewer output tokens.",
    ],
    [
      "a legacy total that is not the sum",
      "This model's maximum context length is 4096 tokens. However, you requested 32000 tokens (100 in the " +
        "messages, 32768 in the completion).",
    ],
    [
      "a legacy total within the limit",
      "This model's maximum context length is 4096 tokens. However, you requested 132 tokens (100 in the " +
        "messages, 32 in the completion).",
    ],
    [
      "a too-large parenthesis naming other numbers",
      "'max_tokens' or 'max_completion_tokens' is too large: 8000. This model's maximum context length is 4096 " +
        "tokens and your request has 2778 input tokens (8000 > 4096 - 2777).",
    ],
    [
      "a prompt-alone message whose prompt fits",
      "This model's maximum context length is 4096 tokens. However, your request has 4000 input tokens. Please " +
        "reduce the length of the input messages.",
    ],
    [
      "an at-least total that is not the sum",
      "This model's maximum context length is 32768 tokens. However, you requested 8192 output tokens and your " +
        "prompt contains at least 24577 input tokens, for a total of at least 32768 tokens.",
    ],
    [
      "a character bound that is not limit - max_tokens",
      "This model's maximum context length is 4096 tokens. However, you requested 96 output tokens and your " +
        "prompt contains 30000 characters (more than 16000 characters, which is the upper bound for 4001 input " +
        "tokens).",
    ],
    [
      "an engine prompt equal to the limit without 'plus'",
      "The decoder prompt (length 8192) is longer than the maximum model length of 8192.",
    ],
    [
      "an SGLang total under the limit",
      "Requested token count exceeds the model's maximum context length of 64000 tokens. You requested a total " +
        "of 1100 tokens: 100 tokens from the input messages and 1000 tokens for the completion.",
    ],
    ["empty", ""],
  ])("near miss: %s", (_name, message) => {
    expect(parseContextLimitError(message)).toBeUndefined();
  });

  fcTest.prop([fc.integer({ min: 1, max: 1_000_000 }), fc.nat({ max: 1_000_000 })], { seed: 11 })(
    "reads back vLLM's renderer message for any context length and max_tokens within it",
    (limit, raw) => {
      const requested = raw % (limit + 1);
      const shown = limit - requested + 1;
      const message =
        `This model's maximum context length is ${limit} tokens. ` +
        `However, you requested ${requested} output tokens and your prompt contains at least ${shown} input tokens, ` +
        `for a total of at least ${shown + requested} tokens. ${PLEASE_OUTPUT}`;
      expect(parseContextLimitError(message)).toStrictEqual({
        maxModelLen: limit,
        promptTokensAtLeast: shown,
        requestedCompletion: requested,
        // At least limit - requested + 1 prompt tokens: with max_tokens 0 or 1 that is the whole context already.
        promptTooLong: requested <= 1,
        form: "vllm-output-tokens",
      });
    },
  );

  fcTest.prop([fc.string({ maxLength: 400 })], { seed: 13 })(
    "never throws; reads nothing from text without digits",
    (text) => {
      expect(parseContextLimitError(text.replace(/\d/g, ""))).toBeUndefined();
    },
  );
});

describe("allowedCompletionTokens", () => {
  test.each([
    [4096, 100, 3996],
    [4096, 4095, 1],
    [4096, 4096, 0],
    [4096, 5000, 0],
    [131072, 0, 131072],
  ])("a context of %i with a prompt of %i leaves %i", (limit, prompt, allowed) => {
    expect(allowedCompletionTokens(limit, prompt)).toBe(allowed);
  });

  fcTest.prop([fc.integer({ min: 1, max: 1_000_000 }), fc.nat({ max: 2_000_000 })], { seed: 17 })(
    "the most that fits: prompt + allowed stays within the limit, one more would not",
    (limit, prompt) => {
      const allowed = allowedCompletionTokens(limit, prompt);
      expect(allowed).toBeGreaterThanOrEqual(0);
      if (allowed > 0) {
        expect(prompt + allowed).toBe(limit);
      } else {
        expect(prompt).toBeGreaterThanOrEqual(limit);
      }
    },
  );
});
