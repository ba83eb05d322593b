/**
 * A loopback HTTP server that plays exact, scripted responses, one per request, in order: the bytes a vLLM
 * server (or a broken one) would send. Only 127.0.0.1, port 0.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Server } from "node:net";

export type Play = (res: ServerResponse, req: RecordedRequest) => void;

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  /** The parsed JSON body ("" parsed as undefined for GETs). */
  body: unknown;
}

export interface ScriptedServer {
  /** http://127.0.0.1:<port>, without /v1. */
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/**
 * Plays `chat` for POST …/v1/chat/completions, `models` for GET …/v1/models, `tokenize` for POST …/tokenize and
 * `completions` for POST …/v1/completions, each list in order. Paths match by their end, so a base URL behind a proxy prefix ("/vllm/v1") reaches them too.
 */
export async function startScriptedServer(script: {
  chat?: Play[];
  models?: Play[];
  tokenize?: Play[];
  completions?: Play[];
}): Promise<ScriptedServer> {
  const chat = [...(script.chat ?? [])];
  const models = [...(script.models ?? [])];
  const tokenize = [...(script.tokenize ?? [])];
  const completions = [...(script.completions ?? [])];
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on("data", (part: Buffer) => parts.push(part));
    req.on("end", () => {
      const text = Buffer.concat(parts).toString("utf8");
      const recorded: RecordedRequest = {
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body: text === "" ? undefined : JSON.parse(text),
      };
      requests.push(recorded);
      const path = recorded.path;
      const queue = path.endsWith("/v1/chat/completions")
        ? chat
        : path.endsWith("/v1/models")
          ? models
          : path.endsWith("/tokenize")
            ? tokenize
            : path.endsWith("/v1/completions")
              ? completions
              : [];
      const play = queue.shift();
      // 418 is not retried, so a test that runs out of script fails loudly instead of looping.
      if (play === undefined)
        json(418, { error: { message: `no scripted play left for ${recorded.method} ${recorded.path}` } })(
          res,
          recorded,
        );
      else play(res, recorded);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${portOf(server)}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on: bound once, then closed. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = portOf(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function portOf(server: Server): number {
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the test server is not listening on TCP");
  return address.port;
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Play {
  return (res) => {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify(body));
  };
}

/** One SSE event per entry (objects as JSON, strings verbatim), then `data: [DONE]` unless `done` is false. */
export function sse(events: readonly (object | string)[], options: { done?: boolean } = {}): Play {
  return (res) => {
    startSse(res);
    for (const event of events) writeEvent(res, event);
    if (options.done !== false) res.write("data: [DONE]\n\n");
    res.end();
  };
}

/** Sends the events, then destroys the socket without ending the response (a crashed server or reset). */
export function sseThenDestroy(events: readonly (object | string)[]): Play {
  return (res) => {
    startSse(res);
    for (const event of events) writeEvent(res, event);
    // Let the bytes leave before the reset, as when a server dies mid-reply.
    setImmediate(() => res.socket?.destroy());
  };
}

/** Sends the events, calls `then` (to abort from the client side), and never finishes. */
export function sseThenStall(events: readonly (object | string)[], then: () => void = () => {}): Play {
  return (res) => {
    startSse(res);
    for (const event of events) writeEvent(res, event);
    then();
  };
}

function startSse(res: ServerResponse): void {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
}

function writeEvent(res: ServerResponse, event: object | string): void {
  res.write(`data: ${typeof event === "string" ? event : JSON.stringify(event)}\n\n`);
}

// vLLM's chunk shapes (vllm/entrypoints/openai/protocol.py: ChatCompletionStreamResponse).
const CHUNK_HEAD = { id: "chatcmpl-1", object: "chat.completion.chunk", created: 1, model: "m" };

export function roleChunk(): object {
  return {
    ...CHUNK_HEAD,
    choices: [{ index: 0, delta: { role: "assistant", content: "" }, logprobs: null, finish_reason: null }],
  };
}

export function deltaChunk(delta: { content?: string; reasoning_content?: string; reasoning?: string }): object {
  return { ...CHUNK_HEAD, choices: [{ index: 0, delta, logprobs: null, finish_reason: null }] };
}

export function finishChunk(reason: string): object {
  return { ...CHUNK_HEAD, choices: [{ index: 0, delta: { content: "" }, logprobs: null, finish_reason: reason }] };
}

export function usageChunk(promptTokens: number, completionTokens: number): object {
  return {
    ...CHUNK_HEAD,
    choices: [],
    usage: {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
    },
  };
}

/** A whole, well-formed streamed reply with the given content chunks. */
export function contentStream(contents: readonly string[], usage: [number, number] = [10, 5]): Play {
  return sse([
    roleChunk(),
    ...contents.map((content) => deltaChunk({ content })),
    finishChunk("stop"),
    usageChunk(...usage),
  ]);
}

/**
 * Sends 200 text/event-stream, then `piece` (raw bytes, e.g. an SSE event) again and again until the client goes
 * away: a server that never ends its reply. Writes wait for the socket to drain, so the loop never outruns the
 * client and the test depends on no speed.
 */
export function streamForever(piece: string): Play {
  return (res) => {
    startSse(res);
    let closed = false;
    res.on("close", () => {
      closed = true;
    });
    const buffer = Buffer.from(piece.repeat(Math.max(1, Math.floor(65_536 / Math.max(1, piece.length)))));
    const pump = (): void => {
      while (!closed) {
        if (!res.write(buffer)) {
          res.once("drain", pump);
          return;
        }
      }
    };
    pump();
  };
}
