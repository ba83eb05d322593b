import { describe, expect, test } from "vitest";
import { decideFault, type FaultKind, faultStatus } from "../../src/sim/faults.ts";
import type { SimFaults } from "../../src/sim/index.ts";

const target = (i: number, attempt = 1) => ({ model: "m", itemKey: `t/${i}`, itemId: String(i), attempt });

/** Counts per fault kind ("none" for a normal reply); the original five kinds and "none" are always present. */
function tally(faults: SimFaults, n: number, attempt = 1): Record<string, number> {
  const counts: Record<string, number> = { http500: 0, http429: 0, drop: 0, empty: 0, garbled: 0, none: 0 };
  for (let i = 0; i < n; i++) {
    const kind: FaultKind | "none" = decideFault(1, faults, target(i, attempt)) ?? "none";
    counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts;
}

describe("decideFault", () => {
  test("no faults configured: never a fault", () => {
    expect(tally({}, 500).none).toBe(500);
  });

  test("a rate of 1 limited to attempt 1: every first attempt fails and every second succeeds", () => {
    const faults: SimFaults = { http500Rate: 1, onAttempts: [1] };
    expect(tally(faults, 200, 1).http500).toBe(200);
    expect(tally(faults, 200, 2).none).toBe(200);
    expect(tally(faults, 200, 3).none).toBe(200);
  });

  test("rates are each fault's share, one fault per attempt at most (deterministic counts)", () => {
    const counts = tally(
      { http500Rate: 0.1, http429Rate: 0.05, dropRate: 0.05, emptyRate: 0.1, garbledRate: 0.2 },
      4000,
    );
    expect(counts).toEqual({ http500: 395, http429: 214, drop: 187, empty: 378, garbled: 803, none: 2023 });
    // Each within 3 standard deviations of its expectation (400, 200, 200, 400, 800, 2000).
    const expected: [FaultKind | "none", number][] = [
      ["http500", 400],
      ["http429", 200],
      ["drop", 200],
      ["empty", 400],
      ["garbled", 800],
      ["none", 2000],
    ];
    for (const [kind, mean] of expected) {
      const p = mean / 4000;
      expect(Math.abs((counts[kind] ?? 0) - mean)).toBeLessThan(3 * Math.sqrt(4000 * p * (1 - p)));
    }
  });

  test("alwaysFail names an item by id: a 500 on every attempt, onAttempts notwithstanding; other items are untouched", () => {
    const faults: SimFaults = { alwaysFail: ["7"], onAttempts: [1] };
    for (const attempt of [1, 2, 5]) expect(decideFault(1, faults, target(7, attempt))).toBe("http500");
    expect(decideFault(1, faults, target(70))).toBeUndefined();
  });

  test("the same attempt always gets the same fault; later attempts are drawn afresh", () => {
    const faults: SimFaults = { http500Rate: 0.5 };
    const first = Array.from({ length: 100 }, (_, i) => decideFault(3, faults, target(i, 1)));
    expect(Array.from({ length: 100 }, (_, i) => decideFault(3, faults, target(i, 1)))).toEqual(first);
    const second = Array.from({ length: 100 }, (_, i) => decideFault(3, faults, target(i, 2)));
    expect(second).not.toEqual(first);
  });

  test("statusRates: each status its share, the key order does not matter, and the old kinds' draws do not move", () => {
    const faults: SimFaults = {
      statusRates: { "503": 0.01, "429": 0.05, "500": 0.02 },
      truncateRate: 0.05,
      malformedRate: 0.05,
      missingUsageRate: 0.02,
    };
    const counts = tally(faults, 4000);
    expect(counts).toEqual(tally({ ...faults, statusRates: { "500": 0.02, "503": 0.01, "429": 0.05 } }, 4000));
    for (const [kind, p] of [
      ["http429", 0.05],
      ["http500", 0.02],
      ["http503", 0.01],
      ["truncate", 0.05],
      ["malformed", 0.05],
      ["missingUsage", 0.02],
    ] as const) {
      expect(Math.abs((counts[kind] ?? 0) - 4000 * p)).toBeLessThan(3 * Math.sqrt(4000 * p * (1 - p)) + 1);
    }
    // The five original kinds come first in the draw: a configuration of them only gives the same faults as before.
    const old: SimFaults = { http500Rate: 0.1, dropRate: 0.05 };
    const before = Array.from({ length: 300 }, (_, i) => decideFault(9, old, target(i)));
    expect(
      Array.from({ length: 300 }, (_, i) => decideFault(9, { ...old, statusRates: {}, truncateRate: 0 }, target(i))),
    ).toEqual(before);
  });

  test("faultStatus reads the status of an http fault only", () => {
    expect(faultStatus("http503")).toBe(503);
    expect(faultStatus("truncate")).toBeUndefined();
    expect(faultStatus(undefined)).toBeUndefined();
  });
});
