/** The legends are text files with placeholders: every value filled in, conditional lines kept or dropped. */
import { describe, expect, test } from "vitest";
import { legendLines } from "../../src/report/legend-text.ts";

describe("legendLines", () => {
  test("fills values, keeps a {?flag} line only when the flag holds and a {!flag} line only when it does not", () => {
    const cold = legendLines("markdown/repeats", { hot: false, temperature: 0 });
    const hot = legendLines("markdown/repeats", { hot: true, temperature: 0.7 });
    expect(cold).toHaveLength(hot.length);
    expect(cold[1]).toMatch(/^At temperature 0 each repeat is the same run again/);
    expect(hot[1]).toBe(
      "Sampling here is at temperature 0.7, so the repeats are random draws: their spread is sampling noise plus run-to-run noise.",
    );
  });

  test("a {>file} line brings in that file's lines", () => {
    expect(legendLines("markdown/tasks").slice(2)).toEqual(legendLines("scoring"));
  });

  test("a placeholder without a value throws rather than reach a reader", () => {
    expect(() => legendLines("markdown/flips", { reference: "bf16" })).toThrow(
      "legend markdown/flips: no value for {flips-shown}",
    );
  });
});
