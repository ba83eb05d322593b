import { describe, expect, test } from "vitest";
import { decimalKey } from "../../../graders/code/decimal-token.ts";
import { compareStdout } from "../../../graders/code/output-compare.ts";

describe("compareStdout (LiveCodeBench grade_stdio)", () => {
  test("equal after stripping the whole text and each line", () => {
    expect(compareStdout("3\n", "3")).toEqual({ equal: true });
    expect(compareStdout("  1 2  \n3\r\n\n", "1 2\n3")).toEqual({ equal: true });
    expect(compareStdout("Yes\n", "Yes\n")).toEqual({ equal: true });
  });

  test("a different line fails and is named", () => {
    const result = compareStdout("1\n5\n3\n", "1\n2\n3\n");
    expect(result.equal).toBe(false);
    expect(result.detail).toBe('line 2: got "5", expected "2"');
  });

  test("line counts must match", () => {
    expect(compareStdout("1\n2\n", "1\n")).toEqual({ equal: false, detail: "expected 1 lines, got 2 lines" });
    expect(compareStdout("", "1\n").equal).toBe(false);
    expect(compareStdout("", "1\n").detail).toContain("line 1");
  });

  test("numeric fallback: tokens equal as decimals", () => {
    expect(compareStdout("1.0 2.50\n", "1 2.5").equal).toBe(true);
    expect(compareStdout("1e3\n", "1000").equal).toBe(true);
    expect(compareStdout("-0\n", "0").equal).toBe(true);
    expect(compareStdout("0.30000000000000004\n", "0.3").equal).toBe(false); // Decimal is exact, no tolerance
    expect(compareStdout("1 2\n", "1 2 3").equal).toBe(false);
  });

  test("whitespace inside a line only matters through the numeric fallback", () => {
    expect(compareStdout("1  2\n", "1 2").equal).toBe(true); // both lines are Decimals token by token
    expect(compareStdout("a  b\n", "a b").equal).toBe(false); // strings compared as is
  });

  test("case and words are compared as strings", () => {
    expect(compareStdout("yes\n", "Yes").equal).toBe(false);
    expect(compareStdout("nan\n", "nan").equal).toBe(true);
    expect(compareStdout("NaN\n", "nan").equal).toBe(false); // NaN is never numerically equal
  });

  test("detail stays short", () => {
    const result = compareStdout("x".repeat(5000), "y".repeat(5000));
    expect(result.detail?.length).toBeLessThanOrEqual(300);
  });
});

describe("decimalKey (Python Decimal)", () => {
  test.each([
    ["1", "1.000"],
    ["+5", "5"],
    ["1_000", "1000"],
    [".5", "0.5"],
    ["5.", "5"],
    ["1E-2", "0.01"],
    ["-0.0", "0"],
    ["0e10", "0"],
    ["Infinity", "inf"],
    ["-INF", "-Infinity"],
    ["123456789012345678901234567890", "1.23456789012345678901234567890e29"],
  ])("%s == %s", (a, b) => {
    expect(decimalKey(a)).toBeDefined();
    expect(decimalKey(a)).toBe(decimalKey(b));
  });

  test.each([
    ["1", "2"],
    ["50000000000000000", "50000000000000001"], // the np.isclose gotcha LCB avoids
    ["inf", "-inf"],
    ["0.1", "0.10000001"],
  ])("%s != %s", (a, b) => {
    expect(decimalKey(a)).not.toBe(decimalKey(b));
  });

  test("not a number", () => {
    expect(decimalKey("abc")).toBeUndefined();
    expect(decimalKey("1,5")).toBeUndefined();
    expect(decimalKey(".")).toBeUndefined();
    expect(decimalKey("1e")).toBeUndefined();
    expect(decimalKey("0x10")).toBeUndefined();
    expect(decimalKey("nan")).toBe("NaN");
    expect(decimalKey("sNaN12")).toBe("NaN");
  });
});
