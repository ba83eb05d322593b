/**
 * vLLM's `prompt_logprobs`: for each prompt position after the first, the logprob of the prompt's own token and
 * of the top k, given the tokens before it. The simulator has no model, so each position gets a made-up
 * distribution over a small vocabulary (VOCABULARY plus the position's own token):
 * - the base logits are fixed by (seed, hash of the prefix), so every variant sees the same base for the same
 *   token sequence;
 * - a variant adds Gaussian noise of standard deviation `logprobNoise` (its profile) to each logit, fixed by
 *   (seed, model, prefix hash) and the token's place in the vocabulary. With noise 0 a variant serves the base
 *   itself, so two such variants agree exactly; with noise σ the true KL(base ‖ variant) is known (trueKl).
 * The prefix hash stands for the position: it fixes the position and keeps positions of different prompts apart.
 */
import { digestOf, seededRandom } from "../core/seeded-random.ts";
import { tokenId } from "./tokens.ts";

/** The candidates every position draws from besides its own token: common English pieces, digits, punctuation. */
const VOCABULARY: readonly string[] = [
  ...[" the", " a", " of", " to", " and", " is", " in", " that", " it", " for", " answer", " Answer", " so"],
  ...[" we", " The", " We", " this", " be", " are", " with", " as", " not", " number", " then", " =", " +"],
  ...["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", ".", ",", ":", "\n", "\n\n", " (", ")", "?", "!"],
];
/** Base logits are uniform on [0, LOGIT_SPREAD), the prompt's own token gets OWN_TOKEN_BOOST more: it is likely. */
const LOGIT_SPREAD = 6;
const OWN_TOKEN_BOOST = 3;

/** One entry of a position's dict, as vLLM's Logprob serializes (rank 1 is the most likely token). */
export interface LogprobEntry {
  logprob: number;
  rank: number;
  decoded_token: string;
}

/** vLLM's `prompt_logprobs` field: null for the first position, then token id → entry. */
export type PromptLogprobs = (Record<string, LogprobEntry> | null)[];

/** A position's whole distribution, most likely first: token id, its text (may be "" if unknown), logprob. */
export interface Candidate {
  id: number;
  text: string;
  logprob: number;
}

export interface PromptLogprobsOptions {
  seed: number;
  model: string;
  /** The variant's `logprobNoise`: standard deviation of the per-token logit perturbation. */
  noise: number;
  /** Top k per position; -1 is the whole (small) vocabulary, as vLLM's -1 is its whole vocabulary. */
  k: number;
  /** A token id's text when the prompt came as ids and the id is not in VOCABULARY; "" when unknown. */
  textOf?: (id: number) => string | undefined;
}

const VOCABULARY_IDS = new Map(VOCABULARY.map((text) => [tokenId(text), text]));

/** The size of a position's distribution at most (VOCABULARY plus the position's own token). */
export const PROMPT_VOCABULARY_SIZE = VOCABULARY_IDS.size + 1;

/**
 * The response field: null for the first token (nothing precedes it), then per position a dict from token id to
 * its entry, holding the top k and always the prompt's own token (k + 1 entries when it is outside the top k).
 */
export function promptLogprobs(ids: readonly number[], options: PromptLogprobsOptions): PromptLogprobs {
  const hashes = prefixHashes(options.seed, ids);
  return ids.map((id, position) => {
    if (position === 0) return null;
    const candidates = positionDistribution(hashes[position] ?? "", id, options);
    const k = options.k === -1 ? candidates.length : options.k;
    const entries: Record<string, LogprobEntry> = {};
    candidates.forEach((candidate, index) => {
      if (index < k || candidate.id === id)
        entries[String(candidate.id)] = { logprob: candidate.logprob, rank: index + 1, decoded_token: candidate.text };
    });
    return entries;
  });
}

/**
 * The distribution at the position after `prefixHash` whose prompt token is `ownId`: normalized over VOCABULARY
 * and that token (undefined: none, as when generating), sorted most likely first (ties by id). `noise` 0 gives the base
 * distribution exactly.
 */
export function positionDistribution(
  prefixHash: string,
  ownId: number | undefined,
  options: Pick<PromptLogprobsOptions, "seed" | "model" | "noise" | "textOf">,
): Candidate[] {
  const ids =
    ownId === undefined || VOCABULARY_IDS.has(ownId) ? [...VOCABULARY_IDS.keys()] : [...VOCABULARY_IDS.keys(), ownId];
  // One generator per position, drawn in the fixed candidate order (the extra own token last): a hash per
  // candidate would cost ~50 SHA-256s a position, too slow for thousands of items.
  const uniform = seededRandom(options.seed, "logit", prefixHash);
  const gaussian =
    options.noise === 0 ? undefined : gaussians(seededRandom(options.seed, "noise", options.model, prefixHash));
  const logits = ids.map((id) => {
    const base = LOGIT_SPREAD * uniform() + (id === ownId ? OWN_TOKEN_BOOST : 0);
    return gaussian === undefined ? base : base + options.noise * gaussian();
  });
  const top = Math.max(...logits);
  const logSum = top + Math.log(logits.reduce((sum, logit) => sum + Math.exp(logit - top), 0));
  return ids
    .map((id, index) => ({
      id,
      text: VOCABULARY_IDS.get(id) ?? options.textOf?.(id) ?? "",
      logprob: (logits[index] ?? 0) - logSum,
    }))
    .sort((a, b) => b.logprob - a.logprob || a.id - b.id);
}

/** The prefix hash before each position of `ids` (index i: the hash of ids[0..i)), for positionDistribution. */
export function prefixHashes(seed: number, ids: readonly number[]): string[] {
  const hashes: string[] = [];
  let prefix = emptyPrefix(seed);
  for (const id of ids) {
    hashes.push(prefix);
    prefix = extendPrefix(prefix, id);
  }
  return hashes;
}

/** The prefix hash of no tokens at all. */
export function emptyPrefix(seed: number): string {
  return digestOf(["prefix", seed]).toString("hex");
}

/** The prefix hash once `id` follows `prefix`. */
export function extendPrefix(prefix: string, id: number): string {
  return digestOf([prefix, id]).toString("hex");
}

/**
 * `count` tokens continuing `ids` greedily under the variant's distribution (its most likely token each time), as a
 * completion at temperature 0 would; only VOCABULARY tokens can come out.
 */
export function greedyContinuation(
  ids: readonly number[],
  count: number,
  options: Pick<PromptLogprobsOptions, "seed" | "model" | "noise">,
): Candidate[] {
  let prefix = ids.reduce(extendPrefix, emptyPrefix(options.seed));
  const out: Candidate[] = [];
  for (let i = 0; i < count; i++) {
    const next = positionDistribution(prefix, undefined, options)[0];
    if (next === undefined) break;
    out.push(next);
    prefix = extendPrefix(prefix, next.id);
  }
  return out;
}

/**
 * The known truth a divergence estimate should recover: per position from `from` on (position 0 has no
 * distribution), the exact KL(base ‖ variant) in nats over the whole of each position's small vocabulary, for a
 * variant with `noise` (the base has noise 0). A top-k estimate with a leftover bucket can only come out at or below
 * it (merging outcomes never raises KL).
 */
export function trueKl(
  ids: readonly number[],
  from: number,
  options: Pick<PromptLogprobsOptions, "seed" | "model" | "noise">,
): number[] {
  const hashes = prefixHashes(options.seed, ids);
  const out: number[] = [];
  for (let position = Math.max(1, from); position < ids.length; position++) {
    const prefix = hashes[position] ?? "";
    const own = ids[position];
    const variant = new Map(positionDistribution(prefix, own, options).map((c) => [c.id, c.logprob]));
    const base = positionDistribution(prefix, own, { ...options, noise: 0 });
    out.push(base.reduce((sum, c) => sum + Math.exp(c.logprob) * (c.logprob - (variant.get(c.id) ?? 0)), 0));
  }
  return out;
}

/** A 400 vLLM answers: its message and the error body's `param`. */
export interface RequestProblem {
  message: string;
  param: string | null;
}

/**
 * vLLM's checks of a request's `prompt_logprobs` (ChatCompletionRequest/CompletionRequest.check_logprobs, then the
 * engine's max-logprobs cap, a VLLMValidationError that appends the parameter and value); undefined when allowed.
 */
export function promptLogprobsProblem(k: number, stream: boolean, maxLogprobs: number): RequestProblem | undefined {
  if (stream && (k > 0 || k === -1))
    return { message: "`prompt_logprobs` are not available when `stream=True`.", param: null };
  if (k < 0 && k !== -1) return { message: "`prompt_logprobs` must be a positive value or -1.", param: null };
  const requested = k === -1 ? PROMPT_VOCABULARY_SIZE : k;
  if (requested <= maxLogprobs) return undefined;
  return {
    message:
      `Requested prompt logprobs of ${requested}, which is greater than max allowed: ${maxLogprobs} ` +
      `(parameter=prompt_logprobs, value=${requested})`,
    param: "prompt_logprobs",
  };
}

/** Standard normal draws (Box-Muller, one pair of uniforms each) from a uniform stream. */
function gaussians(uniform: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}
