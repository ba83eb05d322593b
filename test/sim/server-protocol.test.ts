import OpenAI from "openai";
import { describe, expect, test } from "vitest";
import {
  countPromptTokens,
  countTokens,
  SIM_MAX_MODEL_LEN,
  type SimServer,
  type SimVariantProfile,
  tokenize,
} from "../../src/sim/index.ts";
import { dig, postChat, sseEvents, startSim, syntheticItems, userMessages } from "./helpers.ts";

const ITEMS = syntheticItems(30);
const VARIANTS: SimVariantProfile[] = [
  { model: "sim-field", accuracy: 0.8, unansweredRate: 0, reasoning: "field", reasoningTokens: 40, speed: "instant" },
  {
    model: "sim-think",
    accuracy: 0.8,
    unansweredRate: 0,
    reasoning: "think-tags",
    reasoningTokens: 40,
    speed: "instant",
  },
  { model: "sim-none", accuracy: 0.8, unansweredRate: 0, reasoning: "none", reasoningTokens: 40, speed: "instant" },
];

const start = () => startSim({ seed: 1, variants: VARIANTS, items: ITEMS });
const client = (sim: SimServer) => new OpenAI({ baseURL: sim.baseUrl, apiKey: "x", maxRetries: 0 });
const answerLines = (i: number) => {
  const item = ITEMS[i];
  return item === undefined ? [] : [item.answers.correct, ...item.answers.wrong];
};

interface Streamed {
  role: unknown;
  tokens: string[];
  reasoning: string;
  content: string;
  finishReason: string | null;
  usage: unknown;
  tokenChunks: number;
}

/** Streams one reply through the SDK and keeps what each chunk carried. */
async function stream(
  sim: SimServer,
  model: string,
  i: number,
  extra: { max_tokens?: number; include_usage?: boolean } = {},
): Promise<Streamed> {
  const chunks = await client(sim).chat.completions.create({
    model,
    messages: userMessages(ITEMS[i]),
    stream: true,
    temperature: 0,
    ...(extra.include_usage === false ? {} : { stream_options: { include_usage: true } }),
    ...(extra.max_tokens === undefined ? {} : { max_tokens: extra.max_tokens }),
  });
  const out: Streamed = {
    role: undefined,
    tokens: [],
    reasoning: "",
    content: "",
    finishReason: null,
    usage: undefined,
    tokenChunks: 0,
  };
  let index = 0;
  for await (const chunk of chunks) {
    if (chunk.usage !== undefined && chunk.usage !== null) out.usage = chunk.usage;
    const choice = chunk.choices[0];
    if (choice === undefined) continue;
    if (index++ === 0) out.role = choice.delta.role;
    const reasoning = dig(choice.delta, "reasoning_content");
    const piece = typeof reasoning === "string" ? reasoning : (choice.delta.content ?? "");
    if (typeof reasoning === "string") out.reasoning += reasoning;
    else out.content += choice.delta.content ?? "";
    if (piece !== "") {
      out.tokens.push(piece);
      out.tokenChunks += 1;
    }
    if (choice.finish_reason !== null) out.finishReason = choice.finish_reason;
  }
  return out;
}

describe("endpoints", () => {
  test("GET /health answers 200", async () => {
    const sim = await start();
    expect((await fetch(`${sim.url}/health`)).status).toBe(200);
  });

  test("GET /v1/models lists every variant as vLLM does, and says it is a simulator", async () => {
    const sim = await start();
    const body: unknown = await (await fetch(`${sim.baseUrl}/models`)).json();
    expect(dig(body, "object")).toBe("list");
    expect(dig(body, "data", 0)).toMatchObject({
      id: "sim-field",
      object: "model",
      root: "sim-field",
      max_model_len: SIM_MAX_MODEL_LEN,
    });
    expect(dig(body, "data", 0, "owned_by")).toBe("quanteval-simulator (not a real model)");
    const listed = await client(sim).models.list();
    expect(listed.data.map((m) => m.id)).toEqual(["sim-field", "sim-think", "sim-none"]);
  });

  test("an unknown path is 404 and a wrong method 405", async () => {
    const sim = await start();
    expect((await fetch(`${sim.baseUrl}/embeddings`, { method: "POST", body: "{}" })).status).toBe(404);
    expect((await fetch(`${sim.baseUrl}/chat/completions`)).status).toBe(405);
  });
});

describe("chat completions", () => {
  test("non-streaming: a chat.completion whose usage counts the prompt and every token of the reply", async () => {
    const sim = await start();
    const messages = userMessages(ITEMS[4]);
    const reply = await client(sim).chat.completions.create({ model: "sim-none", messages, temperature: 0 });
    expect(reply.object).toBe("chat.completion");
    expect(reply.model).toBe("sim-none");
    const choice = reply.choices[0];
    const content = choice?.message.content ?? "";
    expect(choice?.finish_reason).toBe("stop");
    expect(answerLines(4)).toContain(content.split("\n").at(-1));
    expect(reply.usage).toEqual(
      expect.objectContaining({
        prompt_tokens: countPromptTokens(messages),
        completion_tokens: countTokens(content),
        total_tokens: countPromptTokens(messages) + countTokens(content),
      }),
    );
  });

  test("streaming: a role chunk, one token per chunk, finish_reason, a usage chunk equal to the tokens sent, then [DONE]", async () => {
    const sim = await start();
    const out = await stream(sim, "sim-think", 2);
    expect(out.role).toBe("assistant");
    for (const token of out.tokens) expect(tokenize(token)).toEqual([token]);
    expect(out.finishReason).toBe("stop");
    expect(out.usage).toEqual({
      prompt_tokens: countPromptTokens(userMessages(ITEMS[2])),
      completion_tokens: out.tokenChunks,
      total_tokens: countPromptTokens(userMessages(ITEMS[2])) + out.tokenChunks,
    });
    expect(out.tokenChunks).toBe(countTokens(out.content));
  });

  test("streamed and non-streamed replies to one question are the same text", async () => {
    const sim = await start();
    for (const model of ["sim-field", "sim-think", "sim-none"]) {
      const streamed = await stream(sim, model, 6);
      const whole = await client(sim).chat.completions.create({ model, messages: userMessages(ITEMS[6]) });
      expect(whole.choices[0]?.message.content).toBe(streamed.content);
      expect(dig(whole.choices[0]?.message, "reasoning_content") ?? "").toBe(streamed.reasoning);
      expect(whole.usage?.completion_tokens).toBe(streamed.tokenChunks);
    }
  });

  test("SSE framing on the wire: data lines, chunk objects, usage with empty choices, [DONE] last", async () => {
    const sim = await start();
    const res = await postChat(sim, {
      model: "sim-field",
      messages: userMessages(ITEMS[1]),
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const events = sseEvents(await res.text());
    expect(events.at(-1)).toBe("[DONE]");
    const chunks: unknown[] = events.slice(0, -1).map((e) => JSON.parse(e));
    for (const chunk of chunks) expect(dig(chunk, "object")).toBe("chat.completion.chunk");
    expect(dig(chunks[0], "choices", 0, "delta")).toEqual({ role: "assistant", content: "" });
    const usageChunk = chunks.at(-1);
    expect(dig(usageChunk, "choices")).toEqual([]);
    const finalChunk = chunks.at(-2);
    expect(dig(finalChunk, "choices", 0, "finish_reason")).toBe("stop");
    // Tokens are the chunks between the role chunk and the final one.
    expect(dig(usageChunk, "usage", "completion_tokens")).toBe(chunks.length - 3);
    expect(new Set(chunks.map((c) => dig(c, "id"))).size).toBe(1);
  });

  test("without stream_options.include_usage there is no usage chunk", async () => {
    const sim = await start();
    const res = await postChat(sim, { model: "sim-none", messages: userMessages(ITEMS[1]), stream: true });
    const events = sseEvents(await res.text());
    expect(events.some((e) => e.includes('"usage"'))).toBe(false);
    expect(events.at(-1)).toBe("[DONE]");
  });

  test("max_tokens cuts the reply: finish_reason length and exactly that many tokens", async () => {
    const sim = await start();
    const out = await stream(sim, "sim-none", 3, { max_tokens: 5 });
    expect(out.finishReason).toBe("length");
    expect(out.tokenChunks).toBe(5);
    expect(dig(out.usage, "completion_tokens")).toBe(5);
    const whole = await client(sim).chat.completions.create({
      model: "sim-none",
      messages: userMessages(ITEMS[3]),
      max_completion_tokens: 5,
    });
    expect(whole.choices[0]?.finish_reason).toBe("length");
    expect(whole.usage?.completion_tokens).toBe(5);
  });

  test("a near miss of the limit: max_tokens equal to the reply's length is a full reply, finish_reason stop", async () => {
    const sim = await start();
    const full = await stream(sim, "sim-none", 3);
    const exact = await stream(sim, "sim-none", 3, { max_tokens: full.tokenChunks });
    expect(exact.finishReason).toBe("stop");
    expect(exact.content).toBe(full.content);
    expect((await stream(sim, "sim-none", 3, { max_tokens: full.tokenChunks - 1 })).finishReason).toBe("length");
  });

  test("reasoning counts towards max_tokens: a long reasoning is cut before </think>, and a field reply has no content yet", async () => {
    const sim = await start();
    const think = await stream(sim, "sim-think", 0, { max_tokens: 20 });
    expect(think.finishReason).toBe("length");
    expect(think.content.startsWith("<think>")).toBe(true);
    expect(think.content).not.toContain("</think>");
    const field = await client(sim).chat.completions.create({
      model: "sim-field",
      messages: userMessages(ITEMS[0]),
      max_tokens: 20,
    });
    expect(field.choices[0]?.finish_reason).toBe("length");
    expect(field.choices[0]?.message.content).toBeNull();
    expect(countTokens(String(dig(field.choices[0]?.message, "reasoning_content")))).toBe(20);
  });

  test("prompt tokens grow with the prompt, and content parts count like a string", async () => {
    const sim = await start();
    const item = ITEMS[5];
    if (item === undefined) throw new Error("no item");
    const asString = await client(sim).chat.completions.create({
      model: "sim-none",
      messages: [{ role: "user", content: item.promptKey }],
    });
    const asParts = await client(sim).chat.completions.create({
      model: "sim-none",
      messages: [{ role: "user", content: [{ type: "text", text: item.promptKey }] }],
    });
    expect(asParts.choices[0]?.message.content).toBe(asString.choices[0]?.message.content);
    expect(asParts.usage?.prompt_tokens).toBe(asString.usage?.prompt_tokens);
    const longer = await client(sim).chat.completions.create({ model: "sim-none", messages: userMessages(item) });
    expect(longer.usage?.prompt_tokens).toBeGreaterThan(asString.usage?.prompt_tokens ?? Infinity);
  });

  test("other OpenAI and vLLM parameters are accepted and ignored", async () => {
    const sim = await start();
    const plain = await postChat(sim, { model: "sim-none", messages: userMessages(ITEMS[7]) });
    const extra = await postChat(sim, {
      model: "sim-none",
      messages: userMessages(ITEMS[7]),
      temperature: 0,
      top_p: 1,
      seed: 123,
      n: 1,
      stop: ["\n\n\n"],
      chat_template_kwargs: { enable_thinking: false },
      skip_special_tokens: true,
      logprobs: false,
    });
    expect(extra.status).toBe(200);
    expect(dig(await extra.json(), "choices", 0, "message", "content")).toBe(
      dig(await plain.json(), "choices", 0, "message", "content"),
    );
  });
});

describe("reasoning modes", () => {
  test("field: reasoning arrives in delta.reasoning_content, the content holds only the closing and answer", async () => {
    const sim = await start();
    const out = await stream(sim, "sim-field", 8);
    expect(countTokens(out.reasoning)).toBeGreaterThanOrEqual(40);
    expect(out.content).not.toContain("<think>");
    expect(out.content.startsWith("\n\n")).toBe(true);
    expect(answerLines(8)).toContain(out.content.split("\n").at(-1));
    expect(dig(out.usage, "completion_tokens")).toBe(countTokens(out.reasoning) + countTokens(out.content));
  });

  test("think-tags: <think>…</think> inside the content, then the answer", async () => {
    const sim = await start();
    const out = await stream(sim, "sim-think", 8);
    expect(out.reasoning).toBe("");
    expect(out.content).toMatch(/^<think>\n[\s\S]+\n<\/think>\n\n[\s\S]+$/);
    expect(answerLines(8)).toContain(out.content.split("\n").at(-1));
  });

  test("none: prose working before the answer line, no tags and no reasoning field", async () => {
    const sim = await start();
    const out = await stream(sim, "sim-none", 8);
    expect(out.reasoning).toBe("");
    expect(out.content).not.toContain("think>");
    expect(countTokens(out.content)).toBeGreaterThan(40);
    expect(answerLines(8)).toContain(out.content.split("\n").at(-1));
  });
});

describe("errors", () => {
  test("an unknown model is a 404 in vLLM's words", async () => {
    const sim = await start();
    const call = client(sim).chat.completions.create({ model: "qwen3-32b-int3", messages: userMessages(ITEMS[0]) });
    await expect(call).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(call).rejects.toThrow("The model `qwen3-32b-int3` does not exist.");
  });

  test("an unknown question gets a polite 200 reply with no answer line", async () => {
    const sim = await start();
    const reply = await client(sim).chat.completions.create({
      model: "sim-none",
      messages: [{ role: "user", content: "What is the airspeed of an unladen swallow?" }],
    });
    const content = reply.choices[0]?.message.content ?? "";
    expect(content).toContain("not a real model");
    expect(content).not.toMatch(/answer:|\d/i);
    expect(sim.totalRequests()).toBe(1);
  });

  test.each([
    ["malformed JSON", '{"model": "sim-none", "messages": ['],
    ["missing messages", JSON.stringify({ model: "sim-none" })],
    ["empty messages", JSON.stringify({ model: "sim-none", messages: [] })],
    [
      "max_tokens of 0",
      JSON.stringify({ model: "sim-none", messages: [{ role: "user", content: "hi" }], max_tokens: 0 }),
    ],
  ])("%s is a 400 with an error body", async (_name, body) => {
    const sim = await start();
    const res = await postChat(sim, body);
    expect(res.status).toBe(400);
    expect(dig(await res.json(), "error", "code")).toBe(400);
  });

  test("a request over the context length is a 400 naming the limit", async () => {
    const sim = await start();
    const call = client(sim).chat.completions.create({
      model: "sim-none",
      messages: userMessages(ITEMS[0]),
      max_tokens: SIM_MAX_MODEL_LEN,
    });
    await expect(call).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    await expect(call).rejects.toThrow(`maximum context length is ${SIM_MAX_MODEL_LEN} tokens`);
  });
});
