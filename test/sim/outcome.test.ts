import { describe, expect, test } from "vitest";
import type { SimVariantProfile } from "../../src/sim/index.ts";
import { decideOutcome, type OutcomeItem, outcomeDraw } from "../../src/sim/outcome.ts";

const profile = (overrides: Partial<SimVariantProfile> = {}): SimVariantProfile => ({
  model: "m-bf16",
  accuracy: 0.85,
  unansweredRate: 0.05,
  reasoning: "none",
  reasoningTokens: 0,
  speed: "instant",
  ...overrides,
});

const items = (n: number, category?: string): OutcomeItem[] =>
  Array.from({ length: n }, (_, i) => ({
    key: `synthetic/${i}`,
    ...(category === undefined ? {} : { category }),
    answers: { correct: `Answer: ${i}`, wrong: [`Answer: ${i + 1}`, `Answer: ${i + 2}`, `Answer: ${i + 3}`] },
  }));

function tally(seed: number, p: SimVariantProfile, list: OutcomeItem[]): Record<string, number> {
  const counts: Record<string, number> = { correct: 0, wrong: 0, unanswered: 0 };
  for (const item of list) {
    const kind = decideOutcome(seed, p, item).kind;
    counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts;
}

describe("decideOutcome", () => {
  test("observed rates over 4000 items match the profile (deterministic: these exact counts every run)", () => {
    const counts = tally(42, profile(), items(4000));
    // Expected 3400 correct, 400 wrong, 200 unanswered; 3 standard deviations are about ±68, ±57, ±41.
    expect(counts).toEqual({ correct: 3383, wrong: 430, unanswered: 187 });
    expect(Math.abs((counts.correct ?? 0) - 3400)).toBeLessThan(68);
    expect(Math.abs((counts.wrong ?? 0) - 400)).toBeLessThan(57);
    expect(Math.abs((counts.unanswered ?? 0) - 200)).toBeLessThan(41);
  });

  test("per-category accuracy overrides the variant's", () => {
    const p = profile({ accuracy: 0.9, unansweredRate: 0, accuracyByCategory: { hard: 0.3 } });
    const hard = tally(1, p, items(2000, "hard"));
    const easy = tally(1, p, items(2000, "easy"));
    expect((hard.correct ?? 0) / 2000).toBeGreaterThan(0.27);
    expect((hard.correct ?? 0) / 2000).toBeLessThan(0.33);
    expect((easy.correct ?? 0) / 2000).toBeGreaterThan(0.88);
  });

  test("a wrong reply gives one of the item's wrong answers, and the correct one otherwise, verbatim", () => {
    for (const item of items(300)) {
      const outcome = decideOutcome(7, profile(), item);
      if (outcome.kind === "correct") expect(outcome.answerLine).toBe(item.answers.correct);
      if (outcome.kind === "wrong") expect(item.answers.wrong).toContain(outcome.answerLine);
    }
  });

  test("every wrong answer gets used: the choice among them is spread, not always the first", () => {
    const used = new Set<number>();
    for (const item of items(400)) {
      const outcome = decideOutcome(7, profile({ accuracy: 0, unansweredRate: 0 }), item);
      if (outcome.kind === "wrong") used.add(item.answers.wrong.indexOf(outcome.answerLine));
    }
    expect([...used].sort()).toEqual([0, 1, 2]);
  });

  test("an item with no wrong answers to give is unanswered where it would be wrong", () => {
    const item: OutcomeItem = { key: "t/1", answers: { correct: "Answer: 1", wrong: [] } };
    expect(decideOutcome(1, profile({ accuracy: 0, unansweredRate: 0 }), item)).toEqual({ kind: "unanswered" });
    expect(decideOutcome(1, profile({ accuracy: 1, unansweredRate: 0 }), item)).toEqual({
      kind: "correct",
      answerLine: "Answer: 1",
    });
  });

  test("accuracy 1 is always right and accuracy 0 never", () => {
    expect(tally(3, profile({ accuracy: 1, unansweredRate: 0 }), items(200)).correct).toBe(200);
    expect(tally(3, profile({ accuracy: 0, unansweredRate: 0 }), items(200)).correct).toBe(0);
  });

  test("the same seed decides the same; another seed decides differently", () => {
    const list = items(200);
    const decide = (seed: number) => list.map((item) => JSON.stringify(decideOutcome(seed, profile(), item)));
    const [five, fiveAgain, six] = [decide(5), decide(5), decide(6)];
    expect(five).toEqual(fiveAgain);
    const changed = five.filter((o, i) => o !== six[i]).length;
    expect(changed).toBeGreaterThan(20);
  });

  test("variants mostly agree on which items they get right, but not always (paired deltas like real quantization)", () => {
    const list = items(2000);
    const a = list.map(
      (item) =>
        decideOutcome(9, profile({ model: "m-bf16", accuracy: 0.88, unansweredRate: 0 }), item).kind === "correct",
    );
    const b = list.map(
      (item) =>
        decideOutcome(9, profile({ model: "m-nvfp4", accuracy: 0.85, unansweredRate: 0 }), item).kind === "correct",
    );
    const onlyA = a.filter((x, i) => x && !b[i]).length;
    const onlyB = b.filter((x, i) => x && !a[i]).length;
    // Independent draws would give about 2000 × (0.88×0.15 + 0.85×0.12) ≈ 468 discordant pairs.
    expect(onlyA + onlyB).toBeLessThan(200);
    expect(onlyB).toBeGreaterThan(0);
    expect(onlyA).toBeGreaterThan(onlyB);
  });

  test("the draw stays uniform when shared across variants", () => {
    const draws = items(4000).map((item) => outcomeDraw(2, "m-fp8", item.key));
    const deciles = Array.from({ length: 10 }, (_, d) => draws.filter((x) => x >= d / 10 && x < (d + 1) / 10).length);
    for (const count of deciles) expect(Math.abs(count - 400)).toBeLessThan(70);
  });
});

describe("samples (a sample key) and sampleSpread", () => {
  const list = items(400);
  const samples = (p: SimVariantProfile, item: OutcomeItem) =>
    Array.from({ length: 8 }, (_, s) => decideOutcome(7, p, item, `#seed${s}`).kind === "correct");
  /** Share of items whose 8 samples all agree. */
  const agreeing = (p: SimVariantProfile) =>
    list.filter((item) => new Set(samples(p, item)).size === 1).length / list.length;

  test("spread 0: every sample is the item's own outcome; without a sample key, nothing changes", () => {
    const p = profile({ sampleSpread: 0 });
    expect(agreeing(p)).toBe(1);
    for (const item of list.slice(0, 20))
      expect(samples(p, item)[0]).toBe(decideOutcome(7, p, item).kind === "correct");
  });

  test("spread 1 (the default) draws each sample afresh; 0.35 keeps most samples of an item alike", () => {
    const independent = agreeing(profile());
    const clustered = agreeing(profile({ sampleSpread: 0.35 }));
    // Independent samples at 85%: all 8 right has chance 0.85⁸ ≈ 0.27; clustered ones agree far more often.
    expect(independent).toBeGreaterThan(0.15);
    expect(independent).toBeLessThan(0.4);
    expect(clustered).toBeGreaterThan(independent + 0.2);
  });

  test("the accuracy over all samples stays the profile's in expectation", () => {
    for (const sampleSpread of [0, 0.35, 1]) {
      const p = profile({ sampleSpread });
      const correct = list.flatMap((item) => samples(p, item)).filter(Boolean).length;
      // 3,200 samples at 85%; items are shared between samples, so allow the item-level spread (n = 400): ±0.06.
      expect(Math.abs(correct / 3200 - 0.85)).toBeLessThan(0.06);
    }
  });
});
