/**
 * Sends one chat completion through a variant's engine: SSE token by token (as vLLM streams: a role chunk,
 * one chunk per token, a final chunk with finish_reason, the usage chunk when asked, then [DONE]), or one
 * JSON body when the engine is done. The "drop" fault destroys the connection after half the tokens.
 */
import type { ServerResponse } from "node:http";
import type { EngineTicket, TokenScheduler } from "./engine.ts";
import type { ReplyToken } from "./reply-text.ts";
import { chunk, type CompletionHeader, completionBody, SSE_DONE, sse, tokenDelta, usageChunk, usageOf } from "./wire.ts";

export interface Completion {
  header: CompletionHeader;
  tokens: readonly ReplyToken[];
  finishReason: "stop" | "length";
  promptTokens: number;
  stream: boolean;
  includeUsage: boolean;
  reasoningField: boolean;
  /** Destroy the connection mid-reply (the drop fault). */
  drop: boolean;
  /** Called once: "sent", "dropped", or "client went away". */
  onFinish(outcome: string): void;
}

export function sendCompletion(res: ServerResponse, scheduler: TokenScheduler, completion: Completion): void {
  const { header, tokens, finishReason } = completion;
  const usage = usageOf(completion.promptTokens, tokens.length);
  const dropAt = completion.drop ? Math.floor(tokens.length / 2) : undefined;
  // Tokens due in one engine step go out in one write: an instant reply is a single write, not thousands.
  let pending = "";
  let flushQueued = false;
  let finished = false;
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

  if (completion.stream) {
    res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" });
    res.flushHeaders();
  }
  ticket = scheduler.submit({
    promptTokens: completion.promptTokens,
    completionTokens: tokens.length,
    onToken: (index) => {
      if (finished) return;
      if (index === dropAt) return drop();
      if (!completion.stream) return;
      // vLLM sends the role chunk with the first output, not when the request arrives, so TTFT stays honest.
      if (index === 0) write(sse(chunk(header, { role: "assistant", content: "" }, null)));
      const token = tokens[index];
      if (token !== undefined) write(sse(chunk(header, tokenDelta(token), null)));
    },
    onDone: () => {
      if (finished) return;
      if (dropAt !== undefined) return drop();
      if (!completion.stream) {
        res.writeHead(200, { "content-type": "application/json" }).end(completionBody(header, tokens, finishReason, usage, completion.reasoningField));
        return finish("sent");
      }
      if (tokens.length === 0) write(sse(chunk(header, { role: "assistant", content: "" }, null)));
      write(sse(chunk(header, { content: "" }, finishReason)));
      if (completion.includeUsage) write(sse(usageChunk(header, usage)));
      write(SSE_DONE);
      res.end(pending);
      pending = "";
      finish("sent");
    },
  });
  // An engine with zero prefill time can run a whole reply inside submit(); cancel only what is still running.
  if (finished) ticket.cancel();
  res.once("close", () => {
    ticket?.cancel();
    finish("client went away");
  });
}
