import { fc, test } from "@fast-check/vitest";
import { describe, expect } from "vitest";
import {
  formatDecimal,
  formatRational,
  makeRational,
  parseNumericAnswer,
  parseRational,
  type Rational,
  rationalEqual,
  withinTolerance,
} from "../../graders/number.ts";

/** Test-side reference: "a/b" in lowest terms, computed without the code under test. */
function lowest(a: bigint, b: bigint): string {
  let [x, y] = [a < 0n ? -a : a, b];
  while (y !== 0n) [x, y] = [y, x % y];
  const sign = a < 0n ? "-" : "";
  const n = (a < 0n ? -a : a) / x;
  const d = b / x;
  return d === 1n ? `${sign}${n}` : `${sign}${n}/${d}`;
}

function show(r: Rational | undefined): string | undefined {
  return r === undefined ? undefined : formatRational(r);
}

describe("parseRational", () => {
  // [input, expected as "a/b" in lowest terms, or undefined]
  const cases: [string, string | undefined][] = [
    ["42", "42"],
    ["042", "42"],
    ["-7", "-7"],
    ["+7", "7"],
    ["−7", "-7"], // U+2212 minus sign
    ["1,000", "1000"],
    ["12,345,678", "12345678"],
    ["1,00", undefined], // badly grouped: not a thousands separator
    ["3,5", undefined], // a list, not 35
    ["1{,}000", "1000"],
    ["1\\,000", "1000"],
    ["2 3", undefined], // two numbers never join into 23
    ["7/12", "7/12"],
    ["14/24", "7/12"],
    [" 14 / 24 ", "7/12"],
    ["-3/4", "-3/4"],
    ["3/-4", "-3/4"],
    ["\\frac{7}{12}", "7/12"],
    ["\\dfrac{7}{12}", "7/12"],
    ["\\tfrac{7}{12}", "7/12"],
    ["\\frac {7} {12}", "7/12"],
    ["-\\frac{3}{4}", "-3/4"],
    ["\\frac{-3}{4}", "-3/4"],
    ["\\frac12", "1/2"],
    ["\\frac123", undefined],
    ["0.5", "1/2"],
    [".5", "1/2"],
    ["2.50", "5/2"],
    ["-0.125", "-1/8"],
    ["0.33", "33/100"],
    ["1e3", "1000"],
    ["5e-4", "1/2000"],
    ["1e99999", undefined], // refused, not computed
    ["(3/4)", "3/4"],
    ["1/0", undefined],
    ["", undefined],
    ["-", undefined],
    [".", undefined],
    ["5.", undefined],
    ["x", undefined],
    ["\\frac{a}{b}", undefined],
    ["1".repeat(201), undefined], // over the length cap
  ];
  test.each(cases)("%j → %j", (input, expected) => {
    expect(show(parseRational(input))).toBe(expected);
  });
});

describe("parseNumericAnswer", () => {
  const cases: [string, string | undefined][] = [
    ["x = 18", "18"],
    ["f(f(3)) = 171", "171"],
    ["3/8 + 5/12 − 1/6 = 5/8", "5/8"],
    ["x ≈ 5.644", "5644/1000"],
    ["≈ 5.644", "5644/1000"],
    ["about 96", "96"],
    ["$2,817.06", "281706/100"],
    ["\\$2,817.06", "281706/100"],
    ["-$5", "-5"],
    ["18 years", "18"],
    ["18 years old", "18"],
    ["96 km/h", "96"],
    ["25\\text{ cm}", "25"],
    ["25%", undefined], // a percent changes the value: not a unit to drop
    ["18 or 20", undefined],
    ["2 3", undefined],
    ["twenty", undefined],
  ];
  test.each(cases)("%j → %j", (input, expected) => {
    const got = parseNumericAnswer(input);
    const want = expected === undefined ? undefined : parseRational(expected);
    expect(got === undefined ? undefined : formatRational(got)).toBe(
      want === undefined ? undefined : formatRational(want),
    );
  });
});

describe("withinTolerance", () => {
  const r = (s: string): Rational => {
    const v = parseRational(s);
    if (v === undefined) throw new Error(`test bug: ${s}`);
    return v;
  };
  test.each([
    ["5.644", "5.644", "0.0005", true],
    ["5.6445", "5.644", "0.0005", true], // exactly at the boundary: included, with no float error
    ["5.64451", "5.644", "0.0005", false],
    ["5.6435", "5.644", "0.0005", true],
    ["5.643", "5.644", "0.0005", false],
    ["-1", "1", "2", true],
    ["-1", "1", "1.999", false],
    ["3", "3", "0", true],
    ["3.0001", "3", "0", false],
  ] as const)("|%s − %s| ≤ %s is %s", (a, b, tol, expected) => {
    expect(withinTolerance(r(a), r(b), r(tol))).toBe(expected);
  });
});

describe("formatDecimal", () => {
  test.each([
    ["2817.06", 2, "2817.06"],
    ["5.649", 3, "5.649"],
    ["-1/8", 0, "-0.125"],
    ["1/2", 3, "0.500"],
    ["7", 0, "7"],
    ["-7/2", 0, "-3.5"],
  ] as const)("%s with %i places → %s", (input, places, expected) => {
    const r = parseRational(input);
    expect(r && formatDecimal(r, places)).toBe(expected);
  });

  test("a non-terminating rational has no decimal form", () => {
    const third = makeRational(1n, 3n);
    expect(third && formatDecimal(third)).toBeUndefined();
  });
});

describe("properties", () => {
  const num = fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n });
  const den = fc.bigInt({ min: 1n, max: 10n ** 9n });
  const forms = (a: bigint, b: bigint): string[] => {
    const sign = a < 0n ? "-" : "";
    const abs = a < 0n ? -a : a;
    return [
      `${a}/${b}`,
      `\\frac{${a}}{${b}}`,
      `\\dfrac{${a}}{${b}}`,
      `${sign}\\frac{${abs}}{${b}}`,
      `${sign}\\dfrac{${abs}}{${b}}`,
    ];
  };

  test.prop([num, den], { seed: 20240501 })("a/b parses to a/b in lowest terms", (a, b) => {
    expect(show(parseRational(`${a}/${b}`))).toBe(lowest(a, b));
  });

  test.prop([num, den, fc.bigInt({ min: 1n, max: 1000n })], { seed: 20240502 })(
    "equality holds across a/b, \\frac, \\dfrac and scaled forms, and is symmetric",
    (a, b, k) => {
      const all = [...forms(a, b), ...forms(a * k, b * k)].map((s) => parseRational(s));
      for (const x of all) {
        for (const y of all) {
          if (x === undefined || y === undefined) throw new Error("a form did not parse");
          expect(rationalEqual(x, y)).toBe(true);
          expect(rationalEqual(y, x)).toBe(true);
        }
      }
    },
  );

  test.prop([num, fc.nat({ max: 12 }), fc.nat({ max: 12 })], { seed: 20240503 })(
    "a terminating decimal equals its fraction",
    (a, twos, fives) => {
      const b = 2n ** BigInt(twos) * 5n ** BigInt(fives);
      // Decimal string built here by hand: a/b = a·(10^k/b) / 10^k with k = max(twos, fives).
      const k = Math.max(twos, fives);
      const scaled = a * (10n ** BigInt(k) / b);
      const digits = (scaled < 0n ? -scaled : scaled).toString().padStart(k + 1, "0");
      const decimal = `${scaled < 0n ? "-" : ""}${digits.slice(0, digits.length - k)}${k > 0 ? `.${digits.slice(-k)}` : ""}`;
      const fromDecimal = parseRational(decimal);
      const fromFraction = parseRational(`${a}/${b}`);
      if (fromDecimal === undefined || fromFraction === undefined) throw new Error(`did not parse: ${decimal}`);
      expect(rationalEqual(fromDecimal, fromFraction)).toBe(true);
    },
  );

  test.prop([num, den], { seed: 20240504 })("equality is reflexive", (a, b) => {
    const r = parseRational(`${a}/${b}`);
    expect(r !== undefined && rationalEqual(r, r)).toBe(true);
  });

  test.prop([fc.bigInt(), fc.bigInt()], { seed: 20240505 })("distinct integers never compare equal", (a, b) => {
    fc.pre(a !== b);
    const x = parseRational(`${a}`);
    const y = parseRational(`${b}`);
    // Integers this long exceed the parser's cap; those are refused, never equal.
    if (x === undefined || y === undefined) return;
    expect(rationalEqual(x, y)).toBe(false);
  });

  test.prop([fc.nat({ max: 10 ** 9 }), fc.nat({ max: 10 ** 9 })], { seed: 20240506 })(
    'an integer never equals another whose digits it ends with ("25" vs "5")',
    (head, rest) => {
      const tail = `${rest}`;
      const whole = `${head + 1}${tail}`;
      const x = parseRational(whole);
      const y = parseRational(tail);
      if (x === undefined || y === undefined) throw new Error("did not parse");
      expect(rationalEqual(x, y)).toBe(false);
    },
  );
});
