import { afterEach, describe, expect, test } from "vitest";
import { Endpoint, type EndpointConfig } from "../../src/client/index.ts";
import { EndpointUnreachableError, ModelNotServedError, RequestFailedError } from "../../src/core/errors.ts";
import type { Message } from "../../src/core/types.ts";
import {
  closedPort,
  contentStream,
  deltaChunk,
  finishChunk,
  json,
  type Play,
  roleChunk,
  type ScriptedServer,
  sse,
  sseThenDestroy,
  sseThenStall,
  startScriptedServer,
  usageChunk,
} from "./scripted-server.ts";

const MESSAGES: Message[] = [{ role: "user", content: "What is 2+2? End with 'Answer: N'." }];
const PARAMS = { temperature: 0, maxTokens: 64 };

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A clock that steps by 10 ms per reading: sentAt is 1000, each SSE event one step, then doneAt. */
function steppingClock(start = 1000, step = 10): () => number {
  let next = start;
  return () => {
    const now = next;
    next += step;
    return now;
  };
}

interface Harness {
  endpoint: Endpoint;
  server: ScriptedServer;
  sleeps: number[];
}

/** Starts the scripted server and an Endpoint on it; `config` may depend on the server's URL. */
async function harness(
  script: { chat?: Play[]; models?: Play[] },
  config: (url: string) => Partial<EndpointConfig> = () => ({}),
): Promise<Harness> {
  server = await startScriptedServer(script);
  const sleeps: number[] = [];
  const endpoint = new Endpoint({
    baseUrl: `${server.url}/v1`,
    model: "m",
    now: steppingClock(),
    random: () => 0.5,
    retry: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 5_000 },
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...config(server.url),
  });
  return { endpoint, server, sleeps };
}

describe("streamed replies", () => {
  // Per-chunk timing (TTFT, the answer token, <think> splitting) is tested on the builder: test/client/reply-builder.test.ts.
  test("reasoning and answer arrive apart over HTTP; chunks that arrive together share one arrival time", async () => {
    const { endpoint, server } = await harness({
      chat: [
        sse([
          roleChunk(),
          deltaChunk({ reasoning_content: "Two plus two" }),
          deltaChunk({ reasoning_content: " is four." }),
          deltaChunk({ content: "\n\n" }),
          deltaChunk({ content: "Answer: 4" }),
          finishChunk("stop"),
          usageChunk(21, 9),
        ]),
      ],
    });
    const { reply, attempts } = await endpoint.chat(MESSAGES, PARAMS);
    expect(attempts).toBe(1);
    expect(reply).toMatchObject({
      text: "\n\nAnswer: 4",
      reasoning: "Two plus two is four.",
      finishReason: "stop",
      usage: { promptTokens: 21, completionTokens: 9 },
    });
    // The stepping clock is read at sending, once per piece of the body that completes chunks, and at the end.
    const { sentAt, firstTokenAt, firstAnswerTokenAt, doneAt } = reply.timing;
    expect(sentAt).toBe(1000);
    expect(firstTokenAt).toBeGreaterThan(sentAt);
    expect(firstAnswerTokenAt).toBeGreaterThanOrEqual(firstTokenAt ?? Number.NaN);
    expect(doneAt).toBeGreaterThan(firstAnswerTokenAt ?? Number.NaN);
    expect(server.requests).toHaveLength(1);
  });

  test("a server that keeps the response open after [DONE]: the reply is complete at [DONE], not a timeout", async () => {
    const { endpoint } = await harness(
      {
        chat: [
          sseThenStall([
            roleChunk(),
            deltaChunk({ content: "Answer: 4" }),
            finishChunk("stop"),
            usageChunk(3, 2),
            "[DONE]",
          ]),
        ],
      },
      () => ({ timeoutMs: 5_000, retry: { maxAttempts: 1 } }),
    );
    const { reply, attempts } = await endpoint.chat(MESSAGES, PARAMS);
    expect([reply.text, attempts]).toStrictEqual(["Answer: 4", 1]);
  });

  test("replies read to [DONE] leave their kept-alive connection for the next request", async () => {
    const ports: number[] = [];
    const play = (res: Parameters<Play>[0], req: Parameters<Play>[1]): void => {
      ports.push(res.socket?.remotePort ?? 0);
      contentStream(["Answer: 4"])(res, req);
    };
    const { endpoint } = await harness({ chat: [play, play, play] });
    for (let i = 0; i < 3; i++) await endpoint.chat(MESSAGES, PARAMS);
    expect(new Set(ports).size).toBe(1);
  });

  test("sends exactly the sampling params, extraBody and stream_options, at a base URL given without /v1", async () => {
    const { endpoint, server } = await harness({ chat: [contentStream(["Answer: 4"])] }, (url) => ({
      baseUrl: `${url}/`,
      apiKey: "sk-test",
      extraBody: { chat_template_kwargs: { enable_thinking: false } },
    }));
    await endpoint.chat(MESSAGES, { temperature: 0, maxTokens: 64, seed: 7 });
    expect(endpoint.baseUrl).toBe(`${server.url}/v1`);
    const [request] = server.requests;
    expect(request?.path).toBe("/v1/chat/completions");
    expect(request?.headers.authorization).toBe("Bearer sk-test");
    expect(request?.body).toStrictEqual({
      model: "m",
      messages: MESSAGES,
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0,
      max_tokens: 64,
      seed: 7,
      chat_template_kwargs: { enable_thinking: false },
    });
  });
});

describe("non-streamed replies", () => {
  test("usage comes from the body; there are no per-token instants", async () => {
    const { endpoint, server } = await harness(
      {
        chat: [
          json(200, {
            id: "chatcmpl-1",
            object: "chat.completion",
            created: 1,
            model: "m",
            choices: [
              {
                index: 0,
                message: { role: "assistant", content: "<think>x</think>Answer: 4", reasoning_content: null },
                finish_reason: "stop",
              },
            ],
            usage: { prompt_tokens: 12, completion_tokens: 7, total_tokens: 19 },
          }),
        ],
      },
      () => ({ stream: false }),
    );
    const { reply } = await endpoint.chat(MESSAGES, PARAMS);
    expect(reply).toStrictEqual({
      text: "Answer: 4",
      reasoning: "x",
      finishReason: "stop",
      usage: { promptTokens: 12, completionTokens: 7 },
      timing: { sentAt: 1000, doneAt: 1010 },
    });
    expect(server.requests[0]?.body).toStrictEqual({
      model: "m",
      messages: MESSAGES,
      stream: false,
      temperature: 0,
      max_tokens: 64,
    });
  });

  test("a body without usage fails at once and names the way out", async () => {
    const { endpoint, server } = await harness(
      {
        chat: [
          json(200, {
            choices: [{ index: 0, message: { role: "assistant", content: "Answer: 4" }, finish_reason: "stop" }],
          }),
        ],
      },
      () => ({ stream: false }),
    );
    const error = await endpoint.chat(MESSAGES, PARAMS).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RequestFailedError);
    expect(error).toMatchObject({ attempts: 1, retryable: false, status: undefined });
    expect(String(error)).toContain("stream_options.include_usage");
    expect(server.requests).toHaveLength(1);
  });
});

describe("retries", () => {
  test("500 then 200: retried once after a jittered backoff", async () => {
    const { endpoint, server, sleeps } = await harness({
      chat: [json(500, { error: { message: "engine hiccup" } }), contentStream(["Answer: 4"])],
    });
    const { reply, attempts } = await endpoint.chat(MESSAGES, PARAMS);
    expect(attempts).toBe(2);
    expect(reply.text).toBe("Answer: 4");
    // random() = 0.5 of the first window (baseDelayMs 100).
    expect(sleeps).toStrictEqual([50]);
    expect(server.requests).toHaveLength(2);
    // The reply's timing is the successful attempt's: the failed one read the clock once (1000).
    expect(reply.timing.sentAt).toBe(1010);
  });

  test("429 with Retry-After: the wait is the server's, not the jitter", async () => {
    const { endpoint, sleeps } = await harness({
      chat: [json(429, { error: { message: "slow down" } }, { "retry-after": "2" }), contentStream(["Answer: 4"])],
    });
    const { attempts } = await endpoint.chat(MESSAGES, PARAMS);
    expect(attempts).toBe(2);
    expect(sleeps).toStrictEqual([2000]);
  });

  test("400 is not retried: RequestFailedError with the status and the URL", async () => {
    const { endpoint, server, sleeps } = await harness({
      chat: [
        json(400, {
          error: { message: "This model's maximum context length is 4096 tokens", type: "BadRequestError", code: 400 },
        }),
      ],
    });
    const error = await endpoint.chat(MESSAGES, PARAMS).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RequestFailedError);
    expect(error).toMatchObject({ status: 400, attempts: 1, retryable: false, code: "E_REQUEST_FAILED" });
    expect(String(error)).toContain(`${server.url}/v1/chat/completions`);
    expect(String(error)).toContain("maximum context length");
    expect(sleeps).toStrictEqual([]);
    expect(server.requests).toHaveLength(1);
  });

  test("503 on every attempt: fails after maxAttempts with the backoff doubling between them", async () => {
    const { endpoint, server, sleeps } = await harness({
      chat: [json(503, {}), json(503, {}), json(503, {})],
    });
    const error = await endpoint.chat(MESSAGES, PARAMS).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RequestFailedError);
    expect(error).toMatchObject({ status: 503, attempts: 3, retryable: true });
    expect(sleeps).toStrictEqual([50, 100]);
    expect(server.requests).toHaveLength(3);
  });

  test("a connection destroyed mid-stream is retried, and the retry's reply is whole", async () => {
    const { endpoint } = await harness({
      chat: [sseThenDestroy([roleChunk(), deltaChunk({ content: "Answer:" })]), contentStream(["Answer: 4"])],
    });
    const { reply, attempts } = await endpoint.chat(MESSAGES, PARAMS);
    expect(attempts).toBe(2);
    expect(reply.text).toBe("Answer: 4");
  });

  test("a stream that ends cleanly but without finish_reason is retried", async () => {
    const { endpoint } = await harness({
      chat: [sse([roleChunk(), deltaChunk({ content: "Answer: 4" })], { done: false }), contentStream(["Answer: 4"])],
    });
    const { attempts } = await endpoint.chat(MESSAGES, PARAMS);
    expect(attempts).toBe(2);
  });

  test("malformed SSE JSON is retried; on every attempt it fails naming the cause", async () => {
    const { endpoint } = await harness({
      chat: [sse([roleChunk(), '{"choices": [{"delta": {"content": "Ans']), contentStream(["Answer: 4"])],
    });
    expect((await endpoint.chat(MESSAGES, PARAMS)).attempts).toBe(2);
    await server?.close();
    const again = await harness({ chat: [sse(["{not json"]), sse(["{not json"]), sse(["{not json"])] });
    const error = await again.endpoint.chat(MESSAGES, PARAMS).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RequestFailedError);
    expect(error).toMatchObject({ attempts: 3, retryable: true });
    expect(String(error)).toContain("malformed JSON");
  });

  test("a chunk that is JSON but not a chunk fails at once (the server would say it again)", async () => {
    const { endpoint, server } = await harness({ chat: [sse([{ choices: "nope" }])] });
    const error = await endpoint.chat(MESSAGES, PARAMS).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ attempts: 1, retryable: false });
    expect(String(error)).toContain("malformed stream chunk: choices");
    expect(server.requests).toHaveLength(1);
  });

  test("a stream without the usage chunk fails at once and says which setting to check", async () => {
    const { endpoint, server } = await harness({
      chat: [sse([roleChunk(), deltaChunk({ content: "Answer: 4" }), finishChunk("stop")])],
    });
    const error = await endpoint.chat(MESSAGES, PARAMS).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RequestFailedError);
    expect(error).toMatchObject({ attempts: 1, retryable: false });
    expect(String(error)).toContain("stream_options.include_usage");
    expect(String(error)).toContain("`stream: false`");
    expect(server.requests).toHaveLength(1);
  });

  test("an error event inside the stream uses its code as the status", async () => {
    const { endpoint } = await harness({
      chat: [
        sse([{ error: { object: "error", message: "engine died", type: "InternalServerError", code: 500 } }]),
        contentStream(["Answer: 4"]),
      ],
    });
    expect((await endpoint.chat(MESSAGES, PARAMS)).attempts).toBe(2);
  });

  test("an attempt that stalls past timeoutMs is a timeout, retried like one", async () => {
    const { endpoint, server } = await harness(
      {
        chat: [sseThenStall([roleChunk()]), contentStream(["Answer: 4"]), sseThenStall([])],
      },
      () => ({ timeoutMs: 300 }),
    );
    const { attempts } = await endpoint.chat(MESSAGES, PARAMS);
    expect(attempts).toBe(2);
    const once = new Endpoint({ baseUrl: server.url, model: "m", timeoutMs: 300, retry: { maxAttempts: 1 } });
    const error = await once.chat(MESSAGES, PARAMS).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ attempts: 1, retryable: true });
    expect(String(error)).toContain("no complete reply within 300 ms (the attempt timed out; out of attempts)");
    expect(server.requests).toHaveLength(3);
  });

  test("the fetch seam: a connection reset before any byte is retried", async () => {
    let calls = 0;
    const resetting: typeof fetch = async (input, init) => {
      calls += 1;
      if (calls === 1)
        throw new TypeError("fetch failed", {
          cause: Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }),
        });
      return fetch(input, init);
    };
    const { endpoint } = await harness({ chat: [contentStream(["Answer: 4"])] }, () => ({ fetch: resetting }));
    const { attempts } = await endpoint.chat(MESSAGES, PARAMS);
    expect(attempts).toBe(2);
    expect(calls).toBe(2);
  });
});

describe("unreachable and misconfigured endpoints", () => {
  test("connection refused: chat fails after retries, listModels says unreachable", async () => {
    const port = await closedPort();
    const sleeps: number[] = [];
    const endpoint = new Endpoint({
      baseUrl: `http://127.0.0.1:${port}`,
      model: "m",
      retry: { maxAttempts: 2, baseDelayMs: 10 },
      random: () => 1,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    const error = await endpoint.chat(MESSAGES, PARAMS).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RequestFailedError);
    expect(error).toMatchObject({ attempts: 2, retryable: true, status: undefined });
    expect(String(error)).toContain("ECONNREFUSED");
    expect(String(error)).toContain(`http://127.0.0.1:${port}/v1/chat/completions`);
    expect(sleeps).toStrictEqual([10]);
    await expect(endpoint.listModels()).rejects.toBeInstanceOf(EndpointUnreachableError);
    await expect(endpoint.checkServed()).rejects.toThrow(`cannot reach http://127.0.0.1:${port}/v1/models`);
  });

  test("/v1/models lists the served names; an unknown model is ModelNotServedError naming what is served", async () => {
    const models = json(200, {
      object: "list",
      data: [
        { id: "nvfp4-model", object: "model" },
        { id: "other", object: "model" },
      ],
    });
    const { endpoint } = await harness({ models: [models, models, models] }, () => ({ model: "fp8-model" }));
    expect(await endpoint.listModels()).toStrictEqual(["nvfp4-model", "other"]);
    const error = await endpoint.checkServed().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ModelNotServedError);
    expect(String(error)).toContain('does not serve model "fp8-model" (it serves: nvfp4-model, other)');
    const served = new Endpoint({ baseUrl: server?.url ?? "", model: "nvfp4-model" });
    await expect(served.checkServed()).resolves.toStrictEqual([
      { url: `${server?.url ?? ""}/v1`, state: "up", outstanding: 0 },
    ]);
  });

  test("a /v1/models answer that is not a model list means baseUrl points elsewhere", async () => {
    const { endpoint } = await harness({ models: [json(200, { hello: "world" }), json(404, { detail: "Not Found" })] });
    await expect(endpoint.listModels()).rejects.toThrow("not an OpenAI model list");
    await expect(endpoint.listModels()).rejects.toBeInstanceOf(EndpointUnreachableError);
  });

  test("the API key never appears in an error, even when the server echoes it back", async () => {
    const echo: Play = (res, req) =>
      json(401, { error: { message: `invalid key in header: ${String(req.headers.authorization)}` } })(res, req);
    const { endpoint, server } = await harness({ chat: [echo], models: [echo] }, () => ({ apiKey: "sk-secret-123" }));
    const error = await endpoint.chat(MESSAGES, PARAMS).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status: 401, attempts: 1, retryable: false });
    expect(server.requests[0]?.headers.authorization).toBe("Bearer sk-secret-123");
    expect(String(error)).toContain("[redacted]");
    expect(String(error)).not.toContain("sk-secret-123");
    expect(error instanceof Error ? String(error.cause) : "").not.toContain("sk-secret-123");
    const listError = await endpoint.listModels().catch((caught: unknown) => caught);
    expect(listError).toMatchObject({ status: 401 });
    expect(String(listError)).not.toContain("sk-secret-123");
  });
});

describe("abort", () => {
  test("an abort mid-stream rejects with the abort reason at once, without a retry", async () => {
    const controller = new AbortController();
    const reason = new Error("SIGINT");
    const { endpoint, server, sleeps } = await harness({
      chat: [
        sseThenStall([roleChunk(), deltaChunk({ content: "Ans" })], () => setImmediate(() => controller.abort(reason))),
        contentStream(["x"]),
      ],
    });
    await expect(endpoint.chat(MESSAGES, PARAMS, controller.signal)).rejects.toBe(reason);
    expect(server.requests).toHaveLength(1);
    expect(sleeps).toStrictEqual([]);
  });

  test("an abort during the backoff wait stops before the next attempt", async () => {
    const controller = new AbortController();
    const reason = new Error("SIGINT");
    const { endpoint, server } = await harness({ chat: [json(503, {}), contentStream(["x"])] }, () => ({
      sleep: async () => {
        controller.abort(reason);
      },
    }));
    await expect(endpoint.chat(MESSAGES, PARAMS, controller.signal)).rejects.toBe(reason);
    expect(server.requests).toHaveLength(1);
  });

  test("the default sleep rejects with the reason when aborted while waiting", async () => {
    const controller = new AbortController();
    const reason = new Error("SIGINT");
    const { endpoint, server } = await harness({ chat: [json(503, {}), contentStream(["x"])] }, () => ({
      sleep: undefined,
      retry: { maxAttempts: 2, baseDelayMs: 60_000, maxDelayMs: 60_000 },
      // random() is read just before the 60 s wait starts; the abort lands once the wait is under way.
      random: () => {
        setImmediate(() => controller.abort(reason));
        return 1;
      },
    }));
    await expect(endpoint.chat(MESSAGES, PARAMS, controller.signal)).rejects.toBe(reason);
    expect(server.requests).toHaveLength(1);
  });

  test("an already aborted signal sends nothing", async () => {
    const controller = new AbortController();
    const reason = new Error("SIGINT");
    controller.abort(reason);
    const { endpoint, server } = await harness({ chat: [contentStream(["x"])] });
    await expect(endpoint.chat(MESSAGES, PARAMS, controller.signal)).rejects.toBe(reason);
    expect(server.requests).toHaveLength(0);
  });
});

describe("a stream without usage, with countMissingUsage", () => {
  const noUsage = (): Play =>
    sse([
      roleChunk(),
      deltaChunk({ reasoning_content: "two" }),
      deltaChunk({ content: "Answer: 4" }),
      finishChunk("stop"),
    ]);
  // A stand-in tokenizer: one token per character of text, one per message of a prompt, so each count is plain.
  const usageTokenizer = {
    countPrompt: (messages: readonly Message[]) => messages.length * 100,
    countText: (text: string) => text.length,
  };

  test("with the tokenizer: the prompt is its count of the messages sent, the completion its count of the text", async () => {
    const { endpoint } = await harness({ chat: [noUsage()] }, () => ({ countMissingUsage: true, usageTokenizer }));
    const { reply } = await endpoint.chat(MESSAGES, PARAMS);
    expect(reply.usage).toEqual({ promptTokens: 100, completionTokens: "two".length + "Answer: 4".length });
    expect(reply.usageCountedBy).toBe("tokenizer");
  });

  test("a template that cannot render the prompt: the reply is kept, its prompt unknown", async () => {
    const raising = {
      ...usageTokenizer,
      countPrompt: (): number => {
        throw new Error("jinja: raise_exception('System role not supported')");
      },
    };
    const { endpoint } = await harness({ chat: [noUsage()] }, () => ({
      countMissingUsage: true,
      usageTokenizer: raising,
    }));
    const { reply } = await endpoint.chat(MESSAGES, PARAMS);
    expect(reply.text).toBe("Answer: 4");
    expect(reply.usage).toEqual({ promptTokens: null, completionTokens: "two".length + "Answer: 4".length });
    expect(reply.usageCountedBy).toBe("tokenizer");
  });

  test("without one: the chunks, and the prompt unknown; without countMissingUsage it fails as before", async () => {
    const counting = await harness({ chat: [noUsage()] }, () => ({ countMissingUsage: true }));
    const { reply } = await counting.endpoint.chat(MESSAGES, PARAMS);
    expect(reply.usage).toEqual({ promptTokens: null, completionTokens: 2 });
    expect(reply.usageCountedBy).toBe("chunks");
    // The next harness takes the afterEach's place: this server is closed here.
    await counting.server.close();
    const strict = await harness({ chat: [noUsage()] }, () => ({ usageTokenizer }));
    await expect(strict.endpoint.chat(MESSAGES, PARAMS)).rejects.toThrow(/carried no usage/);
  });
});
