/**
 * ChunkDecoder + StreamReplyBuilder: a streamed reply, chunk by chunk, with the arrival time of each given
 * (over HTTP, chunks that arrive in one piece share one time; see endpoint.test.ts). Chunk i arrives at
 * 1010 + 10·i, the request was sent at 1000, and the reply ends 10 after its last chunk.
 */
import fc from "fast-check";
import { APIError } from "openai";
import { describe, expect, test } from "vitest";
import { classifyError } from "../../src/client/attempt-failure.ts";
import { ChunkDecoder } from "../../src/client/chunk-decoder.ts";
import { ChunkSchema, type ChunkFields, type ReplyProblem, StreamReplyBuilder, isChunk, isReplyProblem } from "../../src/client/reply-builder.ts";
import type { SseMessage } from "../../src/client/sse.ts";
import { deltaChunk, finishChunk, roleChunk, usageChunk } from "./scripted-server.ts";

function build(chunks: readonly object[]): ReturnType<StreamReplyBuilder["finish"]> {
  const decoder = new ChunkDecoder(new Headers());
  const builder = new StreamReplyBuilder();
  chunks.forEach((chunk, i) => {
    const fields = decoder.decode({ data: JSON.stringify(chunk) });
    if (isReplyProblem(fields)) throw new Error(fields.detail);
    builder.add(fields, 1010 + 10 * i);
  });
  return builder.finish(1000, 1010 + 10 * chunks.length);
}

function reply(chunks: readonly object[]) {
  const result = build(chunks);
  if (!result.ok) throw new Error(result.problem.detail);
  return result.reply;
}

const contentChunks = (contents: readonly string[]): object[] => [roleChunk(), ...contents.map((content) => deltaChunk({ content })), finishChunk("stop"), usageChunk(10, 5)];

describe("StreamReplyBuilder", () => {
  test("reasoning_content stays apart; TTFT counts reasoning, the answer token does not count whitespace", () => {
    expect(reply([
      roleChunk(), // 1010: role only, content "" carries no token
      deltaChunk({ reasoning_content: "Two plus two" }), // 1020: first token of any kind
      deltaChunk({ reasoning_content: " is four." }), // 1030
      deltaChunk({ content: "\n\n" }), // 1040: answer content, but only whitespace
      deltaChunk({ content: "Answer: 4" }), // 1050: first answer token
      finishChunk("stop"), // 1060
      usageChunk(21, 9), // 1070
    ])).toStrictEqual({
      text: "\n\nAnswer: 4",
      reasoning: "Two plus two is four.",
      finishReason: "stop",
      usage: { promptTokens: 21, completionTokens: 9 },
      timing: { sentAt: 1000, firstTokenAt: 1020, firstAnswerTokenAt: 1050, doneAt: 1080 },
    });
  });

  test("the newer `reasoning` field works, and a delta carrying both fields is not counted twice", () => {
    const r = reply([
      deltaChunk({ reasoning: "Think" }),
      deltaChunk({ reasoning: " more.", reasoning_content: " more." }),
      deltaChunk({ content: "Answer: 4" }),
      finishChunk("stop"),
      usageChunk(3, 4),
    ]);
    expect(r.reasoning).toBe("Think more.");
    expect(r.text).toBe("Answer: 4");
    expect(r.timing).toStrictEqual({ sentAt: 1000, firstTokenAt: 1010, firstAnswerTokenAt: 1030, doneAt: 1060 });
  });

  test("<think> tags split across chunk boundaries are removed and the answer time is the chunk after </think>", () => {
    // 1010 role, 1020 "<thi", 1030, 1040, 1050 "ink>", 1060 "\n\n", 1070 "Answer: 4", 1080 finish, 1090 usage, 1100 done
    const r = reply(contentChunks(["<thi", "nk>2+2", " is 4</th", "ink>", "\n\n", "Answer: 4"]));
    expect(r.reasoning).toBe("2+2 is 4");
    expect(r.text).toBe("\n\nAnswer: 4");
    expect(r.timing).toStrictEqual({ sentAt: 1000, firstTokenAt: 1020, firstAnswerTokenAt: 1070, doneAt: 1100 });
  });

  test("a </think> without an opening tag (template-opened thought): everything before it is reasoning", () => {
    const r = reply(contentChunks(["Okay, 2+2", "=4.</think>\n\nAnswer: 4"]));
    expect(r.reasoning).toBe("Okay, 2+2=4.");
    expect(r.text).toBe("\n\nAnswer: 4");
    // The answer starts inside the chunk that also holds the end of the thought.
    expect(r.timing.firstAnswerTokenAt).toBe(1030);
  });

  test("an unclosed <think> cut at max_tokens has no answer: text is empty and there is no answer time", () => {
    expect(reply([roleChunk(), deltaChunk({ content: "<think>" }), deltaChunk({ content: "hmm, Answer: 3?" }), finishChunk("length"), usageChunk(10, 64)])).toStrictEqual({
      text: "",
      reasoning: "hmm, Answer: 3?",
      finishReason: "length",
      usage: { promptTokens: 10, completionTokens: 64 },
      // 1010 role, 1020 "<think>" (a reasoning token), 1030, 1040 finish, 1050 usage
      timing: { sentAt: 1000, firstTokenAt: 1020, doneAt: 1060 },
    });
  });

  test("chunks that arrived together: the answer time is their arrival", () => {
    const decoder = new ChunkDecoder(new Headers());
    const builder = new StreamReplyBuilder();
    const add = (chunk: object, at: number): void => builder.add(decoder.decode({ data: JSON.stringify(chunk) }) as ChunkFields, at);
    add(deltaChunk({ content: "<think>a" }), 1010);
    add(deltaChunk({ content: "b</think>" }), 1010);
    add(deltaChunk({ content: "Answer" }), 1050);
    add(deltaChunk({ content: ": 4" }), 1050);
    add(finishChunk("stop"), 1050);
    add(usageChunk(1, 4), 1050);
    const result = builder.finish(1000, 1060);
    expect(result.ok && result.reply.timing).toStrictEqual({ sentAt: 1000, firstTokenAt: 1010, firstAnswerTokenAt: 1050, doneAt: 1060 });
  });

  test("a stream that ends before its finish_reason is truncated; one without usage names the way out", () => {
    expect(build([roleChunk(), deltaChunk({ content: "Answer: 4" })])).toMatchObject({ ok: false, problem: { kind: "truncated" } });
    const noUsage = build([deltaChunk({ content: "Answer: 4" }), finishChunk("stop")]);
    expect(noUsage).toMatchObject({ ok: false, problem: { kind: "protocol" } });
    expect(!noUsage.ok && noUsage.problem.detail).toContain("stream_options.include_usage");
  });
});

describe("isChunk", () => {
  // Chunk-like values with a wrong type anywhere: the hand-written check and zod's ChunkSchema must agree on each.
  const loose = fc.oneof(fc.constant(null), fc.constant(undefined), fc.boolean(), fc.integer({ min: -2, max: 3 }), fc.double(), fc.string(), fc.constant([]), fc.constant({}));
  const maybe = <T>(arb: fc.Arbitrary<T>) => fc.oneof(arb, loose);
  const delta = fc.record({ content: maybe(fc.string()), reasoning: maybe(fc.string()), reasoning_content: maybe(fc.string()), role: maybe(fc.string()) }, { requiredKeys: [] });
  const choice = fc.record({ index: maybe(fc.nat()), delta: maybe(delta), finish_reason: maybe(fc.constantFrom("stop", "length")) }, { requiredKeys: [] });
  const usage = fc.record({ prompt_tokens: maybe(fc.nat()), completion_tokens: maybe(fc.nat()), total_tokens: maybe(fc.nat()) }, { requiredKeys: [] });
  const chunk = fc.record({ id: maybe(fc.string()), choices: maybe(fc.array(maybe(choice), { maxLength: 3 })), usage: maybe(usage) }, { requiredKeys: [] });

  test("gives zod's verdict on every chunk-like value (property)", () => {
    fc.assert(fc.property(maybe(chunk), (value) => {
      expect(isChunk(value)).toBe(ChunkSchema.safeParse(value).success);
    }), { numRuns: 2000 });
  });
});

describe("ChunkDecoder", () => {
  const decodeAll = (messages: readonly SseMessage[], maxTemplates?: number): (ChunkFields | ReplyProblem)[] => {
    const decoder = new ChunkDecoder(new Headers(), maxTemplates);
    return messages.map((m) => decoder.decode(m));
  };

  test("malformed JSON is a SyntaxError, which classifyError treats as a garbled transfer (retried)", () => {
    const error = (() => {
      try {
        return decodeAll([{ data: JSON.stringify(deltaChunk({ content: "a" })) }, { data: "{not json" }]);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(SyntaxError);
    expect(classifyError(error)).toMatchObject({ incomplete: true });
  });

  test("an error payload or an error event is an APIError carrying vLLM's code as the status", () => {
    const thrown = (message: SseMessage): unknown => {
      try {
        return decodeAll([message]);
      } catch (caught) {
        return caught;
      }
    };
    const inData = thrown({ data: '{"error":{"message":"engine dead","code":500}}' });
    expect(inData).toBeInstanceOf(APIError);
    expect(classifyError(inData)).toMatchObject({ status: 500 });
    expect(classifyError(inData).detail).toContain("the stream carried an error event");
    const named = thrown({ data: '{"message":"overloaded","code":503}', event: "error" });
    expect(named).toBeInstanceOf(APIError);
    expect(classifyError(named)).toMatchObject({ status: 503 });
  });

  test("a payload that is not a chunk is a protocol problem naming the field", () => {
    const [fields] = decodeAll([{ data: '{"choices":[{"delta":{"content":7}}]}' }]);
    expect(fields).toMatchObject({ kind: "protocol" });
    expect(isReplyProblem(fields as ChunkFields | ReplyProblem) && (fields as ReplyProblem).detail).toContain("choices.0.delta.content");
  });

  // Templates (chunks read without JSON.parse) must read exactly as JSON.parse would, whatever the server sends.
  const text = fc.oneof(
    fc.string(),
    fc.string({ unit: "binary" }),
    fc.constantFrom("", " ", '"', "\\", '","finish_reason":"stop', 'x"},"usage":{"prompt_tokens":1,"completion_tokens":2},"y":{"z":"', "\u0000", "é", "😀", "\n"),
  );
  /** How a chunk is laid out: which text field, its finish_reason, whether it carries usage. */
  const shape = fc.record({ field: fc.constantFrom("content", "reasoning_content", "reasoning"), finish: fc.constantFrom(null, "stop", "length"), usage: fc.boolean() });
  type Shape = { field: string; finish: string | null; usage: boolean };
  /** A vLLM-like chunk as text, its string sometimes spliced in raw (unescaped), as a broken or hostile server might. */
  const chunkText = ({ field, finish, usage }: Shape, t: string, raw: boolean): string => {
    const literal = raw ? `"${t}"` : JSON.stringify(t);
    const usageText = usage ? ',"usage":{"prompt_tokens":3,"completion_tokens":4}' : "";
    return `{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"${field}":${literal}},"logprobs":null,"finish_reason":${JSON.stringify(finish)}}]${usageText}}`;
  };
  /** A stream: most chunks in the stream's own shape (so templates match), some in another. */
  const stream = fc.tuple(shape, fc.array(fc.record({ text, raw: fc.integer({ min: 0, max: 4 }).map((n) => n === 0), other: fc.option(shape, { freq: 4 }) }), { minLength: 1, maxLength: 30 }))
    .map(([base, chunks]) => chunks.map((c) => chunkText(c.other ?? base, c.text, c.raw)));

  test("with templates, every chunk reads as JSON.parse reads it (property, hostile text included)", () => {
    let templated = 0;
    fc.assert(fc.property(stream, (payloads) => {
      const outcome = (maxTemplates: number): unknown[] => {
        const decoder = new ChunkDecoder(new Headers(), maxTemplates);
        return payloads.map((data) => {
          try {
            return decoder.decode({ data });
          } catch (error) {
            return { threw: (error as Error).name };
          }
        });
      };
      const parse = JSON.parse;
      let fullParses = 0;
      JSON.parse = ((...args: Parameters<typeof JSON.parse>) => {
        // Whole chunks, not a template's one-time check (its sentinel string) nor a lone string literal.
        if (args[0].startsWith("{") && !args[0].includes("quanteval template check")) fullParses += 1;
        return parse(...args);
      }) as typeof JSON.parse;
      let withTemplates: unknown[];
      try {
        withTemplates = outcome(4);
      } finally {
        JSON.parse = parse;
      }
      templated += payloads.length - fullParses;
      expect(withTemplates).toStrictEqual(outcome(0));
    }), { numRuns: 500 });
    // The property is only worth something if templates were used, and often.
    expect(templated).toBeGreaterThan(200);
  });

  test("a server that escapes differently from JSON.stringify: the same text elsewhere is not mistaken for the delta", () => {
    // "m" is both the model and the content, the content sent as \u006d: the only verbatim "m" is the model's.
    const chunk = (model: string): string => `{"id":"c","model":"${model}","choices":[{"index":0,"delta":{"content":"\\u006d"},"finish_reason":null}]}`;
    const fields = decodeAll([{ data: chunk("m") }, { data: chunk("x") }]);
    expect(fields.map((f) => (f as ChunkFields).content)).toStrictEqual(["m", "m"]);
  });

  test("a chunk whose text is the template check's own sentinel is not learned from (the check would prove nothing)", () => {
    const sentinel = "\u0000quanteval template check\u0000";
    // The sentinel sits verbatim in "id"; the content is the same text, escaped differently.
    const chunk = (id: string, content: string): string => `{"id":${JSON.stringify(id)},"choices":[{"index":0,"delta":{"content":"${content}"},"finish_reason":null}]}`;
    const escaped = "\\u0000quanteval templa\\u0074e check\\u0000";
    const fields = decodeAll([{ data: chunk(sentinel, escaped) }, { data: chunk("chatcmpl-x", escaped) }]);
    expect(fields.map((f) => (f as ChunkFields).content)).toStrictEqual([sentinel, sentinel]);
  });

  test("a stream of one-token chunks is read by templates: whole chunks are JSON-parsed a handful of times, not each", () => {
    const parse = JSON.parse;
    let calls = 0;
    JSON.parse = ((...args: Parameters<typeof JSON.parse>) => {
      // Whole chunks only: a token with a quote or an escape still has its string literal parsed alone.
      if (args[0].startsWith("{")) calls += 1;
      return parse(...args);
    }) as typeof JSON.parse;
    try {
      const tokens = Array.from({ length: 200 }, (_, i) => ` w${i} "q" é`);
      const fields = decodeAll([roleChunk(), ...tokens.map((content) => deltaChunk({ content })), finishChunk("stop"), usageChunk(1, 200)].map((c) => ({ data: JSON.stringify(c) })));
      expect(fields.slice(1, -2).map((f) => (f as ChunkFields).content)).toStrictEqual(tokens);
      expect(calls).toBeLessThan(20);
    } finally {
      JSON.parse = parse;
    }
  });
});
