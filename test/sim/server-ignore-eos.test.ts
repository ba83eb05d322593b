/**
 * vLLM's `ignore_eos` and `min_tokens` in the simulator: a throughput benchmark needs replies of known length.
 * ignore_eos runs every reply (known question or not) to exactly max_tokens, finish_reason "length"; min_tokens pads
 * a shorter reply to that many tokens and still stops normally; without them the replies are as before.
 */
import { describe, expect, test } from "vitest";
import { countTokens, type SimVariantProfile } from "../../src/sim/index.ts";
import { UNKNOWN_QUESTION_REPLY } from "../../src/sim/reply-text.ts";
import { dig, postChat, sseEvents, startSim, syntheticItems, userMessages } from "./helpers.ts";

const ITEMS = syntheticItems(3);
const PROFILE: SimVariantProfile = {
  model: "sim-none",
  accuracy: 1,
  unansweredRate: 0,
  reasoning: "none",
  reasoningTokens: 30,
  speed: "instant",
};
const UNKNOWN = [{ role: "user", content: "tell me a long story" }];

interface Body {
  content: string;
  finishReason: unknown;
  completionTokens: unknown;
}

async function ask(body: Record<string, unknown>): Promise<Body> {
  const sim = await startSim({ seed: 2, variants: [PROFILE], items: ITEMS });
  const res = await postChat(sim, { model: PROFILE.model, temperature: 0, ...body });
  expect(res.status).toBe(200);
  const json: unknown = await res.json();
  const content = dig(json, "choices", 0, "message", "content");
  return {
    content: typeof content === "string" ? content : "",
    finishReason: dig(json, "choices", 0, "finish_reason"),
    completionTokens: dig(json, "usage", "completion_tokens"),
  };
}

describe("ignore_eos", () => {
  test("an unknown question's reply runs to exactly max_tokens, cut by length, and usage counts what was sent", async () => {
    const reply = await ask({ messages: UNKNOWN, max_tokens: 256, ignore_eos: true });
    expect(reply.completionTokens).toBe(256);
    expect(countTokens(reply.content)).toBe(256);
    expect(reply.finishReason).toBe("length");
    expect(reply.content.startsWith(UNKNOWN_QUESTION_REPLY)).toBe(true);
  });

  test("a known question's reply goes on past its answer line to max_tokens", async () => {
    const item = ITEMS[0];
    const reply = await ask({ messages: userMessages(item), max_tokens: 200, ignore_eos: true });
    expect(reply.completionTokens).toBe(200);
    expect(reply.finishReason).toBe("length");
    expect(reply.content).toContain(item?.answers.correct ?? "?");
  });

  test("a reply longer than max_tokens is cut there, as without ignore_eos", async () => {
    const reply = await ask({ messages: userMessages(ITEMS[1]), max_tokens: 5, ignore_eos: true });
    expect(reply.completionTokens).toBe(5);
    expect(reply.finishReason).toBe("length");
  });

  test("streamed: one chunk per token, max_tokens of them, and the usage chunk says so", async () => {
    const sim = await startSim({ seed: 2, variants: [PROFILE], items: ITEMS });
    const res = await postChat(sim, {
      model: PROFILE.model,
      messages: UNKNOWN,
      max_tokens: 64,
      ignore_eos: true,
      stream: true,
      stream_options: { include_usage: true },
    });
    const events = sseEvents(await res.text())
      .filter((e) => e !== "[DONE]")
      .map((e): unknown => JSON.parse(e));
    const tokenChunks = events.filter((e) => {
      const c = dig(e, "choices", 0, "delta", "content");
      return typeof c === "string" && c !== "";
    });
    expect(tokenChunks).toHaveLength(64);
    expect(
      events.map((e) => dig(e, "choices", 0, "finish_reason")).filter((f) => f !== null && f !== undefined),
    ).toEqual(["length"]);
    expect(dig(events.at(-1), "usage", "completion_tokens")).toBe(64);
  });

  test("near miss: without ignore_eos the unknown question gets its short fixed reply, finish_reason stop", async () => {
    const reply = await ask({ messages: UNKNOWN, max_tokens: 256 });
    expect(reply.content).toBe(UNKNOWN_QUESTION_REPLY);
    expect(reply.completionTokens).toBe(countTokens(UNKNOWN_QUESTION_REPLY));
    expect(reply.finishReason).toBe("stop");
  });
});

describe("min_tokens", () => {
  test("a shorter reply is padded to min_tokens and stops normally", async () => {
    const reply = await ask({ messages: UNKNOWN, max_tokens: 256, min_tokens: 100 });
    expect(reply.completionTokens).toBe(100);
    expect(reply.finishReason).toBe("stop");
  });

  test("min_tokens equal to max_tokens: padded to max_tokens, cut by length", async () => {
    const reply = await ask({ messages: UNKNOWN, max_tokens: 50, min_tokens: 50 });
    expect(reply.completionTokens).toBe(50);
    expect(reply.finishReason).toBe("length");
  });

  test("min_tokens above max_tokens is vLLM's 400, naming both", async () => {
    const sim = await startSim({ seed: 2, variants: [PROFILE], items: ITEMS });
    const res = await postChat(sim, { model: PROFILE.model, messages: UNKNOWN, max_tokens: 50, min_tokens: 100 });
    expect(res.status).toBe(400);
    expect(dig(await res.json(), "error", "message")).toBe(
      "min_tokens must be less than or equal to max_tokens=50, got 100.",
    );
  });

  test("a reply already longer than min_tokens is unchanged", async () => {
    const plain = await ask({ messages: userMessages(ITEMS[2]) });
    const withMin = await ask({ messages: userMessages(ITEMS[2]), min_tokens: 3 });
    expect(withMin).toEqual(plain);
  });
});
