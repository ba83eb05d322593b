/**
 * How streamed chat requests travel (undici request on a keep-alive pool, redirects by undici's interceptor): what
 * the Endpoint and sse.ts rely on, against a real loopback server. Request headers and bodies, retries and stalls
 * through the Endpoint are in endpoint.test.ts.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { type AddressInfo, createServer as createTcpServer, type Socket } from "node:net";
import { APIConnectionError, APIUserAbortError } from "openai";
import { afterEach, describe, expect, test } from "vitest";
import { createHttpPool, type StreamResponse, undiciPost } from "../../src/client/http-transport.ts";
import { closedPort } from "./scripted-server.ts";

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
let closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.map((close) => close()));
  closers = [];
});

async function serve(handler: Handler, settings: { keepAliveHint?: boolean } = {}): Promise<string> {
  const server = createServer(handler);
  // Without a Keep-Alive hint from the server, the pool's own idle limit applies (as with uvicorn, which sends none).
  if (settings.keepAliveHint === false) server.keepAliveTimeout = 0;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function read(stream: AsyncIterable<Uint8Array>): Promise<string> {
  let text = "";
  for await (const bytes of stream) text += Buffer.from(bytes).toString("utf8");
  return text;
}

const JSON_HEADERS = { "content-type": "application/json" };
const post = (
  url: string,
  signal = new AbortController().signal,
  headers: Record<string, string> = JSON_HEADERS,
): Promise<StreamResponse> => undiciPost(createHttpPool().redirecting)(url, headers, '{"q":"é"}', signal);

describe("undiciPost", () => {
  test("an event stream is read piece by piece; an error reply keeps its status, headers and body", async () => {
    const url = await serve((req, res) => {
      if (req.url === "/stream") {
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.write("data: 1\n\n");
        res.end("data: [DONE]\n\n");
      } else if (req.url === "/empty") {
        res.writeHead(204).end();
      } else {
        res.writeHead(503, [
          ["content-type", "application/json"],
          ["retry-after", "7"],
          ["x-multi", "a"],
          ["x-multi", "b"],
        ]);
        res.end('{"error":{"message":"loading"}}');
      }
    });
    const streamed = await post(`${url}/stream`);
    expect(await read(streamed.body)).toBe("data: 1\n\ndata: [DONE]\n\n");

    const failed = await post(`${url}/other`);
    expect([failed.status, failed.headers.get("retry-after"), failed.headers.get("x-multi")]).toStrictEqual([
      503,
      "7",
      "a, b",
    ]);
    expect(JSON.parse(await failed.text())).toStrictEqual({ error: { message: "loading" } });

    const empty = await post(`${url}/empty`);
    expect([empty.status, await empty.text()]).toStrictEqual([204, ""]);
  });

  test("sends the method, headers and body; a second request reuses the kept-alive connection", async () => {
    const seen: {
      method: string | undefined;
      type: string | undefined;
      length: string | undefined;
      body: string;
      port: number;
    }[] = [];
    const url = await serve((req, res) => {
      let body = "";
      req.on("data", (piece: Buffer) => {
        body += piece.toString("utf8");
      });
      req.on("end", () => {
        seen.push({
          method: req.method,
          type: req.headers["content-type"],
          length: req.headers["content-length"],
          body,
          port: req.socket.remotePort ?? 0,
        });
        res.writeHead(200, { "content-type": "application/json" }).end("{}");
      });
    });
    const send = undiciPost(createHttpPool().redirecting);
    for (let i = 0; i < 2; i++) {
      const response = await send(
        `${url}/v1/chat/completions`,
        JSON_HEADERS,
        '{"q":"é"}',
        new AbortController().signal,
      );
      await response.text();
      await response.release();
    }
    expect(seen.map(({ port: _port, ...rest }) => rest)).toStrictEqual([
      { method: "POST", type: "application/json", length: "10", body: '{"q":"é"}' },
      { method: "POST", type: "application/json", length: "10", body: '{"q":"é"}' },
    ]);
    expect(seen[1]?.port).toBe(seen[0]?.port);
  });

  test("redirects are followed as fetch follows them: 307 keeps the POST and its body, 303 turns it into a GET, another origin gets no credentials", async () => {
    const seen: { url?: string; method?: string; body: string; auth?: string }[] = [];
    const record = (req: IncomingMessage, done: () => void): void => {
      let body = "";
      req.on("data", (piece: Buffer) => {
        body += piece.toString("utf8");
      });
      req.on("end", () => {
        seen.push({ url: req.url ?? "", method: req.method ?? "", body, auth: req.headers.authorization ?? "" });
        done();
      });
    };
    const other = await serve((req, res) =>
      record(req, () => res.writeHead(200, { "content-type": "application/json" }).end('{"at":"other"}')),
    );
    const url = await serve((req, res) =>
      record(req, () => {
        if (req.url === "/v1/temp") res.writeHead(307, { location: "/v1/final" }).end("moved");
        else if (req.url === "/v1/see-other") res.writeHead(303, { location: "/v1/final" }).end();
        else if (req.url === "/v1/elsewhere") res.writeHead(308, { location: `${other}/v1/final` }).end();
        else if (req.url === "/v1/loop") res.writeHead(302, { location: "/v1/loop" }).end();
        else if (req.url?.startsWith("/v1/chain/") === true)
          res.writeHead(302, { location: `/v1/chain/${Number(req.url.slice(10)) + 1}` }).end();
        else res.writeHead(200, { "content-type": "application/json" }).end('{"at":"final"}');
      }),
    );
    const send = undiciPost(createHttpPool().redirecting);
    const signal = new AbortController().signal;
    const postTo = (path: string) =>
      send(`${url}${path}`, { authorization: "Bearer k", "content-type": "application/json" }, '{"q":1}', signal);

    expect(JSON.parse(await (await postTo("/v1/temp")).text())).toStrictEqual({ at: "final" });
    expect(seen.splice(0)).toStrictEqual([
      { url: "/v1/temp", method: "POST", body: '{"q":1}', auth: "Bearer k" },
      { url: "/v1/final", method: "POST", body: '{"q":1}', auth: "Bearer k" },
    ]);
    await (await postTo("/v1/see-other")).text();
    expect(seen.splice(0).map((r) => [r.url, r.method, r.body])).toStrictEqual([
      ["/v1/see-other", "POST", '{"q":1}'],
      ["/v1/final", "GET", ""],
    ]);
    expect(JSON.parse(await (await postTo("/v1/elsewhere")).text())).toStrictEqual({ at: "other" });
    expect(seen.splice(0).map((r) => [r.url, r.auth])).toStrictEqual([
      ["/v1/elsewhere", "Bearer k"],
      ["/v1/final", ""],
    ]);
    // A redirect to itself, or one too many in a chain, is a failed connection, not the 3xx handed over as a reply.
    expect(await postTo("/v1/loop").catch((caught: unknown) => caught)).toBeInstanceOf(APIConnectionError);
    const chain = await postTo("/v1/chain/0").catch((caught: unknown) => caught);
    expect(chain).toBeInstanceOf(APIConnectionError);
    expect(chain).toMatchObject({ cause: { code: "UND_ERR_REDIRECT_MAX" } });
    seen.splice(0);
  });

  test("a kept-alive socket left idle is closed before a server would close it; a reply that pauses is not cut", async () => {
    let closed = 0;
    const url = await serve(
      (req, res) => {
        req.socket.once("close", () => {
          closed += 1;
        });
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.write("data: 1\n\n");
        // A pause longer than the idle limit below: a reply in progress is not idle, so it is not cut.
        setTimeout(() => res.end("data: [DONE]\n\n"), 400);
      },
      { keepAliveHint: false },
    );
    // 150 ms instead of the 4 s default, so the test does not wait for it.
    const response = await undiciPost(createHttpPool({ idleSocketMs: 150 }).redirecting)(
      `${url}/x`,
      JSON_HEADERS,
      "{}",
      new AbortController().signal,
    );
    expect(await read(response.body)).toBe("data: 1\n\ndata: [DONE]\n\n");
    expect(closed).toBe(0);
    // Idle past the limit: the pool closes it (the server here never would).
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(closed).toBe(1);
  });

  test("replies no client should take as they came fail the request, never the process: a bad Location, an odd reason phrase", async () => {
    const url = await serve((req, res) => {
      if (req.url === "/bad-location") res.writeHead(307, { location: "http://[::1" }).end();
      else if (req.url === "/reset") res.writeHead(205).end();
      else res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
    expect(await post(`${url}/bad-location`).catch((caught: unknown) => caught)).toBeInstanceOf(APIConnectionError);
    const reset = await post(`${url}/reset`);
    expect([reset.status, await reset.text()]).toStrictEqual([205, ""]);

    // A raw server: a reason phrase with a control character.
    const sockets: Socket[] = [];
    const tcp = createTcpServer((socket) => {
      sockets.push(socket);
      socket.end("HTTP/1.1 200 \x01odd\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}");
    });
    await new Promise<void>((resolve) => tcp.listen(0, "127.0.0.1", resolve));
    closers.push(
      () =>
        new Promise<void>((resolve) => {
          for (const socket of sockets) socket.destroy();
          tcp.close(() => resolve());
        }),
    );
    const odd = await post(`http://127.0.0.1:${(tcp.address() as AddressInfo).port}/x`);
    expect([odd.status, JSON.parse(await odd.text())]).toStrictEqual([200, {}]);
  });

  test("a refused connection rejects as the SDK reports one: APIConnectionError with the socket error's code as cause", async () => {
    const port = await closedPort();
    const error = await post(`http://127.0.0.1:${port}/v1/chat/completions`).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(APIConnectionError);
    expect(error).toMatchObject({ cause: { code: "ECONNREFUSED" } });
  });

  test("an abort before the reply rejects with the SDK's abort error; after it, the body being read ends with an error", async () => {
    const url = await serve((req, res) => {
      if (req.url === "/slow") return; // never answers
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write("data: 1\n\n"); // and stalls
    });
    const before = new AbortController();
    const pending = post(`${url}/slow`, before.signal);
    before.abort();
    expect(await pending.catch((caught: unknown) => caught)).toBeInstanceOf(APIUserAbortError);

    const during = new AbortController();
    const response = await post(`${url}/stalls`, during.signal);
    const reading = read(response.body).catch((caught: unknown) => caught);
    during.abort();
    expect(await reading).toMatchObject({ name: "AbortError" });

    const already = new AbortController();
    already.abort();
    expect(await post(`${url}/slow`, already.signal).catch((caught: unknown) => caught)).toBeInstanceOf(
      APIUserAbortError,
    );
  });

  test("a server that dies mid-stream: reading the body fails instead of ending quietly", async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write("data: 1\n\n");
      setImmediate(() => res.socket?.destroy());
    });
    const response = await post(`${url}/x`);
    expect(await read(response.body).catch((caught: unknown) => caught)).toBeInstanceOf(Error);
  });
});
