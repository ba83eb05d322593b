/**
 * vLLM's POST /tokenize (vllm/entrypoints/serve/tokenize/): a chat prompt rendered and counted exactly as a chat
 * request's usage.prompt_tokens (tokens.ts renders both), or a plain `prompt` string tokenized as it is.
 */
import { chatPromptTokens, tokenId, tokenize } from "./tokens.ts";
import { errorBody, messageText, TokenizeRequestSchema, templateOptions, tokenizeBody } from "./wire.ts";

export interface TokenizeAnswer {
  status: number;
  body: string;
  /** The request log's line. */
  log: string;
}

/**
 * The answer to one parsed JSON body. `maxModelLenOf` gives a served model's context length (undefined: not
 * served); a request without a model gets `defaultModel`'s, as vLLM's does. `idsOf` gives the tokens' ids.
 */
export function answerTokenize(
  raw: unknown,
  maxModelLenOf: (model: string) => number | undefined,
  defaultModel: string,
  idsOf: (tokens: readonly string[]) => number[] = (tokens) => tokens.map(tokenId),
): TokenizeAnswer {
  const parsed = TokenizeRequestSchema.safeParse(raw);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ");
    return { status: 400, body: errorBody(400, "BadRequestError", detail), log: "sim: tokenize: 400 bad request" };
  }
  const request = parsed.data;
  const model = request.model ?? defaultModel;
  const maxModelLen = maxModelLenOf(model);
  if (maxModelLen === undefined) {
    const body = errorBody(404, "NotFoundError", `The model \`${model}\` does not exist.`, "model");
    return { status: 404, body, log: `sim: tokenize: 404 unknown model ${JSON.stringify(model)}` };
  }
  const tokens =
    "messages" in request
      ? chatPromptTokens(
          request.messages.map((m) => ({ role: m.role, content: messageText(m) })),
          templateOptions(request),
        )
      : tokenize(request.prompt);
  const what = "messages" in request ? `${request.messages.length} messages` : "a prompt";
  return {
    status: 200,
    body: tokenizeBody(tokens, idsOf(tokens), maxModelLen, request.return_token_strs === true),
    log: `sim: ${model}: tokenize ${what}: ${tokens.length} tokens`,
  };
}
