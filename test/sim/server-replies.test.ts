import OpenAI from "openai";
import { describe, expect, test } from "vitest";
import type { SimServer, SimVariantProfile } from "../../src/sim/index.ts";
import { startSim, syntheticItems, userMessages } from "./helpers.ts";

const ITEMS = syntheticItems(300);
const PROFILE: SimVariantProfile = {
  model: "sim-fp8",
  accuracy: 0.7,
  unansweredRate: 0.05,
  reasoning: "think-tags",
  reasoningTokens: 30,
  speed: "instant",
};

async function replies(sim: SimServer, count: number): Promise<string[]> {
  const client = new OpenAI({ baseURL: sim.baseUrl, apiKey: "x", maxRetries: 0 });
  const out: string[] = [];
  for (const item of ITEMS.slice(0, count)) {
    const reply = await client.chat.completions.create({
      model: PROFILE.model,
      messages: userMessages(item),
      temperature: 0,
    });
    out.push(reply.choices[0]?.message.content ?? "");
  }
  return out;
}

const lastLine = (text: string) => text.split("\n").at(-1) ?? "";

describe("replies", () => {
  test("the same seed gives byte-identical replies across restarts; another seed makes other choices", async () => {
    const first = await replies(await startSim({ seed: 11, variants: [PROFILE], items: ITEMS }), 40);
    const again = await replies(await startSim({ seed: 11, variants: [PROFILE], items: ITEMS }), 40);
    const other = await replies(await startSim({ seed: 12, variants: [PROFILE], items: ITEMS }), 40);
    expect(again).toEqual(first);
    const changedAnswers = first.filter((reply, i) => lastLine(reply) !== lastLine(other[i] ?? "")).length;
    expect(changedAnswers).toBeGreaterThan(3);
    expect(other).not.toEqual(first);
  });

  test("a retry of the same item gets the same reply (temperature 0)", async () => {
    const sim = await startSim({ seed: 3, variants: [PROFILE], items: ITEMS });
    const once = await replies(sim, 5);
    expect(await replies(sim, 5)).toEqual(once);
    expect(sim.requestCount(PROFILE.model, "2")).toBe(2);
  });

  test("observed accuracy over 300 items is near the profile's 0.7 (deterministic: exactly this count each run)", async () => {
    const sim = await startSim({ seed: 5, variants: [PROFILE], items: ITEMS });
    const answers = (await replies(sim, 300)).map(lastLine);
    const correct = answers.filter((line, i) => line === ITEMS[i]?.answers.correct).length;
    const wrong = answers.filter((line, i) => ITEMS[i]?.answers.wrong.includes(line) === true).length;
    const unanswered = 300 - correct - wrong;
    // Expected 210 / 75 / 15; 3 standard deviations are about ±24 / ±22 / ±11.
    expect({ correct, wrong, unanswered }).toEqual({ correct: 224, wrong: 63, unanswered: 13 });
    expect(Math.abs(correct - 210)).toBeLessThan(24);
    expect(Math.abs(wrong - 75)).toBeLessThan(22);
    expect(Math.abs(unanswered - 15)).toBeLessThan(11);
    expect(sim.totalRequests()).toBe(300);
  });

  test("per-category accuracy: an item's category picks its accuracy", async () => {
    const items = syntheticItems(100).map((item, i) => ({ ...item, category: i % 2 === 0 ? "easy" : "hard" }));
    const profile: SimVariantProfile = {
      ...PROFILE,
      accuracy: 0.5,
      unansweredRate: 0,
      accuracyByCategory: { easy: 1, hard: 0 },
    };
    const sim = await startSim({ seed: 1, variants: [profile], items });
    const client = new OpenAI({ baseURL: sim.baseUrl, apiKey: "x", maxRetries: 0 });
    for (const [i, item] of items.entries()) {
      const reply = await client.chat.completions.create({ model: profile.model, messages: userMessages(item) });
      const line = lastLine(reply.choices[0]?.message.content ?? "");
      expect(line === item.answers.correct).toBe(i % 2 === 0);
    }
  });

  test("the first of two items with the same question answers for both", async () => {
    const [a] = syntheticItems(1);
    if (a === undefined) throw new Error("no item");
    const lines: string[] = [];
    const sim = await startSim({
      seed: 1,
      variants: [PROFILE],
      items: [a, { ...a, itemId: "dup" }],
      log: (line) => lines.push(line),
    });
    expect(lines.some((line) => line.includes("synthetic/dup has the same question as synthetic/0"))).toBe(true);
    await replies(sim, 1);
    expect(sim.requestCount(PROFILE.model, "0")).toBe(1);
    expect(sim.requestCount(PROFILE.model, "dup")).toBe(0);
  });
});
