/**
 * Token-level divergence of a variant from the reference under teacher forcing (issue 18): at each position of the
 * reference's reply, both servers' top-k logprobs are compared. Pure: no I/O, no randomness.
 *
 * The approximation. A server returns only its top-k (plus the actual token), so the full-vocabulary distributions
 * are unknown. KL(reference ‖ variant) is computed over a coarser partition of the vocabulary that both sides can
 * price exactly: one outcome per token known to BOTH sides, and one merged outcome for everything else (each side's
 * leftover mass 1 − Σ known, which absorbs the tokens only the other side listed). Merging outcomes never raises KL
 * (the log-sum inequality, i.e. data processing), so this is a LOWER BOUND on the full-vocabulary KL: it misses how
 * the two sides split the merged tail, and it under-states most when the two top-k sets overlap least (top-k with
 * k = 1 and different top-1 tokens can show little KL; the top-1 disagreement then tells what KL cannot). Spreading
 * a side's leftover over the tokens it did not list would need a guess at the vocabulary's tail; a bound does not.
 * Identical inputs give exactly 0: every term is p·(log p − log p).
 */

/** One side's logprobs at one position: its top-k, token (id or string) → natural-log probability. */
export type TopLogprobs = Readonly<Record<string, number>>;

/** Both sides at one position of the reference's reply, and the token the reference actually produced there. */
export interface PositionLogprobs {
  token: string;
  reference: TopLogprobs;
  variant: TopLogprobs;
  /** The actual token's logprob on each side, when the server gives it apart from the top-k (vLLM always does). */
  referenceTokenLogprob?: number;
  variantTokenLogprob?: number;
}

export interface TokenDivergence {
  /** KL(reference ‖ variant) in nats over the partition described above; ≥ 0. */
  kl: number;
  top1Agree: boolean;
  /** log q(actual token) under the variant; null when the variant gave no logprob for it. */
  variantTokenLogprob: number | null;
}

export interface ItemDivergence {
  meanKl: number;
  maxKl: number;
  /** Share of positions whose top-1 tokens agree, in [0, 1]. */
  top1Agreement: number;
  /** 0-based index of the first position whose top-1 tokens differ; null when they agree everywhere. */
  firstDivergence: number | null;
  positions: number;
}

/**
 * Floor for the variant's merged-tail probability: when the variant's listed mass reaches 1 but the reference's does
 * not, log q would be −∞. e⁻³⁰ (≈ 1e−13) is below any probability a server reports in float32, so the floor adds
 * at most p_tail·30 nats, and only where the variant claims the tail is empty.
 */
export const MIN_TAIL_PROBABILITY = Math.exp(-30);

/** Divergence at one position. */
export function tokenDivergence(position: PositionLogprobs): TokenDivergence {
  const reference = withActual(position.reference, position.token, position.referenceTokenLogprob);
  const variant = withActual(position.variant, position.token, position.variantTokenLogprob);
  let kl = 0;
  let referenceShared = 0;
  let variantShared = 0;
  for (const [token, logP] of reference) {
    const logQ = variant.get(token);
    if (logQ === undefined) continue;
    const p = Math.exp(logP);
    referenceShared += p;
    variantShared += Math.exp(logQ);
    if (p > 0) kl += p * (logP - logQ);
  }
  // Σ can exceed 1 by rounding in the server's float32 logprobs: the tail is then empty, not negative.
  const referenceTail = Math.max(0, 1 - referenceShared);
  const variantTail = Math.max(MIN_TAIL_PROBABILITY, 1 - variantShared);
  if (referenceTail > 0) kl += referenceTail * (Math.log(referenceTail) - Math.log(variantTail));
  return {
    kl: Math.max(0, kl), // the exact coarse KL is ≥ 0; rounding or the floor must not print −0.0000
    top1Agree: top1(reference) === top1(variant),
    variantTokenLogprob: variant.get(position.token) ?? null,
  };
}

/** Per-item figures over the positions of one reply; throws on an empty reply, which has no positions to average. */
export function itemDivergence(positions: readonly PositionLogprobs[]): ItemDivergence {
  if (positions.length === 0) throw new RangeError("itemDivergence needs at least one position");
  let sumKl = 0;
  let maxKl = 0;
  let agree = 0;
  let firstDivergence: number | null = null;
  positions.forEach((position, index) => {
    const { kl, top1Agree } = tokenDivergence(position);
    sumKl += kl;
    maxKl = Math.max(maxKl, kl);
    if (top1Agree) agree++;
    else firstDivergence ??= index;
  });
  return {
    meanKl: sumKl / positions.length,
    maxKl,
    top1Agreement: agree / positions.length,
    firstDivergence,
    positions: positions.length,
  };
}

/**
 * ln(PPL(variant) / PPL(reference)) of the reference's reply over these positions: the mean over positions of
 * log p(token) − log q(token), each side's logprob of the token the reference produced. llama.cpp's
 * `perplexity --kl-divergence` prints the same figure as "Mean ln(PPL(Q)/PPL(base))". Above 0: the variant finds
 * the reference's reply less likely. Null when a side gave no logprob for some position's token (it is not in that
 * side's top-k and the server did not give it apart), or when there are no positions.
 */
export function itemLnPplRatio(positions: readonly PositionLogprobs[]): number | null {
  if (positions.length === 0) return null;
  let sum = 0;
  for (const position of positions) {
    const p = position.referenceTokenLogprob ?? listed(position.reference, position.token);
    const q = position.variantTokenLogprob ?? listed(position.variant, position.token);
    if (p === undefined || q === undefined) return null;
    sum += p - q;
  }
  return sum / positions.length;
}

/** A token's listed logprob; own keys only, so a token spelled "constructor" is not Object's. */
function listed(top: TopLogprobs, token: string): number | undefined {
  return Object.hasOwn(top, token) ? top[token] : undefined;
}

/** The listed tokens as a Map (a token may be spelled "constructor"; a Map has no prototype keys), plus the actual. */
function withActual(top: TopLogprobs, token: string, logprob: number | undefined): Map<string, number> {
  const listed = new Map(Object.entries(top));
  if (logprob !== undefined && !listed.has(token)) listed.set(token, logprob);
  return listed;
}

/** The most probable listed token; ties go to the smaller key, so both sides break a tie the same way. */
function top1(logprobs: ReadonlyMap<string, number>): string | null {
  let best: string | null = null;
  let bestLogprob = Number.NEGATIVE_INFINITY;
  for (const [token, logprob] of logprobs) {
    if (best === null || logprob > bestLogprob || (logprob === bestLogprob && token < best)) {
      best = token;
      bestLogprob = logprob;
    }
  }
  return best;
}
