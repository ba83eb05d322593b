/**
 * Synthetic prompts of a set length for `quanteval bench`: N common lowercase English words separated by single
 * spaces, nothing else. The simulator's tokenizer (src/sim/tokens.ts) counts exactly one token per word; real BPE
 * tokenizers (Llama 3, Qwen, GPT) have each of these words, with its leading space, as one token too, so a real
 * server's count is N give or take a few (the first word). The chat template adds its own tokens on top: the
 * prompt_tokens the server reports in usage are the figure that counts, and bench.json gives them.
 *
 * Each request gets its own word order (by its index), so a server with prefix caching cannot serve the whole
 * prompt from cache after the first request; the first words already differ between requests.
 */

/** 61 words (a prime, so every stride below it visits them all), each one token in common BPE vocabularies. */
const WORDS: readonly string[] = [
  "the",
  "of",
  "and",
  "to",
  "in",
  "is",
  "it",
  "that",
  "for",
  "on",
  "with",
  "as",
  "was",
  "by",
  "at",
  "from",
  "this",
  "be",
  "are",
  "or",
  "have",
  "not",
  "but",
  "all",
  "one",
  "can",
  "will",
  "more",
  "about",
  "time",
  "some",
  "would",
  "there",
  "their",
  "what",
  "out",
  "when",
  "make",
  "like",
  "him",
  "into",
  "year",
  "your",
  "good",
  "could",
  "them",
  "see",
  "other",
  "than",
  "then",
  "now",
  "look",
  "only",
  "come",
  "over",
  "think",
  "also",
  "back",
  "after",
  "use",
  "two",
];

/** Distinct word orders before they repeat: start word × stride. */
export const DISTINCT_SYNTHETIC_PROMPTS = WORDS.length * (WORDS.length - 1);

/** A prompt of exactly `tokens` words (one simulator token each); request `index` picks the word order. */
export function syntheticPrompt(tokens: number, index: number): string {
  if (!Number.isInteger(tokens) || tokens < 1)
    throw new RangeError(`syntheticPrompt needs a positive integer token count (got ${tokens})`);
  const n = WORDS.length;
  const slot = ((index % DISTINCT_SYNTHETIC_PROMPTS) + DISTINCT_SYNTHETIC_PROMPTS) % DISTINCT_SYNTHETIC_PROMPTS;
  const start = slot % n;
  const stride = 1 + Math.floor(slot / n);
  const words: string[] = [];
  for (let i = 0; i < tokens; i++) words.push(WORDS[(start + i * stride) % n] ?? "the");
  return words.join(" ");
}
