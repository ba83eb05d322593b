/** The run config's sampling block → the sampling fields of one request, for the tasks and the warm-up alike. */
import type { SamplingParams } from "../client/index.ts";
import type { SamplingConfig } from "../config.ts";

/** With a fixed seed every sample would be the same completion: sample i is sent seed + i. */
export function samplingParams(sampling: SamplingConfig, maxTokens: number, sample = 0): SamplingParams {
  return {
    temperature: sampling.temperature,
    maxTokens,
    topP: sampling.topP,
    topK: sampling.topK,
    minP: sampling.minP,
    seed: sampling.seed === undefined ? undefined : sampling.seed + sample,
  };
}
