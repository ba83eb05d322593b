/**
 * The two transports issue 15 chose between, each as the least code that reads a streamed reply, so
 * bench/performance.bench.ts can measure them beside the raw client and quanteval's Endpoint on the same requests:
 * (a) "sdk-stream": the openai SDK's own stream (its SSE decoder and JSON.parse) over undici's fetch with a tuned
 *     keep-alive Agent as `fetchOptions.dispatcher`;
 * (b) "undici-sse": undici's `request` on a keep-alive Agent, eventsource-parser and JSON.parse.
 */
import { createParser } from "eventsource-parser";
import OpenAI from "openai";
import { Agent, interceptors, request, fetch as undiciFetch } from "undici";
import type { RawReply } from "./raw-client.ts";

export type Candidate = "sdk-stream" | "undici-sse";

const epochMs = (): number => performance.timeOrigin + performance.now();

interface WireChunk {
  choices: { delta?: { content?: string; reasoning_content?: string }; finish_reason?: string | null }[];
  usage?: { prompt_tokens: number; completion_tokens: number } | null;
}

/** Reads one chunk into the reply: first-token time, finish reason, usage. */
function take(reply: RawReply, chunk: WireChunk): void {
  const choice = chunk.choices[0];
  const text = (choice?.delta?.content ?? "") + (choice?.delta?.reasoning_content ?? "");
  if (text !== "") reply.firstTokenAt ??= epochMs();
  if (choice?.finish_reason) reply.finishReason = choice.finish_reason;
  if (chunk.usage) {
    reply.promptTokens = chunk.usage.prompt_tokens;
    reply.completionTokens = chunk.usage.completion_tokens;
  }
}

/** A sender for one run: posts a body (JSON text) and resolves with its reply; close() frees the pool. */
export function candidateClient(
  kind: Candidate,
  baseUrl: string,
  concurrency: number,
): { send(body: string): Promise<RawReply>; close(): Promise<void> } {
  const agent = new Agent({ connections: concurrency, keepAliveTimeout: 4_000, headersTimeout: 0, bodyTimeout: 0 });
  if (kind === "sdk-stream") {
    const client = new OpenAI({
      baseURL: baseUrl,
      apiKey: "EMPTY",
      maxRetries: 0,
      logLevel: "off",
      fetch: undiciFetch as unknown as typeof fetch,
      fetchOptions: { dispatcher: agent },
    });
    return {
      close: () => agent.close(),
      async send(body) {
        const reply: RawReply = { status: 200, sentAt: epochMs(), doneAt: 0 };
        // Our own request body, built by requestBodies in performance.bench.ts.
        const params = JSON.parse(body) as OpenAI.ChatCompletionCreateParamsStreaming;
        const stream = await client.chat.completions.create(params);
        for await (const chunk of stream) take(reply, chunk as WireChunk);
        reply.doneAt = epochMs();
        return reply;
      },
    };
  }
  const dispatcher = agent.compose(interceptors.redirect({ maxRedirections: 20 }));
  const url = `${baseUrl.replace(/\/+$/, "")}/chat/completions`;
  return {
    close: () => agent.close(),
    async send(body) {
      const reply: RawReply = { status: 0, sentAt: epochMs(), doneAt: 0 };
      const response = await request(url, {
        method: "POST",
        body,
        dispatcher,
        headers: { "content-type": "application/json", accept: "text/event-stream", authorization: "Bearer EMPTY" },
      });
      reply.status = response.statusCode;
      const parser = createParser({
        onEvent: (event) => {
          if (event.data !== "[DONE]") take(reply, JSON.parse(event.data) as WireChunk);
        },
      });
      response.body.setEncoding("utf8");
      for await (const text of response.body) parser.feed(text as string);
      reply.doneAt = epochMs();
      return reply;
    },
  };
}
