/**
 * A pass-through HTTP proxy on 127.0.0.1 that counts the chat requests a server is sent, per unit (the last user
 * message and the seed): what a test needs to show that no reply already received is asked for again, sample by
 * sample. It keeps the bodies too, to show what was sent. Everything else (models list, health, replies) passes
 * through unchanged.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface CountingProxy {
  /** http://127.0.0.1:<port>/v1 */
  baseUrl: string;
  /** Chat requests received for this unit so far. */
  count(key: string): number;
  /** Chat requests received in all. */
  chats(): number;
  /** Chat replies with this HTTP status for this unit so far (400: refused). */
  answered(key: string, status: number): number;
  /** Chat requests for this unit that asked for exactly this max_tokens. */
  askedWith(key: string, maxTokens: number): number;
  /** Every chat request body received, parsed, in arrival order. */
  chatBodies(): readonly unknown[];
  close(): Promise<void>;
}

/** The unit a chat request body is about: its last user message and its seed. */
export function unitOfRequest(body: {
  messages?: readonly { role: string; content: unknown }[];
  seed?: unknown;
}): string {
  const last = [...(body.messages ?? [])].reverse().find((m) => m.role === "user");
  return JSON.stringify([typeof last?.content === "string" ? last.content : null, body.seed ?? null]);
}

export async function startCountingProxy(targetOrigin: string): Promise<CountingProxy> {
  const target = new URL(targetOrigin);
  const counts = new Map<string, number>();
  const bodies: unknown[] = [];
  const bump = (key: string): void => {
    counts.set(key, (counts.get(key) ?? 0) + 1);
  };
  const server: Server = createServer((req, res) => {
    void readBody(req).then((body) => {
      let unit: string | undefined;
      if (req.method === "POST" && req.url?.endsWith("/chat/completions") === true) {
        try {
          const request = JSON.parse(body.toString("utf8")) as Parameters<typeof unitOfRequest>[0] & {
            max_tokens?: unknown;
          };
          bodies.push(request);
          unit = unitOfRequest(request);
          bump(unit);
          bump("(all)");
          bump(`${unit} max_tokens ${String(request.max_tokens)}`);
        } catch {
          // Not JSON: the server will say so; nothing to count.
        }
      }
      const upstream = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (reply) => {
          if (unit !== undefined) bump(`${unit} status ${reply.statusCode ?? 0}`);
          res.writeHead(reply.statusCode ?? 502, reply.headers);
          reply.pipe(res);
        },
      );
      upstream.on("error", () => res.destroy());
      // The client went away (it was killed): so does the request upstream, as a server would see it.
      res.on("close", () => upstream.destroy());
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    count: (key) => counts.get(key) ?? 0,
    chats: () => counts.get("(all)") ?? 0,
    answered: (key, status) => counts.get(`${key} status ${status}`) ?? 0,
    askedWith: (key, maxTokens) => counts.get(`${key} max_tokens ${maxTokens}`) ?? 0,
    chatBodies: () => [...bodies],
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}
