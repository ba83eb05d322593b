/**
 * Sends one chat completion through a variant's engine: SSE token by token (as vLLM streams: a role chunk,
 * one chunk per token, a final chunk with finish_reason, the usage chunk when asked, then [DONE]), or one
 * JSON body when the engine is done. Reply faults change that, all at the halfway token:
 * - "drop" destroys the connection (a crash or reset: the client sees the socket break);
 * - "truncate" ends the response cleanly there (no finish_reason, no usage, no [DONE]; a non-streamed body is cut in half);
 * - "malformed" sends one `data:` line that is not JSON there, then the rest as usual (a non-streamed body that is not JSON);
 * - "missingUsage" leaves out the usage chunk even when include_usage asks for it (a non-streamed body has `usage: null`).
 * A dialect (dialects.ts) may name reasoning `reasoning`, put usage on the finish_reason chunk (llama.cpp, asked or
 * not) and add its own fields to the last chunk and the body (llama.cpp's `timings`).
 */
import type { ServerResponse } from "node:http";
import type { ReplyTimings } from "./dialects.ts";
import type { EngineTicket, TokenScheduler } from "./engine.ts";
import type { PromptLogprobs } from "./prompt-logprobs.ts";
import type { ReplyToken } from "./reply-text.ts";
import {
  type CompletionHeader,
  chunk,
  completionBody,
  malformedEvent,
  type ReasoningKey,
  SSE_DONE,
  sse,
  tokenDelta,
  type Usage,
  usageChunk,
  usageOf,
} from "./wire.ts";

export type ReplyFault = "drop" | "truncate" | "malformed" | "missingUsage";

export interface Completion {
  header: CompletionHeader;
  tokens: readonly ReplyToken[];
  finishReason: "stop" | "length";
  promptTokens: number;
  /** When the request reached the server (performance.now(), the engines' clock): prefill is timed from then. */
  arrivedAt: number;
  stream: boolean;
  includeUsage: boolean;
  reasoningField: boolean;
  /** What goes wrong with this reply, if anything. */
  fault: ReplyFault | undefined;
  /** The request's prompt_logprobs, when it asked for them (never in a stream). */
  promptLogprobs?: PromptLogprobs | null;
  /** The field reasoning goes in; default `reasoning_content`. */
  reasoningKey?: ReasoningKey;
  /** The usage the server reports, when it is not the true count (a profile's usageQuirk). */
  usage?: Usage;
  /** Usage on the finish_reason chunk, include_usage or not (llama.cpp), instead of a usage chunk when asked. */
  usageOnFinishChunk?: boolean;
  /** Top-level fields of the last chunk and the body, from the reply's timings (llama.cpp's `timings`). */
  replyExtras?: (timings: ReplyTimings) => Record<string, unknown>;
  /** Called once: "sent", "dropped", "truncated", "sent malformed", "sent without usage", or "client went away". */
  onFinish(outcome: string): void;
}

export function sendCompletion(res: ServerResponse, scheduler: TokenScheduler, completion: Completion): void {
  const { header, tokens, finishReason, fault, reasoningKey } = completion;
  const usage = completion.usage ?? usageOf(completion.promptTokens, tokens.length);
  let firstTokenAt: number | undefined;
  /** The dialect's extra fields, timed from arrival to the first token and from there to now. */
  const extras = (): Record<string, unknown> => {
    if (completion.replyExtras === undefined) return {};
    const now = performance.now();
    const first = firstTokenAt ?? now;
    const ms = (value: number): number => Math.round(value * 1000) / 1000;
    return completion.replyExtras({
      promptTokens: usage.prompt_tokens,
      completionTokens: usage.completion_tokens,
      prefillMs: ms(first - completion.arrivedAt),
      decodeMs: ms(now - first),
    });
  };
  /** Where drop, truncate and malformed strike in a stream: before this token is sent. */
  const cutAt = Math.floor(tokens.length / 2);
  // Tokens due in one engine step go out in one write: an instant reply is a single write, not thousands.
  let pending = "";
  let flushQueued = false;
  let finished = false;
  let struck = false;
  const flush = (): void => {
    flushQueued = false;
    if (pending !== "" && !res.destroyed) res.write(pending);
    pending = "";
  };
  const write = (text: string): void => {
    pending += text;
    if (!flushQueued) {
      flushQueued = true;
      queueMicrotask(flush);
    }
  };
  const finish = (outcome: string): void => {
    if (finished) return;
    finished = true;
    completion.onFinish(outcome);
  };
  let ticket: EngineTicket | undefined;
  const drop = (): void => {
    finish("dropped");
    ticket?.cancel();
    // Destroy only once what was sent so far is flushed to the socket: the client must see a partial reply.
    const sent = pending;
    pending = "";
    if (sent === "" || res.destroyed) res.destroy();
    else res.write(sent, () => res.destroy());
  };
  const truncate = (): void => {
    finish("truncated");
    ticket?.cancel();
    res.end(pending);
    pending = "";
  };
  /** The streamed faults that strike at the halfway token; true when the reply ends there. */
  const strike = (): boolean => {
    if (struck) return false;
    struck = true;
    if (fault === "drop") {
      drop();
      return true;
    }
    if (fault === "truncate") {
      truncate();
      return true;
    }
    if (fault === "malformed") write(`${malformedEvent(header)}\n\n`);
    return false;
  };

  if (completion.stream) {
    res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" });
    res.flushHeaders();
  }
  ticket = scheduler.submit({
    arrivedAt: completion.arrivedAt,
    promptTokens: completion.promptTokens,
    completionTokens: tokens.length,
    onToken: (index) => {
      if (finished) return;
      if (index === 0) firstTokenAt = performance.now();
      if (fault === "drop" && index === cutAt) return void strike();
      if (!completion.stream) return;
      // vLLM sends the role chunk with the first output, not when the request arrives, so TTFT stays honest.
      if (index === 0) write(sse(chunk(header, { role: "assistant", content: "" }, null)));
      if (index === cutAt && strike()) return;
      const token = tokens[index];
      if (token !== undefined) write(sse(chunk(header, tokenDelta(token, reasoningKey), null)));
    },
    onDone: () => {
      if (finished) return;
      if (fault === "drop") return drop();
      if (!completion.stream) return sendBody();
      if (tokens.length === 0) write(sse(chunk(header, { role: "assistant", content: "" }, null)));
      // A reply with no tokens has no halfway token: the fault strikes before the end instead.
      if (strike()) return;
      const withUsage = fault !== "missingUsage";
      if (completion.usageOnFinishChunk === true) {
        write(sse(chunk(header, { content: "" }, finishReason, { ...(withUsage ? { usage } : {}), ...extras() })));
      } else {
        write(sse(chunk(header, { content: "" }, finishReason, extras())));
        if (completion.includeUsage && withUsage) write(sse(usageChunk(header, usage)));
      }
      write(SSE_DONE);
      res.end(pending);
      pending = "";
      finish(outcomeOf(fault));
    },
  });
  // An engine with zero prefill time can run a whole reply inside submit(); cancel only what is still running.
  if (finished) ticket.cancel();
  res.once("close", () => {
    ticket?.cancel();
    finish("client went away");
  });

  function sendBody(): void {
    const body = completionBody(
      header,
      tokens,
      finishReason,
      fault === "missingUsage" ? null : usage,
      completion.reasoningField,
      completion.promptLogprobs ?? null,
      reasoningKey,
      extras(),
    );
    // Truncated: the first half, ended cleanly. Malformed: whole but for a trailing comma, so JSON.parse refuses it.
    const text =
      fault === "truncate"
        ? body.slice(0, Math.floor(body.length / 2))
        : fault === "malformed"
          ? `${body.slice(0, -1)},}`
          : body;
    res.writeHead(200, { "content-type": "application/json" }).end(text);
    finish(fault === "truncate" ? "truncated" : outcomeOf(fault));
  }
}

function outcomeOf(fault: ReplyFault | undefined): string {
  return fault === "malformed" ? "sent malformed" : fault === "missingUsage" ? "sent without usage" : "sent";
}
