/**
 * The simulator's tokenizer: not any real model's, just deterministic and lossless. A token is a run of
 * letters, a single digit (as Llama 3 and Qwen split numbers), or one other character, each carrying the
 * whitespace before it; `<think>` and `</think>` are one token each, as they are special tokens in
 * Qwen3 and DeepSeek-R1. Trailing whitespace is a token of its own. Joining the tokens gives the text back,
 * so usage can always equal what was streamed.
 */
import { unitHash } from "./seeded-random.ts";

const TOKEN_PATTERN = /\s*(?:<\/?think>|\p{L}+|\p{N}|[^\s\p{L}\p{N}])|\s+$/gu;

/** Qwen3's template writes an empty thought after the primer when chat_template_kwargs.enable_thinking is false. */
const EMPTY_THOUGHT = "<think>\n\n</think>\n\n";
const IM_START = "<|im_start|>";
const IM_END = "<|im_end|>";
/** Token ids: Qwen's vocabulary size, and its ids for the two template specials. */
const VOCAB_SIZE = 151_643;
const SPECIAL_IDS: Readonly<Record<string, number>> = { [IM_START]: 151_644, [IM_END]: 151_645 };

/** A chat message with its content as text; the role defaults to "user". */
export interface ChatMessageText {
  role?: string;
  content: string;
}

/** What vLLM passes to the chat template besides the messages (a chat request's and /tokenize's own fields). */
export interface ChatTemplateOptions {
  /** add_generation_prompt: open the assistant's turn. vLLM's default is true. */
  addGenerationPrompt?: boolean;
  /** chat_template_kwargs.enable_thinking; only false changes the prompt. */
  enableThinking?: boolean;
  /**
   * continue_final_message: leave the last message open (no `<|im_end|>`, no generation prompt), so the prompt ends
   * with its content, e.g. an assistant reply to be scored token by token.
   */
  continueFinalMessage?: boolean;
}

export function tokenize(text: string): string[] {
  return text.match(TOKEN_PATTERN) ?? [];
}

export function countTokens(text: string): number {
  return tokenize(text).length;
}

/**
 * The prompt of a chat request as the simulator's ChatML template renders it, token by token: each message is
 * `<|im_start|>`, its role, a newline, its content and `<|im_end|>`; then the generation prompt. A chat request's
 * usage.prompt_tokens and POST /tokenize's count are both this list's length, so they always agree.
 */
export function chatPromptTokens(messages: readonly ChatMessageText[], options: ChatTemplateOptions = {}): string[] {
  const tokens: string[] = [];
  // Pushed one by one: spreading a long prompt's tokens into push() would overflow the call's argument limit.
  const append = (text: string): void => {
    for (const token of tokenize(text)) tokens.push(token);
  };
  messages.forEach((message, index) => {
    tokens.push(IM_START, message.role ?? "user", "\n");
    append(message.content);
    if (!(options.continueFinalMessage === true && index === messages.length - 1)) tokens.push(IM_END);
  });
  if (options.addGenerationPrompt === false || options.continueFinalMessage === true) return tokens;
  tokens.push(IM_START, "assistant", "\n");
  if (options.enableThinking === false) append(EMPTY_THOUGHT);
  return tokens;
}

/** Prompt tokens of a chat request as a chat template would count them: contents plus per-message overhead. */
export function countPromptTokens(messages: readonly ChatMessageText[], options: ChatTemplateOptions = {}): number {
  return chatPromptTokens(messages, options).length;
}

/** A token's id: fixed for the template's specials, else its text hashed into the vocabulary (same text, same id). */
export function tokenId(token: string): number {
  return SPECIAL_IDS[token] ?? Math.floor(unitHash("token", token) * VOCAB_SIZE);
}
