import { describe, expect, it } from "vitest";
import { parseAimeInteger } from "../../../graders/math/index.ts";

describe("parseAimeInteger", () => {
  it.each([
    ["025", 25],
    ["336^\\circ", 336],
    ["\\boxed{70}", 70],
    ["70.", 70],
    ["0", 0],
    ["999", 999],
    ["$204$", 204],
    ["x = 42", 42],
    ["**17**", 17],
    ["  8 ", 8],
    ["\\text{ }113", 113],
    ["007", 7],
    ["36.0", 36],
  ] as const)("%j → %d", (input, value) => {
    expect(parseAimeInteger(input)).toBe(value);
  });

  it.each(["", "1000", "-5", "3.5", "\\frac{1}{2}", "12, 13", "abc", "1e3", "twelve", "5+5", "(5)", "1,000"])(
    "%j → undefined",
    (input) => {
      expect(parseAimeInteger(input)).toBeUndefined();
    },
  );
});
