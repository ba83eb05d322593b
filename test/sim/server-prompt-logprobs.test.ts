/**
 * prompt_logprobs as vLLM serves them: null first, then per position a dict of token ids with logprob, rank and
 * decoded_token; identical for two variants with logprobNoise 0, different with noise; vLLM's 400s over
 * --max-logprobs and in a stream; continue_final_message ending the prompt with the assistant's reply.
 */
import { describe, expect, test } from "vitest";
import { SIM_MAX_LOGPROBS, type SimServer } from "../../src/sim/index.ts";
import { chatPromptTokens, tokenId, tokenize } from "../../src/sim/tokens.ts";
import { dig, postChat, simProfile, startSim, syntheticItems, userMessages } from "./helpers.ts";

const ITEMS = syntheticItems(2);
const profile = simProfile;
const VARIANTS = [profile("bf16"), profile("bf16-copy"), profile("nvfp4", { logprobNoise: 0.5 })];
const REPLY = { role: "assistant", content: "The sum is 0.\nAnswer: 0" };
const MESSAGES = [...userMessages(ITEMS[0]), REPLY];
/** The start of vLLM's 400 over --max-logprobs. */
const OVER = "Requested prompt logprobs of";
const FORCED = { messages: MESSAGES, continue_final_message: true, add_generation_prompt: false, max_tokens: 1 };

async function chat(sim: SimServer, body: Record<string, unknown>): Promise<{ status: number; body: unknown }> {
  const res = await postChat(sim, body);
  return { status: res.status, body: await res.json() };
}

const start = (extra: { maxLogprobs?: number } = {}): Promise<SimServer> =>
  startSim({ seed: 3, items: ITEMS, variants: VARIANTS, ...extra });

describe("prompt_logprobs on chat completions", () => {
  test("vLLM's shape: top-level list, null first, then token id → {logprob, rank, decoded_token}", async () => {
    const sim = await start();
    const { status, body } = await chat(sim, { model: "bf16", ...FORCED, prompt_logprobs: 3 });
    expect(status).toBe(200);
    const tokens = chatPromptTokens(MESSAGES, { continueFinalMessage: true });
    const list = dig(body, "prompt_logprobs") as (Record<string, Record<string, unknown>> | null)[];
    expect(list).toHaveLength(tokens.length);
    expect(list[0]).toBeNull();
    // The prompt ends with the reply itself: its last token, not an end-of-turn or a generation prompt.
    expect(tokens.at(-1)).toBe(" 0");
    tokens.slice(1).forEach((token, i) => {
      const entries = list[i + 1] ?? {};
      const own = entries[String(tokenId(token))];
      expect(own?.decoded_token).toBe(token);
      expect(typeof own?.logprob).toBe("number");
      expect(Number.isInteger(own?.rank)).toBe(true);
      expect(Object.keys(entries).length).toBe((own?.rank as number) <= 3 ? 3 : 4);
    });
  });

  test("deterministic; identical across variants with noise 0; different with noise > 0", async () => {
    const sim = await start();
    const get = async (model: string): Promise<unknown> =>
      dig((await chat(sim, { model, ...FORCED, prompt_logprobs: 5 })).body, "prompt_logprobs");
    const reference = await get("bf16");
    expect(await get("bf16")).toStrictEqual(reference);
    expect(await get("bf16-copy")).toStrictEqual(reference);
    expect(await get("nvfp4")).not.toStrictEqual(reference);
    const other = await startSim({ seed: 3, items: ITEMS, variants: [profile("bf16")] });
    expect(
      dig((await chat(other, { model: "bf16", ...FORCED, prompt_logprobs: 5 })).body, "prompt_logprobs"),
    ).toStrictEqual(reference);
  });

  test("null when not asked for", async () => {
    const sim = await start();
    expect(dig((await chat(sim, { model: "bf16", messages: MESSAGES })).body, "prompt_logprobs")).toBeNull();
  });

  test.each([
    [
      {},
      SIM_MAX_LOGPROBS + 1,
      `${OVER} 21, which is greater than max allowed: 20 (parameter=prompt_logprobs, value=21)`,
    ],
    [{ maxLogprobs: 5 }, 6, `${OVER} 6, which is greater than max allowed: 5 (parameter=prompt_logprobs, value=6)`],
  ])("over --max-logprobs (%j) is vLLM's 400", async (options, k, message) => {
    const sim = await start(options);
    const { status, body } = await chat(sim, { model: "bf16", ...FORCED, prompt_logprobs: k });
    expect(status).toBe(400);
    expect(dig(body, "error", "message")).toBe(message);
    expect(dig(body, "error", "code")).toBe(400);
    expect((await chat(sim, { model: "bf16", ...FORCED, prompt_logprobs: k - 1 })).status).toBe(200);
  });

  test("a profile's maxLogprobs overrides the server's", async () => {
    const sim = await startSim({
      seed: 3,
      items: ITEMS,
      variants: [profile("m", { maxLogprobs: 2 })],
      maxLogprobs: 50,
    });
    const { status, body } = await chat(sim, { model: "m", ...FORCED, prompt_logprobs: 3 });
    expect(status).toBe(400);
    expect(dig(body, "error", "message")).toBe(
      "Requested prompt logprobs of 3, which is greater than max allowed: 2 (parameter=prompt_logprobs, value=3)",
    );
  });

  test.each([
    [{ prompt_logprobs: 2, stream: true }, "`prompt_logprobs` are not available when `stream=True`."],
    [{ prompt_logprobs: -2 }, "`prompt_logprobs` must be a positive value or -1."],
    [
      { continue_final_message: true, add_generation_prompt: true },
      "Cannot set both `continue_final_message` and `add_generation_prompt` to True.",
    ],
  ])("%j is vLLM's 400", async (extra, message) => {
    const sim = await start();
    const { status, body } = await chat(sim, { model: "bf16", messages: MESSAGES, ...extra });
    expect(status).toBe(400);
    expect(dig(body, "error", "message")).toBe(message);
  });

  test("/tokenize with continue_final_message gives the same token ids as the chat request scored", async () => {
    const sim = await start();
    const res = await fetch(`${sim.url}/tokenize`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: "bf16",
        messages: MESSAGES,
        continue_final_message: true,
        add_generation_prompt: false,
      }),
    });
    const ids = dig(await res.json(), "tokens");
    expect(ids).toStrictEqual(chatPromptTokens(MESSAGES, { continueFinalMessage: true }).map(tokenId));
  });
});

describe("prompt_logprobs on completions", () => {
  const TEXT = "Question 1: what is 1 + 1? Answer: 2";
  async function complete(sim: SimServer, body: Record<string, unknown>): Promise<{ status: number; body: unknown }> {
    const res = await fetch(`${sim.baseUrl}/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  }

  test("decoded_token of an id the server has never tokenized (and outside its vocabulary) is empty", async () => {
    const sim = await start();
    const ids = tokenize(TEXT).map(tokenId);
    const body = (await complete(sim, { model: "bf16", prompt: ids, max_tokens: 1, prompt_logprobs: 0 })).body;
    const list = dig(body, "choices", 0, "prompt_logprobs") as (Record<string, { decoded_token: string }> | null)[];
    expect(list[1]?.[String(ids[1])]?.decoded_token).toBe("");
  });

  test("in the choice, alike for the prompt as text and as /tokenize's ids, decoded either way", async () => {
    const sim = await start();
    const byText = await complete(sim, { model: "bf16", prompt: TEXT, max_tokens: 1, prompt_logprobs: 2 });
    expect(byText.status).toBe(200);
    expect(dig(byText.body, "object")).toBe("text_completion");
    expect(dig(byText.body, "choices", 0, "finish_reason")).toBe("length");
    expect(dig(byText.body, "usage", "completion_tokens")).toBe(1);
    const list = dig(byText.body, "choices", 0, "prompt_logprobs") as unknown[];
    expect(list[0]).toBeNull();
    expect(list).toHaveLength(tokenize(TEXT).length);
    const tokenized = await fetch(`${sim.url}/tokenize`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "bf16", prompt: TEXT }),
    });
    const ids = dig(await tokenized.json(), "tokens");
    const byIds = await complete(sim, { model: "bf16", prompt: ids, max_tokens: 1, prompt_logprobs: 2 });
    expect(dig(byIds.body, "choices", 0, "prompt_logprobs")).toStrictEqual(list);
    expect(dig(byIds.body, "choices", 0, "text")).toBe(dig(byText.body, "choices", 0, "text"));
  });

  test("noise 0 variants agree, a noisy one does not; chat and completions agree on the same ids", async () => {
    const sim = await start();
    const ids = chatPromptTokens(MESSAGES, { continueFinalMessage: true }).map(tokenId);
    // The chat request first: the server then knows the ids' texts, as it would after /tokenize.
    const chatted = await chat(sim, { model: "bf16", ...FORCED, prompt_logprobs: 4 });
    const get = async (model: string): Promise<unknown> =>
      dig(
        (await complete(sim, { model, prompt: ids, max_tokens: 1, prompt_logprobs: 4 })).body,
        "choices",
        0,
        "prompt_logprobs",
      );
    const reference = await get("bf16");
    expect(await get("bf16-copy")).toStrictEqual(reference);
    expect(await get("nvfp4")).not.toStrictEqual(reference);
    expect(dig(chatted.body, "prompt_logprobs")).toStrictEqual(reference);
  });

  test("vLLM's 400 over --max-logprobs, 404 for an unknown model", async () => {
    const sim = await start();
    const over = await complete(sim, { model: "bf16", prompt: TEXT, prompt_logprobs: 21 });
    expect(over.status).toBe(400);
    expect(dig(over.body, "error", "message")).toBe(
      "Requested prompt logprobs of 21, which is greater than max allowed: 20 (parameter=prompt_logprobs, value=21)",
    );
    expect(dig(over.body, "error", "param")).toBe("prompt_logprobs");
    expect((await complete(sim, { model: "nope", prompt: TEXT })).status).toBe(404);
  });
});
