/** Which messages request `index` of a bench sends: a synthetic prompt of a set length, or the prompt file's, in turn. */
import type { Message } from "../core/types.ts";
import { syntheticPrompt } from "./synthetic-prompt.ts";

export type PromptSource =
  | { kind: "synthetic"; tokens: number }
  | { kind: "file"; file: string; prompts: readonly Message[][] };

export function promptMessages(source: PromptSource, index: number): Message[] {
  if (source.kind === "synthetic") return [{ role: "user", content: syntheticPrompt(source.tokens, index) }];
  const count = source.prompts.length;
  const prompt = source.prompts[((index % count) + count) % count];
  if (prompt === undefined) throw new RangeError(`promptMessages: ${source.file} has no prompts`);
  return prompt;
}

/** How bench.json describes the prompts: where they came from and how many distinct ones there were. */
export function describePromptSource(source: PromptSource): Record<string, unknown> {
  return source.kind === "synthetic"
    ? {
        kind: "synthetic",
        words: source.tokens,
        note: "one user message of this many common English words (one token each in the simulator, about one each in BPE tokenizers); the server's own count, chat template included, is token_usage.prompt_tokens_mean",
      }
    : {
        kind: "file",
        file: source.file,
        prompts: source.prompts.length,
        note: "requests take the file's prompts in turn",
      };
}
