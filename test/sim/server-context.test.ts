/**
 * The simulator's context length, as vLLM has it: max_model_len per model in /v1/models, and vLLM's 400s (words
 * and body) for a request over it.
 */
import { describe, expect, test } from "vitest";
import {
  countPromptTokens, parseSimProfiles, SIM_MAX_MODEL_LEN, SimServer, type SimVariantProfile,
} from "../../src/sim/index.ts";
import { dig, postChat, startSim, syntheticItems, userMessages } from "./helpers.ts";

const ITEMS = syntheticItems(4);
const profile = (model: string, extra: Partial<SimVariantProfile> = {}): SimVariantProfile =>
  ({ model, accuracy: 1, unansweredRate: 0, reasoning: "none", reasoningTokens: 0, speed: "instant", ...extra });
const MESSAGES = userMessages(ITEMS[0]);
/** The prompt of MESSAGES as the simulator counts it (its tokenizer and ChatML template). */
const PROMPT = countPromptTokens(MESSAGES);

/** The status and the parsed body of a chat request with these extra fields. */
async function chatWith(
  sim: SimServer, extra: Record<string, unknown>, messages = MESSAGES,
): Promise<{ status: number; body: unknown }> {
  const res = await postChat(sim, { model: "m", messages, ...extra });
  return { status: res.status, body: await res.json() };
}

describe("max_model_len", () => {
  test("/v1/models states each model's: its profile's, else the server's --max-model-len, else 131072", async () => {
    const sim = await startSim({
      seed: 1, items: ITEMS, maxModelLen: 4096,
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
      `sim.maxModelLen: must be a positive integer (got ${String(maxModelLen)})`);
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
      body: { error: {
        message: "max_tokens=32768 cannot be greater than max_model_len=4096. Please request fewer output tokens. " +
          "(parameter=max_tokens, value=32768)",
        type: "BadRequestError", param: "max_tokens", code: 400,
      } },
    });
    // vLLM names the field the request used, and reads max_completion_tokens first.
    const both = await chatWith(sim, { max_completion_tokens: 5000, max_tokens: 10 });
    expect(dig(both.body, "error", "message")).toBe("max_completion_tokens=5000 cannot be greater than " +
      "max_model_len=4096. Please request fewer output tokens. (parameter=max_completion_tokens, value=5000)");
    expect(dig(both.body, "error", "param")).toBe("max_completion_tokens");
  });

  test("prompt + max_tokens one over: the prompt is counted to the budget plus one, 'at least'", async () => {
    const sim = await startSim({ seed: 1, items: ITEMS, variants: [profile("m")], maxModelLen: PROMPT + 100 });
    const limit = PROMPT + 100;
    expect(await chatWith(sim, { max_tokens: 101 })).toStrictEqual({
      status: 400,
      body: { error: {
        message: `This model's maximum context length is ${limit} tokens. However, you requested 101 output ` +
          `tokens and your prompt contains at least ${PROMPT} input tokens, for a total of at least ${limit + 1} ` +
          "tokens. Please reduce the length of the input prompt or the number of requested output tokens. " +
          `(parameter=input_tokens, value=${PROMPT})`,
        type: "BadRequestError", param: "input_tokens", code: 400,
      } },
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
    expect(dig(body, "error", "message")).toContain("you requested 60 output tokens and your prompt contains " +
      "at least 5 input tokens, for a total of at least 65 tokens.");
  });

  test("no max_tokens and a prompt over the context: 0 output tokens requested (the prompt-alone case)", async () => {
    const sim = await startSim({ seed: 1, items: ITEMS, variants: [profile("m")], maxModelLen: PROMPT - 1 });
    const { status, body } = await chatWith(sim, {});
    expect(status).toBe(400);
    expect(dig(body, "error", "message")).toBe(`This model's maximum context length is ${PROMPT - 1} tokens. ` +
      `However, you requested 0 output tokens and your prompt contains at least ${PROMPT} input tokens, ` +
      `for a total of at least ${PROMPT} tokens. Please reduce the length of the input prompt or the number of ` +
      `requested output tokens. (parameter=input_tokens, value=${PROMPT})`);
  });

  test("no max_tokens, a prompt exactly the context: the engine's words; one shorter gets one token", async () => {
    const full = await startSim({ seed: 1, items: ITEMS, variants: [profile("m")], maxModelLen: PROMPT });
    expect(await chatWith(full, {})).toStrictEqual({
      status: 400,
      body: { error: {
        message: `The decoder prompt (length ${PROMPT}) plus the number of requested output tokens (at least 1) ` +
          `is longer than the maximum model length of ${PROMPT}. Make sure that \`max_model_len\` is no smaller ` +
          "than the number of text tokens (prompt + requested output tokens).",
        type: "BadRequestError", param: null, code: 400,
      } },
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
      seed: 1, items: ITEMS, variants: [profile("m")], maxModelLen: 4096, log: (line) => log.push(line),
    });
    await chatWith(sim, { max_tokens: 32768 });
    expect(log).toContain(`sim: m: 400 over max_model_len 4096 (${PROMPT} prompt tokens)`);
  });
});
