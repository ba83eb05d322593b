/** The model client: the one place that talks HTTP to a model endpoint. */
export { normalizeBaseUrl, serverRootUrl } from "./base-url.ts";
export {
  allowedCompletionTokens,
  type ContextLimit,
  type ContextLimitForm,
  parseContextLimitError,
} from "./context-limit.ts";
export { type ChatResult, DEFAULT_TIMEOUT_MS, Endpoint, type EndpointConfig } from "./endpoint.ts";
export { type ReasoningSplit, splitReasoning } from "./reasoning.ts";
export { buildRequestParams, type SamplingParams } from "./request-params.ts";
export { backoffDelayMs, DEFAULT_RETRY_POLICY, type RetryDecision, type RetryPolicy, shouldRetry } from "./retry.ts";
