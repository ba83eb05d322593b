import { fc, test as fcTest } from "@fast-check/vitest";
import { describe, expect, test } from "vitest";
import { pairedDelta } from "../../src/metrics/paired.ts";

describe("pairedDelta", () => {
  test("pairs only the items both sides graded", () => {
    const reference = new Map([
      ["q1", true],
      ["q2", true],
      ["q3", false],
      ["q4", true],
      ["q5", false],
    ]);
    // q5 is missing on the variant side, q6 on the reference side: neither is paired.
    const variant = new Map([
      ["q1", true],
      ["q2", false],
      ["q3", true],
      ["q4", false],
      ["q6", true],
    ]);
    expect(pairedDelta(reference, variant)).toEqual({
      paired: 4,
      referenceCorrect: 3,
      variantCorrect: 2,
      deltaPp: -25, // (2 − 3) / 4
      referenceRightVariantWrong: 2, // q2, q4
      referenceWrongVariantRight: 1, // q3
      pValue: 1, // 2·(1 + 3)/8, capped at 1
    });
  });

  test("nothing paired: no delta and no p-value, rather than 0", () => {
    expect(pairedDelta(new Map([["q1", true]]), new Map([["q2", true]]))).toMatchObject({
      paired: 0,
      deltaPp: null,
      pValue: null,
    });
  });

  const correctness = fc
    .dictionary(fc.constantFrom("q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8"), fc.boolean())
    .map((d) => new Map(Object.entries(d)));

  fcTest.prop([correctness, correctness], { seed: 23 })(
    "is antisymmetric: A vs B = −(B vs A), same discordant counts swapped, same p",
    (a, b) => {
      const ab = pairedDelta(a, b);
      const ba = pairedDelta(b, a);
      expect(ab.paired).toBe(ba.paired);
      expect(ab.referenceRightVariantWrong).toBe(ba.referenceWrongVariantRight);
      expect(ab.referenceWrongVariantRight).toBe(ba.referenceRightVariantWrong);
      expect(ab.pValue).toBe(ba.pValue);
      if (ab.deltaPp === null || ba.deltaPp === null) {
        expect(ab.deltaPp).toBe(ba.deltaPp);
      } else {
        expect(ab.deltaPp + ba.deltaPp).toBeCloseTo(0, 12);
      }
    },
  );
});
