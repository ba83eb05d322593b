/**
 * vLLM's POST /v1/completions, as far as teacher forcing needs it: a prompt as text or as token ids, vLLM's
 * `prompt_logprobs` in the choice (prompt-logprobs.ts), and a short greedy continuation from the variant's own
 * distribution. Not simulated: streaming, a list of prompts, echo and sampled logprobs.
 */
import { z } from "zod";
import { checkContextWindow } from "./context-window.ts";
import { greedyContinuation, type PromptLogprobs, promptLogprobs, promptLogprobsProblem } from "./prompt-logprobs.ts";
import { tokenize } from "./tokens.ts";
import { errorBody, usageOf } from "./wire.ts";

/** vLLM's CompletionRequest default. */
const DEFAULT_MAX_TOKENS = 16;

export const CompletionRequestSchema = z.object({
  model: z.string().nullish(),
  prompt: z.union([z.string(), z.array(z.int().nonnegative()).min(1)]),
  max_tokens: z.int().min(1).nullish(),
  stream: z.boolean().nullish(),
  prompt_logprobs: z.int().nullish(),
});

/** What the server knows of the requested model. */
export interface CompletionModel {
  model: string;
  seed: number;
  noise: number;
  maxModelLen: number;
  maxLogprobs: number;
}

export interface CompletionContext {
  /** The served model by name; undefined when it is not served. A request without a model gets the first. */
  modelOf: (model: string | undefined) => CompletionModel | undefined;
  /** The tokens' ids, remembered for decoding. */
  idsOf: (tokens: readonly string[]) => number[];
  /** A token id's text, when the server has seen it. */
  textOf: (id: number) => string | undefined;
  /** The response id's hex part. */
  idFor: (model: string, ids: readonly number[]) => string;
}

export interface CompletionAnswer {
  status: number;
  body: string;
  log: string;
}

export function answerCompletion(raw: unknown, context: CompletionContext): CompletionAnswer {
  const parsed = CompletionRequestSchema.safeParse(raw);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ");
    return badRequest(detail, "completions: 400 bad request");
  }
  const request = parsed.data;
  const served = context.modelOf(request.model ?? undefined);
  if (served === undefined) {
    const model = request.model ?? "";
    const body = errorBody(404, "NotFoundError", `The model \`${model}\` does not exist.`, "model");
    return { status: 404, body, log: `sim: completions: 404 unknown model ${JSON.stringify(model)}` };
  }
  const { model } = served;
  if (request.stream === true && (request.prompt_logprobs ?? 0) === 0)
    return badRequest(
      "quanteval-simulator: streaming is not simulated on /v1/completions",
      `sim: ${model}: 400 stream`,
    );
  const k = request.prompt_logprobs;
  const problem =
    k === undefined || k === null ? undefined : promptLogprobsProblem(k, request.stream === true, served.maxLogprobs);
  if (problem !== undefined) {
    const body = errorBody(400, "BadRequestError", problem.message, problem.param);
    return { status: 400, body, log: `sim: ${model}: 400 prompt_logprobs ${k}` };
  }
  const ids = typeof request.prompt === "string" ? context.idsOf(tokenize(request.prompt)) : request.prompt;
  const fit = checkContextWindow({
    maxModelLen: served.maxModelLen,
    promptTokens: ids.length,
    maxTokens: request.max_tokens ?? DEFAULT_MAX_TOKENS,
    maxTokensField: "max_tokens",
  });
  if (!fit.ok) {
    const body = errorBody(400, "BadRequestError", fit.message, fit.param);
    return { status: 400, body, log: `sim: ${model}: 400 over max_model_len ${served.maxModelLen}` };
  }
  const options = { seed: served.seed, model, noise: served.noise };
  const reply = greedyContinuation(ids, fit.maxTokens, options);
  const logprobs: PromptLogprobs | null =
    k === undefined || k === null ? null : promptLogprobs(ids, { ...options, k, textOf: context.textOf });
  const body = JSON.stringify({
    id: `cmpl-${context.idFor(model, ids)}`,
    object: "text_completion",
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [
      {
        index: 0,
        text: reply.map((token) => token.text).join(""),
        logprobs: null,
        finish_reason: "length",
        stop_reason: null,
        prompt_logprobs: logprobs,
      },
    ],
    usage: usageOf(ids.length, reply.length),
  });
  const asked = logprobs === null ? "" : `, prompt_logprobs ${k}`;
  return { status: 200, body, log: `sim: ${model}: completion of ${ids.length} prompt tokens${asked}` };
}

function badRequest(message: string, log: string): CompletionAnswer {
  return { status: 400, body: errorBody(400, "BadRequestError", message), log };
}
