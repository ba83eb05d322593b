/**
 * The simulator's context length, as vLLM has it: max_model_len per model in /v1/models, vLLM's 400s (words and
 * body) for a request over it, POST /tokenize counting as chat usage counts, and a simulator without /tokenize.
 */
import { describe, expect, test } from "vitest";
import { countPromptTokens, parseSimProfiles, SIM_MAX_MODEL_LEN, SimServer, tokenize } from "../../src/sim/index.ts";
import { dig, postChat, simProfile, startSim, syntheticItems, userMessages } from "./helpers.ts";

const ITEMS = syntheticItems(4);
const profile = simProfile;
const MESSAGES = userMessages(ITEMS[0]);
/** The prompt of MESSAGES as the simulator counts it (its tokenizer and ChatML template). */
const PROMPT = countPromptTokens(MESSAGES);

async function postTokenize(sim: SimServer, body: unknown): Promise<Response> {
  const headers = { "content-type": "application/json" };
  return fetch(`${sim.url}/tokenize`, { method: "POST", headers, body: JSON.stringify(body) });
}

/** The status and the parsed body of a chat request with these extra fields. */
async function chatWith(
  sim: SimServer,
  extra: Record<string, unknown>,
  messages = MESSAGES,
): Promise<{ status: number; body: unknown }> {
  const res = await postChat(sim, { model: "m", messages, ...extra });
  return { status: res.status, body: await res.json() };
}

describe("max_model_len", () => {
  test("/v1/models states each model's: its profile's, else the server's --max-model-len, else 131072", async () => {
    const sim = await startSim({
      seed: 1,
      items: ITEMS,
      maxModelLen: 4096,
      variants: [profile("own", { maxModelLen: 2048 }), profile("shared")],
    });
    const body: unknown = await (await fetch(`${sim.baseUrl}/models`)).json();
    expect([dig(body, "data", 0, "max_model_len"), dig(body, "data", 1, "max_model_len")]).toStrictEqual([2048, 4096]);
    expect(["own", "shared", "absent"].map((model) => sim.maxModelLen(model))).toStrictEqual([2048, 4096, undefined]);
    const plain = await startSim({ seed: 1, items: ITEMS, variants: [profile("m")] });
    expect(plain.maxModelLen("m")).toBe(SIM_MAX_MODEL_LEN);
  });

  test.each([0, -1, 2.5, Number.NaN])("SimOptions.maxModelLen %s is a ConfigError", async (maxModelLen) => {
    await expect(SimServer.start({ seed: 1, items: ITEMS, variants: [profile("m")], maxModelLen })).rejects.toThrow(
      `sim.maxModelLen: must be a positive integer (got ${String(maxModelLen)})`,
    );
  });

  test("a profile's maxModelLen must be a positive integer", () => {
    const zero = [{ model: "m", accuracy: 1, maxModelLen: 0 }];
    expect(() => parseSimProfiles(zero, "p.json")).toThrow("p.json: [0].maxModelLen:");
    expect(parseSimProfiles([{ model: "m", accuracy: 1, maxModelLen: 4096 }])[0]?.maxModelLen).toBe(4096);
  });
});

describe("a chat request over max_model_len gets vLLM's 400, word for word", () => {
  test("max_tokens over the whole context: the renderer's first check", async () => {
    const sim = await startSim({ seed: 1, items: ITEMS, variants: [profile("m")], maxModelLen: 4096 });
    expect(await chatWith(sim, { max_tokens: 32768 })).toStrictEqual({
      status: 400,
      body: {
        error: {
          message:
            "max_tokens=32768 cannot be greater than max_model_len=4096. Please request fewer output tokens. " +
            "(parameter=max_tokens, value=32768)",
          type: "BadRequestError",
          param: "max_tokens",
          code: 400,
        },
      },
    });
    // vLLM names the field the request used, and reads max_completion_tokens first.
    const both = await chatWith(sim, { max_completion_tokens: 5000, max_tokens: 10 });
    expect(dig(both.body, "error", "message")).toBe(
      "max_completion_tokens=5000 cannot be greater than " +
        "max_model_len=4096. Please request fewer output tokens. (parameter=max_completion_tokens, value=5000)",
    );
    expect(dig(both.body, "error", "param")).toBe("max_completion_tokens");
  });

  test("prompt + max_tokens one over: the prompt is counted to the budget plus one, 'at least'", async () => {
    const sim = await startSim({ seed: 1, items: ITEMS, variants: [profile("m")], maxModelLen: PROMPT + 100 });
    const limit = PROMPT + 100;
    expect(await chatWith(sim, { max_tokens: 101 })).toStrictEqual({
      status: 400,
      body: {
        error: {
          message:
            `This model's maximum context length is ${limit} tokens. However, you requested 101 output ` +
            `tokens and your prompt contains at least ${PROMPT} input tokens, for a total of at least ${limit + 1} ` +
            "tokens. Please reduce the length of the input prompt or the number of requested output tokens. " +
            `(parameter=input_tokens, value=${PROMPT})`,
          type: "BadRequestError",
          param: "input_tokens",
          code: 400,
        },
      },
    });
    // Exactly the context: accepted, and the reply may run to max_tokens.
    const fits = await chatWith(sim, { max_tokens: 100 });
    expect(fits.status).toBe(200);
    expect(dig(fits.body, "usage", "prompt_tokens")).toBe(PROMPT);
  });

  test("a prompt far over the budget is still named by the budget plus one, not by its length", async () => {
    const sim = await startSim({ seed: 1, items: ITEMS, variants: [profile("m")], maxModelLen: 64 });
    const long = [{ role: "user" as const, content: "word ".repeat(500) }];
    const { body } = await chatWith(sim, { max_tokens: 60 }, long);
    expect(dig(body, "error", "message")).toContain(
      "you requested 60 output tokens and your prompt contains " +
        "at least 5 input tokens, for a total of at least 65 tokens.",
    );
  });

  test("no max_tokens and a prompt over the context: 0 output tokens requested (the prompt-alone case)", async () => {
    const sim = await startSim({ seed: 1, items: ITEMS, variants: [profile("m")], maxModelLen: PROMPT - 1 });
    const { status, body } = await chatWith(sim, {});
    expect(status).toBe(400);
    expect(dig(body, "error", "message")).toBe(
      `This model's maximum context length is ${PROMPT - 1} tokens. ` +
        `However, you requested 0 output tokens and your prompt contains at least ${PROMPT} input tokens, ` +
        `for a total of at least ${PROMPT} tokens. Please reduce the length of the input prompt or the number of ` +
        `requested output tokens. (parameter=input_tokens, value=${PROMPT})`,
    );
  });

  test("no max_tokens, a prompt exactly the context: the engine's words; one shorter gets one token", async () => {
    const full = await startSim({ seed: 1, items: ITEMS, variants: [profile("m")], maxModelLen: PROMPT });
    expect(await chatWith(full, {})).toStrictEqual({
      status: 400,
      body: {
        error: {
          message:
            `The decoder prompt (length ${PROMPT}) plus the number of requested output tokens (at least 1) ` +
            `is longer than the maximum model length of ${PROMPT}. Make sure that \`max_model_len\` is no smaller ` +
            "than the number of text tokens (prompt + requested output tokens).",
          type: "BadRequestError",
          param: null,
          code: 400,
        },
      },
    });
    const roomForOne = await startSim({ seed: 1, items: ITEMS, variants: [profile("m")], maxModelLen: PROMPT + 1 });
    const { status, body } = await chatWith(roomForOne, {});
    expect(status).toBe(200);
    expect(dig(body, "usage", "completion_tokens")).toBe(1);
    expect(dig(body, "choices", 0, "finish_reason")).toBe("length");
  });

  test("each model has its own limit", async () => {
    const variants = [profile("small", { maxModelLen: PROMPT + 10 }), profile("m")];
    const sim = await startSim({ seed: 1, items: ITEMS, variants });
    expect((await chatWith(sim, { max_tokens: 11, model: "small" })).status).toBe(400);
    expect((await chatWith(sim, { max_tokens: 11 })).status).toBe(200);
  });

  test("the 400 is logged as a request line", async () => {
    const log: string[] = [];
    const sim = await startSim({
      seed: 1,
      items: ITEMS,
      variants: [profile("m")],
      maxModelLen: 4096,
      log: (line) => log.push(line),
    });
    await chatWith(sim, { max_tokens: 32768 });
    expect(log).toContain(`sim: m: 400 over max_model_len 4096 (${PROMPT} prompt tokens)`);
  });
});

describe("POST /tokenize", () => {
  test("counts a chat prompt exactly as the chat request's usage.prompt_tokens, template kwargs included", async () => {
    const sim = await startSim({ seed: 1, items: ITEMS, variants: [profile("m")] });
    const asParts = [
      {
        role: "user",
        content: [
          { type: "text", text: "Say " },
          { type: "text", text: "hi." },
        ],
      },
    ];
    const cases: [unknown[], Record<string, unknown>][] = [
      [MESSAGES, {}],
      [userMessages(ITEMS[3]), {}],
      [MESSAGES, { chat_template_kwargs: { enable_thinking: false } }],
      [MESSAGES, { chat_template_kwargs: { enable_thinking: true } }],
      [asParts, {}],
    ];
    const counts: number[] = [];
    for (const [messages, extra] of cases) {
      const tokenized: unknown = await (await postTokenize(sim, { model: "m", messages, ...extra })).json();
      const chat = await postChat(sim, { model: "m", messages, max_tokens: 8, ...extra });
      expect(dig(tokenized, "count")).toBe(dig(await chat.json(), "usage", "prompt_tokens"));
      counts.push(Number(dig(tokenized, "count")));
    }
    // Qwen3's template adds an empty thought (three tokens here) when thinking is off: the kwargs matter.
    expect(counts[2]).toBe((counts[0] ?? 0) + 3);
    expect(counts[3]).toBe(counts[0]);
  });

  test("answers vLLM's TokenizeResponse: count, max_model_len, ids, and the strings when asked", async () => {
    const sim = await startSim({ seed: 1, items: ITEMS, variants: [profile("m", { maxModelLen: 8192 })] });
    const asked = await postTokenize(sim, { model: "m", messages: MESSAGES, return_token_strs: true });
    const body: unknown = await asked.json();
    expect(dig(body, "count")).toBe(PROMPT);
    expect(dig(body, "max_model_len")).toBe(8192);
    const ids = dig(body, "tokens");
    const strings = dig(body, "token_strs");
    const isId = (id: unknown) => Number.isInteger(id) && Number(id) >= 0;
    const wellFormed = Array.isArray(ids) && ids.length === PROMPT && ids.every(isId);
    expect(wellFormed).toBe(true);
    expect(Array.isArray(strings) ? strings.join("") : "").toBe(
      "<|im_start|>system\nYou are a careful assistant.<|im_end|>" +
        `<|im_start|>user\n${ITEMS[0]?.promptKey ?? ""}<|im_end|><|im_start|>assistant\n`,
    );
    const without: unknown = await (await postTokenize(sim, { model: "m", messages: MESSAGES })).json();
    expect(dig(without, "token_strs")).toBeNull();
    expect(dig(without, "tokens")).toStrictEqual(ids);
  });

  test("add_generation_prompt false leaves out the assistant's opening; a prompt string is as it is", async () => {
    const sim = await startSim({ seed: 1, items: ITEMS, variants: [profile("m")] });
    const open: unknown = await (await postTokenize(sim, { messages: MESSAGES, add_generation_prompt: false })).json();
    expect(dig(open, "count")).toBe(PROMPT - 3);
    const text = "Answer: 42, over 3.5 days.";
    const prompt: unknown = await (await postTokenize(sim, { model: "m", prompt: text })).json();
    expect(dig(prompt, "count")).toBe(tokenize(text).length);
  });

  test("an unknown model is vLLM's 404; a body that is neither request shape is a 400", async () => {
    const log: string[] = [];
    const sim = await startSim({ seed: 1, items: ITEMS, variants: [profile("m")], log: (line) => log.push(line) });
    const unknown = await postTokenize(sim, { model: "int3", messages: MESSAGES });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toStrictEqual({
      error: { message: "The model `int3` does not exist.", type: "NotFoundError", param: "model", code: 404 },
    });
    const neither = await postTokenize(sim, { model: "m", text: "hi" });
    expect(neither.status).toBe(400);
    expect(dig(await neither.json(), "error", "code")).toBe(400);
    await postTokenize(sim, { model: "m", messages: MESSAGES });
    expect(log).toContain(`sim: m: tokenize 2 messages: ${PROMPT} tokens`);
  });

  test("--no-tokenize: a 404 as from a server without the route, logged; GET is 405 only with the route", async () => {
    const log: string[] = [];
    const off = await startSim({
      seed: 1,
      items: ITEMS,
      variants: [profile("m")],
      tokenize: false,
      log: (line) => log.push(line),
    });
    const res = await postTokenize(off, { model: "m", messages: MESSAGES });
    expect(res.status).toBe(404);
    expect(await res.json()).toStrictEqual({ detail: "Not Found" });
    expect(log.at(-1)).toContain("sim: POST /tokenize: 404");
    expect((await fetch(`${off.url}/tokenize`)).status).toBe(404);
    const on = await startSim({ seed: 1, items: ITEMS, variants: [profile("m")] });
    expect((await fetch(`${on.url}/tokenize`)).status).toBe(405);
  });

  test("while the server loads (slow start) it is a 503, as every other route", async () => {
    const sim = await startSim({ seed: 1, items: ITEMS, variants: [profile("m")], faults: { slowStartSec: 60 } });
    const res = await postTokenize(sim, { model: "m", messages: MESSAGES });
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).not.toBeNull();
  });
});
