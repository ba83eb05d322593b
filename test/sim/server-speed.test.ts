// Real-speed mode through HTTP. No timing assertions here (the engine's arithmetic is tested on a manual
// clock in engine.test.ts); these check that delayed replies are whole, that slots are freed, and that
// close() cuts streams in flight.
import OpenAI from "openai";
import { describe, expect, test } from "vitest";
import { countTokens, type SimVariantProfile } from "../../src/sim/index.ts";
import { startSim, syntheticItems, userMessages } from "./helpers.ts";

const ITEMS = syntheticItems(12);
const FAST: SimVariantProfile = {
  model: "sim-bf16",
  accuracy: 0.8,
  unansweredRate: 0,
  reasoning: "field",
  reasoningTokens: 30,
  speed: {
    ttftMs: 1,
    ttftPerPromptTokenMs: 0.01,
    decodeTokensPerSec: 4000,
    maxDecodeTokensPerSec: 12000,
    maxNumSeqs: 4,
  },
};
// So slow that a request stuck behind it would outlast the test timeout.
const SLOW: SimVariantProfile = {
  model: "sim-slow",
  accuracy: 0.8,
  unansweredRate: 0,
  reasoning: "none",
  reasoningTokens: 5000,
  speed: { ttftMs: 1, ttftPerPromptTokenMs: 0, decodeTokensPerSec: 50, maxDecodeTokensPerSec: 50, maxNumSeqs: 1 },
};

describe("real-speed mode", () => {
  test("twelve concurrent streams on four slots all finish whole, with usage equal to what was sent", async () => {
    const sim = await startSim({ seed: 4, variants: [FAST], items: ITEMS });
    const client = new OpenAI({ baseURL: sim.baseUrl, apiKey: "x", maxRetries: 0 });
    const results = await Promise.all(
      ITEMS.map(async (item) => {
        const stream = await client.chat.completions.create({
          model: FAST.model,
          messages: userMessages(item),
          stream: true,
          stream_options: { include_usage: true },
        });
        let text = "";
        let completionTokens = -1;
        for await (const chunk of stream) {
          const delta: Record<string, unknown> = { ...chunk.choices[0]?.delta };
          for (const key of ["content", "reasoning_content"]) {
            const piece = delta[key];
            if (typeof piece === "string") text += piece;
          }
          if (chunk.usage) completionTokens = chunk.usage.completion_tokens;
        }
        return { text, completionTokens, item };
      }),
    );
    for (const { text, completionTokens, item } of results) {
      expect(completionTokens).toBe(countTokens(text));
      expect([item.answers.correct, ...item.answers.wrong]).toContain(text.split("\n").at(-1));
    }
  });

  test("a client that goes away frees its slot for the next request", { timeout: 20_000 }, async () => {
    const sim = await startSim({ seed: 4, variants: [SLOW], items: ITEMS });
    const client = new OpenAI({ baseURL: sim.baseUrl, apiKey: "x", maxRetries: 0 });
    const abort = new AbortController();
    const first = await client.chat.completions.create(
      { model: SLOW.model, messages: userMessages(ITEMS[0]), stream: true },
      { signal: abort.signal },
    );
    for await (const chunk of first) {
      if ((chunk.choices[0]?.delta.content ?? "") !== "") break; // one token in, then leave
    }
    abort.abort();
    // With maxNumSeqs 1, this waits behind the first request unless its slot was freed.
    const second = await client.chat.completions.create({
      model: SLOW.model,
      messages: userMessages(ITEMS[1]),
      max_tokens: 3,
    });
    expect(second.usage?.completion_tokens).toBe(3);
  });

  test("close() ends streams in flight instead of waiting for them", { timeout: 20_000 }, async () => {
    const sim = await startSim({ seed: 4, variants: [SLOW], items: ITEMS });
    const client = new OpenAI({ baseURL: sim.baseUrl, apiKey: "x", maxRetries: 0 });
    const stream = await client.chat.completions.create({
      model: SLOW.model,
      messages: userMessages(ITEMS[0]),
      stream: true,
    });
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    await sim.close();
    const drain = async () => {
      for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) {
        /* drain */
      }
    };
    await expect(drain()).rejects.toThrow();
  });
});
