/**
 * Turns what the server sent (streamed chunks or one completion body) into a Reply: final text apart from
 * reasoning, usage, finish reason and timing. Server JSON is outside data, so it is parsed with zod here.
 * No HTTP and no clock: callers pass the instants.
 */
import { z } from "zod";
import type { Message, Reply } from "../core/types.ts";
import { splitReasoning } from "./reasoning.ts";
import { type ReplyLimits, ReplyTooLargeError } from "./reply-limits.ts";

// Loose objects on purpose: servers add fields we ignore (logprobs, system_fingerprint, kv_transfer_params).
const UsageSchema = z.object({ prompt_tokens: z.int().nonnegative(), completion_tokens: z.int().nonnegative() });

/** vLLM sends reasoning as `reasoning_content` (older) or `reasoning` (newer); some versions send both. */
const MessagePartSchema = z.object({
  content: z.string().nullish(),
  reasoning: z.string().nullish(),
  reasoning_content: z.string().nullish(),
});

export const ChunkSchema = z.object({
  choices: z.array(z.object({ delta: MessagePartSchema.nullish(), finish_reason: z.string().nullish() })).nullish(),
  usage: UsageSchema.nullish(),
});

type Chunk = z.infer<typeof ChunkSchema>;

/**
 * ChunkSchema checked by hand, for the common case: safeParse on each of a reply's hundreds of chunks was a
 * measurable share of the client's CPU per request (issue 7's overhead bench). Returns false for anything it is
 * unsure of, and zod then decides; a test holds the two to the same verdicts.
 */
export function isChunk(event: unknown): event is Chunk {
  if (typeof event !== "object" || event === null || Array.isArray(event)) return false;
  const { choices, usage } = event as { choices?: unknown; usage?: unknown };
  if (usage !== undefined && usage !== null) {
    if (typeof usage !== "object") return false;
    const { prompt_tokens: prompt, completion_tokens: completion } = usage as {
      prompt_tokens?: unknown;
      completion_tokens?: unknown;
    };
    if (!isCount(prompt) || !isCount(completion)) return false;
  }
  if (choices === undefined || choices === null) return true;
  if (!Array.isArray(choices)) return false;
  for (const choice of choices as unknown[]) {
    if (typeof choice !== "object" || choice === null || Array.isArray(choice)) return false;
    const { delta, finish_reason: finishReason } = choice as { delta?: unknown; finish_reason?: unknown };
    if (!isOptionalString(finishReason)) return false;
    if (delta === undefined || delta === null) continue;
    if (typeof delta !== "object" || Array.isArray(delta)) return false;
    const {
      content,
      reasoning,
      reasoning_content: reasoningContent,
    } = delta as { content?: unknown; reasoning?: unknown; reasoning_content?: unknown };
    if (!isOptionalString(content) || !isOptionalString(reasoning) || !isOptionalString(reasoningContent)) return false;
  }
  return true;
}

/** What the reply builder takes from one streamed chunk: the first choice's text and finish reason, and usage. */
export interface ChunkFields {
  /** "" when the chunk carries none. */
  content: string;
  reasoning: string;
  finishReason: string | undefined;
  usage: Reply["usage"] | undefined;
}

/** One parsed chunk's fields, or why it is not a chunk. */
export function chunkFields(event: unknown): ChunkFields | ReplyProblem {
  let chunk: Chunk;
  if (isChunk(event)) {
    chunk = event;
  } else {
    // The hand-written check failed; zod says why (and has the last word on what a chunk is).
    const parsed = ChunkSchema.safeParse(event);
    if (!parsed.success) return { kind: "protocol", detail: `malformed stream chunk: ${describeIssue(parsed.error)}` };
    chunk = parsed.data;
  }
  const { choices, usage } = chunk;
  const choice = choices?.[0];
  return {
    content: choice?.delta?.content ?? "",
    reasoning: choice?.delta?.reasoning ?? choice?.delta?.reasoning_content ?? "",
    finishReason: choice?.finish_reason ?? undefined,
    usage:
      usage === undefined || usage === null
        ? undefined
        : { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens },
  };
}

export const isReplyProblem = (value: ChunkFields | ReplyProblem): value is ReplyProblem => "kind" in value;

const isOptionalString = (value: unknown): boolean =>
  value === undefined || value === null || typeof value === "string";
const isCount = (value: unknown): boolean => typeof value === "number" && Number.isSafeInteger(value) && value >= 0;

const CompletionSchema = z.object({
  choices: z.array(z.object({ message: MessagePartSchema, finish_reason: z.string().nullish() })).min(1),
  usage: UsageSchema.nullish(),
});

/** Why a finished stream or body is not a usable reply; `kind` decides whether asking again can help. */
export interface ReplyProblem {
  /** "truncated": the stream ended before its end (retry); "protocol": the server's output has the wrong shape (no retry). */
  kind: "truncated" | "protocol";
  detail: string;
}

export type BuildResult = { ok: true; reply: Reply } | { ok: false; problem: ReplyProblem };

export const MISSING_USAGE_DETAIL =
  "the reply carried no usage (token counts); the server ignored stream_options.include_usage — " +
  "upgrade vLLM, or set `stream: false` to read usage from the response body";

/**
 * The model's own tokenizer, for counting a reply whose server sent no usage: what the server would have counted.
 * Callers bind the variant's chat_template_kwargs into countPrompt.
 */
export interface UsageTokenizer {
  /** Prompt tokens of a chat request with these messages: the chat template applied, as the server applies it. */
  countPrompt(messages: readonly Message[]): number;
  /** Tokens of generated text, no special tokens added. */
  countText(text: string): number;
}

/** Where each content chunk starts in the concatenated content, and when it arrived. */
interface ContentPiece {
  offset: number;
  at: number;
}

/** Collects one attempt's stream, one SSE event at a time. */
export class StreamReplyBuilder {
  #content = "";
  #reasoning: string | undefined;
  #pieces: ContentPiece[] = [];
  #firstTokenAt: number | undefined;
  #finishReason: string | undefined;
  #usage: Reply["usage"] | undefined;
  /** Arrival of every chunk that carried a token, when asked for (`quanteval bench`'s inter-token latency); not journalled. */
  readonly #tokenChunkTimes: number[] | undefined;
  readonly #limits: ReplyLimits | undefined;
  /** Characters of content and reasoning so far, against limits.maxTextChars. */
  #chars = 0;
  /** Chunks that carried a token: the completion count when the server sends no usage and no tokenizer is given. */
  #tokenChunks = 0;
  readonly #countMissing: MissingUsageCount | undefined;

  /**
   * With `limits`, add() throws ReplyTooLargeError once the text passes what max_tokens allows. With
   * countMissingUsage, a stream without usage is not a failure: its completion tokens are countText's count of the
   * streamed reasoning and content (usageCountedBy "tokenizer"; the caller, who has the messages, counts the
   * prompt), or without countText the token chunks counted here ("chunks"; the prompt unknown, null).
   */
  constructor(
    options: { recordChunkTimes?: boolean; limits?: ReplyLimits; countMissingUsage?: MissingUsageCount } = {},
  ) {
    this.#tokenChunkTimes = options.recordChunkTimes === true ? [] : undefined;
    this.#limits = options.limits;
    this.#countMissing = options.countMissingUsage;
  }

  /** When each token-carrying chunk arrived, reasoning included; undefined unless recordChunkTimes was set. */
  get tokenChunkTimes(): readonly number[] | undefined {
    return this.#tokenChunkTimes;
  }

  /** Adds one chunk that arrived at `at` (read by chunkFields or decodeChunk). */
  add(chunk: ChunkFields, at: number): void {
    // With continuous usage stats every chunk carries usage; the last one is the total.
    if (chunk.usage !== undefined) this.#usage = chunk.usage;
    const { reasoning, content } = chunk;
    if (reasoning !== "" || content !== "") {
      this.#chars += reasoning.length + content.length;
      const limits = this.#limits;
      if (limits !== undefined && this.#chars > limits.maxTextChars) throw ReplyTooLargeError.text(limits);
      // As `vllm bench serve` counts TTFT: the first chunk that carries any token, reasoning included.
      this.#firstTokenAt ??= at;
      this.#tokenChunkTimes?.push(at);
      this.#tokenChunks += 1;
    }
    if (reasoning !== "") this.#reasoning = (this.#reasoning ?? "") + reasoning;
    if (content !== "") {
      // Chunks that arrived together share one piece: answerTokenAt needs only where each arrival starts.
      if (this.#pieces.at(-1)?.at !== at) this.#pieces.push({ offset: this.#content.length, at });
      this.#content += content;
    }
    if (chunk.finishReason !== undefined) this.#finishReason = chunk.finishReason;
  }

  /** The reply once the stream has ended. */
  finish(sentAt: number, doneAt: number): BuildResult {
    if (this.#finishReason === undefined) {
      return {
        ok: false,
        problem: { kind: "truncated", detail: "the stream ended before a finish_reason (the reply was cut short)" },
      };
    }
    const usage = this.#usage;
    const counting = this.#countMissing;
    if (usage === undefined && counting === undefined)
      return { ok: false, problem: { kind: "protocol", detail: MISSING_USAGE_DETAIL } };
    const split = splitReasoning(this.#content);
    const firstAnswerTokenAt = answerTokenAt(this.#content, split.answerOffset, this.#pieces);
    const timing: Reply["timing"] = { sentAt, doneAt };
    if (this.#firstTokenAt !== undefined) timing.firstTokenAt = this.#firstTokenAt;
    if (firstAnswerTokenAt !== undefined) timing.firstAnswerTokenAt = firstAnswerTokenAt;
    const reasoning = joinReasoning(this.#reasoning, split.reasoning);
    if (usage !== undefined)
      return { ok: true, reply: assemble(split.text, reasoning, this.#finishReason, usage, timing) };
    // The text as streamed, before <think> tags were split off: the tags are tokens the server counted too.
    const countText = counting?.countText;
    const counted: { usage: Reply["usage"]; usageCountedBy: NonNullable<Reply["usageCountedBy"]> } =
      countText === undefined
        ? { usage: { promptTokens: null, completionTokens: this.#tokenChunks }, usageCountedBy: "chunks" }
        : {
            usage: {
              promptTokens: null,
              completionTokens: countText(this.#reasoning ?? "") + countText(this.#content),
            },
            usageCountedBy: "tokenizer",
          };
    const reply = assemble(split.text, reasoning, this.#finishReason, counted.usage, timing);
    return { ok: true, reply: { ...reply, usageCountedBy: counted.usageCountedBy } };
  }
}

/** How StreamReplyBuilder counts a stream without usage: with countText (the model's tokenizer), else by chunks. */
export interface MissingUsageCount {
  countText?: ((text: string) => number) | undefined;
}

/**
 * A non-streamed completion body; it has no per-token instants, so only sentAt and doneAt are known. A body without
 * usage is counted with countMissingUsage.countText when given (usageCountedBy "tokenizer"; the caller counts the
 * prompt); with no chunks to count, it is otherwise a failure.
 */
export function completionToReply(
  body: unknown,
  sentAt: number,
  doneAt: number,
  countMissingUsage?: MissingUsageCount,
): BuildResult {
  const parsed = CompletionSchema.safeParse(body);
  if (!parsed.success)
    return {
      ok: false,
      problem: { kind: "protocol", detail: `malformed completion body: ${describeIssue(parsed.error)}` },
    };
  const { choices, usage } = parsed.data;
  const choice = choices[0];
  if (choice === undefined)
    return { ok: false, problem: { kind: "protocol", detail: "the completion body has no choices" } };
  if (choice.finish_reason === undefined || choice.finish_reason === null) {
    return { ok: false, problem: { kind: "protocol", detail: "the completion body has no finish_reason" } };
  }
  const content = choice.message.content ?? "";
  const split = splitReasoning(content);
  const fieldReasoning = choice.message.reasoning ?? choice.message.reasoning_content ?? undefined;
  const reasoning = joinReasoning(fieldReasoning, split.reasoning);
  const timing = { sentAt, doneAt };
  if (usage !== undefined && usage !== null) {
    const counts = { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens };
    return { ok: true, reply: assemble(split.text, reasoning, choice.finish_reason, counts, timing) };
  }
  const countText = countMissingUsage?.countText;
  if (countText === undefined) return { ok: false, problem: { kind: "protocol", detail: MISSING_USAGE_DETAIL } };
  // The content as sent, <think> tags included, as a stream's is counted.
  const completionTokens = countText(fieldReasoning ?? "") + countText(content);
  const reply = assemble(split.text, reasoning, choice.finish_reason, { promptTokens: null, completionTokens }, timing);
  return { ok: true, reply: { ...reply, usageCountedBy: "tokenizer" } };
}

/**
 * The arrival time of the chunk holding the first non-whitespace character of the final answer. The split
 * is only known once the whole content is in, hence the recorded (offset, time) pairs.
 */
function answerTokenAt(
  content: string,
  answerOffset: number | undefined,
  pieces: readonly ContentPiece[],
): number | undefined {
  if (answerOffset === undefined) return undefined;
  const lead = content.slice(answerOffset).search(/\S/);
  if (lead === -1) return undefined;
  const index = answerOffset + lead;
  let at: number | undefined;
  for (const piece of pieces) {
    if (piece.offset > index) break;
    at = piece.at;
  }
  return at;
}

function joinReasoning(fromField: string | undefined, fromTags: string | undefined): string | undefined {
  if (fromField === undefined) return fromTags;
  return fromTags === undefined ? fromField : fromField + fromTags;
}

function assemble(
  text: string,
  reasoning: string | undefined,
  finishReason: string,
  usage: Reply["usage"],
  timing: Reply["timing"],
): Reply {
  const reply: Reply = { text, finishReason, usage, timing };
  if (reasoning !== undefined) reply.reasoning = reasoning;
  return reply;
}

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return "does not match the OpenAI schema";
  const path = issue.path.length === 0 ? "(root)" : issue.path.join(".");
  return `${path}: ${issue.message}`;
}
