/** The simulator takes vLLM's sampling knobs (top_k, min_p, and ones it does not read), checked as vLLM checks them. */
import { describe, expect, test } from "vitest";
import type { SimVariantProfile } from "../../src/sim/index.ts";
import { dig, postChat, startSim, syntheticItems, userMessages } from "./helpers.ts";

const ITEMS = syntheticItems(3);
const VARIANTS: SimVariantProfile[] = [
  { model: "sim-none", accuracy: 1, unansweredRate: 0, reasoning: "none", reasoningTokens: 10, speed: "instant" },
];
const start = () => startSim({ seed: 1, variants: VARIANTS, items: ITEMS });
const ask = (fields: Record<string, unknown>) => ({ model: "sim-none", messages: userMessages(ITEMS[0]), ...fields });

describe("sampling parameters", () => {
  test("a model card's settings, and knobs the simulator does not read, are answered 200", async () => {
    const sim = await start();
    for (const fields of [
      { temperature: 0.6, top_p: 0.95, top_k: 20, min_p: 0 },
      { temperature: 0.7, top_k: -1, min_p: 1, presence_penalty: 1.5, repetition_penalty: 1.05 },
    ]) {
      const res = await postChat(sim, ask(fields));
      expect(res.status).toBe(200);
      expect(dig(await res.json(), "choices", 0, "message", "content")).toContain("Answer: 0");
    }
  });

  test.each([
    [{ top_k: -2 }, "top_k must be 0 (disable), or at least 1, got -2."],
    [{ min_p: 1.5 }, "min_p must be in [0, 1], got 1.5."],
    [{ top_p: 0 }, "top_p must be in (0, 1], got 0."],
  ])("%j is vLLM's 400: %s", async (fields, message) => {
    const sim = await start();
    const res = await postChat(sim, ask(fields));
    expect(res.status).toBe(400);
    expect(dig(await res.json(), "error", "message")).toBe(message);
  });

  test("a top_k that is not an integer is a 400, as vLLM's request validation answers", async () => {
    const sim = await start();
    const res = await postChat(sim, ask({ top_k: 2.5 }));
    expect(res.status).toBe(400);
    expect(dig(await res.json(), "error", "message")).toMatch(/^top_k: /);
  });
});
