/**
 * Teacher forcing (issue 18): one server's logprobs for a fixed token sequence, an item's prompt followed by the
 * reference variant's reply, so every variant is scored on the same tokens. Prefill only: POST /v1/completions with
 * the sequence as token ids, `prompt_logprobs: k` (each position's top k plus its own token) and `max_tokens: 1`.
 *
 * The sequence is built from token ids, not by re-rendering the reply through the chat template: the prompt is the
 * server's POST /tokenize of the messages with the generation prompt, exactly what the reference generated from,
 * and the reply is /tokenize of the text the model generated (`add_special_tokens: false`). A template that renders
 * an assistant message unlike its generation prompt (Qwen3 with enable_thinking: false ends the generation prompt
 * with an empty thought; Qwen3's template also rewrites a thought in history) therefore cannot move the reply.
 *
 * The generated text is rebuilt from the journalled reply: reasoning that a reasoning parser split off
 * (`reasoning_content`) is put back between `<think>` and `</think>` before the final text, as vLLM's Qwen3 and
 * DeepSeek-R1 parsers split it (vllm/reasoning/basic_parsers.py: partition at the tags, nothing stripped); the
 * opening tag is left out when the generation prompt already ends with it (Qwen3-Thinking-2507, DeepSeek-R1-0528).
 *
 * Not covered: retries (one attempt; the caller's queue owns retries and the journal); the reply's own generated
 * ids (a run does not journal them), so the reply is re-tokenized from its text, which for byte-level BPE gives the
 * generated ids except where the model emitted a non-canonical split.
 */
import type OpenAI from "openai";
import { APIError } from "openai";
import { z } from "zod";
import {
  MaxLogprobsTooLowError,
  PromptLogprobsUnsupportedError,
  RequestFailedError,
  type RequestFailureKind,
  TokenizationMismatchError,
} from "../core/errors.ts";
import type { Message } from "../core/types.ts";
import { classifyError } from "./attempt-failure.ts";
import { displayUrl, serverRootUrl } from "./base-url.ts";
import { shouldRetry } from "./retry.ts";
import { templateFields } from "./tokenize-route.ts";

/** Where to ask: the variant's client (it carries the API key), its base URL and model name. */
export interface ForcingTarget {
  client: OpenAI;
  baseUrl: string;
  model: string;
  /**
   * The variant's extra request fields; those that shape the prompt (chat_template_kwargs such as enable_thinking,
   * chat_template, tools, …) go along, so the prompt renders as it did when the reference generated its reply.
   */
  extraBody?: Readonly<Record<string, unknown>>;
}

/** The reference's reply as journalled: its final text, and the reasoning a reasoning parser split off. */
export interface ForcedReply {
  text: string;
  reasoning?: string | undefined;
}

export interface ForcingOptions {
  /** prompt_logprobs: the top k per position. */
  k: number;
  /** Score at most this many reply tokens (the first ones); undefined: all. */
  maxPositions?: number | undefined;
  signal?: AbortSignal | undefined;
}

/** Token id (as a string) → natural-log probability: vLLM's top k at one position, plus the position's own token. */
export type TopLogprobs = Readonly<Record<string, number>>;

/**
 * One reply position, both sides: the shape metrics/divergence.ts's PositionLogprobs takes (the client may not
 * import metrics, .dependency-cruiser.js; the test passes one to the other, so tsc keeps them in step).
 */
export interface PairedPosition {
  token: string;
  reference: TopLogprobs;
  variant: TopLogprobs;
  referenceTokenLogprob: number;
  variantTokenLogprob: number;
}

/** One server's view of the forced sequence. */
export interface ForcedLogprobs {
  /** Display URL of the server's completions route, for messages. */
  url: string;
  /** Token ids of the scored sequence: the prompt, then the reply (its first maxPositions tokens). */
  ids: number[];
  /** Index in `ids` of the reply's first token. */
  replyStart: number;
  /** The reply's length in tokens before any cut. */
  replyTokens: number;
  /** Per scored reply position: the listed tokens (top k and the own token, id → logprob) and the own token's. */
  positions: { top: TopLogprobs; tokenLogprob: number }[];
}

const TokenizeSchema = z.object({ tokens: z.array(z.int()), token_strs: z.array(z.string()).nullish() });
const EntrySchema = z.object({ logprob: z.number() });
const PromptLogprobsSchema = z.array(z.record(z.string(), EntrySchema).nullable());
const CompletionSchema = z.object({
  choices: z.array(z.object({ prompt_logprobs: PromptLogprobsSchema.nullish() })).min(1),
});
/** vLLM's max-logprobs 400 (vllm/v1/engine/processor.py, via VLLMValidationError). */
const OVER_MAX = /Requested prompt logprobs of (\d+), which is greater than max allowed: (\d+)/;
const THINK_OPEN = "<think>";

/** The forced sequence's logprobs at `target`: top `k` per reply position. Throws the typed errors named above. */
export async function forcedLogprobs(
  target: ForcingTarget,
  messages: readonly Message[],
  reply: ForcedReply,
  options: ForcingOptions,
): Promise<ForcedLogprobs> {
  const { k, signal } = options;
  const template = templateFields(target.extraBody ?? {});
  // The prompt the reference's reply was generated from; the two flags that end it are ours.
  const asGenerated = { ...template, continue_final_message: false, add_generation_prompt: true };
  const prompt = await tokenize(target, { messages, ...asGenerated, return_token_strs: true }, signal);
  if (prompt.ids.length === 0)
    throw new PromptLogprobsUnsupportedError(displayUrl(rootUrl(target, "tokenize")), "the prompt has no tokens");
  const text = generatedText(reply, opensThought(prompt.strings));
  const replyIds = (await tokenize(target, { prompt: text, add_special_tokens: false }, signal)).ids;
  const scored = options.maxPositions === undefined ? replyIds : replyIds.slice(0, options.maxPositions);
  const ids = [...prompt.ids, ...scored];
  const replyStart = prompt.ids.length;
  const url = displayUrl(`${target.baseUrl}/completions`);
  const body = { model: target.model, prompt: ids, prompt_logprobs: k, max_tokens: 1, temperature: 0 };
  const answer = await post(target, url, `${target.baseUrl}/completions`, body, k, signal);
  const parsed = CompletionSchema.safeParse(answer);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const detail = `malformed answer (${issue?.path.join(".")}: ${issue?.message})`;
    throw new PromptLogprobsUnsupportedError(url, detail);
  }
  const list = parsed.data.choices[0]?.prompt_logprobs;
  if (list == null) throw new PromptLogprobsUnsupportedError(url, "the answer has no prompt_logprobs");
  if (list.length !== ids.length)
    throw new TokenizationMismatchError(
      `${url}: the server scored ${list.length} tokens, ${ids.length} were sent`,
      Math.min(list.length, ids.length),
      "the server did not score the token ids it was sent",
    );
  const positions = scored.map((id, index) => {
    const entries = list[replyStart + index] ?? {};
    const own = entries[String(id)];
    if (own === undefined)
      throw new TokenizationMismatchError(
        `${url}: the scored sequence is not the one sent`,
        replyStart + index,
        `token ${id} is missing from that position's logprobs`,
      );
    const top = Object.fromEntries(Object.entries(entries).map(([key, entry]) => [key, entry.logprob]));
    return { top, tokenLogprob: own.logprob };
  });
  return { url, ids, replyStart, replyTokens: replyIds.length, positions };
}

/**
 * The text the model generated, from the journalled reply: reasoning a parser split off goes back between the
 * thought tags, before the final text (the opening tag only when the prompt did not already open the thought).
 */
export function generatedText(reply: ForcedReply, promptOpensThought: boolean): string {
  if (reply.reasoning === undefined || reply.reasoning === "") return reply.text;
  return `${promptOpensThought ? "" : THINK_OPEN}${reply.reasoning}</think>${reply.text}`;
}

/** Whether the prompt's last token that is not whitespace is `<think>` (unknown without token strings: no). */
function opensThought(strings: readonly string[] | undefined): boolean {
  const last = strings?.findLast((token) => token.trim() !== "");
  return last?.trim() === THINK_OPEN;
}

/**
 * The reply's positions as divergence.ts takes them (PairedPosition), the reference's logprobs beside the
 * variant's. Throws TokenizationMismatchError when the two sequences' ids (or where the reply starts) differ.
 */
export function pairPositions(reference: ForcedLogprobs, variant: ForcedLogprobs): PairedPosition[] {
  const what = `${variant.url} against the reference ${reference.url}`;
  const differ = firstDifference(reference.ids, variant.ids);
  if (differ !== undefined) {
    const [a, b] = [reference.ids[differ], variant.ids[differ]].map((id) => (id === undefined ? "none" : `id ${id}`));
    throw new TokenizationMismatchError(what, differ, `reference ${a}, variant ${b}`);
  }
  if (reference.replyStart !== variant.replyStart)
    throw new TokenizationMismatchError(
      what,
      Math.min(reference.replyStart, variant.replyStart),
      `the reply starts at ${reference.replyStart} for the reference, at ${variant.replyStart} for the variant`,
    );
  return reference.positions.map((position, index) => {
    const other = variant.positions[index];
    const id = reference.ids[reference.replyStart + index];
    // Equal ids and reply starts give equal lengths; the guard keeps the checker (and a broken caller) honest.
    if (other === undefined || id === undefined) throw new RangeError("pairPositions: positions out of step");
    return {
      token: String(id),
      reference: position.top,
      variant: other.top,
      referenceTokenLogprob: position.tokenLogprob,
      variantTokenLogprob: other.tokenLogprob,
    };
  });
}

/** The first index where `a` and `b` differ (a length difference counts), or undefined when they are equal. */
function firstDifference(a: readonly number[], b: readonly number[]): number | undefined {
  const length = Math.max(a.length, b.length);
  for (let i = 0; i < length; i++) if (a[i] !== b[i]) return i;
  return undefined;
}

function rootUrl(target: ForcingTarget, route: string): string {
  return `${serverRootUrl(target.baseUrl)}/${route}`;
}

/** Token ids (and, when asked, their strings) by the server's POST /tokenize (at its root, not under /v1). */
async function tokenize(
  target: ForcingTarget,
  fields: object,
  signal: AbortSignal | undefined,
): Promise<{ ids: number[]; strings: string[] | undefined }> {
  const root = rootUrl(target, "tokenize");
  const answer = await post(target, displayUrl(root), root, { model: target.model, ...fields }, undefined, signal);
  const parsed = TokenizeSchema.safeParse(answer);
  if (!parsed.success) throw new PromptLogprobsUnsupportedError(displayUrl(root), "the answer has no token ids");
  return { ids: parsed.data.tokens, strings: parsed.data.token_strs ?? undefined };
}

/** One POST through the SDK; its failures become typed errors (k: the prompt_logprobs asked for, if any). */
async function post(
  target: ForcingTarget,
  url: string,
  path: string,
  body: object,
  k: number | undefined,
  signal: AbortSignal | undefined,
): Promise<unknown> {
  try {
    return await target.client.post<unknown>(path, { body, ...(signal === undefined ? {} : { signal }) });
  } catch (error) {
    signal?.throwIfAborted();
    if (!(error instanceof Error)) throw error;
    const over = error instanceof APIError && error.status === 400 ? OVER_MAX.exec(error.message) : null;
    if (over !== null) throw new MaxLogprobsTooLowError(url, Number(over[1] ?? k), Number(over[2]), { cause: error });
    const failure = classifyError(error);
    // 404/405 (no such route) and 501: this server has no /tokenize or no such request.
    if (failure.status === 404 || failure.status === 405 || failure.status === 501)
      throw new PromptLogprobsUnsupportedError(url, failure.detail, { cause: error });
    const retryable = shouldRetry(failure).retry;
    const kind: RequestFailureKind =
      failure.status !== undefined ? "http" : failure.timeout === true ? "timeout" : "connection";
    const info = { attempts: 1, retryable, kind, ...(failure.status === undefined ? {} : { status: failure.status }) };
    throw new RequestFailedError(url, failure.detail, info, { cause: error });
  }
}
