/**
 * The client's pieces for fitting max_tokens, against the simulator's vLLM-like context length: what the runner
 * can learn (max_model_len, the prompt's exact count, the 400's numbers) with /tokenize and without it.
 */
import { describe, expect, test } from "vitest";
import {
  allowedCompletionTokens,
  Endpoint,
  type EndpointConfig,
  parseContextLimitError,
} from "../../src/client/index.ts";
import type { SimServer, SimVariantProfile } from "../../src/sim/index.ts";
import { startSim, syntheticItems, userMessages } from "../sim/helpers.ts";

const ITEMS = syntheticItems(3);
const PROFILE: SimVariantProfile = {
  model: "m",
  accuracy: 1,
  unansweredRate: 0,
  reasoning: "field",
  reasoningTokens: 20,
  speed: "instant",
};
const LIMIT = 4096;
/** What task defaults ask for, far over the served context. */
const TASK_MAX_TOKENS = 32768;

interface Rig {
  sim: SimServer;
  endpoint: Endpoint;
  log: string[];
}

async function rig(tokenize: boolean, config: Partial<EndpointConfig> = {}): Promise<Rig> {
  const sim = await startSim({ seed: 2, variants: [PROFILE], items: ITEMS, maxModelLen: LIMIT, tokenize });
  const log: string[] = [];
  const endpoint = new Endpoint({
    baseUrl: sim.baseUrl,
    model: "m",
    retry: { maxAttempts: 1 },
    log: (line) => log.push(line),
    ...config,
  });
  return { sim, endpoint, log };
}

const failureText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

describe.each([{ stream: true }, { stream: false }])("stream: $stream", ({ stream }) => {
  test("with /tokenize the cap is exact: prompt + max_tokens is the whole context, one more is refused", async () => {
    const extraBody = { chat_template_kwargs: { enable_thinking: false } };
    const { endpoint } = await rig(true, { stream, extraBody });
    await endpoint.checkServed();
    expect(endpoint.contextLength()).toBe(LIMIT);
    const messages = userMessages(ITEMS[0]);
    const prompt = await endpoint.countPromptTokens(messages);
    if (prompt === undefined) throw new Error("the simulator has /tokenize");
    const cap = allowedCompletionTokens(LIMIT, prompt);
    const { reply } = await endpoint.chat(messages, { temperature: 0, maxTokens: cap });
    expect(reply.usage.promptTokens).toBe(prompt);
    const over = await endpoint
      .chat(messages, { temperature: 0, maxTokens: cap + 1 })
      .catch((caught: unknown) => caught);
    expect(over).toMatchObject({ status: 400 });
    expect(parseContextLimitError(failureText(over))).toStrictEqual({
      maxModelLen: LIMIT,
      promptTokensAtLeast: prompt,
      requestedCompletion: cap + 1,
      promptTooLong: false,
      form: "vllm-output-tokens",
    });
  });
});

test("without /tokenize: no count (asked once), and the 400s still give the context length", async () => {
  const { sim, endpoint, log } = await rig(false);
  const messages = userMessages(ITEMS[1]);
  expect(await endpoint.countPromptTokens(messages)).toBeUndefined();
  expect(await endpoint.countPromptTokens(messages)).toBeUndefined();
  expect(log).toStrictEqual([
    `tokenize: ${sim.url}/tokenize does not count chat prompts (HTTP 404 Not Found); not asked again`,
  ]);
  const ask = (maxTokens: number) =>
    endpoint.chat(messages, { temperature: 0, maxTokens }).catch((caught: unknown) => caught);
  const first = await ask(TASK_MAX_TOKENS);
  expect(parseContextLimitError(failureText(first))).toStrictEqual({
    maxModelLen: LIMIT,
    requestedCompletion: TASK_MAX_TOKENS,
    promptTooLong: false,
    form: "vllm-max-tokens-over-limit",
  });
  // Asked again within the context, today's vLLM names only a lower bound of the prompt: fitting needs /tokenize.
  const second = await ask(LIMIT);
  expect(parseContextLimitError(failureText(second))).toMatchObject({ maxModelLen: LIMIT, promptTokensAtLeast: 1 });
});
