/** The vLLM simulator's API: `quanteval sim`, `quanteval demo` and the end-to-end tests start a SimServer. */

export { SIM_DIALECT_NAMES, SIM_DIALECTS, type SimDialectName } from "./dialects.ts";
export { DecodeEngine, type EngineClock, engineTokensPerSec, prefillMs, streamTokensPerSec } from "./engine.ts";
export { type SimFaults, SimFaultsSchema } from "./faults.ts";
export { DEMO_PROFILES, parseSimProfiles, type SimSpeed, type SimVariantProfile } from "./profiles.ts";
export { promptLogprobs, trueKl } from "./prompt-logprobs.ts";
export { SIM_MAX_LOGPROBS, SIM_MAX_MODEL_LEN, type SimItem, type SimOptions, SimServer } from "./server.ts";
export { simItemsFromTasks } from "./sim-items.ts";
export {
  chatPromptTokens,
  countPromptTokens,
  countTokens,
  tokenId,
  tokenize,
} from "./tokens.ts";
