/**
 * Teacher forcing (issue 18): one server's logprobs for a fixed token sequence, an item's messages followed by the
 * reference variant's reply, so every variant is scored on the same tokens. Prefill only: vLLM's chat completion
 * with `continue_final_message: true, add_generation_prompt: false` ends the prompt with the reply's last token,
 * `prompt_logprobs: k` returns each position's top k plus the prompt's own token, and `max_tokens: 1` generates
 * (almost) nothing.
 *
 * Token ids come from the same server's POST /tokenize with the same messages and template flags; the reply's
 * positions are those after the prompt rendered with `add_generation_prompt: true`, the prompt the reference's
 * reply was generated from. pairPositions refuses two sequences whose ids differ, naming the first difference.
 *
 * Not covered: retries (one attempt; the runner's queue owns retries and the journal), and a check of the scored
 * ids beyond each position's dict holding its own id (vLLM returns the ids themselves only with return_token_ids).
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
  /** Display URL of the server, for messages. */
  url: string;
  /** Token ids of the whole sequence (prompt and reply), from the server's /tokenize. */
  ids: number[];
  /** Index in `ids` of the reply's first token. */
  replyStart: number;
  /** Per reply position: the listed tokens (top k and the own token, id → logprob) and the own token's logprob. */
  positions: { top: TopLogprobs; tokenLogprob: number }[];
}

const TokenizeSchema = z.object({ tokens: z.array(z.int()) });
const EntrySchema = z.object({ logprob: z.number() });
const ChatSchema = z.object({ prompt_logprobs: z.array(z.record(z.string(), EntrySchema).nullable()).nullish() });
/** vLLM's max-logprobs 400 (vllm/v1/engine/processor.py, via VLLMValidationError). */
const OVER_MAX = /Requested prompt logprobs of (\d+), which is greater than max allowed: (\d+)/;

/** The forced sequence's logprobs at `target`: top `k` per reply position. Throws the typed errors named above. */
export async function forcedLogprobs(
  target: ForcingTarget,
  messages: readonly Message[],
  reply: string,
  k: number,
  signal?: AbortSignal,
): Promise<ForcedLogprobs> {
  const forced = [...messages, { role: "assistant", content: reply }];
  // The template fields first: the two flags that decide where the prompt ends are ours.
  const template = templateFields(target.extraBody ?? {});
  const flags = { ...template, continue_final_message: true, add_generation_prompt: false };
  const ids = await tokenize(target, { messages: forced, ...flags }, signal);
  const asGenerated = { ...template, continue_final_message: false, add_generation_prompt: true };
  const prompt = await tokenize(target, { messages, ...asGenerated }, signal);
  const url = displayUrl(`${target.baseUrl}/chat/completions`);
  const replyStart = prompt.length;
  const prefixEnd = firstDifference(prompt, ids.slice(0, replyStart));
  if (prefixEnd !== undefined || replyStart === 0)
    throw new TokenizationMismatchError(
      `${url}: the prompt with the reply does not start with the prompt alone`,
      prefixEnd ?? 0,
      "the chat template renders an assistant message unlike its generation prompt; the reply's positions are unknown",
      // Qwen3's template with enable_thinking: false is one: its generation prompt ends with an empty think block
      // that a rendered assistant message lacks.
      "use a chat template whose generation prompt is the start of the assistant message it renders (Qwen3: leave " +
        "enable_thinking unset); teacher forcing cannot yet score replies to another (issue 18)",
    );
  const body = { model: target.model, messages: forced, ...flags, prompt_logprobs: k, max_tokens: 1 };
  const answer = await post(target, url, `${target.baseUrl}/chat/completions`, body, k, signal);
  const parsed = ChatSchema.safeParse(answer);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const detail = `malformed prompt_logprobs (${issue?.path.join(".")}: ${issue?.message})`;
    throw new PromptLogprobsUnsupportedError(url, detail);
  }
  const list = parsed.data.prompt_logprobs;
  if (list == null) throw new PromptLogprobsUnsupportedError(url, "the answer has no prompt_logprobs");
  if (list.length !== ids.length)
    throw new TokenizationMismatchError(
      `${url}: the server scored ${list.length} tokens, its /tokenize gave ${ids.length}`,
      Math.min(list.length, ids.length),
      "the chat request and /tokenize rendered the messages differently",
    );
  const positions = ids.slice(replyStart).map((id, index) => {
    const entries = list[replyStart + index] ?? {};
    const own = entries[String(id)];
    if (own === undefined)
      throw new TokenizationMismatchError(
        `${url}: the scored sequence is not the tokenized one`,
        replyStart + index,
        `token ${id} is missing from that position's logprobs`,
      );
    const top = Object.fromEntries(Object.entries(entries).map(([key, entry]) => [key, entry.logprob]));
    return { top, tokenLogprob: own.logprob };
  });
  return { url, ids, replyStart, positions };
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

/** Token ids of a chat prompt by the server's POST /tokenize (at its root, not under /v1). */
async function tokenize(target: ForcingTarget, fields: object, signal?: AbortSignal): Promise<number[]> {
  const root = `${serverRootUrl(target.baseUrl)}/tokenize`;
  const answer = await post(target, displayUrl(root), root, { model: target.model, ...fields }, undefined, signal);
  const parsed = TokenizeSchema.safeParse(answer);
  if (!parsed.success) throw new PromptLogprobsUnsupportedError(displayUrl(root), "the answer has no token ids");
  return parsed.data.tokens;
}

/** One POST through the SDK; its failures become typed errors (k: the prompt_logprobs asked for, if any). */
async function post(
  target: ForcingTarget,
  url: string,
  path: string,
  body: object,
  k: number | undefined,
  signal?: AbortSignal,
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
