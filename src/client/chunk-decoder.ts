/**
 * One stream's SSE messages as chunk fields for the reply builder, with the openai SDK's semantics: JSON that
 * will not parse is a SyntaxError, an `error` event or a payload with an `error` field is an APIError (so
 * classifyError reads them as before), and a payload that is not a chat chunk is a protocol problem.
 *
 * Most chunks are not JSON-parsed. vLLM streams one chunk per token, ~200 bytes that differ only in that token,
 * and JSON.parse of each was the largest CPU cost per request in `npm run bench` (overhead): 0.4 ms for a
 * 222-token reply, as much as the whole of a minimal client. So a chunk read in full becomes a template: the
 * text before and after its delta's JSON string. It is kept only if another string put there reads as the
 * same chunk with that string (checked once), so the gap is that field's value and not text that looks like
 * it. A later chunk of the stream with the same text around one JSON string token then has the template's
 * fields with that string: what the full reading would give. Anything else (usage in every chunk, an error)
 * is read in full.
 */
import { APIError } from "openai";
import { type ChunkFields, type ReplyProblem, chunkFields, isReplyProblem } from "./reply-builder.ts";
import type { SseMessage } from "./sse.ts";

interface Template {
  prefix: string;
  suffix: string;
  /** The fields of the chunk it was learned from; the text goes to `field`. */
  fields: ChunkFields;
  field: "content" | "reasoning";
}

/** A reply has content and reasoning chunks, each with or without its final fields: a few shapes. */
const MAX_TEMPLATES = 4;
/** A stream whose chunks cannot be templated (e.g. usage in each) stops paying for the attempts. */
const MAX_FAILED_LEARNS = 8;
const SENTINEL = "\u0000quanteval template check\u0000";
/** Characters that make a JSON string's text differ from its source: quotes, escapes, control characters. */
const NOT_VERBATIM = /["\\\u0000-\u001f]/;

export class ChunkDecoder {
  readonly #headers: Headers;
  readonly #templates: Template[] = [];
  #failedLearns = 0;
  readonly #maxTemplates: number;

  /** `headers` of the response, carried by an APIError as the SDK's are. */
  constructor(headers: Headers, maxTemplates = MAX_TEMPLATES) {
    this.#headers = headers;
    this.#maxTemplates = maxTemplates;
  }

  /** The chunk's fields, or why it is not a chunk; throws SyntaxError or APIError as the SDK's stream did. */
  decode(message: SseMessage): ChunkFields | ReplyProblem {
    if (message.event === undefined) {
      for (const template of this.#templates) {
        const fields = match(template, message.data);
        if (fields !== undefined) return fields;
      }
    }
    const fields = decodeInFull(message, this.#headers);
    if (message.event === undefined && !isReplyProblem(fields) && this.#templates.length < this.#maxTemplates && this.#failedLearns < MAX_FAILED_LEARNS) {
      const template = learn(message.data, fields, this.#headers);
      if (template === undefined) this.#failedLearns += 1;
      else this.#templates.push(template);
    }
    return fields;
  }
}

/** JSON.parse, the SDK's error checks, then chunkFields. */
function decodeInFull(message: SseMessage, headers: Headers): ChunkFields | ReplyProblem {
  let data: unknown;
  try {
    data = JSON.parse(message.data);
  } catch {
    throw new SyntaxError("Error reading response: malformed server-sent event JSON.");
  }
  const error = typeof data === "object" && data !== null && "error" in data ? (data as { error: unknown }).error : undefined;
  if (message.event === "error") throw new APIError(undefined, (error ?? data) as object, undefined, headers);
  if (error !== undefined && error !== null && error !== false) throw new APIError(undefined, error as object, undefined, headers);
  return chunkFields(data);
}

function match(template: Template, data: string): ChunkFields | undefined {
  const { prefix, suffix } = template;
  const end = data.length - suffix.length;
  // Slices compared with ===, not startsWith/endsWith, which V8 runs several times slower on sliced strings.
  if (end - prefix.length < 2 || data.slice(0, prefix.length) !== prefix || data.slice(end) !== suffix) return undefined;
  if (data.charCodeAt(prefix.length) !== 34 || data.charCodeAt(end - 1) !== 34) return undefined;
  let text = data.slice(prefix.length + 1, end - 1);
  if (NOT_VERBATIM.test(text)) {
    try {
      // One string token, or it throws (`"a","b"` is two tokens).
      text = JSON.parse(`"${text}"`) as string;
    } catch {
      return undefined;
    }
  }
  return template.field === "content"
    ? { content: text, reasoning: template.fields.reasoning, finishReason: template.fields.finishReason, usage: template.fields.usage }
    : { content: template.fields.content, reasoning: text, finishReason: template.fields.finishReason, usage: template.fields.usage };
}

function learn(data: string, fields: ChunkFields, headers: Headers): Template | undefined {
  for (const field of ["content", "reasoning"] as const) {
    const text = fields[field];
    if (text === "") continue;
    // The check below puts SENTINEL in the gap: a chunk whose text is SENTINEL would pass it wherever the gap is.
    if (text === SENTINEL) return undefined;
    // The server may escape differently from JSON.stringify (e.g. \u00e9): then the literal is not found.
    const literal = JSON.stringify(text);
    const at = data.indexOf(literal);
    if (at < 0 || data.indexOf(literal, at + 1) >= 0) return undefined;
    const template: Template = { prefix: data.slice(0, at), suffix: data.slice(at + literal.length), fields, field };
    return substitutes(template, headers) ? template : undefined;
  }
  return undefined;
}

/** Whether another string in the gap reads, in full, as the template's fields with that string. */
function substitutes(template: Template, headers: Headers): boolean {
  const data = template.prefix + JSON.stringify(SENTINEL) + template.suffix;
  let full: ChunkFields | ReplyProblem;
  try {
    full = decodeInFull({ data }, headers);
  } catch {
    return false;
  }
  const matched = match(template, data);
  return !isReplyProblem(full) && matched !== undefined && sameFields(full, matched);
}

function sameFields(a: ChunkFields, b: ChunkFields): boolean {
  return a.content === b.content && a.reasoning === b.reasoning && a.finishReason === b.finishReason
    && a.usage?.promptTokens === b.usage?.promptTokens && a.usage?.completionTokens === b.usage?.completionTokens;
}
