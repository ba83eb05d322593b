import { fc, test } from "@fast-check/vitest";
import { describe, expect } from "vitest";
import { passAtK } from "../../../graders/code/pass-at-k.ts";

/** 1 - C(n-c, k) / C(n, k) with exact big integers, for checking the product form. */
function exactPassAtK(n: number, c: number, k: number): number {
  const choose = (a: number, b: number): bigint => {
    if (b < 0 || b > a) return 0n;
    let result = 1n;
    for (let i = 1; i <= b; i++) result = (result * BigInt(a - b + i)) / BigInt(i);
    return result;
  };
  const scale = 10n ** 15n;
  return 1 - Number((choose(n - c, k) * scale) / choose(n, k)) / Number(scale);
}

describe("passAtK", () => {
  test("hand values", () => {
    expect(passAtK(5, 2, 1)).toBeCloseTo(0.4, 12);
    expect(passAtK(5, 0, 3)).toBe(0);
    expect(passAtK(5, 1, 5)).toBe(1);
    expect(passAtK(5, 5, 1)).toBe(1);
    expect(passAtK(10, 3, 2)).toBeCloseTo(1 - 21 / 45, 12); // C(7,2)/C(10,2)
    expect(passAtK(1, 1, 1)).toBe(1);
    expect(passAtK(1, 0, 1)).toBe(0);
  });

  test("k = n is 1 whenever one sample passes", () => {
    for (let n = 1; n <= 20; n++) {
      for (let c = 1; c <= n; c++) expect(passAtK(n, c, n)).toBe(1);
    }
  });

  test("rejects impossible arguments", () => {
    expect(() => passAtK(5, 6, 1)).toThrow(RangeError);
    expect(() => passAtK(5, 2, 0)).toThrow(RangeError);
    expect(() => passAtK(5, 2, 6)).toThrow(RangeError);
    expect(() => passAtK(5, -1, 1)).toThrow(RangeError);
    expect(() => passAtK(5.5, 2, 1)).toThrow(RangeError);
  });

  test("large n stays finite and exact enough", () => {
    const value = passAtK(1000, 10, 100);
    expect(value).toBeGreaterThan(0.65);
    expect(value).toBeLessThan(0.66);
  });

  test.prop([
    fc
      .integer({ min: 1, max: 60 })
      .chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 0, max: n }), fc.integer({ min: 1, max: n }))),
  ])("equals the binomial formula and grows with k and c", ([n, c, k]) => {
    const value = passAtK(n, c, k);
    expect(value).toBeGreaterThanOrEqual(0);
    expect(value).toBeLessThanOrEqual(1);
    expect(value).toBeCloseTo(exactPassAtK(n, c, k), 9);
    if (k < n) expect(passAtK(n, c, k + 1)).toBeGreaterThanOrEqual(value - 1e-12);
    if (c < n) expect(passAtK(n, c + 1, k)).toBeGreaterThanOrEqual(value - 1e-12);
  });
});
