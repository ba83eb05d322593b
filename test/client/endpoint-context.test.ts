/**
 * What an Endpoint learns for fitting max_tokens to the server's context: max_model_len from GET /v1/models and
 * prompt lengths from vLLM's POST /tokenize (the server's words in a 400: error-body.test.ts). Real HTTP on
 * 127.0.0.1, scripted as vLLM, SGLang and servers without /tokenize answer.
 */
import { afterEach, describe, expect, test } from "vitest";
import { Endpoint, type EndpointConfig, serverRootUrl } from "../../src/client/index.ts";
import { TOKENIZE_PAUSE_MS } from "../../src/client/tokenize-route.ts";
import type { Message } from "../../src/core/types.ts";
import { closedPort, json, type Play, type ScriptedServer, startScriptedServer } from "./scripted-server.ts";

const MESSAGES: Message[] = [
  { role: "system", content: "Answer briefly." },
  { role: "user", content: "What is 2+2? End with 'Answer: N'." },
];

/** A vLLM model card; `maxModelLen` undefined leaves the field out, as OpenAI and llama.cpp do. */
function card(id: string, maxModelLen?: unknown): object {
  const stated = maxModelLen === undefined ? {} : { max_model_len: maxModelLen };
  return { id, object: "model", owned_by: "vllm", ...stated };
}
const modelList = (...cards: object[]): Play => json(200, { object: "list", data: cards });
/** vLLM's TokenizeResponse (vllm/entrypoints/serve/tokenize/protocol.py). */
const tokenized = (count: number): Play =>
  json(200, { count, max_model_len: 4096, tokens: Array.from({ length: count }, (_, i) => i), token_strs: null });

const servers: ScriptedServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function scripted(script: { chat?: Play[]; models?: Play[]; tokenize?: Play[] }): Promise<ScriptedServer> {
  const server = await startScriptedServer(script);
  servers.push(server);
  return server;
}

interface Rig {
  endpoint: Endpoint;
  log: string[];
  clock: { t: number };
}

function endpointAt(baseUrl: string, config: Partial<EndpointConfig> = {}): Rig {
  const log: string[] = [];
  const clock = { t: 1_000 };
  const endpoint = new Endpoint({
    baseUrl,
    model: "m",
    now: () => clock.t,
    random: () => 0.5,
    retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
    sleep: async () => {},
    log: (line) => log.push(line),
    ...config,
  });
  return { endpoint, log, clock };
}

const tokenizeRequests = (server: ScriptedServer) => server.requests.filter((r) => r.path.endsWith("/tokenize"));

describe("contextLength: max_model_len from GET /v1/models", () => {
  test("read by checkServed from the configured model's card, not another model's", async () => {
    const server = await scripted({ models: [modelList(card("other", 131072), card("m", 4096))] });
    const { endpoint } = endpointAt(server.url);
    expect(endpoint.contextLength()).toBeUndefined();
    await endpoint.checkServed();
    expect(endpoint.contextLength()).toBe(4096);
  });

  test("read by listModels too (the serve loop polls it)", async () => {
    const server = await scripted({ models: [modelList(card("m", 8192))] });
    const { endpoint } = endpointAt(server.url);
    expect(await endpoint.listModels()).toStrictEqual(["m"]);
    expect(endpoint.contextLength()).toBe(8192);
  });

  test.each([
    ["absent (OpenAI, llama.cpp)", undefined],
    ["null (vLLM's card for a LoRA adapter)", null],
    ["not a number", "4096"],
    ["zero", 0],
  ])("%s: undefined, and the listing still counts", async (_name, value) => {
    const server = await scripted({ models: [modelList(card("m", value))] });
    const { endpoint } = endpointAt(server.url);
    await expect(endpoint.checkServed()).resolves.toMatchObject([{ state: "up" }]);
    expect(endpoint.contextLength()).toBeUndefined();
  });

  test("a server restarted with another --max-model-len is read again", async () => {
    const server = await scripted({ models: [modelList(card("m", 8192)), modelList(card("m", 4096))] });
    const { endpoint } = endpointAt(server.url);
    await endpoint.checkServed();
    expect(endpoint.contextLength()).toBe(8192);
    await endpoint.checkServed();
    expect(endpoint.contextLength()).toBe(4096);
  });

  test("with replicas, the smallest stated value; one that does not state it does not count", async () => {
    const a = await scripted({ models: [modelList(card("m", 8192))] });
    const b = await scripted({ models: [modelList(card("m", 4096))] });
    const c = await scripted({ models: [modelList(card("m"))] });
    const { endpoint } = endpointAt(a.url, { replicas: [b.url, c.url] });
    await endpoint.checkServed();
    expect(endpoint.contextLength()).toBe(4096);
  });

  test("a replica left out (it serves another model) does not lower the value", async () => {
    const a = await scripted({ models: [modelList(card("m", 8192))] });
    const b = await scripted({ models: [modelList(card("other", 2048))] });
    const { endpoint } = endpointAt(a.url, { replicas: [b.url] });
    const status = await endpoint.checkServed();
    expect(status.map((s) => s.state)).toStrictEqual(["up", "excluded"]);
    expect(endpoint.contextLength()).toBe(8192);
  });
});

describe("countPromptTokens: vLLM's POST /tokenize", () => {
  test("posts the messages to the server root with the generation prompt, and returns the count", async () => {
    const server = await scripted({ tokenize: [tokenized(37)] });
    const { endpoint } = endpointAt(`${server.url}/v1/`);
    expect(await endpoint.countPromptTokens(MESSAGES)).toBe(37);
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toStrictEqual(["POST /tokenize"]);
    expect(server.requests[0]?.body).toStrictEqual({ model: "m", messages: MESSAGES, add_generation_prompt: true });
    expect(server.requests[0]?.headers["content-type"]).toBe("application/json");
  });

  test.each([
    ["/vllm/v1", "/vllm/tokenize"],
    ["/vllm", "/vllm/tokenize"],
    ["/a/b/v1/", "/a/b/tokenize"],
  ])("behind a proxy prefix: base URL …%s asks %s", async (prefix, path) => {
    const server = await scripted({ tokenize: [tokenized(5)] });
    const { endpoint } = endpointAt(`${server.url}${prefix}`);
    expect(await endpoint.countPromptTokens(MESSAGES)).toBe(5);
    expect(server.requests.map((r) => r.path)).toStrictEqual([path]);
  });

  test("the variant's template fields go along (they change the prompt); sampling fields do not", async () => {
    const server = await scripted({ tokenize: [tokenized(33)] });
    const extraBody = { chat_template_kwargs: { enable_thinking: false }, top_k: 20, repetition_penalty: 1.05 };
    const { endpoint } = endpointAt(server.url, { extraBody });
    expect(await endpoint.countPromptTokens(MESSAGES)).toBe(33);
    expect(server.requests[0]?.body).toStrictEqual({
      model: "m",
      messages: MESSAGES,
      add_generation_prompt: true,
      chat_template_kwargs: { enable_thinking: false },
    });
  });

  test("the API key goes as with every other request, and never into a log line", async () => {
    const echo: Play = (res, req) =>
      json(401, { error: { message: `bad key ${String(req.headers.authorization)}` } })(res, req);
    const server = await scripted({ tokenize: [tokenized(9), echo] });
    const key = "sk-secret-123";
    const { endpoint, log } = endpointAt(server.url, { apiKey: key });
    expect(await endpoint.countPromptTokens(MESSAGES)).toBe(9);
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${key}`);
    expect(JSON.stringify(server.requests[0]?.body)).not.toContain(key);
    // A 401 now (a key rotated, a proxy guarding only /v1): not usable, said once, without the key.
    expect(await endpoint.countPromptTokens(MESSAGES)).toBeUndefined();
    expect(log).toHaveLength(1);
    expect(log[0]).toContain("[redacted]");
    expect(log.join("\n")).not.toContain(key);
  });

  test.each([
    ["404: no such route (llama.cpp, a proxy)", json(404, { detail: "Not Found" }), "HTTP 404 Not Found"],
    [
      "405: the path exists for another method",
      json(405, { detail: "Method Not Allowed" }),
      "HTTP 405 Method Not Allowed",
    ],
    ["501: not implemented", json(501, { error: { message: "tokenize is not implemented" } }), "HTTP 501"],
    [
      "400: SGLang's /tokenize wants a prompt, not messages",
      json(400, {
        object: "error",
        message: "1 validation error: prompt Field required",
        type: "BadRequestError",
        param: null,
        code: 400,
      }),
      "prompt Field required",
    ],
    ["200 without a count", json(200, { tokens: [1, 2, 3] }), "the answer has no token count"],
    [
      "200 with a count per prompt (SGLang's list form)",
      json(200, { count: [3, 4], max_model_len: 4096 }),
      "the answer has no token count",
    ],
    [
      "200 that is not JSON (an HTML page)",
      (res) => {
        res.writeHead(200, { "content-type": "text/html" }).end("<html>hello</html>");
      },
      "the answer has no token count",
    ],
  ] as [string, Play, string][])("%s: undefined, remembered, said once", async (_name, play, why) => {
    const server = await scripted({ tokenize: [play, tokenized(5)] });
    const { endpoint, log, clock } = endpointAt(server.url);
    expect(await endpoint.countPromptTokens(MESSAGES)).toBeUndefined();
    clock.t += 10 * TOKENIZE_PAUSE_MS;
    expect(await endpoint.countPromptTokens(MESSAGES)).toBeUndefined();
    expect(tokenizeRequests(server)).toHaveLength(1);
    const said = `tokenize: ${server.url}/tokenize does not count chat prompts`;
    expect(log).toStrictEqual([expect.stringContaining(said)]);
    expect(log[0]).toContain(why);
  });

  test.each([
    ["503 while loading", json(503, { error: { message: "loading" } }, { "retry-after": "1" })],
    ["500", json(500, { error: { message: "boom" } })],
    ["429", json(429, { error: { message: "slow down" } })],
  ])("%s: undefined, then asked again once the pause is over", async (_name, play) => {
    const server = await scripted({ tokenize: [play, tokenized(41)] });
    const { endpoint, log, clock } = endpointAt(server.url);
    expect(await endpoint.countPromptTokens(MESSAGES)).toBeUndefined();
    clock.t += TOKENIZE_PAUSE_MS - 1;
    expect(await endpoint.countPromptTokens(MESSAGES)).toBeUndefined();
    expect(tokenizeRequests(server)).toHaveLength(1);
    clock.t += 1;
    expect(await endpoint.countPromptTokens(MESSAGES)).toBe(41);
    expect(log).toStrictEqual([expect.stringContaining(`not asked again for ${TOKENIZE_PAUSE_MS / 1000} s`)]);
  });

  test("a server that cannot be reached: undefined, no throw", async () => {
    const port = await closedPort();
    const { endpoint, log } = endpointAt(`http://127.0.0.1:${port}`);
    expect(await endpoint.countPromptTokens(MESSAGES)).toBeUndefined();
    expect(log).toStrictEqual([expect.stringContaining("connection failed")]);
  });

  test("a server that does not answer in time: undefined after the endpoint's timeout", async () => {
    const stall: Play = () => {};
    const server = await scripted({ tokenize: [stall] });
    const { endpoint, log } = endpointAt(server.url, { timeoutMs: 200 });
    expect(await endpoint.countPromptTokens(MESSAGES)).toBeUndefined();
    expect(log).toStrictEqual([expect.stringContaining("no answer within 200 ms")]);
  });

  test("the caller's abort is the one thing it throws", async () => {
    const controller = new AbortController();
    const reason = new Error("SIGINT");
    const stall: Play = () => controller.abort(reason);
    const server = await scripted({ tokenize: [stall] });
    const { endpoint, log } = endpointAt(server.url);
    await expect(endpoint.countPromptTokens(MESSAGES, controller.signal)).rejects.toBe(reason);
    await expect(endpoint.countPromptTokens(MESSAGES, controller.signal)).rejects.toBe(reason);
    expect(log).toStrictEqual([]);
  });

  test("with replicas, the first one that is up is asked", async () => {
    const a = await scripted({ models: [modelList(card("other", 4096))] });
    const b = await scripted({ models: [modelList(card("m", 4096))], tokenize: [tokenized(12)] });
    const { endpoint } = endpointAt(a.url, { replicas: [b.url] });
    await endpoint.checkServed();
    expect(await endpoint.countPromptTokens(MESSAGES)).toBe(12);
    expect(tokenizeRequests(a)).toHaveLength(0);
    expect(tokenizeRequests(b)).toHaveLength(1);
  });
});

describe("serverRootUrl", () => {
  test.each([
    ["http://h:8000", "http://h:8000"],
    ["http://h:8000/v1/", "http://h:8000"],
    ["https://h/vllm/v1", "https://h/vllm"],
    ["http://h/v1/proxy/v1", "http://h/v1/proxy"],
    ["http://user:pw@h:8000/v1?x=1", "http://user:pw@h:8000"],
  ])("%s → %s", (base, root) => {
    expect(serverRootUrl(base)).toBe(root);
  });
});
