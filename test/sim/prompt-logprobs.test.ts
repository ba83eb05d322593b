import { describe, expect, it } from "vitest";
import { promptLogprobs, trueKl } from "../../src/sim/index.ts";
import { tokenId, tokenize } from "../../src/sim/tokens.ts";

const IDS = tokenize("Question 3: what is 3 + 3? Answer: 6").map(tokenId);
const base = { seed: 7, model: "m-bf16", noise: 0, k: 5 };

describe("promptLogprobs", () => {
  it("is null first, then a dict of token ids with logprob, rank and decoded_token holding the prompt's token", () => {
    const out = promptLogprobs(IDS, base);
    expect(out).toHaveLength(IDS.length);
    expect(out[0]).toBeNull();
    out.slice(1).forEach((entries, i) => {
      if (entries === null) throw new Error("null after the first position");
      const own = entries[String(IDS[i + 1])];
      expect(own).toBeDefined();
      const keys = Object.keys(entries);
      expect(keys.length === 5 || keys.length === 6).toBe(true);
      for (const key of keys) {
        expect(key).toMatch(/^\d+$/);
        const entry = entries[key];
        expect(Object.keys(entry ?? {}).sort()).toEqual(["decoded_token", "logprob", "rank"]);
        expect(entry?.logprob).toBeLessThanOrEqual(0);
      }
      const ranks = Object.values(entries)
        .map((e) => e.rank)
        .sort((a, b) => a - b);
      expect(ranks.slice(0, 5)).toEqual([1, 2, 3, 4, 5]);
    });
  });

  it("is deterministic, and identical across variants with noise 0", () => {
    expect(promptLogprobs(IDS, base)).toEqual(promptLogprobs(IDS, base));
    expect(promptLogprobs(IDS, { ...base, model: "m-fp8" })).toEqual(promptLogprobs(IDS, base));
  });

  it("differs for a variant with noise > 0, the more the larger the noise", () => {
    const meanKl = (noise: number): number => {
      const kl = trueKl(IDS, 1, { ...base, model: "m-nvfp4", noise });
      expect(kl).toHaveLength(IDS.length - 1);
      return kl.reduce((a, b) => a + b, 0) / kl.length;
    };
    expect(promptLogprobs(IDS, { ...base, noise: 0.3 })).not.toEqual(promptLogprobs(IDS, base));
    expect(meanKl(0)).toBe(0);
    expect(meanKl(0.1)).toBeGreaterThan(0);
    expect(meanKl(0.5)).toBeGreaterThan(meanKl(0.1));
    // Small noise σ on the logits of p gives KL ≈ σ²/2 · (1 − Σp²) < σ²/2: the truth is of that order.
    expect(meanKl(0.2)).toBeLessThan(0.2 ** 2 / 2);
    expect(meanKl(0.2)).toBeGreaterThan(0.2 ** 2 / 8);
  });

  it("k 0 gives only the prompt's own token, k -1 the whole vocabulary", () => {
    for (const entries of promptLogprobs(IDS, { ...base, k: 0 }).slice(1))
      expect(Object.keys(entries ?? {})).toHaveLength(1);
    const all = promptLogprobs(IDS, { ...base, k: -1 })[1] ?? {};
    const total = Object.values(all).reduce((sum, e) => sum + Math.exp(e.logprob), 0);
    expect(total).toBeCloseTo(1, 12);
  });
});
