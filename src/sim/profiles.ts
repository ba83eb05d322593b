/**
 * Per-variant behaviour of the simulator: how often it is right, how it reasons, how fast it is.
 * Types come from the zod schemas, which also check `quanteval sim --profiles file.json`.
 */
import { z } from "zod";
import { ConfigError } from "../core/errors.ts";
import { formatIssue } from "../zod-issues.ts";

const rate = z.number().min(0).max(1);

export const SimSpeedSchema = z.strictObject({
  /** Fixed part of the time to first token, once the request is running. */
  ttftMs: z.number().nonnegative(),
  /** Prefill cost: time to first token grows with prompt length. */
  ttftPerPromptTokenMs: z.number().nonnegative(),
  /** Per-stream decode rate when the engine is not saturated. */
  decodeTokensPerSec: z.number().positive(),
  /** Total decode capacity shared by all running sequences. */
  maxDecodeTokensPerSec: z.number().positive(),
  /** Running sequences at most; further requests wait in a queue (like vLLM --max-num-seqs). */
  maxNumSeqs: z.int().positive(),
});

export const SimVariantProfileSchema = z
  .strictObject({
    /** Served model name, as listed by /v1/models. */
    model: z.string().min(1),
    /** Probability of answering an item correctly. */
    accuracy: rate,
    /** Overrides `accuracy` for items whose category matches a key. */
    accuracyByCategory: z.record(z.string(), rate).exactOptional(),
    /**
     * With sampling (temperature > 0 and a seed per sample): the chance that a sample's outcome is drawn afresh
     * rather than being the item's own. 1 (the default): every sample independent; 0.3: an item the variant gets
     * right is right in most samples, as a real model's hard and easy items stay hard and easy.
     */
    sampleSpread: rate.exactOptional(),
    /** Probability of a reply with no final answer line at all. */
    unansweredRate: rate.default(0),
    /** "field": delta.reasoning_content (vLLM --reasoning-parser); "think-tags": <think>…</think> in content; "none": prose before the answer. */
    reasoning: z.enum(["none", "field", "think-tags"]).default("none"),
    /** Approximate reasoning length in tokens. */
    reasoningTokens: z.int().nonnegative().default(0),
    /** "instant": no delays at all (for overhead benchmarks). */
    speed: z.union([z.literal("instant"), SimSpeedSchema]).default("instant"),
    /** Context length in tokens (vLLM's --max-model-len); default the simulator's, `quanteval sim --max-model-len`. */
    maxModelLen: z.int().positive().exactOptional(),
    /**
     * Standard deviation of the Gaussian noise this variant adds to every logit of the simulator's prompt logprobs
     * (prompt-logprobs.ts), fixed per (seed, model, position, token). 0 (the default): the base distribution itself,
     * so two variants with 0 give identical logprobs; the reference variant (BF16) should have 0.
     */
    logprobNoise: z.number().nonnegative().exactOptional(),
    /** Largest `prompt_logprobs` k (vLLM's --max-logprobs); default the simulator's, `quanteval sim --max-logprobs`. */
    maxLogprobs: z.int().positive().exactOptional(),
    /** The field "field" reasoning goes in; default the dialect's (`reasoning`: newer vLLM, TensorRT-LLM's gpt-oss). */
    reasoningField: z.enum(["reasoning_content", "reasoning"]).exactOptional(),
    /**
     * Misbehaviour the users saw: false makes the engine take `ignore_eos` and stop anyway, finish_reason "stop",
     * at the reply's own end or at `eosAfterTokens`. Default true (every engine's source honours it).
     */
    ignoreEosHonoured: z.boolean().exactOptional(),
    /** With ignoreEosHonoured false: where the unwanted end of reply comes (the users' report: 513 tokens). */
    eosAfterTokens: z.int().positive().exactOptional(),
    /**
     * Misbehaviour: usage that is not the truth. `promptTokens`: every reply reports this many prompt tokens, however
     * long the prompt (usage that does not grow with it); `completionScale`: completion_tokens is the true count
     * times this, rounded (usage that disagrees with the streamed chunks).
     */
    usageQuirk: z
      .strictObject({
        promptTokens: z.int().nonnegative().exactOptional(),
        completionScale: z.number().positive().exactOptional(),
        /** No usage at all in a stream, asked or not (a server or proxy that drops it); a body has `usage: null`. */
        omit: z.literal(true).exactOptional(),
      })
      .exactOptional(),
  })
  .superRefine((profile, ctx) => {
    // Outcomes are bands of one uniform draw (correct, then unanswered, then wrong), so they must fit in 1.
    if (profile.accuracy + profile.unansweredRate > 1) {
      ctx.addIssue({
        code: "custom",
        path: ["unansweredRate"],
        message: "accuracy + unansweredRate must be at most 1",
      });
    }
    for (const [category, accuracy] of Object.entries(profile.accuracyByCategory ?? {})) {
      if (accuracy + profile.unansweredRate > 1) {
        ctx.addIssue({
          code: "custom",
          path: ["accuracyByCategory", category],
          message: "accuracy + unansweredRate must be at most 1",
        });
      }
    }
  });

export const SimProfilesSchema = z
  .array(SimVariantProfileSchema)
  .min(1, "list at least one variant profile")
  .superRefine((profiles, ctx) => {
    const seen = new Set<string>();
    profiles.forEach((profile, index) => {
      if (seen.has(profile.model))
        ctx.addIssue({ code: "custom", path: [index, "model"], message: `duplicate model name "${profile.model}"` });
      seen.add(profile.model);
    });
  });

export type SimSpeed = z.infer<typeof SimSpeedSchema>;
export type SimVariantProfile = z.infer<typeof SimVariantProfileSchema>;

/**
 * Parses a JSON array of profiles (`quanteval sim --profiles file.json`). Throws ConfigError listing every
 * problem as `source: [i].field: problem (got …)`.
 */
export function parseSimProfiles(json: unknown, source = "profiles"): SimVariantProfile[] {
  const result = SimProfilesSchema.safeParse(json);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => formatIssue(issue, json, source)),
    "each profile needs model and accuracy; see DEMO_PROFILES in src/sim/profiles.ts for a complete example",
    "simulator profiles",
  );
}

/*
 * The demo: one model at three precisions. NVFP4 is a little less accurate and decodes fastest, BF16 is
 * the slowest (the ordering seen for a 32B model on one Blackwell GPU; the absolute numbers are scaled up
 * so a demo is quick). Sizing: a reply is about 80 tokens, so 40 questions at concurrency 8 take five
 * waves of roughly 0.15-0.3 s per variant: a few seconds for all three, and every engine is saturated at
 * concurrency 8 (8 × per-stream rate > capacity), so the throughput table shows the difference.
 */
const DEMO_REASONING_TOKENS = 60;
/** Sampled with a seed, an item's samples mostly agree (about two in three repeat the item's own outcome). */
const DEMO_SAMPLE_SPREAD = 0.35;

export const DEMO_PROFILES: readonly SimVariantProfile[] = [
  {
    model: "qwen3-32b-bf16",
    accuracy: 0.88,
    unansweredRate: 0.01,
    reasoning: "field",
    reasoningTokens: DEMO_REASONING_TOKENS,
    sampleSpread: DEMO_SAMPLE_SPREAD,
    speed: {
      ttftMs: 40,
      ttftPerPromptTokenMs: 0.05,
      decodeTokensPerSec: 400,
      maxDecodeTokensPerSec: 2400,
      maxNumSeqs: 64,
    },
  },
  {
    model: "qwen3-32b-fp8",
    accuracy: 0.875,
    unansweredRate: 0.01,
    reasoning: "field",
    reasoningTokens: DEMO_REASONING_TOKENS,
    sampleSpread: DEMO_SAMPLE_SPREAD,
    speed: {
      ttftMs: 30,
      ttftPerPromptTokenMs: 0.03,
      decodeTokensPerSec: 600,
      maxDecodeTokensPerSec: 3600,
      maxNumSeqs: 64,
    },
  },
  {
    model: "qwen3-32b-nvfp4",
    accuracy: 0.85,
    unansweredRate: 0.015,
    reasoning: "field",
    reasoningTokens: DEMO_REASONING_TOKENS,
    sampleSpread: DEMO_SAMPLE_SPREAD,
    speed: {
      ttftMs: 25,
      ttftPerPromptTokenMs: 0.02,
      decodeTokensPerSec: 800,
      maxDecodeTokensPerSec: 4800,
      maxNumSeqs: 64,
    },
  },
];

/** The usage a reply reports under its profile's usageQuirk; undefined when it reports the truth. */
export function quirkyUsage(
  profile: SimVariantProfile,
  promptTokens: number,
  completionTokens: number,
): { prompt_tokens: number; total_tokens: number; completion_tokens: number } | undefined {
  const quirk = profile.usageQuirk;
  if (quirk === undefined) return undefined;
  const prompt = quirk.promptTokens ?? promptTokens;
  const completion = Math.round(completionTokens * (quirk.completionScale ?? 1));
  return { prompt_tokens: prompt, total_tokens: prompt + completion, completion_tokens: completion };
}
