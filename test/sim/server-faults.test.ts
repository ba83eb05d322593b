import OpenAI from "openai";
import { describe, expect, test } from "vitest";
import { ConfigError } from "../../src/errors.ts";
import { SimServer, type SimFaults, type SimVariantProfile } from "../../src/sim/index.ts";
import { dig, postChat, startSim, syntheticItems, userMessages } from "./helpers.ts";

const ITEMS = syntheticItems(20);
const PROFILE: SimVariantProfile = { model: "sim-nvfp4", accuracy: 0.8, unansweredRate: 0, reasoning: "none", reasoningTokens: 30, speed: "instant" };

const start = (faults: SimFaults) => startSim({ seed: 2, variants: [PROFILE], items: ITEMS, faults });
const ask = (sim: SimServer, i: number) => new OpenAI({ baseURL: sim.baseUrl, apiKey: "x", maxRetries: 0 })
  .chat.completions.create({ model: PROFILE.model, messages: userMessages(ITEMS[i]) });

describe("faults", () => {
  test("{ http500Rate: 1, onAttempts: [1] }: every item's first attempt is a 500, the second succeeds", async () => {
    const sim = await start({ http500Rate: 1, onAttempts: [1] });
    for (const i of [0, 1, 2]) {
      await expect(ask(sim, i)).rejects.toBeInstanceOf(OpenAI.InternalServerError);
      const reply = await ask(sim, i);
      expect(reply.choices[0]?.finish_reason).toBe("stop");
      expect(sim.requestCount(PROFILE.model, String(i))).toBe(2);
    }
    expect(sim.totalRequests()).toBe(6);
  });

  test("http429Rate 1 answers 429 on every attempt", async () => {
    const sim = await start({ http429Rate: 1 });
    for (let attempt = 0; attempt < 3; attempt++) await expect(ask(sim, 0)).rejects.toBeInstanceOf(OpenAI.RateLimitError);
  });

  test("alwaysFail items get a 500 on every attempt; other items answer", async () => {
    const sim = await start({ alwaysFail: ["3"], onAttempts: [1] });
    for (let attempt = 0; attempt < 3; attempt++) await expect(ask(sim, 3)).rejects.toBeInstanceOf(OpenAI.InternalServerError);
    expect(sim.requestCount(PROFILE.model, "3")).toBe(3);
    expect((await ask(sim, 4)).choices[0]?.finish_reason).toBe("stop");
  });

  test("drop destroys the connection mid-stream: some tokens arrive, then the stream fails", async () => {
    const sim = await start({ dropRate: 1 });
    const client = new OpenAI({ baseURL: sim.baseUrl, apiKey: "x", maxRetries: 0 });
    const stream = await client.chat.completions.create({ model: PROFILE.model, messages: userMessages(ITEMS[0]), stream: true });
    let received = "";
    const consume = async () => {
      for await (const chunk of stream) received += chunk.choices[0]?.delta.content ?? "";
    };
    await expect(consume()).rejects.toThrow();
    expect(received.length).toBeGreaterThan(0);
    expect(received).not.toMatch(/Answer: \d+$/);
  });

  test("drop on a non-streamed request is a connection error, not a reply", async () => {
    const sim = await start({ dropRate: 1 });
    await expect(ask(sim, 0)).rejects.toBeInstanceOf(OpenAI.APIConnectionError);
  });

  test("empty: a 200 with empty content and zero completion tokens", async () => {
    const sim = await start({ emptyRate: 1 });
    const reply = await ask(sim, 0);
    expect(reply.choices[0]?.message.content).toBe("");
    expect(reply.choices[0]?.finish_reason).toBe("stop");
    expect(reply.usage?.completion_tokens).toBe(0);
    const res = await postChat(sim, { model: PROFILE.model, messages: userMessages(ITEMS[0]), stream: true, stream_options: { include_usage: true } });
    expect(await res.text()).toContain("\"usage\":{\"prompt_tokens\"");
  });

  test("garbled: a 200 with junk text and no answer in it", async () => {
    const sim = await start({ garbledRate: 1 });
    const content = (await ask(sim, 0)).choices[0]?.message.content ?? "";
    expect(content.length).toBeGreaterThan(10);
    expect(content).not.toMatch(/answer|\d/i);
  });

  test("fault rates that add up to more than 1 are refused, naming the field", async () => {
    const start = SimServer.start({ seed: 1, variants: [PROFILE], items: ITEMS, faults: { http500Rate: 0.6, dropRate: 0.6 } });
    await expect(start).rejects.toBeInstanceOf(ConfigError);
    await expect(start).rejects.toThrow("sim.faults: (top level): the fault rates must add up to at most 1");
  });

  test("an invalid profile is refused with its path", async () => {
    const start = SimServer.start({ seed: 1, variants: [{ ...PROFILE, accuracy: 2 }], items: ITEMS });
    await expect(start).rejects.toThrow("sim.variants: [0].accuracy");
  });

  test("the log says which item got which fault", async () => {
    const lines: string[] = [];
    const sim = await startSim({ seed: 2, variants: [PROFILE], items: ITEMS, faults: { http500Rate: 1, onAttempts: [1] }, log: (line) => lines.push(line) });
    await expect(ask(sim, 0)).rejects.toThrow();
    expect(lines.at(-1)).toBe("sim: sim-nvfp4 synthetic/0 attempt 1: 500 (injected fault)");
    const res = await postChat(sim, { model: PROFILE.model, messages: userMessages(ITEMS[0]) });
    expect(dig(await res.json(), "object")).toBe("chat.completion");
  });
});
