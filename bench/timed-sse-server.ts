/**
 * A minimal timed vLLM-like server for bench/performance.bench.ts, run as a child process so the bench's own CPU is
 * the client's alone. POST …/chat/completions streams exactly max_tokens tokens (as with ignore_eos), one token per
 * SSE chunk, in vLLM's chunk shape: the first TTFT_MS after the request, then one every 1000 / TOKENS_PER_SEC ms.
 * The first `reasoning` tokens go in `reasoning_content`, the rest in `content`; then a finish chunk, a usage
 * chunk and [DONE]. One 1 ms tick writes every stream's due tokens, so a stream rarely gets two in one write.
 *
 * Usage: node bench/timed-sse-server.ts <ttftMs> <tokensPerSec per stream>; prints "listening on <baseUrl>".
 * The body's max_tokens sets the reply length and `reasoning_tokens` (a field of its own) the reasoning part.
 *
 * GET /arrivals returns the epoch ms (performance.timeOrigin + now) at which each chat request's headers reached
 * the server, in order, and DELETE /arrivals forgets them: an open loop's arrivals as the server saw them
 * (bench/open-loop.bench.ts).
 */
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

const ttftMs = Number(process.argv[2] ?? 50);
const tokensPerSec = Number(process.argv[3] ?? 40);

interface Stream {
  res: ServerResponse;
  id: string;
  firstAt: number;
  sent: number;
  tokens: number;
  reasoning: number;
  promptTokens: number;
}

const streams = new Set<Stream>();
let counter = 0;
const arrivals: number[] = [];

const chunk = (stream: Stream, delta: string, finish: string | null): string =>
  `data: {"id":"${stream.id}","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,` +
  `"delta":${delta},"logprobs":null,"finish_reason":${finish === null ? "null" : `"${finish}"`}}]}\n\n`;

function tick(): void {
  const now = performance.now();
  for (const stream of streams) {
    if (now < stream.firstAt) continue;
    const due = Math.min(stream.tokens, 1 + Math.floor(((now - stream.firstAt) * tokensPerSec) / 1000));
    if (due <= stream.sent) continue;
    let text = "";
    for (; stream.sent < due; stream.sent++) {
      const field = stream.sent < stream.reasoning ? "reasoning_content" : "content";
      text += chunk(stream, `{"${field}":" w${stream.sent % 1000}"}`, null);
    }
    if (stream.sent === stream.tokens) {
      text += chunk(stream, "{}", "length");
      text +=
        `data: {"id":"${stream.id}","object":"chat.completion.chunk","created":1,"model":"m","choices":[],` +
        `"usage":{"prompt_tokens":${stream.promptTokens},"total_tokens":${stream.promptTokens + stream.tokens},` +
        `"completion_tokens":${stream.tokens}}}\n\ndata: [DONE]\n\n`;
      streams.delete(stream);
      stream.res.end(text);
    } else {
      stream.res.write(text);
    }
  }
}

const server = createServer((req, res) => {
  const arrivedAt = performance.timeOrigin + performance.now();
  if ((req.url ?? "").endsWith("/arrivals")) {
    if (req.method === "DELETE") arrivals.length = 0;
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ arrivals }));
    return;
  }
  if (req.method === "POST" && (req.url ?? "").endsWith("/chat/completions")) arrivals.push(arrivedAt);
  let body = "";
  req.setEncoding("utf8");
  req.on("data", (piece: string) => {
    body += piece;
  });
  req.on("end", () => {
    if (req.method !== "POST" || !(req.url ?? "").endsWith("/chat/completions")) {
      res.writeHead(404, { "content-type": "application/json" }).end('{"error":{"message":"not found"}}');
      return;
    }
    const request = JSON.parse(body) as { max_tokens?: number; reasoning_tokens?: number; messages?: unknown[] };
    const tokens = request.max_tokens ?? 16;
    const stream: Stream = {
      res,
      id: `chatcmpl-${counter++}`,
      firstAt: performance.now() + ttftMs,
      sent: 0,
      tokens,
      reasoning: Math.min(tokens, request.reasoning_tokens ?? 0),
      promptTokens: Math.ceil(body.length / 4),
    };
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    res.write(chunk(stream, '{"role":"assistant","content":""}', null));
    res.on("close", () => streams.delete(stream));
    streams.add(stream);
  });
});
server.keepAliveTimeout = 5_000;
setInterval(tick, 1);
server.listen(0, "127.0.0.1", () => {
  console.log(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`);
});
process.on("SIGTERM", () => process.exit(0));
