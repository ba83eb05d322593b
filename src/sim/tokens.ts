/**
 * The simulator's tokenizer: not any real model's, just deterministic and lossless. A token is a run of
 * letters, a single digit (as Llama 3 and Qwen split numbers), or one other character, each carrying the
 * whitespace before it; `<think>` and `</think>` are one token each, as they are special tokens in
 * Qwen3 and DeepSeek-R1. Trailing whitespace is a token of its own. Joining the tokens gives the text back,
 * so usage can always equal what was streamed.
 */

const TOKEN_PATTERN = /\s*(?:<\/?think>|\p{L}+|\p{N}|[^\s\p{L}\p{N}])|\s+$/gu;

/** Chat template overhead per message (ChatML: `<|im_start|>`, role, newline, `<|im_end|>`). */
export const MESSAGE_OVERHEAD_TOKENS = 4;
/** The generation prompt that opens the assistant turn (`<|im_start|>assistant\n`). */
export const REPLY_PRIMER_TOKENS = 3;

export function tokenize(text: string): string[] {
  return text.match(TOKEN_PATTERN) ?? [];
}

export function countTokens(text: string): number {
  return tokenize(text).length;
}

/** Prompt tokens of a chat request as a chat template would count them: contents plus per-message overhead. */
export function countPromptTokens(messages: readonly { content: string }[]): number {
  let total = REPLY_PRIMER_TOKENS;
  for (const message of messages) total += countTokens(message.content) + MESSAGE_OVERHEAD_TOKENS;
  return total;
}
