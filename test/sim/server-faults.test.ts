import OpenAI from "openai";
import { describe, expect, test } from "vitest";
import { ConfigError } from "../../src/core/errors.ts";
import { type SimFaults, SimServer, type SimVariantProfile } from "../../src/sim/index.ts";
import { dig, postChat, sseEvents, startSim, syntheticItems, userMessages } from "./helpers.ts";

const ITEMS = syntheticItems(20);
const PROFILE: SimVariantProfile = {
  model: "sim-nvfp4",
  accuracy: 0.8,
  unansweredRate: 0,
  reasoning: "none",
  reasoningTokens: 30,
  speed: "instant",
};

const start = (faults: SimFaults) => startSim({ seed: 2, variants: [PROFILE], items: ITEMS, faults });
const ask = (sim: SimServer, i: number) =>
  new OpenAI({ baseURL: sim.baseUrl, apiKey: "x", maxRetries: 0 }).chat.completions.create({
    model: PROFILE.model,
    messages: userMessages(ITEMS[i]),
  });

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
    for (let attempt = 0; attempt < 3; attempt++)
      await expect(ask(sim, 0)).rejects.toBeInstanceOf(OpenAI.RateLimitError);
  });

  test("alwaysFail items get a 500 on every attempt; other items answer", async () => {
    const sim = await start({ alwaysFail: ["3"], onAttempts: [1] });
    for (let attempt = 0; attempt < 3; attempt++)
      await expect(ask(sim, 3)).rejects.toBeInstanceOf(OpenAI.InternalServerError);
    expect(sim.requestCount(PROFILE.model, "3")).toBe(3);
    expect((await ask(sim, 4)).choices[0]?.finish_reason).toBe("stop");
  });

  test("drop destroys the connection mid-stream: some tokens arrive, then the stream fails", async () => {
    const sim = await start({ dropRate: 1 });
    const client = new OpenAI({ baseURL: sim.baseUrl, apiKey: "x", maxRetries: 0 });
    const stream = await client.chat.completions.create({
      model: PROFILE.model,
      messages: userMessages(ITEMS[0]),
      stream: true,
    });
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
    const res = await postChat(sim, {
      model: PROFILE.model,
      messages: userMessages(ITEMS[0]),
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(await res.text()).toContain('"usage":{"prompt_tokens"');
  });

  test("garbled: a 200 with junk text and no answer in it", async () => {
    const sim = await start({ garbledRate: 1 });
    const content = (await ask(sim, 0)).choices[0]?.message.content ?? "";
    expect(content.length).toBeGreaterThan(10);
    expect(content).not.toMatch(/answer|\d/i);
  });

  test("fault rates that add up to more than 1 are refused, naming the field", async () => {
    const start = SimServer.start({
      seed: 1,
      variants: [PROFILE],
      items: ITEMS,
      faults: { http500Rate: 0.6, dropRate: 0.6 },
    });
    await expect(start).rejects.toBeInstanceOf(ConfigError);
    await expect(start).rejects.toThrow("sim.faults: (top level): the fault rates must add up to at most 1");
  });

  test("an invalid profile is refused with its path", async () => {
    const start = SimServer.start({ seed: 1, variants: [{ ...PROFILE, accuracy: 2 }], items: ITEMS });
    await expect(start).rejects.toThrow("sim.variants: [0].accuracy");
  });

  test("the log says which item got which fault", async () => {
    const lines: string[] = [];
    const sim = await startSim({
      seed: 2,
      variants: [PROFILE],
      items: ITEMS,
      faults: { http500Rate: 1, onAttempts: [1] },
      log: (line) => lines.push(line),
    });
    await expect(ask(sim, 0)).rejects.toThrow();
    expect(lines.at(-1)).toBe("sim: sim-nvfp4 synthetic/0 attempt 1: 500 (injected fault)");
    const res = await postChat(sim, { model: PROFILE.model, messages: userMessages(ITEMS[0]) });
    expect(dig(await res.json(), "object")).toBe("chat.completion");
  });
});

describe("more faults", () => {
  const streamBody = (i: number) => ({
    model: PROFILE.model,
    messages: userMessages(ITEMS[i]),
    stream: true,
    stream_options: { include_usage: true },
  });
  const plainBody = (i: number) => ({ model: PROFILE.model, messages: userMessages(ITEMS[i]) });
  const parsedEvents = (events: string[]) => events.filter((e) => e !== "[DONE]").map((e) => JSON.parse(e) as unknown);

  test("statusRates: each status as configured, with Retry-After on 429 and 503 only", async () => {
    for (const [status, retryAfter, type] of [
      [429, "1", "RateLimitError"],
      [503, "1", "ServiceUnavailableError"],
      [502, null, "BadGatewayError"],
      [400, null, "BadRequestError"],
    ] as const) {
      const sim = await start({ statusRates: { [String(status)]: 1 } });
      const res = await postChat(sim, plainBody(0));
      expect(res.status).toBe(status);
      expect(res.headers.get("retry-after")).toBe(retryAfter);
      expect(dig(await res.json(), "error", "type")).toBe(type);
      await sim.close();
    }
  });

  test("retryAfterSec sets the Retry-After of 429 and 503", async () => {
    const sim = await start({ statusRates: { "503": 1 }, retryAfterSec: 7 });
    expect((await postChat(sim, plainBody(0))).headers.get("retry-after")).toBe("7");
  });

  test("truncate: a stream that ends cleanly halfway, with no finish_reason, no usage and no [DONE]", async () => {
    const sim = await start({ truncateRate: 1 });
    const res = await postChat(sim, streamBody(0));
    expect(res.status).toBe(200);
    const events = sseEvents(await res.text());
    expect(events).not.toContain("[DONE]");
    const chunks = parsedEvents(events);
    expect(chunks.length).toBeGreaterThan(2);
    for (const c of chunks) {
      expect(dig(c, "usage")).toBeUndefined();
      expect(dig(c, "choices", 0, "finish_reason")).toBeNull();
    }
  });

  test("truncate, not streamed: a 200 whose body is cut in half", async () => {
    const sim = await start({ truncateRate: 1 });
    const res = await postChat(sim, plainBody(0));
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text.startsWith('{"id":"chatcmpl-')).toBe(true);
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
  });

  test("malformed: one data line that is not JSON, the rest of the stream as usual", async () => {
    const sim = await start({ malformedRate: 1 });
    const events = sseEvents(await (await postChat(sim, streamBody(0))).text());
    const bad = events.filter((e) => {
      try {
        JSON.parse(e);
        return false;
      } catch {
        return e !== "[DONE]";
      }
    });
    expect(bad).toHaveLength(1);
    expect(events.at(-1)).toBe("[DONE]");
    const good = events
      .slice(0, -1)
      .filter((e) => !bad.includes(e))
      .map((e) => JSON.parse(e) as unknown);
    expect(good.some((c) => dig(c, "choices", 0, "finish_reason") === "stop")).toBe(true);
    expect(good.some((c) => dig(c, "usage", "completion_tokens") !== undefined)).toBe(true);
    const plain = await (await postChat(sim, plainBody(1))).text();
    expect(() => JSON.parse(plain)).toThrow(SyntaxError);
  });

  test("missingUsage: no usage chunk although include_usage asks for it; no usage in a plain body", async () => {
    const sim = await start({ missingUsageRate: 1 });
    const events = sseEvents(await (await postChat(sim, streamBody(0))).text());
    expect(events.at(-1)).toBe("[DONE]");
    const chunks = parsedEvents(events);
    expect(chunks.some((c) => dig(c, "choices", 0, "finish_reason") === "stop")).toBe(true);
    expect(chunks.every((c) => dig(c, "usage") === undefined)).toBe(true);
    expect(dig(await (await postChat(sim, plainBody(1))).json(), "usage")).toBeNull();
  });

  test("slow start: /health, /v1/models and chat answer 503 loading with the seconds left, then the server is ready", async () => {
    let now = 10_000;
    const sim = await startSim({
      seed: 2,
      variants: [PROFILE],
      items: ITEMS,
      faults: { slowStartSec: 30, http500Rate: 1, onAttempts: [1] },
      now: () => now,
    });
    now += 12_500;
    expect((await fetch(`${sim.url}/health`)).status).toBe(503);
    const listed = await fetch(`${sim.baseUrl}/models`);
    expect(listed.status).toBe(503);
    expect(listed.headers.get("retry-after")).toBe("18");
    const chat = await postChat(sim, plainBody(0));
    expect(chat.status).toBe(503);
    expect(dig(await chat.json(), "error", "message")).toContain("loading");
    expect(sim.requestCount(PROFILE.model, "0")).toBe(1);
    now += 17_500;
    expect((await fetch(`${sim.url}/health`)).status).toBe(200);
    expect((await fetch(`${sim.baseUrl}/models`)).status).toBe(200);
    // The loading answer was not the item's first attempt for fault injection: that one comes now.
    expect((await postChat(sim, plainBody(0))).status).toBe(500);
    expect((await postChat(sim, plainBody(0))).status).toBe(200);
    expect(sim.requestCount(PROFILE.model, "0")).toBe(3);
  });

  test("dieAfterRequests: after n chat requests the next one finds the server dead; every connection is closed", async () => {
    const slow: SimVariantProfile = {
      ...PROFILE,
      speed: { ttftMs: 5, ttftPerPromptTokenMs: 0, decodeTokensPerSec: 100, maxDecodeTokensPerSec: 400, maxNumSeqs: 4 },
    };
    const sim = await startSim({ seed: 2, variants: [slow], items: ITEMS, faults: { dieAfterRequests: 2 } });
    expect((await postChat(sim, plainBody(0))).status).toBe(200);
    const streaming = await postChat(sim, streamBody(1));
    const reader = streaming.body?.getReader();
    expect((await reader?.read())?.done).toBe(false); // the second reply is under way
    expect(sim.dead).toBe(false);
    await expect(postChat(sim, plainBody(2))).rejects.toThrow(TypeError); // the third kills it
    expect(sim.dead).toBe(true);
    await expect(
      (async () => {
        for (;;) if ((await reader?.read())?.done !== false) return;
      })(),
    ).rejects.toThrow();
    await expect(fetch(`${sim.baseUrl}/models`)).rejects.toThrow(TypeError);
    expect(sim.totalRequests()).toBe(3);
    await sim.close();
  });

  test("a status key that is not an error status, or rates over 1 in all, are refused naming the field", async () => {
    await expect(
      SimServer.start({ seed: 1, variants: [PROFILE], items: ITEMS, faults: { statusRates: { "200": 0.1 } } }),
    ).rejects.toThrow("sim.faults: statusRates.200: must be an HTTP error status from 400 to 599");
    await expect(
      SimServer.start({
        seed: 1,
        variants: [PROFILE],
        items: ITEMS,
        faults: { statusRates: { "503": 0.5 }, truncateRate: 0.6 },
      }),
    ).rejects.toThrow("the fault rates must add up to at most 1");
  });
});

describe("request log (vLLM's --disable-log-requests)", () => {
  const run = async (logRequests: boolean | undefined) => {
    const lines: string[] = [];
    const sim = await startSim({
      seed: 2,
      variants: [PROFILE],
      items: ITEMS,
      faults: { statusRates: { "429": 1 } },
      log: (line) => lines.push(line),
      ...(logRequests === undefined ? {} : { logRequests }),
    });
    const healthy = await startSim({
      seed: 2,
      variants: [PROFILE],
      items: ITEMS,
      log: (line) => lines.push(line),
      ...(logRequests === undefined ? {} : { logRequests }),
    });
    await expect(ask(sim, 0)).rejects.toBeInstanceOf(OpenAI.RateLimitError);
    await ask(healthy, 1);
    return lines.filter((line) => line.includes(" attempt "));
  };

  test("by default every request has a line, the injected fault marked as such", async () => {
    const lines = await run(undefined);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^sim: sim-nvfp4 synthetic\/0 attempt 1: 429 \(injected fault\)$/);
    expect(lines[1]).toMatch(
      /^sim: sim-nvfp4 synthetic\/1 attempt 1 \((correct|wrong)\): sent, \d+ tokens, finish_reason stop$/,
    );
  });

  test("logRequests: false drops the ordinary request's line and keeps the fault's", async () => {
    const lines = await run(false);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/429 \(injected fault\)$/);
  });
});
