/**
 * The OpenAI/vLLM wire format: the request fields the simulator reads (everything else is accepted and
 * ignored, as vLLM ignores sampling knobs it does not need) and the JSON shapes it answers with, field for
 * field as vLLM's OpenAI-compatible server writes them.
 */
import { z } from "zod";
import type { PromptLogprobs } from "./prompt-logprobs.ts";
import type { ReplyToken } from "./reply-text.ts";
import type { ChatTemplateOptions } from "./tokens.ts";

const TextPartSchema = z.object({ type: z.literal("text"), text: z.string() });

export const ChatMessageSchema = z.object({
  role: z.string(),
  // Content may be a string, a list of parts (only text parts count here), or null (an assistant tool call).
  content: z
    .union([z.string(), z.array(z.union([TextPartSchema, z.object({ type: z.string() })])), z.null()])
    .optional(),
});

/** The request fields that shape the chat template's output, in vLLM's chat and /tokenize requests alike. */
const TemplateFields = {
  add_generation_prompt: z.boolean().nullish(),
  continue_final_message: z.boolean().nullish(),
  chat_template_kwargs: z.record(z.string(), z.unknown()).nullish(),
};

// Plain z.object on purpose: fields it does not know (presence_penalty, repetition_penalty, …) pass, as in vLLM.
export const ChatRequestSchema = z.object({
  model: z.string().optional(),
  messages: z.array(ChatMessageSchema).min(1),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().nullish() }).nullish(),
  max_tokens: z.int().min(1).nullish(),
  max_completion_tokens: z.int().min(1).nullish(),
  temperature: z.number().nullish(),
  top_p: z.number().nullish(),
  /** vLLM's extensions (ChatCompletionRequest's top_k and min_p). */
  top_k: z.int().nullish(),
  min_p: z.number().nullish(),
  seed: z.int().nullish(),
  /** vLLM's extension: keep generating past the end of the reply, up to max_tokens (throughput benchmarks). */
  ignore_eos: z.boolean().nullish(),
  /** vLLM's extension: no end of reply before this many tokens. */
  min_tokens: z.int().nonnegative().nullish(),
  /** LMDeploy's name for it. */
  min_new_tokens: z.int().nonnegative().nullish(),
  /** vLLM's extension: per prompt position, the logprobs of the prompt's token and the top k (prompt-logprobs.ts). */
  prompt_logprobs: z.int().nullish(),
  ...TemplateFields,
});

export type ChatRequest = z.infer<typeof ChatRequestSchema>;

/**
 * POST /tokenize's two request shapes (vllm/entrypoints/serve/tokenize/protocol.py): TokenizeChatRequest with
 * `messages` (add_generation_prompt defaults to true there too) and TokenizeCompletionRequest with a `prompt`.
 */
const TokenizeCommonFields = { model: z.string().nullish(), return_token_strs: z.boolean().nullish() };
export const TokenizeRequestSchema = z.union([
  z.object({ ...TokenizeCommonFields, messages: z.array(ChatMessageSchema), ...TemplateFields }),
  z.object({ ...TokenizeCommonFields, prompt: z.string() }),
]);

/** vLLM's TokenizeResponse; token_strs is null unless return_token_strs asked for it. */
export function tokenizeBody(
  tokens: readonly string[],
  ids: readonly number[],
  maxModelLen: number,
  withStrings: boolean,
): string {
  const strings = withStrings ? tokens : null;
  return JSON.stringify({ count: tokens.length, max_model_len: maxModelLen, tokens: ids, token_strs: strings });
}

/** The chat template's options as vLLM reads them from a request (a chat request's or /tokenize's). */
export function templateOptions(request: {
  add_generation_prompt?: boolean | null | undefined;
  continue_final_message?: boolean | null | undefined;
  chat_template_kwargs?: Record<string, unknown> | null | undefined;
}): ChatTemplateOptions {
  const thinking = request.chat_template_kwargs?.enable_thinking;
  return {
    ...(request.add_generation_prompt === false ? { addGenerationPrompt: false } : {}),
    ...(request.continue_final_message === true ? { continueFinalMessage: true } : {}),
    ...(typeof thinking === "boolean" ? { enableThinking: thinking } : {}),
  };
}

/**
 * vLLM's SamplingParams._verify_args for the sampling knobs, with its messages (answered as a 400); -1 for top_k is
 * accepted quietly, as vLLM does. The simulator reads none of them: a reply's outcome does not depend on them.
 */
export function samplingProblem(request: Pick<ChatRequest, "top_p" | "top_k" | "min_p">): string | undefined {
  const { top_p: topP, top_k: topK, min_p: minP } = request;
  if (topP !== undefined && topP !== null && !(topP > 0 && topP <= 1)) return `top_p must be in (0, 1], got ${topP}.`;
  if (topK !== undefined && topK !== null && topK < -1) return `top_k must be 0 (disable), or at least 1, got ${topK}.`;
  if (minP !== undefined && minP !== null && !(minP >= 0 && minP <= 1)) return `min_p must be in [0, 1], got ${minP}.`;
  return undefined;
}

/** A message's text: the string, or its text parts joined. */
export function messageText(message: z.infer<typeof ChatMessageSchema>): string {
  const content = message.content;
  if (typeof content === "string") return content;
  if (content === null || content === undefined) return "";
  return content.map((part) => ("text" in part && typeof part.text === "string" ? part.text : "")).join("");
}

/**
 * vLLM's ChatCompletionRequest.check_generation_prompt: both switched on explicitly is a 400 (with only
 * continue_final_message set, the template's default generation prompt is cut off with everything after the reply).
 */
export function templateProblem(request: {
  add_generation_prompt?: boolean | null | undefined;
  continue_final_message?: boolean | null | undefined;
}): string | undefined {
  return request.add_generation_prompt === true && request.continue_final_message === true
    ? "Cannot set both `continue_final_message` and `add_generation_prompt` to True."
    : undefined;
}

/** vLLM's error body (recent versions wrap it in `error`, which the openai SDK reads for the message). */
export function errorBody(status: number, type: string, message: string, param: string | null = null): string {
  return JSON.stringify({ error: { message, type, param, code: status } });
}

export interface CompletionHeader {
  id: string;
  created: number;
  model: string;
}
export interface Usage {
  prompt_tokens: number;
  total_tokens: number;
  completion_tokens: number;
}

export function usageOf(promptTokens: number, completionTokens: number): Usage {
  return {
    prompt_tokens: promptTokens,
    total_tokens: promptTokens + completionTokens,
    completion_tokens: completionTokens,
  };
}

/** The field that carries reasoning: vLLM's older and most engines' `reasoning_content`, or newer vLLM's `reasoning`. */
export type ReasoningKey = "reasoning_content" | "reasoning";

/**
 * The non-streaming reply. In "field" mode `reasoningKey` holds the reasoning, else it is null. Usage null: the
 * "missingUsage" fault. `extras` are an engine's own top-level fields (llama.cpp's timings).
 */
export function completionBody(
  header: CompletionHeader,
  tokens: readonly ReplyToken[],
  finishReason: string,
  usage: Usage | null,
  reasoningField: boolean,
  promptLogprobs: PromptLogprobs | null = null,
  reasoningKey: ReasoningKey = "reasoning_content",
  extras: Record<string, unknown> = {},
): string {
  const reasoning = joinChannel(tokens, "reasoning");
  const content = joinChannel(tokens, "content");
  return JSON.stringify({
    id: header.id,
    object: "chat.completion",
    created: header.created,
    model: header.model,
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          // vLLM returns null content when a reply was cut before any content (all reasoning).
          content: reasoningField && content === "" && reasoning !== "" ? null : content,
          [reasoningKey]: reasoningField && reasoning !== "" ? reasoning : null,
          tool_calls: [],
        },
        logprobs: null,
        finish_reason: finishReason,
        stop_reason: null,
      },
    ],
    usage,
    prompt_logprobs: promptLogprobs,
    ...extras,
  });
}

/** One SSE event. */
export function sse(data: unknown): string {
  return `data: ${JSON.stringify(data)}\n\n`;
}

export const SSE_DONE = "data: [DONE]\n\n";

/** A `data:` line that is not JSON (the "malformed" fault): a chunk cut off mid-string, as a garbled transfer leaves it. */
export function malformedEvent(header: CompletionHeader): string {
  return `data: {"id":"${header.id}","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Ans`;
}

/** One chunk; `extras` are top-level fields some engines add to their last chunk (llama.cpp's usage and timings). */
export function chunk(
  header: CompletionHeader,
  delta: Record<string, string>,
  finishReason: string | null,
  extras: Record<string, unknown> = {},
): unknown {
  return {
    id: header.id,
    object: "chat.completion.chunk",
    created: header.created,
    model: header.model,
    choices: [
      {
        index: 0,
        delta,
        logprobs: null,
        finish_reason: finishReason,
        ...(finishReason === null ? {} : { stop_reason: null }),
      },
    ],
    ...extras,
  };
}

export function tokenDelta(
  token: ReplyToken,
  reasoningKey: ReasoningKey = "reasoning_content",
): Record<string, string> {
  return token.channel === "reasoning" ? { [reasoningKey]: token.text } : { content: token.text };
}

export function usageChunk(header: CompletionHeader, usage: Usage): unknown {
  return {
    id: header.id,
    object: "chat.completion.chunk",
    created: header.created,
    model: header.model,
    choices: [],
    usage,
  };
}

function joinChannel(tokens: readonly ReplyToken[], channel: ReplyToken["channel"]): string {
  return tokens
    .filter((t) => t.channel === channel)
    .map((t) => t.text)
    .join("");
}
