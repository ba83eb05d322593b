/**
 * Teacher forcing against the real simulator on 127.0.0.1: each variant scores the reference's own reply; bf16
 * against itself gives exactly 0, a noisy variant stays at or below the simulator's known per-position KL and
 * close to it, vLLM's max-logprobs 400 and a server without prompt_logprobs become typed errors, and two different
 * token sequences are refused at their first differing position.
 */
import { afterEach, describe, expect, test } from "vitest";
import { type ForcingTarget, forcedLogprobs, pairPositions } from "../../src/client/index.ts";
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
import { chatPromptTokens, tokenId } from "../../src/sim/tokens.ts";
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
async function referenceReply(sim: SimServer, index: number): Promise<string> {
  const { client } = target(sim.baseUrl, "bf16");
  const completion = await client.chat.completions.create({ model: "bf16", messages: messagesOf(index) });
  const text = completion.choices[0]?.message.content;
  if (typeof text !== "string" || text === "") throw new Error("the simulator gave no reply");
  return text;
}

const start = (): Promise<SimServer> => startSim({ seed: SEED, items: ITEMS, variants: VARIANTS });

describe("teacher forcing against the simulator", () => {
  test("bf16 against itself and against a noise-0 copy: KL exactly 0, top-1 everywhere", async () => {
    const sim = await start();
    const reply = await referenceReply(sim, 0);
    const reference = await forcedLogprobs(target(sim.baseUrl, "bf16"), messagesOf(0), reply, K);
    // The reply's positions only: as many as the reply has tokens, ending with the prompt.
    const replyTokens = chatPromptTokens([...messagesOf(0), { role: "assistant", content: reply }], {
      continueFinalMessage: true,
    }).length;
    expect(reference.ids).toHaveLength(replyTokens);
    expect(reference.replyStart).toBe(chatPromptTokens(messagesOf(0)).length);
    expect(reference.positions.length).toBeGreaterThan(3);
    for (const model of ["bf16", "bf16-copy"]) {
      const variant = await forcedLogprobs(target(sim.baseUrl, model), messagesOf(0), reply, K);
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
      const reference = await forcedLogprobs(target(sim.baseUrl, "bf16"), messagesOf(index), reply, K);
      const variant = await forcedLogprobs(target(sim.baseUrl, "nvfp4"), messagesOf(index), reply, K);
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
    const asked = forcedLogprobs(target(sim.baseUrl, "capped"), messagesOf(0), reply, 6);
    await expect(asked).rejects.toBeInstanceOf(MaxLogprobsTooLowError);
    await expect(asked).rejects.toMatchObject({
      code: "E_MAX_LOGPROBS",
      requested: 6,
      allowed: 5,
      message: `${sim.baseUrl}/chat/completions allows at most 5 prompt logprobs per position; 6 were asked for`,
      hint: "restart vLLM with --max-logprobs 6 (or more), or lower the top-k to 5",
    });
    // A near miss: at the cap it is allowed.
    const atCap = await forcedLogprobs(target(sim.baseUrl, "capped"), messagesOf(0), reply, 5);
    expect(atCap.positions.length).toBeGreaterThan(0);
  });

  test("a variant asked with a different message is refused at the first differing token", async () => {
    const sim = await start();
    const reply = await referenceReply(sim, 0);
    const reference = await forcedLogprobs(target(sim.baseUrl, "bf16"), messagesOf(0), reply, K);
    const variant = await forcedLogprobs(target(sim.baseUrl, "bf16-copy"), messagesOf(1), reply, K);
    // Independently of the code under test: where the simulator's template renders the two prompts differently.
    const render = (messages: Message[]): number[] =>
      chatPromptTokens([...messages, { role: "assistant", content: reply }], { continueFinalMessage: true }).map(
        tokenId,
      );
    const [a, b] = [render(messagesOf(0)), render(messagesOf(1))];
    const first = a.findIndex((id, i) => id !== b[i]);
    expect(first).toBeGreaterThan(0);
    expect(() => pairPositions(reference, variant)).toThrow(TokenizationMismatchError);
    expect(() => pairPositions(reference, variant)).toThrow(
      `${sim.baseUrl}/chat/completions against the reference ${sim.baseUrl}/chat/completions: the token ids differ ` +
        `first at position ${first} (reference id ${a[first]}, variant id ${b[first]})`,
    );
    // The near miss: the same message is accepted.
    const same = await forcedLogprobs(target(sim.baseUrl, "bf16-copy"), messagesOf(0), reply, K);
    expect(pairPositions(reference, same)).toHaveLength(reference.positions.length);
  });
});

/** A prompt_logprobs dict holding only token `id`. */
function entry(id: number): Record<string, { logprob: number; rank: number; decoded_token: string }> {
  return { [String(id)]: { logprob: -0.5, rank: 1, decoded_token: "" } };
}

describe("a chat template whose generation prompt a rendered reply does not start with", () => {
  test("enable_thinking: false (the generation prompt ends with an empty thought) is refused", async () => {
    const sim = await start();
    const reply = await referenceReply(sim, 0);
    const extraBody = { chat_template_kwargs: { enable_thinking: false } };
    const asked = forcedLogprobs({ ...target(sim.baseUrl, "bf16"), extraBody }, messagesOf(0), reply, K);
    // Where the empty thought starts: right after the generation prompt's `<|im_start|>assistant\n`.
    const position = chatPromptTokens(messagesOf(0)).length;
    await expect(asked).rejects.toBeInstanceOf(TokenizationMismatchError);
    await expect(asked).rejects.toMatchObject({ position, hint: expect.stringContaining("enable_thinking unset") });
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
      "a reply",
      K,
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
  /** /tokenize of the forced sequence (5 tokens), then of the prompt alone (3): the reply is positions 3 and 4. */
  const TOKENIZE = [json(200, { count: 5, tokens: [1, 2, 3, 4, 5] }), json(200, { count: 3, tokens: [1, 2, 3] })];

  test("a chat answer without prompt_logprobs is refused, naming the URL", async () => {
    const { error, url } = await refusal({
      tokenize: TOKENIZE,
      chat: [json(200, { choices: [{ index: 0, message: { role: "assistant", content: "x" } }] })],
    });
    expect(error).toBeInstanceOf(PromptLogprobsUnsupportedError);
    expect(error).toMatchObject({
      message: `${url}/v1/chat/completions cannot score a reply token by token: the answer has no prompt_logprobs`,
    });
  });

  test("the variant's template fields go along; the flags that end the prompt are ours", async () => {
    const kwargs = { chat_template_kwargs: { enable_thinking: false }, continue_final_message: false, top_k: 5 };
    const { bodies } = await refusal({ tokenize: TOKENIZE, chat: [json(200, { choices: [] })] }, kwargs);
    const template = { chat_template_kwargs: { enable_thinking: false } };
    const forced = { ...template, continue_final_message: true, add_generation_prompt: false };
    expect(bodies).toMatchObject([
      forced,
      { ...template, continue_final_message: false, add_generation_prompt: true },
      { ...forced, prompt_logprobs: K, max_tokens: 1 },
    ]);
    // Sampling fields are not the template's: they stay out.
    for (const body of bodies) expect(body).not.toHaveProperty("top_k");
  });

  test.each([
    ["a position without its own token", [null, entry(2), entry(3), entry(4), entry(9)], 4, "token 5 is missing"],
    ["fewer positions than /tokenize gave", [null, entry(2), entry(3), entry(4)], 4, "the server scored 4 tokens"],
  ])("the scored sequence must be the tokenized one: %s", async (_, promptLogprobs, position, words) => {
    const { error } = await refusal({
      tokenize: TOKENIZE,
      chat: [json(200, { choices: [], prompt_logprobs: promptLogprobs })],
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
