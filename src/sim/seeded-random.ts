/**
 * Deterministic randomness for the simulator. Every choice it makes (right or wrong, which wrong answer,
 * which fault, the filler text) is a hash of the seed and the names involved, never Math.random, so the
 * same seed gives byte-identical replies across restarts and in any request order.
 */
import { createHash } from "node:crypto";

/** A number in [0, 1) fixed by `parts`; different parts give independent-looking values. */
export function unitHash(...parts: readonly (string | number)[]): number {
  const digest = hashDigest(parts);
  // 48 bits fit a double exactly, so the result is uniform on a 2^-48 grid and never reaches 1.
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

/** Hex id fixed by `parts` (for response ids). */
export function hexHash(length: number, ...parts: readonly (string | number)[]): string {
  return hashDigest(parts).toString("hex").slice(0, length);
}

/** A seeded generator of numbers in [0, 1) (sfc32, seeded from a hash of `parts`). */
export function seededRandom(...parts: readonly (string | number)[]): () => number {
  const digest = hashDigest(parts);
  let a = digest.readUInt32BE(0);
  let b = digest.readUInt32BE(4);
  let c = digest.readUInt32BE(8);
  let d = digest.readUInt32BE(12);
  return () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 2 ** 32;
  };
}

/** Picks one element by a value in [0, 1); undefined only for an empty list. */
export function pick<T>(list: readonly T[], unit: number): T | undefined {
  return list[Math.min(list.length - 1, Math.floor(unit * list.length))];
}

function hashDigest(parts: readonly (string | number)[]): Buffer {
  // JSON framing keeps ("ab", "c") and ("a", "bc") apart, and 1 apart from "1".
  return createHash("sha256").update(JSON.stringify(parts)).digest();
}
