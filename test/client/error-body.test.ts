/**
 * The server's own words in a context-length 400 reach RequestFailedError's message, whichever body shape vLLM
 * (or FastAPI in front of it) used. Real HTTP on 127.0.0.1.
 */
import { afterEach, describe, expect, test } from "vitest";
import { Endpoint, parseContextLimitError } from "../../src/client/index.ts";
import { RequestFailedError } from "../../src/core/errors.ts";
import type { Message } from "../../src/core/types.ts";
import { json, type Play, type ScriptedServer, startScriptedServer } from "./scripted-server.ts";

const MESSAGES: Message[] = [{ role: "user", content: "What is 2+2? End with 'Answer: N'." }];
const PARAMS = { temperature: 0, maxTokens: 32768 };

const servers: ScriptedServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function scripted(script: { chat?: Play[] }): Promise<ScriptedServer> {
  const server = await startScriptedServer(script);
  servers.push(server);
  return server;
}

function endpointAt(baseUrl: string): { endpoint: Endpoint } {
  return { endpoint: new Endpoint({ baseUrl, model: "m", retry: { maxAttempts: 1 } }) };
}

describe("the server's words in a context-length 400", () => {
  test("vLLM's bare ErrorResponse (before the `error` wrapper) keeps its message, and it parses", async () => {
    const message =
      "This model's maximum context length is 4096 tokens. However, you requested 32868 tokens " +
      "(100 in the messages, 32768 in the completion). Please reduce the length of the messages or completion.";
    const bare = { object: "error", message, type: "BadRequestError", param: null, code: 400 };
    const server = await scripted({ chat: [json(400, bare)] });
    const { endpoint } = endpointAt(server.url);
    const error = await endpoint.chat(MESSAGES, PARAMS).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RequestFailedError);
    expect(error).toMatchObject({ status: 400, attempts: 1 });
    const text = error instanceof Error ? error.message : "";
    expect(text).toContain(message);
    expect(parseContextLimitError(text)).toMatchObject({
      maxModelLen: 4096,
      promptTokens: 100,
      requestedCompletion: 32768,
      form: "vllm-legacy",
    });
  });

  test("today's wrapped body reads the same", async () => {
    const message =
      "max_tokens=32768 cannot be greater than max_model_len=4096. Please request fewer output tokens. " +
      "(parameter=max_tokens, value=32768)";
    const wrapped = { error: { message, type: "BadRequestError", param: "max_tokens", code: 400 } };
    const server = await scripted({ chat: [json(400, wrapped)] });
    const { endpoint } = endpointAt(server.url);
    const error = await endpoint.chat(MESSAGES, PARAMS).catch((caught: unknown) => caught);
    expect(parseContextLimitError(error instanceof Error ? error.message : "")).toMatchObject({
      maxModelLen: 4096,
      requestedCompletion: 32768,
      form: "vllm-max-tokens-over-limit",
    });
  });

  test("FastAPI's `detail` shows instead of 'status code (no body)'", async () => {
    const server = await scripted({ chat: [json(404, { detail: "Not Found" })] });
    const { endpoint } = endpointAt(server.url);
    const error = await endpoint.chat(MESSAGES, PARAMS).catch((caught: unknown) => caught);
    expect(String(error)).toContain("HTTP 404 Not Found");
    expect(String(error)).not.toContain("no body");
  });
});
