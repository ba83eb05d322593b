/**
 * Deterministic randomness for the simulator. Every choice it makes (right or wrong, which wrong answer,
 * which fault, the filler text) is a hash of the seed and the names involved, or a draw from the generator
 * those fix (core/seeded-random.ts), never Math.random, so the same seed gives byte-identical replies across
 * restarts and in any request order.
 */
import { digestOf } from "../core/seeded-random.ts";

/** A number in [0, 1) fixed by `parts`; different parts give independent-looking values. */
export function unitHash(...parts: readonly (string | number)[]): number {
  const digest = digestOf(parts);
  // 48 bits fit a double exactly, so the result is uniform on a 2^-48 grid and never reaches 1.
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

/** Hex id fixed by `parts` (for response ids). */
export function hexHash(length: number, ...parts: readonly (string | number)[]): string {
  return digestOf(parts).toString("hex").slice(0, length);
}

/** Picks one element by a value in [0, 1); undefined only for an empty list. */
export function pick<T>(list: readonly T[], unit: number): T | undefined {
  return list[Math.min(list.length - 1, Math.floor(unit * list.length))];
}
