/**
 * Teacher forcing against the real simulator on 127.0.0.1: each variant scores the reference's own reply; bf16
 * against itself gives exactly 0, a noisy variant stays at or below the simulator's known per-position KL and
 * close to it, vLLM's max-logprobs 400 and a server without prompt_logprobs become typed errors, two different
 * token sequences are refused at their first differing position, and a template whose generation prompt ends in
 * an empty thought (Qwen3, enable_thinking: false) scores the reply after it.
 */
import { afterEach, describe, expect, test } from "vitest";
import { type ForcingTarget, forcedLogprobs, pairPositions } from "../../src/client/index.ts";
import { generatedText } from "../../src/client/teacher-forcing.ts";
import { VllmOpenAI } from "../../src/client/vllm-openai.ts";
import {
  MaxLogprobsTooLowError,
  PromptLogprobsUnsupportedError,
  RequestFailedError,
  TokenizationMismatchError,
} from "../../src/core/errors.ts";
import type { Message } from "../../src/core/types.ts";
import { itemDivergence, tokenDivergence } from "../../src/metrics/divergence.ts";
import { type SimServer, trueKl } from "../../src/sim/index.ts";
import { chatPromptTokens, tokenId, tokenize } from "../../src/sim/tokens.ts";
import { simProfile, startSim, syntheticItems, userMessages } from "../sim/helpers.ts";
import { type ScriptedServer, startScriptedServer } from "./scripted-server.ts";

const SEED = 5;
const NOISE = 0.3;
const K = 20;
const ITEMS = syntheticItems(4);
const VARIANTS = [
  simProfile("bf16"),
  simProfile("bf16-copy"),
  simProfile("nvfp4", { logprobNoise: NOISE }),
  simProfile("capped", { maxLogprobs: 5 }),
];

function target(baseUrl: string, model: string): ForcingTarget {
  const client = new VllmOpenAI({ baseURL: baseUrl, apiKey: "test", maxRetries: 0, logLevel: "off" });
  return { client, baseUrl, model };
}

function messagesOf(index: number): Message[] {
  return userMessages(ITEMS[index]);
}

/** The reference variant's own reply to item `index`, as a run would have journalled it. */
async function referenceReply(sim: SimServer, index: number): Promise<{ text: string }> {
  const { client } = target(sim.baseUrl, "bf16");
  const completion = await client.chat.completions.create({ model: "bf16", messages: messagesOf(index) });
  const text = completion.choices[0]?.message.content;
  if (typeof text !== "string" || text === "") throw new Error("the simulator gave no reply");
  return { text };
}

const start = (): Promise<SimServer> => startSim({ seed: SEED, items: ITEMS, variants: VARIANTS });

describe("teacher forcing against the simulator", () => {
  test("bf16 against itself and against a noise-0 copy: KL exactly 0, top-1 everywhere", async () => {
    const sim = await start();
    const reply = await referenceReply(sim, 0);
    const reference = await forcedLogprobs(target(sim.baseUrl, "bf16"), messagesOf(0), reply, { k: K });
    // The prompt as generated from (with the generation prompt), then the reply's own tokens.
    const prompt = chatPromptTokens(messagesOf(0));
    expect(reference.ids).toStrictEqual([...prompt, ...tokenize(reply.text)].map(tokenId));
    expect(reference.replyStart).toBe(prompt.length);
    expect(reference.positions).toHaveLength(tokenize(reply.text).length);
    expect(reference.replyTokens).toBe(reference.positions.length);
    for (const model of ["bf16", "bf16-copy"]) {
      const variant = await forcedLogprobs(target(sim.baseUrl, model), messagesOf(0), reply, { k: K });
      const item = itemDivergence(pairPositions(reference, variant));
      expect(item).toStrictEqual({
        meanKl: 0,
        maxKl: 0,
        top1Agreement: 1,
        firstDivergence: null,
        positions: reference.positions.length,
      });
    }
  });

  test("a noisy variant: per position at or below the known KL (top-k bound), and close to it overall", async () => {
    const sim = await start();
    let estimated = 0;
    let truth = 0;
    for (let index = 0; index < ITEMS.length; index++) {
      const reply = await referenceReply(sim, index);
      const reference = await forcedLogprobs(target(sim.baseUrl, "bf16"), messagesOf(index), reply, { k: K });
      const variant = await forcedLogprobs(target(sim.baseUrl, "nvfp4"), messagesOf(index), reply, { k: K });
      const known = trueKl(reference.ids, reference.replyStart, { seed: SEED, model: "nvfp4", noise: NOISE });
      const positions = pairPositions(reference, variant);
      expect(positions).toHaveLength(known.length);
      positions.forEach((position, i) => {
        const { kl } = tokenDivergence(position);
        expect(kl).toBeLessThanOrEqual((known[i] ?? Number.NaN) + 1e-9);
        estimated += kl;
        truth += known[i] ?? Number.NaN;
      });
    }
    expect(truth).toBeGreaterThan(0);
    expect(estimated / truth).toBeGreaterThan(0.85);
  });

  test("vLLM's max-logprobs 400 names the URL and the fix", async () => {
    const sim = await start();
    const reply = await referenceReply(sim, 0);
    const asked = forcedLogprobs(target(sim.baseUrl, "capped"), messagesOf(0), reply, { k: 6 });
    await expect(asked).rejects.toBeInstanceOf(MaxLogprobsTooLowError);
    await expect(asked).rejects.toMatchObject({
      code: "E_MAX_LOGPROBS",
      requested: 6,
      allowed: 5,
      message: `${sim.baseUrl}/completions allows at most 5 prompt logprobs per position; 6 were asked for`,
      hint: "restart vLLM with --max-logprobs 6 (or more), or lower the top-k to 5",
    });
    // A near miss: at the cap it is allowed.
    const atCap = await forcedLogprobs(target(sim.baseUrl, "capped"), messagesOf(0), reply, { k: 5 });
    expect(atCap.positions.length).toBeGreaterThan(0);
  });

  test("a variant asked with a different message is refused at the first differing token", async () => {
    const sim = await start();
    const reply = await referenceReply(sim, 0);
    const reference = await forcedLogprobs(target(sim.baseUrl, "bf16"), messagesOf(0), reply, { k: K });
    const variant = await forcedLogprobs(target(sim.baseUrl, "bf16-copy"), messagesOf(1), reply, { k: K });
    // Independently of the code under test: where the simulator's template renders the two prompts differently.
    const render = (messages: Message[]): number[] =>
      [...chatPromptTokens(messages), ...tokenize(reply.text)].map(tokenId);
    const [a, b] = [render(messagesOf(0)), render(messagesOf(1))];
    const first = a.findIndex((id, i) => id !== b[i]);
    expect(first).toBeGreaterThan(0);
    expect(() => pairPositions(reference, variant)).toThrow(TokenizationMismatchError);
    expect(() => pairPositions(reference, variant)).toThrow(
      `${sim.baseUrl}/completions against the reference ${sim.baseUrl}/completions: the token ids differ ` +
        `first at position ${first} (reference id ${a[first]}, variant id ${b[first]})`,
    );
    // The near miss: the same message is accepted.
    const same = await forcedLogprobs(target(sim.baseUrl, "bf16-copy"), messagesOf(0), reply, { k: K });
    expect(pairPositions(reference, same)).toHaveLength(reference.positions.length);
  });
});

/** A prompt_logprobs dict holding only token `id`. */
function entry(id: number): Record<string, { logprob: number; rank: number; decoded_token: string }> {
  return { [String(id)]: { logprob: -0.5, rank: 1, decoded_token: "" } };
}

describe("the generated text, prompt and reasoning as the reference saw them", () => {
  test("enable_thinking: false: the reply is scored after the generation prompt's empty thought", async () => {
    const sim = await start();
    const reply = await referenceReply(sim, 0);
    const extraBody = { chat_template_kwargs: { enable_thinking: false } };
    const forced = await forcedLogprobs({ ...target(sim.baseUrl, "bf16"), extraBody }, messagesOf(0), reply, {
      k: K,
    });
    const prompt = chatPromptTokens(messagesOf(0), { enableThinking: false });
    expect(prompt.join("").endsWith("assistant\n<think>\n\n</think>\n\n")).toBe(true);
    expect(forced.ids).toStrictEqual([...prompt, ...tokenize(reply.text)].map(tokenId));
    expect(forced.replyStart).toBe(prompt.length);
    // The same template on the variant gives the same sequence, so the two pair.
    const again = await forcedLogprobs({ ...target(sim.baseUrl, "bf16-copy"), extraBody }, messagesOf(0), reply, {
      k: K,
    });
    expect(itemDivergence(pairPositions(forced, again)).meanKl).toBe(0);
  });

  test("reasoning split off by a parser goes back between the thought tags; maxPositions cuts the reply", async () => {
    const sim = await start();
    const reply = { reasoning: "\nLet me add 2 and 2.\n", text: "\n\nThe answer is 4." };
    const forced = await forcedLogprobs(target(sim.baseUrl, "bf16"), messagesOf(0), reply, { k: K, maxPositions: 6 });
    const whole = tokenize("<think>\nLet me add 2 and 2.\n</think>\n\nThe answer is 4.");
    expect(forced.replyTokens).toBe(whole.length);
    expect(forced.ids.slice(forced.replyStart)).toStrictEqual(whole.slice(0, 6).map(tokenId));
    expect(forced.positions).toHaveLength(6);
  });

  test.each([
    [{ text: "4" }, false, "4"],
    [{ text: "4", reasoning: "" }, false, "4"],
    [{ text: "\n\n4", reasoning: "\nadd\n" }, false, "<think>\nadd\n</think>\n\n4"],
    // The generation prompt already opened the thought (Qwen3-Thinking-2507): the model wrote no opening tag.
    [{ text: "\n\n4", reasoning: "\nadd\n" }, true, "\nadd\n</think>\n\n4"],
  ])("generatedText(%j, prompt opens a thought: %s)", (reply, opens, expected) => {
    expect(generatedText(reply, opens)).toBe(expected);
  });
});

describe("servers that cannot score a reply", () => {
  const scripted: ScriptedServer[] = [];
  afterEach(async () => {
    await Promise.all(scripted.splice(0).map((server) => server.close()));
  });

  /** What forcedLogprobs throws against a server playing `script`, and that server's URL (without /v1). */
  async function refusal(
    script: Parameters<typeof startScriptedServer>[0],
    extraBody: Record<string, unknown> = {},
  ): Promise<{ error: unknown; url: string; bodies: unknown[] }> {
    const server = await startScriptedServer(script);
    scripted.push(server);
    const error = await forcedLogprobs(
      { ...target(`${server.url}/v1`, "m"), extraBody },
      messagesOf(0),
      { text: "a reply" },
      { k: K },
    ).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    return { error, url: server.url, bodies: server.requests.map((request) => request.body) };
  }

  const json =
    (status: number, body: unknown) =>
    (res: import("node:http").ServerResponse): void => {
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    };
  /** /tokenize of the prompt (3 tokens, the generation prompt included), then of the reply (2): 5 are scored. */
  const TOKENIZE = [json(200, { count: 3, tokens: [1, 2, 3] }), json(200, { count: 2, tokens: [4, 5] })];

  test("a completion without prompt_logprobs is refused, naming the URL", async () => {
    const { error, url } = await refusal({
      tokenize: TOKENIZE,
      completions: [json(200, { choices: [{ index: 0, text: "x", finish_reason: "length" }] })],
    });
    expect(error).toBeInstanceOf(PromptLogprobsUnsupportedError);
    expect(error).toMatchObject({
      message: `${url}/v1/completions cannot score a reply token by token: the answer has no prompt_logprobs`,
    });
  });

  test("template fields shape the prompt; the reply is tokenized without specials; ids are sent", async () => {
    const kwargs = { chat_template_kwargs: { enable_thinking: false }, continue_final_message: true, top_k: 5 };
    const { bodies } = await refusal({ tokenize: TOKENIZE, completions: [json(200, { choices: [] })] }, kwargs);
    const template = { chat_template_kwargs: { enable_thinking: false } };
    expect(bodies).toStrictEqual([
      {
        model: "m",
        messages: messagesOf(0),
        ...template,
        continue_final_message: false,
        add_generation_prompt: true,
        return_token_strs: true,
      },
      { model: "m", prompt: "a reply", add_special_tokens: false },
      { model: "m", prompt: [1, 2, 3, 4, 5], prompt_logprobs: K, max_tokens: 1, temperature: 0 },
    ]);
  });

  test("a prompt whose last token opens a thought: the reasoning follows it without a second tag", async () => {
    const server = await startScriptedServer({
      tokenize: [
        json(200, { count: 3, tokens: [1, 2, 3], token_strs: ["a", "<think>", "\n"] }),
        json(200, { count: 2, tokens: [4, 5] }),
      ],
      completions: [json(200, { choices: [] })],
    });
    scripted.push(server);
    const reply = { text: "4", reasoning: "add" };
    await forcedLogprobs(target(`${server.url}/v1`, "m"), messagesOf(0), reply, { k: K }).catch(() => undefined);
    expect(server.requests[1]?.body).toMatchObject({ prompt: "add</think>4" });
  });

  test.each([
    ["a position without its own token", [null, entry(2), entry(3), entry(4), entry(9)], 4, "token 5 is missing"],
    ["fewer positions than were sent", [null, entry(2), entry(3), entry(4)], 4, "the server scored 4 tokens"],
  ])("the scored sequence must be the one sent: %s", async (_, promptLogprobs, position, words) => {
    const { error } = await refusal({
      tokenize: TOKENIZE,
      completions: [json(200, { choices: [{ index: 0, text: "", prompt_logprobs: promptLogprobs }] })],
    });
    expect(error).toBeInstanceOf(TokenizationMismatchError);
    expect(error).toMatchObject({ position, message: expect.stringContaining(words) });
  });

  test("a 500 is a failed request, not a refusal", async () => {
    const { error } = await refusal({ tokenize: [json(500, { message: "engine dead" })] });
    expect(error).toBeInstanceOf(RequestFailedError);
    expect(error).toMatchObject({ status: 500, retryable: true, kind: "http" });
  });

  test("a server without /tokenize is refused, naming its /tokenize URL", async () => {
    const { error, url } = await refusal({ tokenize: [json(404, { detail: "Not Found" })] });
    expect(error).toBeInstanceOf(PromptLogprobsUnsupportedError);
    expect(error).toMatchObject({ url: `${url}/tokenize` });
  });
});
