/** An Endpoint over several servers of one model: spreading, failing over, probing, and checkServed per server. */
import { afterEach, describe, expect, test, vi } from "vitest";
import { Endpoint, type EndpointConfig } from "../../src/client/index.ts";
import { EndpointUnreachableError, ModelNotServedError, RequestFailedError } from "../../src/core/errors.ts";
import type { Message } from "../../src/core/types.ts";
import {
  closedPort,
  contentStream,
  json,
  type Play,
  roleChunk,
  type ScriptedServer,
  sseThenDestroy,
  sseThenStall,
  startScriptedServer,
} from "./scripted-server.ts";

const MESSAGES: Message[] = [{ role: "user", content: "What is 2+2?" }];
const PARAMS = { temperature: 0, maxTokens: 64 };
const models = (...ids: string[]): Play =>
  json(200, { object: "list", data: ids.map((id) => ({ id, object: "model" })) });

const servers: ScriptedServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function scripted(script: { chat?: Play[]; models?: Play[] }): Promise<ScriptedServer> {
  const server = await startScriptedServer(script);
  servers.push(server);
  return server;
}

interface Rig {
  endpoint: Endpoint;
  sleeps: number[];
  log: string[];
  clock: { t: number };
}

function endpointOver(urls: string[], config: Partial<EndpointConfig> = {}): Rig {
  const sleeps: number[] = [];
  const log: string[] = [];
  const clock = { t: 1_000 };
  const [first, ...rest] = urls;
  const endpoint = new Endpoint({
    baseUrl: first ?? "",
    replicas: rest,
    model: "m",
    now: () => clock.t,
    random: () => 0.5,
    retry: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 5_000 },
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    log: (line) => log.push(line),
    ...config,
  });
  return { endpoint, sleeps, log, clock };
}

const chatCount = (server: ScriptedServer) => server.requests.filter((r) => r.path === "/v1/chat/completions").length;

describe("spreading requests", () => {
  test("concurrent requests go to both servers, and each reply says which one answered", async () => {
    const a = await scripted({ chat: [contentStream(["Answer: 4"]), contentStream(["Answer: 4"])] });
    const b = await scripted({ chat: [contentStream(["Answer: 4"]), contentStream(["Answer: 4"])] });
    const { endpoint } = endpointOver([a.url, `${b.url}/v1/`]);
    expect(endpoint.replicaUrls).toStrictEqual([`${a.url}/v1`, `${b.url}/v1`]);
    const results = await Promise.all([1, 2, 3, 4].map(() => endpoint.chat(MESSAGES, PARAMS)));
    expect([chatCount(a), chatCount(b)]).toStrictEqual([2, 2]);
    expect(results.map((r) => r.reply.replica).sort()).toStrictEqual(
      [`${a.url}/v1`, `${a.url}/v1`, `${b.url}/v1`, `${b.url}/v1`].sort(),
    );
    expect(endpoint.replicaStatus().map((s) => s.outstanding)).toStrictEqual([0, 0]);
  });

  test("one after another, the servers take turns", async () => {
    const a = await scripted({ chat: [contentStream(["x"]), contentStream(["x"])] });
    const b = await scripted({ chat: [contentStream(["x"]), contentStream(["x"])] });
    const { endpoint } = endpointOver([a.url, b.url]);
    const order: (string | undefined)[] = [];
    for (let i = 0; i < 4; i++) order.push((await endpoint.chat(MESSAGES, PARAMS)).reply.replica);
    expect(order).toStrictEqual([`${a.url}/v1`, `${b.url}/v1`, `${a.url}/v1`, `${b.url}/v1`]);
  });

  test("the same server listed twice counts once", async () => {
    const a = await scripted({ chat: [contentStream(["x"])] });
    const { endpoint } = endpointOver([a.url, `${a.url}/v1`]);
    expect(endpoint.replicaUrls).toStrictEqual([`${a.url}/v1`]);
    expect((await endpoint.chat(MESSAGES, PARAMS)).reply.replica).toBeUndefined();
  });
});

describe("failing over", () => {
  test("a server that refuses connections is marked down and the retry goes to the other at once, without a wait", async () => {
    const port = await closedPort();
    const b = await scripted({ chat: [contentStream(["Answer: 4"]), contentStream(["Answer: 4"])] });
    const { endpoint, sleeps, log } = endpointOver([`http://127.0.0.1:${port}`, b.url]);
    const first = await endpoint.chat(MESSAGES, PARAMS);
    expect(first.attempts).toBe(2);
    expect(first.reply.replica).toBe(`${b.url}/v1`);
    expect(sleeps).toStrictEqual([]);
    expect(endpoint.replicaStatus()[0]).toMatchObject({ state: "down" });
    expect(log[0]).toMatch(
      new RegExp(
        `^replica http://127\\.0\\.0\\.1:${port}/v1 marked down \\(connection failed.*ECONNREFUSED.*checking it again in 5 s$`,
      ),
    );
    // Down: the next request goes straight to the server that is up.
    expect((await endpoint.chat(MESSAGES, PARAMS)).attempts).toBe(1);
  });

  test("a stream cut mid-reply moves the retry to the other server", async () => {
    const a = await scripted({ chat: [sseThenDestroy([roleChunk()])] });
    const b = await scripted({ chat: [contentStream(["Answer: 4"])] });
    const { endpoint } = endpointOver([a.url, b.url]);
    const { reply, attempts } = await endpoint.chat(MESSAGES, PARAMS);
    expect(attempts).toBe(2);
    expect(reply.replica).toBe(`${b.url}/v1`);
    expect(endpoint.replicaStatus().map((s) => s.state)).toStrictEqual(["down", "up"]);
  });

  test("a timeout marks the server down too", async () => {
    const a = await scripted({ chat: [sseThenStall([roleChunk()])] });
    const b = await scripted({ chat: [contentStream(["Answer: 4"])] });
    const { endpoint } = endpointOver([a.url, b.url], { timeoutMs: 200 });
    const { reply } = await endpoint.chat(MESSAGES, PARAMS);
    expect(reply.replica).toBe(`${b.url}/v1`);
    expect(endpoint.replicaStatus()[0]?.state).toBe("down");
  });

  test("a 500 is not a down server: the retry waits its backoff and goes to the other server, both stay up", async () => {
    const a = await scripted({ chat: [json(500, { error: { message: "hiccup" } })] });
    const b = await scripted({ chat: [contentStream(["Answer: 4"])] });
    const { endpoint, sleeps } = endpointOver([a.url, b.url]);
    const { reply, attempts } = await endpoint.chat(MESSAGES, PARAMS);
    expect(attempts).toBe(2);
    expect(reply.replica).toBe(`${b.url}/v1`);
    expect(sleeps).toStrictEqual([50]);
    expect(endpoint.replicaStatus().map((s) => s.state)).toStrictEqual(["up", "up"]);
  });

  test("a down server is probed after 5 s and takes requests again once it lists the model", async () => {
    const a = await scripted({ chat: [sseThenDestroy([]), contentStream(["from a"])], models: [models("m")] });
    const b = await scripted({ chat: [contentStream(["x"]), contentStream(["x"]), contentStream(["x"])] });
    const { endpoint, clock, log } = endpointOver([a.url, b.url]);
    expect((await endpoint.chat(MESSAGES, PARAMS)).reply.replica).toBe(`${b.url}/v1`);
    clock.t += 4_000;
    await endpoint.chat(MESSAGES, PARAMS);
    expect(a.requests.filter((r) => r.path === "/v1/models")).toHaveLength(0);
    clock.t += 1_000;
    await endpoint.chat(MESSAGES, PARAMS); // starts the probe; this request goes to b meanwhile
    await vi.waitFor(() => expect(endpoint.replicaStatus()[0]?.state).toBe("up"));
    expect(a.requests.filter((r) => r.path === "/v1/models")).toHaveLength(1);
    expect(log.at(-1)).toBe(`replica ${a.url}/v1 is back (answers GET /v1/models and lists the model)`);
    expect((await endpoint.chat(MESSAGES, PARAMS)).reply.text).toBe("from a");
  });

  test("when every server refuses, the request fails as a connection error naming the last server tried", async () => {
    const [p1, p2] = [await closedPort(), await closedPort()];
    const { endpoint } = endpointOver([`http://127.0.0.1:${p1}`, `http://127.0.0.1:${p2}`]);
    const error = await endpoint.chat(MESSAGES, PARAMS).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RequestFailedError);
    expect(error).toMatchObject({ kind: "connection", attempts: 3, retryable: true });
    expect(endpoint.replicaStatus().map((s) => s.state)).toStrictEqual(["down", "down"]);
  });
});

describe("checkServed over replicas", () => {
  test("checks every server: one without the model is left out, one unreachable is marked down, the rest serve", async () => {
    const good = await scripted({ models: [models("m")], chat: [contentStream(["x"]), contentStream(["x"])] });
    const wrong = await scripted({ models: [models("other")] });
    const port = await closedPort();
    const { endpoint, log } = endpointOver([wrong.url, `http://127.0.0.1:${port}`, good.url]);
    const status = await endpoint.checkServed();
    expect(status.map((s) => s.state)).toStrictEqual(["excluded", "down", "up"]);
    expect(status[0]?.reason).toBe('does not serve model "m" (it serves: other)');
    expect(status[1]?.reason).toContain(`cannot reach http://127.0.0.1:${port}/v1/models`);
    expect(log).toContain(`replica ${wrong.url}/v1 left out: does not serve model "m" (it serves: other)`);
    const replies = await Promise.all([endpoint.chat(MESSAGES, PARAMS), endpoint.chat(MESSAGES, PARAMS)]);
    expect(replies.map((r) => r.reply.replica)).toStrictEqual([`${good.url}/v1`, `${good.url}/v1`]);
    expect(chatCount(wrong)).toBe(0);
  });

  test("the variant fails only when no server serves the model; not serving is named before unreachable", async () => {
    const wrong = await scripted({ models: [models("other")] });
    const port = await closedPort();
    const { endpoint } = endpointOver([`http://127.0.0.1:${port}`, wrong.url]);
    const error = await endpoint.checkServed().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ModelNotServedError);
    expect(String(error)).toContain(`${wrong.url}/v1 does not serve model "m"`);
    const down = endpointOver([`http://127.0.0.1:${port}`, `http://127.0.0.1:${await closedPort()}`]);
    await expect(down.endpoint.checkServed()).rejects.toBeInstanceOf(EndpointUnreachableError);
  });
});
