/**
 * The one seeded generator, for everything that draws more than a hash's worth of randomness: bootstrap resamples,
 * the simulator's text, the math grader's test points. pure-rand's xoroshiro128+ (Blackman & Vigna 2016), on
 * 32-bit integer arithmetic only, so a stream is bit-identical on every platform; seeded from SHA-256 of the
 * named parts, so each (seed, stream name) pair gets its own independent-looking stream.
 *
 * Not for GPQA's option order: that is a SHA-256 permutation fixed per question (tasks/choice.ts), a hash whose
 * bytes journals already hold, which a generator change must never move.
 */
import { createHash } from "node:crypto";
import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import { xoroshiro128plusFromState } from "pure-rand/generator/xoroshiro128plus";
import type { RandomGenerator } from "pure-rand/types/RandomGenerator";

export type { RandomGenerator };

/** SHA-256 over the parts as JSON: ("ab", "c") and ("a", "bc") stay apart, and 1 apart from "1". */
export function digestOf(parts: readonly (string | number)[]): Buffer {
  return createHash("sha256").update(JSON.stringify(parts)).digest();
}

/** A generator fixed by `parts`: the state is the first 128 bits of their digest. */
export function seededGenerator(...parts: readonly (string | number)[]): RandomGenerator {
  const digest = digestOf(parts);
  const words = [0, 4, 8, 12].map((at) => digest.readInt32LE(at));
  if (!words.some((word) => word !== 0)) words[0] = 1; // 2^-128: kept only so this cannot throw
  return generatorFromState(words);
}

/** xoroshiro128+ from its four 32-bit state words (pure-rand's order: high, low word of s0, then of s1). */
export function generatorFromState(state: readonly number[]): RandomGenerator {
  if (state.length !== 4) throw new RangeError(`xoroshiro128+ needs four state words (got ${state.length})`);
  if (state.every((word) => word === 0)) throw new RangeError("xoroshiro128+ needs a state that is not all zero");
  return xoroshiro128plusFromState(state.map((word) => word | 0));
}

/** The next draw as an unsigned 32-bit integer, uniform on [0, 2^32). */
export function nextUint32(rng: RandomGenerator): number {
  return rng.next() >>> 0;
}

/** Numbers uniform on [0, 1) (multiples of 2^-53) from the generator fixed by `parts`. */
export function seededRandom(...parts: readonly (string | number)[]): () => number {
  const rng = seededGenerator(...parts);
  return () => uniformFloat64(rng);
}
