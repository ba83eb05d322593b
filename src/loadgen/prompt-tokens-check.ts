/**
 * The prompt tokens the tokenizer counted for each request against those the server reported (usage.prompt_tokens):
 * zero difference means the server tokenizes and templates as the tokenizer given does; a steady difference is a
 * template or tokenizer that is not the served model's (the simulator's own tokenizer, say). Pure.
 */
import type { RequestOutcome } from "./closed-loop.ts";
import type { RequestShape } from "./prompt-source.ts";

export interface PromptTokensCheck {
  /** Replies with both counts. */
  n: number;
  expected_mean: number;
  reported_mean: number;
  /** reported − expected, per reply. */
  difference_mean: number;
  difference_min: number;
  difference_max: number;
  /** Replies whose counts agree exactly. */
  exact: number;
}

/** Undefined when no request had an expected count (no --tokenizer). `shapeOf(i)` is request i's shape. */
export function promptTokensCheck(
  outcomes: readonly RequestOutcome[],
  shapeOf: (index: number) => RequestShape,
): PromptTokensCheck | undefined {
  const pairs: [number, number][] = [];
  outcomes.forEach((outcome, index) => {
    const expected = shapeOf(index).expectedPromptTokens;
    // The check is of the server's counts: a tokenizer-counted prompt is the expected count itself.
    const reported = outcome.ok && outcome.countedBy === undefined ? outcome.usage.promptTokens : null;
    if (expected !== undefined && reported !== null) pairs.push([expected, reported]);
  });
  if (pairs.length === 0) return undefined;
  const differences = pairs.map(([expected, reported]) => reported - expected);
  const mean = (values: readonly number[]): number => values.reduce((sum, v) => sum + v, 0) / values.length;
  return {
    n: pairs.length,
    expected_mean: mean(pairs.map(([expected]) => expected)),
    reported_mean: mean(pairs.map(([, reported]) => reported)),
    difference_mean: mean(differences),
    // Reduced, not spread: a million arguments would overflow the call.
    difference_min: differences.reduce((a, b) => Math.min(a, b)),
    difference_max: differences.reduce((a, b) => Math.max(a, b)),
    exact: differences.filter((d) => d === 0).length,
  };
}

/** One log line: "prompt tokens: tokenizer 480.0, server 481.0 (difference +1.0 mean, +1 to +1; 0/64 exact)". */
export function promptTokensLine(check: PromptTokensCheck): string {
  const signed = (v: number, digits: number): string => `${v > 0 ? "+" : ""}${v.toFixed(digits)}`;
  return (
    `prompt tokens: tokenizer ${check.expected_mean.toFixed(1)}, server ${check.reported_mean.toFixed(1)} mean ` +
    `(difference ${signed(check.difference_mean, 1)} mean, ${signed(check.difference_min, 0)} to ` +
    `${signed(check.difference_max, 0)}; ${check.exact}/${check.n} exact)`
  );
}
