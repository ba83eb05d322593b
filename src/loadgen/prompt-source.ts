/**
 * What request `index` of a bench sends: a synthetic prompt of a set length, the prompt file's prompts in turn, or
 * a traffic scenario's draw (prompt and output length). With a tokenizer, synthetic and scenario prompts have exactly
 * the asked token count after the chat template, and every request knows the count to expect from the server.
 */
import { ConfigError } from "../core/errors.ts";
import type { Message } from "../core/types.ts";
import { type PromptTokenizer, promptTokenizer } from "./exact-prompt.ts";
import type { RunPrompts } from "./run-prompts.ts";
import { type Scenario, sampleLengths, scenarioLabel } from "./scenario.ts";
import { syntheticPrompt } from "./synthetic-prompt.ts";
import type { ChatTokenizer } from "./tokenizer.ts";

/** A scenario that draws lengths (dataset scenarios are a prompt file). */
export type ShapedScenario = Exclude<Scenario, { kind: "dataset" }>;

export type PromptSource =
  | { kind: "synthetic"; tokens: number; tokenizer?: PromptTokenizer | undefined }
  | {
      kind: "file";
      file: string;
      prompts: readonly Message[][];
      tokenizer?: PromptTokenizer | undefined;
      /** Set when --scenario dataset chose the file. */
      scenario?: "dataset" | undefined;
    }
  | {
      kind: "scenario";
      scenario: ShapedScenario;
      seed: number;
      tokenizer?: PromptTokenizer | undefined;
      hold?: OutputHold | undefined;
    }
  | ({ kind: "run"; tokenizer?: PromptTokenizer | undefined; hold?: OutputHold | undefined } & RunPrompts);

/**
 * How a set output length is held: vLLM's ignore_eos (the bench sends it with every request; the default), or
 * min_tokens = max_tokens per request, for servers that take min_tokens but not ignore_eos.
 */
export type OutputHold = "ignore-eos" | "min-tokens";

/** One request's messages, its max_tokens when the source sets it, and the prompt tokens the tokenizer counts. */
export interface RequestShape {
  messages: Message[];
  maxTokens?: number;
  /** Sent as min_tokens (equal to maxTokens) when the output length is held with min_tokens. */
  minTokens?: number;
  expectedPromptTokens?: number;
}

export function promptMessages(source: PromptSource, index: number, variant?: string): Message[] {
  return requestShape(source, index, variant).messages;
}

/** Request `index` of the variant named `variant` (only a run's prompts differ per variant: their output lengths). */
export function requestShape(source: PromptSource, index: number, variant?: string): RequestShape {
  switch (source.kind) {
    case "synthetic":
      return promptOfLength(source.tokens, index, source.tokenizer);
    case "scenario": {
      const { inputTokens, outputTokens } = sampleLengths(source.scenario, source.seed, index);
      // A draw below the template's own size cannot be met: it is raised to the smallest prompt there is.
      const tokens =
        source.tokenizer === undefined ? inputTokens : Math.max(inputTokens, source.tokenizer.exact.minTokens);
      return { ...promptOfLength(tokens, index, source.tokenizer), ...held(outputTokens, source.hold) };
    }
    case "file":
    case "run": {
      const count = source.prompts.length;
      const slot = ((index % count) + count) % count;
      const messages = source.prompts[slot];
      if (messages === undefined) throw new RangeError(`promptMessages: ${sourceName(source)} has no prompts`);
      const counted = source.tokenizer === undefined ? {} : { expectedPromptTokens: source.tokenizer.count(messages) };
      if (source.kind === "file") return { messages, ...counted };
      const maxTokens = variant === undefined ? undefined : source.outputTokens[variant]?.[slot];
      if (maxTokens === undefined) throw new RangeError(`requestShape: the run has no output lengths of ${variant}`);
      return { messages, ...held(maxTokens, source.hold), ...counted };
    }
  }
}

function held(outputTokens: number, hold: OutputHold | undefined): Pick<RequestShape, "maxTokens" | "minTokens"> {
  return hold === "min-tokens" ? { maxTokens: outputTokens, minTokens: outputTokens } : { maxTokens: outputTokens };
}

function sourceName(source: { kind: "file"; file: string } | { kind: "run"; run: string; task: string }): string {
  return source.kind === "file" ? source.file : `${source.run} (${source.task})`;
}

function promptOfLength(tokens: number, index: number, tokenizer: PromptTokenizer | undefined): RequestShape {
  if (tokenizer === undefined) return { messages: [{ role: "user", content: syntheticPrompt(tokens, index) }] };
  return { messages: tokenizer.exact.build(tokens, index), expectedPromptTokens: tokens };
}

/** How bench.json describes the prompts: where they came from, how they were shaped and counted. */
export function describePromptSource(source: PromptSource): Record<string, unknown> {
  const tokenizer =
    source.tokenizer === undefined
      ? {}
      : { tokenizer: { ...source.tokenizer.info, chat_template_kwargs: source.tokenizer.templateKwargs } };
  switch (source.kind) {
    case "synthetic":
      return source.tokenizer === undefined
        ? {
            kind: "synthetic",
            words: source.tokens,
            note: "one user message of this many common English words (one token each in the simulator, about one each in BPE tokenizers); the server's own count, chat template included, is token_usage.prompt_tokens_mean",
          }
        : {
            kind: "synthetic",
            tokens: source.tokens,
            note:
              "one user message of common English words, as many as make the chat prompt exactly this many tokens " +
              "with the tokenizer below (chat template included); prompt_tokens_check compares the server's count",
            ...tokenizer,
          };
    case "file":
      return {
        kind: "file",
        file: source.file,
        prompts: source.prompts.length,
        ...(source.scenario === undefined ? {} : { scenario: source.scenario }),
        note: "requests take the file's prompts in turn",
        ...tokenizer,
      };
    case "run":
      return {
        kind: "run",
        scenario: "dataset",
        run: source.run,
        task: source.task,
        prompts: source.prompts.length,
        output_tokens_mean: Object.fromEntries(
          Object.entries(source.outputTokens).map(([variant, lengths]) => [
            variant,
            lengths.reduce((sum, n) => sum + n, 0) / lengths.length,
          ]),
        ),
        note:
          "the task's prompts as the run sent them, the items every variant answered, in turn; each variant's " +
          "max_tokens per item is its own reply's completion tokens in that run (reasoning included), held with " +
          `${holdName(source.hold)} (so the results' max_tokens, the default cap, was not sent)`,
        ...tokenizer,
      };
    case "scenario":
      return {
        kind: "scenario",
        scenario: scenarioLabel(source.scenario),
        seed: source.seed,
        note:
          "genai-bench's notation: each request's prompt and output tokens are drawn (seeded by request index, so " +
          "every variant gets the same lengths); the output length is sent as max_tokens, held with " +
          `${holdName(source.hold)} (so the results' max_tokens, the default cap, was not sent). ` +
          (source.tokenizer === undefined
            ? "Prompts are that many words (one token each in the simulator, about one each in BPE tokenizers)."
            : "Prompts have exactly that many tokens with the tokenizer below, chat template included (a draw below " +
              "the template's own size is raised to it)."),
        ...tokenizer,
      };
  }
}

function holdName(hold: OutputHold | undefined): string {
  return hold === "min-tokens" ? "min_tokens equal to it" : "ignore_eos";
}

/** Builds requests first…first+count−1 ahead of the clock, so no measured request waits for tokenizing. */
export function prepareRequests(source: PromptSource, first: number, count: number, variant: string): void {
  if (source.tokenizer === undefined) return;
  for (let i = first; i < first + count; i++) requestShape(source, i, variant);
}

/**
 * The source with the model's tokenizer: prompts then have exact token counts, counted with `templateKwargs`
 * (a variant's chat_template_kwargs). Throws ConfigError when --prompt-tokens is below the template's own size.
 */
/** `given` says where the tokenizer was named (--tokenizer, or variants[i].tokenizer), for the message. */
export function withTokenizer(
  source: PromptSource,
  tokenizer: ChatTokenizer,
  templateKwargs: Readonly<Record<string, unknown>>,
  given = "--tokenizer",
): PromptSource {
  const prompts = promptTokenizer(tokenizer, templateKwargs);
  if (source.kind === "synthetic" && source.tokens < prompts.exact.minTokens)
    throw new ConfigError(
      [
        `flags: --prompt-tokens ${source.tokens}: with ${given} ${tokenizer.info.ref} the chat template alone ` +
          `takes ${prompts.exact.minTokens - 1} tokens, so a prompt has at least ${prompts.exact.minTokens}`,
      ],
      `pass --prompt-tokens ${prompts.exact.minTokens} or more (the count includes the chat template)`,
      "bench flags",
    );
  return { ...source, tokenizer: prompts };
}
