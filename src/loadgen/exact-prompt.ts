/**
 * Synthetic prompts of an exact token count after the chat template, with the model's own tokenizer: the same
 * words as synthetic-prompt.ts (one token each, with their leading space, in BPE vocabularies), as many as make the
 * rendered chat prompt exactly `tokens` long. The template's own tokens are measured once; the word count is then
 * corrected from the real count until it is exact (at once, in practice: the words never merge across a boundary).
 */
import { QuantevalError } from "../core/errors.ts";
import type { Message } from "../core/types.ts";
import { syntheticPrompt } from "./synthetic-prompt.ts";
import type { ChatTokenizer, TokenizerInfo } from "./tokenizer.ts";

/** The model's tokenizer as bench prompts use it: counts with the template kwargs given, and exact-length prompts. */
export interface PromptTokenizer {
  info: TokenizerInfo;
  templateKwargs: Readonly<Record<string, unknown>>;
  /** Chat prompt tokens of these messages; remembered per messages array (a prompt file's are built once). */
  count(messages: readonly Message[]): number;
  /** Tokens of generated text (a reply whose server sent no usage). */
  countText(text: string): number;
  /** Chat prompt tokens as a variant with its own chat_template_kwargs renders them (a reply with no usage). */
  countAs(messages: readonly Message[], templateKwargs: Readonly<Record<string, unknown>>): number;
  exact: ExactPromptBuilder;
}

export function promptTokenizer(
  tokenizer: ChatTokenizer,
  templateKwargs: Readonly<Record<string, unknown>> = {},
): PromptTokenizer {
  const counts = new WeakMap<readonly Message[], number>();
  return {
    info: tokenizer.info,
    templateKwargs,
    count(messages) {
      const known = counts.get(messages);
      if (known !== undefined) return known;
      const counted = tokenizer.countChatTokens(messages, templateKwargs);
      counts.set(messages, counted);
      return counted;
    },
    countText: (text) => tokenizer.countTextTokens(text),
    countAs: (messages, kwargs) => tokenizer.countChatTokens(messages, kwargs),
    exact: exactPromptBuilder(tokenizer, templateKwargs),
  };
}

export interface ExactPromptBuilder {
  /** The fewest prompt tokens a chat can have: the template's own plus one word. */
  readonly minTokens: number;
  /** One user message whose chat prompt is exactly `tokens` tokens (at least minTokens); `index` picks the words. */
  build(tokens: number, index: number): Message[];
}

/** Corrections before giving up; each moves by the whole remaining difference, so one or two suffice. */
const MAX_STEPS = 8;

function exactPromptBuilder(
  tokenizer: ChatTokenizer,
  templateKwargs: Readonly<Record<string, unknown>> = {},
): ExactPromptBuilder {
  const messagesOf = (words: number, index: number): Message[] => [
    { role: "user", content: syntheticPrompt(words, index) },
  ];
  const count = (words: number, index: number): number =>
    tokenizer.countChatTokens(messagesOf(words, index), templateKwargs);
  const minTokens = count(1, 0);
  const overhead = minTokens - 1;
  // Filled as requests are built (prepareRequests builds a level's ahead of its clock); each variant reuses them.
  const built = new Map<string, Message[]>();
  return {
    minTokens,
    build(tokens, index) {
      if (!Number.isInteger(tokens) || tokens < minTokens)
        throw new RangeError(`exact prompts need a whole number of at least ${minTokens} tokens (got ${tokens})`);
      const key = `${tokens}:${index}`;
      const known = built.get(key);
      if (known !== undefined) return known;
      let words = tokens - overhead;
      for (let step = 0; step < MAX_STEPS && words >= 1; step++) {
        const got = count(words, index);
        if (got === tokens) {
          const messages = messagesOf(words, index);
          built.set(key, messages);
          return messages;
        }
        words += tokens - got;
      }
      throw new ExactPromptError(tokenizer.info.ref, tokens, index);
    },
  };
}

/** The word prompts cannot hit the count exactly with this tokenizer: a tokenizer unlike any BPE seen so far. */
export class ExactPromptError extends QuantevalError {
  constructor(ref: string, tokens: number, index: number) {
    super(
      "E_EXACT_PROMPT",
      `--tokenizer ${ref}: no synthetic prompt of exactly ${tokens} tokens was found for request ${index}`,
      "drop --tokenizer (prompts are then counted in words, and bench.json gives the server's own counts)",
    );
  }
}
