/**
 * LiveCodeBench's comparison of a stdin program's output (lcb_runner/evaluation/testing_util.py, grade_stdio):
 * both texts are stripped and split into lines, each line stripped; the line counts must match; a line passes
 * when it is equal as a string or, failing that, when its whitespace-separated tokens all parse as decimals
 * and are numerically equal (Python's Decimal ==, so "1.0" == "1" but "0.1" != "0.10000001").
 */
import { decimalKey } from "./decimal-token.ts";
import { shortDetail } from "./types.ts";

export interface Comparison {
  equal: boolean;
  /** Where it differs: the first differing line or the line counts. */
  detail?: string;
}

function strippedLines(text: string): string[] {
  return text
    .trim()
    .split("\n")
    .map((line) => line.trim());
}

/** Python's str.split(): runs of whitespace, no empty tokens. */
function tokens(line: string): string[] {
  const trimmed = line.trim();
  return trimmed === "" ? [] : trimmed.split(/\s+/u);
}

/** LCB's decimal fallback: every token a Decimal and the lists equal. */
function numericallyEqual(actual: string, expected: string): boolean {
  const a = tokens(actual).map(decimalKey);
  const b = tokens(expected).map(decimalKey);
  if (a.length !== b.length) return false;
  return a.every((key, i) => key !== undefined && key !== "NaN" && key === b[i]);
}

function clip(text: string): string {
  return JSON.stringify(text.length > 120 ? `${text.slice(0, 117)}...` : text);
}

export function compareStdout(actual: string, expected: string): Comparison {
  const got = strippedLines(actual);
  const want = strippedLines(expected);
  for (let i = 0; i < Math.min(got.length, want.length); i++) {
    const a = got[i] ?? "";
    const b = want[i] ?? "";
    if (a !== b && !numericallyEqual(a, b)) {
      return { equal: false, detail: shortDetail(`line ${i + 1}: got ${clip(a)}, expected ${clip(b)}`) };
    }
  }
  if (got.length !== want.length) {
    const shown = actual.trim() === "" ? "no output" : `${got.length} lines`;
    return { equal: false, detail: `expected ${want.length} lines, got ${shown}` };
  }
  return { equal: true };
}
