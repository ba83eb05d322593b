/** The model client: the one place that talks HTTP to a model endpoint. */
export { normalizeBaseUrl, serverRootUrl } from "./base-url.ts";
export {
  allowedCompletionTokens,
  type ContextLimitForm,
  parseContextLimitError,
} from "./context-limit.ts";
export { type ChatResult, Endpoint, type EndpointConfig } from "./endpoint.ts";
export { detectEngine, type EngineInfo, engineLabel } from "./engine.ts";
export { splitReasoning } from "./reasoning.ts";
export type { UsageTokenizer } from "./reply-builder.ts";
export { buildRequestParams, type SamplingParams } from "./request-params.ts";
export { backoffDelayMs, type RetryPolicy, shouldRetry } from "./retry.ts";
export { type ForcedLogprobs, type ForcingTarget, forcedLogprobs, pairPositions } from "./teacher-forcing.ts";
