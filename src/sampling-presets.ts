/**
 * Named sampling settings as model cards recommend them (`sampling.preset` in the run config). A card's numbers are
 * what its published scores were measured with, so a quantized variant is judged at the settings users will run.
 * Fields set beside the preset in the config win over the preset's; the resolved values are sent and recorded.
 * Also here, as config.ts and the client both need it: the body keys vLLM reads those fields under.
 */

export interface SamplingPreset {
  temperature: number;
  topP?: number;
  topK?: number;
  minP?: number;
  /** Where the numbers come from: the model card section that states them. */
  source: string;
}

export const SAMPLING_PRESET_NAMES = ["qwen3-thinking", "qwen3-non-thinking", "deepseek-r1", "greedy"] as const;
export type SamplingPresetName = (typeof SAMPLING_PRESET_NAMES)[number];

export const SAMPLING_PRESETS: Readonly<Record<SamplingPresetName, SamplingPreset>> = {
  // "Best Practices": "Temperature=0.6, TopP=0.95, TopK=20, and MinP=0 for thinking mode" (also the default of the
  // card's generation_config.json); the card warns against greedy decoding in thinking mode (endless repetitions).
  "qwen3-thinking": {
    temperature: 0.6,
    topP: 0.95,
    topK: 20,
    minP: 0,
    source: "https://huggingface.co/Qwen/Qwen3-32B#best-practices",
  },
  // Same section: "Temperature=0.7, TopP=0.8, TopK=20, and MinP=0 for non-thinking mode" (enable_thinking=False).
  "qwen3-non-thinking": {
    temperature: 0.7,
    topP: 0.8,
    topK: 20,
    minP: 0,
    source: "https://huggingface.co/Qwen/Qwen3-32B#best-practices",
  },
  // "Usage Recommendations": temperature 0.5-0.7, 0.6 recommended; top_p 0.95 is from the card's evaluation setup
  // ("a temperature of 0.6, a top-p value of 0.95"), which the recommendations say to follow when benchmarking.
  "deepseek-r1": {
    temperature: 0.6,
    topP: 0.95,
    source: "https://huggingface.co/deepseek-ai/DeepSeek-R1#usage-recommendations",
  },
  // quanteval's default, named so a config can say it: vLLM decodes greedily at temperature 0.
  greedy: { temperature: 0, source: "quanteval's default (temperature 0: greedy decoding in vLLM)" },
};

/**
 * The sampling fields vLLM reads beyond the OpenAI body, by body key. extraBody may still carry these keys (it was
 * the only way before sampling had them), but not beside the field, or the record would not say what was sent.
 */
export const VLLM_SAMPLING_KEYS = { top_k: "topK", min_p: "minP" } as const;
