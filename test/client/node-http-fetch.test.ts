/**
 * The fetch the openai SDK is given (node:http keep-alive): what the SDK and sse.ts rely on, against a real
 * loopback server. Request headers and bodies, retries and stalls through it are in endpoint.test.ts.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { type AddressInfo, type Socket, createServer as createTcpServer } from "node:net";
import { afterEach, describe, expect, test } from "vitest";
import { NodeHttpResponse, createNodeHttpFetch } from "../../src/client/node-http-fetch.ts";
import { closedPort } from "./scripted-server.ts";

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
let closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.map((close) => close()));
  closers = [];
});

async function serve(handler: Handler): Promise<string> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function read(stream: AsyncIterable<Uint8Array>): Promise<string> {
  let text = "";
  for await (const bytes of stream) text += Buffer.from(bytes).toString("utf8");
  return text;
}

describe("createNodeHttpFetch", () => {
  test("an event stream comes back as Node's stream; other replies as ordinary Responses with their body and headers", async () => {
    const url = await serve((req, res) => {
      if (req.url === "/stream") {
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.write("data: 1\n\n");
        res.end("data: [DONE]\n\n");
      } else if (req.url === "/empty") {
        res.writeHead(204).end();
      } else {
        res.writeHead(503, [["content-type", "application/json"], ["retry-after", "7"], ["x-multi", "a"], ["x-multi", "b"]]);
        res.end('{"error":{"message":"loading"}}');
      }
    });
    const fetchOverHttp = createNodeHttpFetch();
    const streamed = await fetchOverHttp(`${url}/stream`, { method: "POST", body: "{}" });
    expect(streamed).toBeInstanceOf(NodeHttpResponse);
    expect(streamed.body).toBeNull();
    expect(await read((streamed as NodeHttpResponse).nodeBody)).toBe("data: 1\n\ndata: [DONE]\n\n");

    const failed = await fetchOverHttp(`${url}/other`);
    expect(failed).not.toBeInstanceOf(NodeHttpResponse);
    expect([failed.status, failed.ok, failed.headers.get("retry-after"), failed.headers.get("x-multi")]).toStrictEqual([503, false, "7", "a, b"]);
    expect(await failed.json()).toStrictEqual({ error: { message: "loading" } });

    const empty = await fetchOverHttp(`${url}/empty`);
    expect([empty.status, empty.body]).toStrictEqual([204, null]);
  });

  test("sends the method, headers and body; a second request reuses the kept-alive connection", async () => {
    const seen: { method: string | undefined; type: string | undefined; length: string | undefined; body: string; port: number }[] = [];
    const url = await serve((req, res) => {
      let body = "";
      req.on("data", (piece: Buffer) => { body += piece.toString("utf8"); });
      req.on("end", () => {
        seen.push({ method: req.method, type: req.headers["content-type"], length: req.headers["content-length"], body, port: req.socket.remotePort ?? 0 });
        res.writeHead(200, { "content-type": "application/json" }).end("{}");
      });
    });
    const fetchOverHttp = createNodeHttpFetch();
    for (let i = 0; i < 2; i++) {
      const response = await fetchOverHttp(`${url}/v1/chat/completions`, { method: "POST", headers: new Headers({ "content-type": "application/json" }), body: '{"q":"é"}' });
      await response.text();
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
      req.on("data", (piece: Buffer) => { body += piece.toString("utf8"); });
      req.on("end", () => {
        seen.push({ url: req.url ?? "", method: req.method ?? "", body, auth: req.headers.authorization ?? "" });
        done();
      });
    };
    const other = await serve((req, res) => record(req, () => res.writeHead(200, { "content-type": "application/json" }).end('{"at":"other"}')));
    const url = await serve((req, res) => record(req, () => {
      if (req.url === "/v1/temp") res.writeHead(307, { location: "/v1/final" }).end("moved");
      else if (req.url === "/v1/see-other") res.writeHead(303, { location: "/v1/final" }).end();
      else if (req.url === "/v1/elsewhere") res.writeHead(308, { location: `${other}/v1/final` }).end();
      else if (req.url === "/v1/loop") res.writeHead(302, { location: "/v1/loop" }).end();
      else res.writeHead(200, { "content-type": "application/json" }).end('{"at":"final"}');
    }));
    const fetchOverHttp = createNodeHttpFetch();
    const post = (path: string) => fetchOverHttp(`${url}${path}`, { method: "POST", headers: { authorization: "Bearer k", "content-type": "application/json" }, body: '{"q":1}' });

    expect(await (await post("/v1/temp")).json()).toStrictEqual({ at: "final" });
    expect(seen.splice(0)).toStrictEqual([
      { url: "/v1/temp", method: "POST", body: '{"q":1}', auth: "Bearer k" },
      { url: "/v1/final", method: "POST", body: '{"q":1}', auth: "Bearer k" },
    ]);
    await (await post("/v1/see-other")).text();
    expect(seen.splice(0).map((r) => [r.url, r.method, r.body])).toStrictEqual([["/v1/see-other", "POST", '{"q":1}'], ["/v1/final", "GET", ""]]);
    expect(await (await post("/v1/elsewhere")).json()).toStrictEqual({ at: "other" });
    expect(seen.splice(0).map((r) => [r.url, r.auth])).toStrictEqual([["/v1/elsewhere", "Bearer k"], ["/v1/final", ""]]);
    const loop = await post("/v1/loop").catch((caught: unknown) => caught);
    expect(loop).toMatchObject({ message: "fetch failed", cause: { message: "more than 20 redirects" } });
  });

  test("a kept-alive socket left idle is closed before a server would close it; a reply that pauses is not cut", async () => {
    let sockets = 0;
    const url = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write("data: 1\n\n");
      // A pause longer than the idle limit below: a reply in progress is not idle, so it is not cut.
      setTimeout(() => res.end("data: [DONE]\n\n"), 400);
    });
    // 150 ms instead of the 4 s default, so the test does not wait for it.
    const fetchOverHttp = createNodeHttpFetch({ idleSocketMs: 150 });
    const response = await fetchOverHttp(`${url}/x`, { method: "POST", body: "{}" });
    (response as NodeHttpResponse).nodeBody.socket.on("close", () => { sockets += 1; });
    expect(await read((response as NodeHttpResponse).nodeBody)).toBe("data: 1\n\ndata: [DONE]\n\n");
    expect(sockets).toBe(0);
    // Idle past the limit: the agent closes it (the server here never would). Timers fire in order, so no race.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(sockets).toBe(1);
  });

  test("replies a Response cannot carry as they came fail the request, never the process: a bad Location, a refused reason phrase", async () => {
    const url = await serve((req, res) => {
      if (req.url === "/bad-location") res.writeHead(307, { location: "http://[::1" }).end();
      else if (req.url === "/reset") res.writeHead(205).end();
      else res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
    const fetchOverHttp = createNodeHttpFetch();
    expect(await fetchOverHttp(`${url}/bad-location`).catch((caught: unknown) => caught)).toMatchObject({ message: "fetch failed", cause: { code: "ERR_INVALID_URL" } });
    const reset = await fetchOverHttp(`${url}/reset`);
    expect([reset.status, reset.body]).toStrictEqual([205, null]);
    const head = await fetchOverHttp(`${url}/head`, { method: "HEAD" });
    expect([head.status, head.body]).toStrictEqual([200, null]);

    // A raw server: a reason phrase with a control character, which Response refuses; undici drops it.
    const sockets: Socket[] = [];
    const tcp = createTcpServer((socket) => {
      sockets.push(socket);
      socket.end("HTTP/1.1 200 \x01odd\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}");
    });
    await new Promise<void>((resolve) => tcp.listen(0, "127.0.0.1", resolve));
    closers.push(() => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      tcp.close(() => resolve());
    }));
    const odd = await fetchOverHttp(`http://127.0.0.1:${(tcp.address() as AddressInfo).port}/x`);
    expect([odd.status, odd.statusText, await odd.json()]).toStrictEqual([200, "", {}]);
  });

  test("a refused connection rejects as undici does: TypeError('fetch failed') with the socket error's code as cause", async () => {
    const port = await closedPort();
    const error = await createNodeHttpFetch()(`http://127.0.0.1:${port}/v1/models`).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TypeError);
    expect(error).toMatchObject({ message: "fetch failed", cause: { code: "ECONNREFUSED" } });
  });

  test("an abort before the reply rejects with an AbortError; after it, the body being read ends with one", async () => {
    const url = await serve((req, res) => {
      if (req.url === "/slow") return; // never answers
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write("data: 1\n\n"); // and stalls
    });
    const fetchOverHttp = createNodeHttpFetch();
    const before = new AbortController();
    const pending = fetchOverHttp(`${url}/slow`, { signal: before.signal });
    before.abort();
    expect(await pending.catch((caught: unknown) => caught)).toMatchObject({ name: "AbortError" });

    const during = new AbortController();
    const response = await fetchOverHttp(`${url}/stalls`, { signal: during.signal });
    const reading = read((response as NodeHttpResponse).nodeBody).catch((caught: unknown) => caught);
    during.abort();
    expect(await reading).toMatchObject({ name: "AbortError" });

    const already = new AbortController();
    already.abort();
    expect(await fetchOverHttp(`${url}/slow`, { signal: already.signal }).catch((caught: unknown) => caught)).toMatchObject({ name: "AbortError" });
  });

  test("a server that dies mid-stream: reading the body fails instead of ending quietly", async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write("data: 1\n\n");
      setImmediate(() => res.socket?.destroy());
    });
    const response = await createNodeHttpFetch()(`${url}/x`, { method: "POST", body: "{}" });
    expect(await read((response as NodeHttpResponse).nodeBody).catch((caught: unknown) => caught)).toBeInstanceOf(Error);
  });
});
