/**
 * The request body fields besides model/messages/stream, built in one place so the runner journals exactly
 * what was sent. Every variant gets the same fields for the same item, or paired deltas mean nothing.
 */
import { ConfigError } from "../core/errors.ts";
import { VLLM_SAMPLING_KEYS } from "../sampling-presets.ts";

export interface SamplingParams {
  temperature: number;
  maxTokens: number;
  topP?: number | undefined;
  /** vLLM's extensions to the OpenAI body. */
  topK?: number | undefined;
  minP?: number | undefined;
  seed?: number | undefined;
  /** vLLM's min_tokens: no end of sequence before this many tokens (bench holds a scenario's output length so). */
  minTokens?: number | undefined;
}

/** Body keys quanteval sets itself, with the setting to use instead of extraBody. */
const RESERVED_KEYS: Readonly<Record<string, string>> = {
  model: "variants[].model",
  messages: "the task's prompt",
  stream: "stream",
  stream_options: "stream (usage is always requested)",
  temperature: "sampling.temperature",
  max_tokens: "sampling.maxTokens",
  top_p: "sampling.topP",
  seed: "sampling.seed",
};

/**
 * `{ temperature, max_tokens, top_p?, top_k?, min_p?, seed?, ...extraBody }` in the server's snake_case. An
 * extraBody key that quanteval sets itself is a ConfigError rather than a silent override: the journal must not say
 * temperature 0 while the server sampled at 0.6.
 */
export function buildRequestParams(
  params: SamplingParams,
  extraBody: Record<string, unknown> = {},
): Record<string, unknown> {
  const clashes = Object.keys(extraBody).filter((key) => Object.hasOwn(RESERVED_KEYS, key));
  const doubled = Object.entries(VLLM_SAMPLING_KEYS).filter(
    ([key, field]) => Object.hasOwn(extraBody, key) && params[field] !== undefined,
  );
  if (clashes.length > 0 || doubled.length > 0) {
    throw new ConfigError([
      ...clashes.map(
        (key) => `variants[].extraBody.${key}: set by quanteval (use ${RESERVED_KEYS[key] ?? key} instead)`,
      ),
      ...doubled.map(
        ([key, field]) => `variants[].extraBody.${key}: sampling.${field} sets it too: drop one of the two`,
      ),
    ]);
  }
  const body: Record<string, unknown> = { temperature: params.temperature, max_tokens: params.maxTokens };
  if (params.topP !== undefined) body.top_p = params.topP;
  if (params.topK !== undefined) body.top_k = params.topK;
  if (params.minP !== undefined) body.min_p = params.minP;
  if (params.seed !== undefined) body.seed = params.seed;
  if (params.minTokens !== undefined) body.min_tokens = params.minTokens;
  return { ...body, ...extraBody };
}
