/**
 * The checks that protect every tokens/s figure (issue 21), over the replies of one variant (a bench level, or a
 * task of a run). Each says whether the server's own counts can be trusted; any that fails puts a warning on the
 * tokens/s line. Pure.
 *
 * - Held output: with ignore_eos (or min_tokens), a reply that ends by "stop" before the length it was held to means
 *   the server did not honour the request (the users' "`ignore_eos` was set, yet decoding stopped at 513 tokens").
 * - Prompt growth: the replies are ordered by prompt size (characters sent); when the longest quarter's median size
 *   is at least PROMPT_SPREAD × the shortest quarter's, its median reported prompt tokens must be larger too. Quarter
 *   medians, not single replies, so tokenizer noise and a few odd prompts do not decide; prompts too alike in size
 *   leave the check untested rather than passed.
 * - Completion count: the completion tokens reported, summed, against the token-carrying chunks streamed, summed;
 *   more than COMPLETION_TOLERANCE apart is flagged. A server that sends several tokens per chunk (vLLM's
 *   --stream-interval above 1) is flagged too, rightly: its chunks then cannot confirm its counts.
 */

/** What one reply contributes to the checks. */
export interface CheckedReply {
  finishReason: string;
  /** null: not known (counted client-side by chunks); such replies are left out of the prompt-growth check. */
  promptTokens: number | null;
  completionTokens: number;
  /** The length the output was held to (max_tokens with ignore_eos, or min_tokens); undefined when not held. */
  heldTo?: number | undefined;
  /** Characters of the prompt as sent (every message's content). */
  promptChars: number;
  /** Streamed only: how many chunks carried a token (reasoning included). */
  streamedChunks?: number | undefined;
  /**
   * The server sent no usage and quanteval counted: prompt growth and the completion count check the server's
   * counts, so such a reply is left out of both (its own count against itself would test nothing).
   */
  countedByClient?: boolean | undefined;
}

export interface HeldOutputCheck {
  /** Replies whose output was held. */
  held: number;
  /** Of those, replies that ended by "stop" before their held length. */
  stopped_early: number;
  /** The shortest such reply's completion tokens; null when none. */
  shortest: number | null;
  ok: boolean;
}

export interface PromptGrowthCheck {
  n: number;
  /** Median prompt characters and reported prompt tokens of the shortest and the longest quarter. */
  short_chars: number;
  long_chars: number;
  short_tokens: number;
  long_tokens: number;
  /** False: the prompts differ too little in size to test (ok is then true). */
  tested: boolean;
  ok: boolean;
}

export interface CompletionCountCheck {
  /** Streamed replies counted. */
  n: number;
  reported: number;
  streamed: number;
  /** (reported − streamed) / streamed × 100. */
  difference_pct: number;
  ok: boolean;
}

export interface FigureChecks {
  held_output?: HeldOutputCheck;
  prompt_growth?: PromptGrowthCheck;
  completion_count?: CompletionCountCheck;
  /** One sentence per failed check; empty when every figure can be trusted. */
  warnings: string[];
}

/** The longest quarter's prompts must be this many times the shortest quarter's for growth to be tested. */
export const PROMPT_SPREAD = 1.5;
/** Replies needed for the prompt-growth check: two per quarter. */
export const PROMPT_GROWTH_MIN_REPLIES = 8;
/** Relative difference, in percent, allowed between reported completion tokens and streamed chunks. */
export const COMPLETION_TOLERANCE_PCT = 5;

export function checkFigures(replies: readonly CheckedReply[]): FigureChecks {
  const held = heldOutputCheck(replies);
  const growth = promptGrowthCheck(replies);
  const count = completionCountCheck(replies);
  const warnings: string[] = [];
  if (held !== undefined && !held.ok)
    warnings.push(
      `${held.stopped_early} of ${held.held} replies held to their length (ignore_eos/min_tokens) ended by "stop" ` +
        `early, the shortest at ${held.shortest} tokens: the server did not honour the request`,
    );
  if (growth !== undefined && !growth.ok)
    warnings.push(
      `prompt tokens do not grow with the prompt: median ${growth.short_tokens} for the shortest prompts ` +
        `(${growth.short_chars} chars), ${growth.long_tokens} for the longest (${growth.long_chars} chars)`,
    );
  if (count !== undefined && !count.ok)
    warnings.push(
      `completion tokens reported (${count.reported}) differ from the token chunks streamed (${count.streamed}) ` +
        `by ${signedPct(count.difference_pct)}`,
    );
  return {
    ...(held === undefined ? {} : { held_output: held }),
    ...(growth === undefined ? {} : { prompt_growth: growth }),
    ...(count === undefined ? {} : { completion_count: count }),
    warnings,
  };
}

export function heldOutputCheck(replies: readonly CheckedReply[]): HeldOutputCheck | undefined {
  const held = replies.filter((r) => r.heldTo !== undefined);
  if (held.length === 0) return undefined;
  const early = held.filter((r) => r.finishReason === "stop" && r.completionTokens < (r.heldTo ?? 0));
  const shortest = early.length === 0 ? null : early.reduce((a, r) => Math.min(a, r.completionTokens), Infinity);
  return { held: held.length, stopped_early: early.length, shortest, ok: early.length === 0 };
}

export function promptGrowthCheck(replies: readonly CheckedReply[]): PromptGrowthCheck | undefined {
  const known = replies.flatMap((r) =>
    r.promptTokens === null || r.countedByClient === true ? [] : [{ ...r, promptTokens: r.promptTokens }],
  );
  if (known.length < PROMPT_GROWTH_MIN_REPLIES) return undefined;
  const sorted = known.sort((a, b) => a.promptChars - b.promptChars);
  const quarter = Math.floor(sorted.length / 4);
  const short = sorted.slice(0, quarter);
  const long = sorted.slice(sorted.length - quarter);
  const shortChars = median(short.map((r) => r.promptChars));
  const longChars = median(long.map((r) => r.promptChars));
  const shortTokens = median(short.map((r) => r.promptTokens));
  const longTokens = median(long.map((r) => r.promptTokens));
  const tested = longChars >= PROMPT_SPREAD * Math.max(1, shortChars);
  return {
    n: sorted.length,
    short_chars: shortChars,
    long_chars: longChars,
    short_tokens: shortTokens,
    long_tokens: longTokens,
    tested,
    ok: !tested || longTokens > shortTokens,
  };
}

export function completionCountCheck(replies: readonly CheckedReply[]): CompletionCountCheck | undefined {
  const streamed = replies.filter((r) => r.streamedChunks !== undefined && r.countedByClient !== true);
  if (streamed.length === 0) return undefined;
  const reported = streamed.reduce((sum, r) => sum + r.completionTokens, 0);
  const chunks = streamed.reduce((sum, r) => sum + (r.streamedChunks ?? 0), 0);
  if (chunks === 0) return undefined;
  const differencePct = ((reported - chunks) / chunks) * 100;
  return {
    n: streamed.length,
    reported,
    streamed: chunks,
    difference_pct: differencePct,
    ok: Math.abs(differencePct) <= COMPLETION_TOLERANCE_PCT,
  };
}

/** The warning a tokens/s line carries when any check failed; empty when none did. */
export function tokensPerSecondWarning(checks: FigureChecks | undefined): string {
  if (checks === undefined || checks.warnings.length === 0) return "";
  return `⚠ tokens/s not trustworthy: ${checks.warnings.join("; ")}`;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

function signedPct(value: number): string {
  return `${value > 0 ? "+" : ""}${value.toFixed(1)}%`;
}
