/** A fast-check arbitrary for the four cells of a paired 0/1 table, for the metrics' property tests. */
import { fc } from "@fast-check/vitest";

/** paired items in [min, max], split at random into ↓, ↑, both right, and (the rest) both wrong. */
export function pairedCountsArbitrary(min: number, max: number) {
  return fc.tuple(fc.integer({ min, max }), fc.nat(), fc.nat(), fc.nat()).map(([paired, a, b, c]) => {
    const down = a % (paired + 1);
    const up = b % (paired - down + 1);
    const bothRight = c % (paired - down - up + 1);
    return { paired, down, up, bothRight };
  });
}
