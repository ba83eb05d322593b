/**
 * ContextFitter against scripted servers that answer as vLLM does: which request it sends, when it counts the
 * prompt, and what it makes of a context-length 400 (and of other 400s). Real HTTP on 127.0.0.1.
 */
import { afterEach, describe, expect, test } from "vitest";
import { Endpoint } from "../../src/client/index.ts";
import { RequestFailedError } from "../../src/core/errors.ts";
import { ContextFitter, ContextTooShortError, PromptTooLongError } from "../../src/runner/context-fit.ts";
import { json, type ScriptedServer, sse, startScriptedServer } from "../client/scripted-server.ts";

const MESSAGES = [{ role: "user" as const, content: "What is 2 + 2?" }];
const PARAMS = { temperature: 0, maxTokens: 32_768 };

function completion(promptTokens: number, text = "4") {
  return sse([
    {
      id: "c",
      object: "chat.completion.chunk",
      created: 0,
      model: "m",
      choices: [{ index: 0, delta: { role: "assistant", content: text }, finish_reason: null }],
    },
    {
      id: "c",
      object: "chat.completion.chunk",
      created: 0,
      model: "m",
      choices: [{ index: 0, delta: {}, finish_reason: "stop" }],
    },
    {
      id: "c",
      object: "chat.completion.chunk",
      created: 0,
      model: "m",
      choices: [],
      usage: { prompt_tokens: promptTokens, completion_tokens: 1, total_tokens: promptTokens + 1 },
    },
  ]);
}

const models = (maxModelLen?: number) =>
  json(200, {
    object: "list",
    data: [{ id: "m", object: "model", ...(maxModelLen !== undefined ? { max_model_len: maxModelLen } : {}) }],
  });
const refused = (message: string) =>
  json(400, { error: { message, type: "BadRequestError", param: "max_tokens", code: 400 } });

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function fitterFor(
  script: Parameters<typeof startScriptedServer>[0],
  policy: "fit" | "fail" = "fit",
  configured?: number,
) {
  server = await startScriptedServer(script);
  const endpoint = new Endpoint({ baseUrl: `${server.url}/v1`, model: "m", retry: { maxAttempts: 1 } });
  await endpoint.checkServed();
  return new ContextFitter(endpoint, policy, configured);
}

const chats = () =>
  (server?.requests ?? [])
    .filter((r) => r.path === "/v1/chat/completions")
    .map((r) => (r.body as { max_tokens: number }).max_tokens);

describe("ContextFitter", () => {
  test("no context stated: asked as configured; a legacy 400 with the prompt's size is read and asked again once with what fits", async () => {
    const fitter = await fitterFor({
      models: [models()],
      chat: [
        refused(
          "This model's maximum context length is 4096 tokens. However, you requested 32868 tokens (100 in the messages, 32768 in the completion). Please reduce the length of the messages or completion.",
        ),
        completion(100),
      ],
    });
    expect(fitter.context).toBeUndefined();
    const result = await fitter.chat(MESSAGES, PARAMS, new AbortController().signal, {});
    expect(chats()).toEqual([32_768, 3996]);
    expect(result.fit).toEqual({
      requested: 32_768,
      sent: 3996,
      contextLength: 4096,
      promptTokens: 100,
      source: "server-error",
    });
    expect(result.attempts).toBe(2);
    // Learnt: the next request is fitted before it is sent (no /tokenize here: the bound decides, then the 400).
    expect(fitter.context).toEqual({ tokens: 4096, source: "server-error" });
  });

  test("a 400 that says only 'at least' and no /tokenize: one token asked for, its usage counts the prompt, then what fits", async () => {
    const fitter = await fitterFor({
      models: [models(4096)],
      chat: [
        refused("max_tokens=32768 cannot be greater than max_model_len=4096. Please request fewer output tokens."),
        completion(250),
        completion(250),
      ],
    });
    const result = await fitter.chat(MESSAGES, PARAMS, new AbortController().signal, {});
    expect(chats()).toEqual([32_768, 1, 3846]);
    expect(result.fit).toMatchObject({ sent: 3846, promptTokens: 250, source: "probe" });
    expect(result.attempts).toBe(3);
  });

  test("after SGLang's refusal, one token less than vLLM's arithmetic: older SGLang refused a total equal to the limit", async () => {
    const fitter = await fitterFor({
      models: [models(4096)],
      chat: [
        refused(
          "Requested token count exceeds the model's maximum context length of 4096 tokens. You requested a total of 32868 tokens: 100 tokens from the input messages and 32768 tokens for the completion. Please reduce the number of tokens in the input messages or the completion to fit within the limit.",
        ),
        completion(100),
      ],
    });
    const result = await fitter.chat(MESSAGES, PARAMS, new AbortController().signal, {});
    expect(chats()).toEqual([32_768, 3995]);
    expect(result.fit).toMatchObject({ sent: 3995, promptTokens: 100, source: "server-error" });
  });

  test("a request that fails after it was fitted: the trace says what was sent and every request it took", async () => {
    const fitter = await fitterFor({
      models: [models(4096)],
      chat: [
        refused("max_tokens=32768 cannot be greater than max_model_len=4096. Please request fewer output tokens."),
        completion(250),
        json(500, { error: { message: "boom", type: "InternalServerError", code: 500 } }),
      ],
    });
    const trace = { attempts: 0 };
    await expect(fitter.chat(MESSAGES, PARAMS, new AbortController().signal, {}, trace)).rejects.toThrow(
      RequestFailedError,
    );
    expect(chats()).toEqual([32_768, 1, 3846]);
    expect(trace).toEqual({
      attempts: 3,
      fit: { requested: 32_768, sent: 3846, contextLength: 4096, promptTokens: 250, source: "probe" },
    });
  });

  test("a prompt that fills the context alone is an error, not a request", async () => {
    const fitter = await fitterFor({
      models: [models(4096)],
      chat: [
        refused(
          "This model's maximum context length is 4096 tokens. However, you requested 5000 tokens in the messages, Please reduce the length of the messages.",
        ),
      ],
    });
    await expect(fitter.chat(MESSAGES, PARAMS, new AbortController().signal, {})).rejects.toThrow(PromptTooLongError);
    expect(chats()).toEqual([32_768]);
  });

  test("a 400 about something else is the server's error, asked once", async () => {
    const fitter = await fitterFor({
      models: [models(4096)],
      chat: [refused("top_k must be -1 (disable), or at least 1, got 0.")],
    });
    await expect(
      fitter.chat(MESSAGES, { ...PARAMS, maxTokens: 100 }, new AbortController().signal, {}),
    ).rejects.toThrow(RequestFailedError);
    expect(chats()).toEqual([100]);
  });

  test("a request that fits by any count is sent as asked, without counting its prompt", async () => {
    const fitter = await fitterFor({ models: [models(4096)], chat: [completion(12)] });
    const result = await fitter.chat(MESSAGES, { ...PARAMS, maxTokens: 1000 }, new AbortController().signal, {});
    expect(result.fit).toBeUndefined();
    expect(server?.requests.map((r) => r.path)).toEqual(["/v1/models", "/v1/chat/completions"]);
  });

  test("policy fail: nothing capped, a context 400 stands, and a task asking the whole context is stopped before asking", async () => {
    const fitter = await fitterFor(
      {
        models: [models(4096)],
        chat: [
          refused("max_tokens=32768 cannot be greater than max_model_len=4096. Please request fewer output tokens."),
        ],
      },
      "fail",
    );
    await expect(fitter.chat(MESSAGES, PARAMS, new AbortController().signal, {})).rejects.toThrow(RequestFailedError);
    expect(chats()).toEqual([32_768]);
    expect(() => fitter.checkTask("aime24", 38_912)).toThrow(ContextTooShortError);
    expect(() => fitter.checkTask("suite40", 1024)).not.toThrow();
  });

  test("variants[].maxModelLen counts when the server states none, and the smaller of the two when it does", async () => {
    expect((await fitterFor({ models: [models()] }, "fit", 8192)).context).toEqual({ tokens: 8192, source: "config" });
    await server?.close();
    expect((await fitterFor({ models: [models(4096)] }, "fit", 8192)).context).toEqual({
      tokens: 4096,
      source: "server",
    });
    await server?.close();
    expect((await fitterFor({ models: [models(32_768)] }, "fit", 8192)).context).toEqual({
      tokens: 8192,
      source: "config",
    });
  });
});
