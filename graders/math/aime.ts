/** AIME answers: one integer from 0 to 999. */
import { normalizeMathAnswer } from "./normalize.ts";

/**
 * The integer 0–999 an answer states after normalisation ("025" → 25, "336^\circ" → 336, "\boxed{70}" → 70,
 * "70." → 70, "x = 70" → 70), or `undefined` for anything else (negative, fractional, out of range, prose).
 */
export function parseAimeInteger(s: string): number | undefined {
  const n = normalizeMathAnswer(s);
  if (!/^\+?\d{1,6}$/.test(n)) return undefined;
  const value = Number(n);
  return value <= 999 ? value : undefined;
}
