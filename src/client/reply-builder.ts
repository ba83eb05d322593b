/**
 * Turns what the server sent (streamed chunks or one completion body) into a Reply: final text apart from
 * reasoning, usage, finish reason and timing. Server JSON is outside data, so it is parsed with zod here.
 * No HTTP and no clock: callers pass the instants.
 */
import { z } from "zod";
import type { Reply } from "../tasks/types.ts";
import { splitReasoning } from "./reasoning.ts";

// Loose objects on purpose: servers add fields we ignore (logprobs, system_fingerprint, kv_transfer_params).
const UsageSchema = z.object({ prompt_tokens: z.int().nonnegative(), completion_tokens: z.int().nonnegative() });

/** vLLM sends reasoning as `reasoning_content` (older) or `reasoning` (newer); some versions send both. */
const MessagePartSchema = z.object({
  content: z.string().nullish(),
  reasoning: z.string().nullish(),
  reasoning_content: z.string().nullish(),
});

const ChunkSchema = z.object({
  choices: z.array(z.object({ delta: MessagePartSchema.nullish(), finish_reason: z.string().nullish() })).nullish(),
  usage: UsageSchema.nullish(),
});

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

  constructor(options: { recordChunkTimes?: boolean } = {}) {
    this.#tokenChunkTimes = options.recordChunkTimes === true ? [] : undefined;
  }

  /** When each token-carrying chunk arrived, reasoning included; undefined unless recordChunkTimes was set. */
  get tokenChunkTimes(): readonly number[] | undefined {
    return this.#tokenChunkTimes;
  }

  /** Adds one parsed SSE event that arrived at `at`; a problem means the event was not a chunk. */
  add(event: unknown, at: number): ReplyProblem | undefined {
    const parsed = ChunkSchema.safeParse(event);
    if (!parsed.success) return { kind: "protocol", detail: `malformed stream chunk: ${describeIssue(parsed.error)}` };
    const { choices, usage } = parsed.data;
    if (usage !== undefined && usage !== null) {
      // With continuous usage stats every chunk carries usage; the last one is the total.
      this.#usage = { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens };
    }
    const choice = choices?.[0];
    if (choice === undefined) return undefined;
    const reasoning = choice.delta?.reasoning ?? choice.delta?.reasoning_content ?? "";
    const content = choice.delta?.content ?? "";
    // As `vllm bench serve` counts TTFT: the first chunk that carries any token, reasoning included.
    if ((reasoning !== "" || content !== "") && this.#firstTokenAt === undefined) this.#firstTokenAt = at;
    if (reasoning !== "" || content !== "") this.#tokenChunkTimes?.push(at);
    if (reasoning !== "") this.#reasoning = (this.#reasoning ?? "") + reasoning;
    if (content !== "") {
      this.#pieces.push({ offset: this.#content.length, at });
      this.#content += content;
    }
    if (choice.finish_reason !== undefined && choice.finish_reason !== null) this.#finishReason = choice.finish_reason;
    return undefined;
  }

  /** The reply once the stream has ended. */
  finish(sentAt: number, doneAt: number): BuildResult {
    if (this.#finishReason === undefined) {
      return { ok: false, problem: { kind: "truncated", detail: "the stream ended before a finish_reason (the reply was cut short)" } };
    }
    if (this.#usage === undefined) return { ok: false, problem: { kind: "protocol", detail: MISSING_USAGE_DETAIL } };
    const split = splitReasoning(this.#content);
    const firstAnswerTokenAt = answerTokenAt(this.#content, split.answerOffset, this.#pieces);
    const timing: Reply["timing"] = { sentAt, doneAt };
    if (this.#firstTokenAt !== undefined) timing.firstTokenAt = this.#firstTokenAt;
    if (firstAnswerTokenAt !== undefined) timing.firstAnswerTokenAt = firstAnswerTokenAt;
    return { ok: true, reply: assemble(split.text, joinReasoning(this.#reasoning, split.reasoning), this.#finishReason, this.#usage, timing) };
  }
}

/** A non-streamed completion body; it has no per-token instants, so only sentAt and doneAt are known. */
export function completionToReply(body: unknown, sentAt: number, doneAt: number): BuildResult {
  const parsed = CompletionSchema.safeParse(body);
  if (!parsed.success) return { ok: false, problem: { kind: "protocol", detail: `malformed completion body: ${describeIssue(parsed.error)}` } };
  const { choices, usage } = parsed.data;
  const choice = choices[0];
  if (choice === undefined) return { ok: false, problem: { kind: "protocol", detail: "the completion body has no choices" } };
  if (choice.finish_reason === undefined || choice.finish_reason === null) {
    return { ok: false, problem: { kind: "protocol", detail: "the completion body has no finish_reason" } };
  }
  if (usage === undefined || usage === null) return { ok: false, problem: { kind: "protocol", detail: MISSING_USAGE_DETAIL } };
  const split = splitReasoning(choice.message.content ?? "");
  const fieldReasoning = choice.message.reasoning ?? choice.message.reasoning_content ?? undefined;
  return {
    ok: true,
    reply: assemble(split.text, joinReasoning(fieldReasoning, split.reasoning), choice.finish_reason,
      { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens }, { sentAt, doneAt }),
  };
}

/**
 * The arrival time of the chunk holding the first non-whitespace character of the final answer. The split
 * is only known once the whole content is in, hence the recorded (offset, time) pairs.
 */
function answerTokenAt(content: string, answerOffset: number | undefined, pieces: readonly ContentPiece[]): number | undefined {
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

function assemble(text: string, reasoning: string | undefined, finishReason: string, usage: Reply["usage"], timing: Reply["timing"]): Reply {
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
