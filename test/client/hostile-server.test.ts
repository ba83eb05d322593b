/**
 * Servers that answer 200 but not with a usable reply: one that streams without end, one that answers with an
 * HTML page. Each ends the attempt with a protocol failure that is not retried; real servers on 127.0.0.1.
 */
import { afterEach, describe, expect, test } from "vitest";
import { Endpoint } from "../../src/client/index.ts";
import { RequestFailedError } from "../../src/core/errors.ts";
import type { Message } from "../../src/core/types.ts";
import {
  deltaChunk,
  finishChunk,
  type Play,
  type ScriptedServer,
  startScriptedServer,
  streamForever,
  usageChunk,
} from "./scripted-server.ts";

const MESSAGES: Message[] = [{ role: "user", content: "What is 2+2?" }];

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** The attempt's error, after a chat that must fail; three attempts allowed, so a retry would show. */
async function failure(
  chat: Play[],
  options: { maxTokens?: number; stream?: boolean } = {},
): Promise<RequestFailedError> {
  server = await startScriptedServer({ chat });
  const endpoint = new Endpoint({
    baseUrl: `${server.url}/v1`,
    model: "m",
    stream: options.stream ?? true,
    retry: { maxAttempts: 3, baseDelayMs: 0, maxDelayMs: 0 },
  });
  const error = await endpoint.chat(MESSAGES, { temperature: 0, maxTokens: options.maxTokens ?? 16 }).then(
    () => {
      throw new Error("expected the request to fail");
    },
    (e: unknown) => e,
  );
  if (!(error instanceof RequestFailedError)) throw error;
  return error;
}

describe("a server that streams without end", () => {
  test("text past what max_tokens allows ends the attempt as a protocol error, not retried", async () => {
    const chunk = `data: ${JSON.stringify(deltaChunk({ content: "x".repeat(1000) }))}\n\n`;
    const error = await failure([streamForever(chunk)]);
    expect(error).toMatchObject({ kind: "protocol", retryable: false, attempts: 1 });
    expect(error.message).toContain(
      "the server sent more than max_tokens 16 allows: " + "text and reasoning past 1048576 characters",
    );
    expect(server?.requests).toHaveLength(1);
  });

  test("reasoning counts toward the same limit", async () => {
    const chunk = `data: ${JSON.stringify(deltaChunk({ reasoning_content: "y".repeat(1000) }))}\n\n`;
    const error = await failure([streamForever(chunk)], { maxTokens: 8192 });
    expect(error).toMatchObject({ kind: "protocol", retryable: false, attempts: 1 });
    // 256 characters per token: max_tokens 8192 allows 2 MiB.
    expect(error.message).toMatch(/the server sent more than max_tokens 8192 allows: .* 2097152 characters/);
  });

  test("chunks without text (keep-alives, empty deltas) past the byte limit end it too", async () => {
    const keepAlive = `: ping\n\ndata: ${JSON.stringify(deltaChunk({ content: "" }))}\n\n`;
    const error = await failure([streamForever(keepAlive)]);
    expect(error).toMatchObject({ kind: "protocol", retryable: false, attempts: 1 });
    expect(error.message).toMatch(/the server sent more than max_tokens 16 allows: .*67108864 bytes/);
  });

  test("a line that never ends is cut at the byte limit", async () => {
    const error = await failure([streamForever('data: {"choices": [')]);
    expect(error).toMatchObject({ kind: "protocol", retryable: false, attempts: 1 });
    expect(error.message).toMatch(/67108864 bytes/);
  });
});

/** 200 with a body of this content-type (none when undefined), as a proxy's login page or a wrong port answers. */
function page(contentType: string | undefined, body: string): Play {
  return (res) => {
    res.writeHead(200, contentType === undefined ? {} : { "content-type": contentType });
    res.end(body);
  };
}

const LOGIN_PAGE = "<!doctype html><html><head><title>Sign in</title></head><body><form></form></body></html>";

describe("a 200 that is not an OpenAI answer", () => {
  for (const stream of [true, false]) {
    for (const type of ["text/html; charset=utf-8", "application/xhtml+xml"]) {
      const mode = stream ? "streamed" : "not streamed";
      test(`${type}, ${mode}: a protocol error naming the type and URL, not retried`, async () => {
        const error = await failure([page(type, LOGIN_PAGE)], { stream });
        expect(error).toMatchObject({ kind: "protocol", retryable: false, attempts: 1 });
        const media = type.split(";")[0] ?? type;
        const url = `${server?.url ?? ""}/v1/chat/completions`;
        expect(error.message).toContain(`request to ${url} failed after 1 attempt(s): `);
        expect(error.message).toContain(`not an OpenAI-compatible endpoint (got ${media})`);
        expect(server?.requests).toHaveLength(1);
      });
    }
  }
});

describe("a proxy that drops the content-type header", () => {
  const whole = [deltaChunk({ content: "Answer: 4" }), finishChunk("stop"), usageChunk(3, 2)];
  test("a streamed reply without content-type is read as usual", async () => {
    const body = `${whole.map((c) => `data: ${JSON.stringify(c)}\n\n`).join("")}data: [DONE]\n\n`;
    server = await startScriptedServer({ chat: [page(undefined, body)] });
    const endpoint = new Endpoint({ baseUrl: `${server.url}/v1`, model: "m", retry: { maxAttempts: 1 } });
    const { reply } = await endpoint.chat(MESSAGES, { temperature: 0, maxTokens: 16 });
    expect(reply.text).toBe("Answer: 4");
  });

  test("a non-streamed reply without content-type is read as usual", async () => {
    const completion = {
      id: "chatcmpl-1",
      object: "chat.completion",
      created: 1,
      model: "m",
      choices: [{ index: 0, message: { role: "assistant", content: "Answer: 4" }, finish_reason: "stop" }],
      usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
    };
    server = await startScriptedServer({ chat: [page(undefined, JSON.stringify(completion))] });
    const endpoint = new Endpoint({
      baseUrl: `${server.url}/v1`,
      model: "m",
      stream: false,
      retry: { maxAttempts: 1 },
    });
    const { reply } = await endpoint.chat(MESSAGES, { temperature: 0, maxTokens: 16 });
    expect(reply.text).toBe("Answer: 4");
  });
});
