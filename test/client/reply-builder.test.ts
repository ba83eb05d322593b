/**
 * decodeChunk + StreamReplyBuilder: a streamed reply, chunk by chunk, with the arrival time of each given
 * (over HTTP, chunks that arrive in one piece share one time; see endpoint.test.ts). Chunk i arrives at
 * 1010 + 10·i, the request was sent at 1000, and the reply ends 10 after its last chunk.
 */
import fc from "fast-check";
import { APIError } from "openai";
import { describe, expect, test } from "vitest";
import { classifyError } from "../../src/client/attempt-failure.ts";
import {
  type ChunkFields,
  ChunkSchema,
  completionToReply,
  isChunk,
  isReplyProblem,
  type ReplyProblem,
  StreamReplyBuilder,
} from "../../src/client/reply-builder.ts";
import type { SseMessage } from "../../src/client/sse.ts";
import { decodeChunk } from "../../src/client/stream-chunk.ts";
import { deltaChunk, finishChunk, roleChunk, usageChunk } from "./scripted-server.ts";

function build(chunks: readonly object[]): ReturnType<StreamReplyBuilder["finish"]> {
  const builder = new StreamReplyBuilder();
  chunks.forEach((chunk, i) => {
    const fields = decodeChunk({ data: JSON.stringify(chunk) }, new Headers());
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

const contentChunks = (contents: readonly string[]): object[] => [
  roleChunk(),
  ...contents.map((content) => deltaChunk({ content })),
  finishChunk("stop"),
  usageChunk(10, 5),
];

describe("StreamReplyBuilder", () => {
  test("reasoning_content stays apart; TTFT counts reasoning, the answer token does not count whitespace", () => {
    expect(
      reply([
        roleChunk(), // 1010: role only, content "" carries no token
        deltaChunk({ reasoning_content: "Two plus two" }), // 1020: first token of any kind
        deltaChunk({ reasoning_content: " is four." }), // 1030
        deltaChunk({ content: "\n\n" }), // 1040: answer content, but only whitespace
        deltaChunk({ content: "Answer: 4" }), // 1050: first answer token
        finishChunk("stop"), // 1060
        usageChunk(21, 9), // 1070
      ]),
    ).toStrictEqual({
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
    expect(
      reply([
        roleChunk(),
        deltaChunk({ content: "<think>" }),
        deltaChunk({ content: "hmm, Answer: 3?" }),
        finishChunk("length"),
        usageChunk(10, 64),
      ]),
    ).toStrictEqual({
      text: "",
      reasoning: "hmm, Answer: 3?",
      finishReason: "length",
      usage: { promptTokens: 10, completionTokens: 64 },
      // 1010 role, 1020 "<think>" (a reasoning token), 1030, 1040 finish, 1050 usage
      timing: { sentAt: 1000, firstTokenAt: 1020, doneAt: 1060 },
    });
  });

  test("chunks that arrived together: the answer time is their arrival", () => {
    const builder = new StreamReplyBuilder();
    const add = (chunk: object, at: number): void =>
      builder.add(decodeChunk({ data: JSON.stringify(chunk) }, new Headers()) as ChunkFields, at);
    add(deltaChunk({ content: "<think>a" }), 1010);
    add(deltaChunk({ content: "b</think>" }), 1010);
    add(deltaChunk({ content: "Answer" }), 1050);
    add(deltaChunk({ content: ": 4" }), 1050);
    add(finishChunk("stop"), 1050);
    add(usageChunk(1, 4), 1050);
    const result = builder.finish(1000, 1060);
    expect(result.ok && result.reply.timing).toStrictEqual({
      sentAt: 1000,
      firstTokenAt: 1010,
      firstAnswerTokenAt: 1050,
      doneAt: 1060,
    });
  });

  test("a stream that ends before its finish_reason is truncated; one without usage names the way out", () => {
    expect(build([roleChunk(), deltaChunk({ content: "Answer: 4" })])).toMatchObject({
      ok: false,
      problem: { kind: "truncated" },
    });
    const noUsage = build([deltaChunk({ content: "Answer: 4" }), finishChunk("stop")]);
    expect(noUsage).toMatchObject({ ok: false, problem: { kind: "protocol" } });
    expect(!noUsage.ok && noUsage.problem.detail).toContain("stream_options.include_usage");
  });
});

describe("isChunk", () => {
  // Chunk-like values with a wrong type anywhere: the hand-written check and zod's ChunkSchema must agree on each.
  const loose = fc.oneof(
    fc.constant(null),
    fc.constant(undefined),
    fc.boolean(),
    fc.integer({ min: -2, max: 3 }),
    fc.double(),
    fc.string(),
    fc.constant([]),
    fc.constant({}),
  );
  const maybe = <T>(arb: fc.Arbitrary<T>) => fc.oneof(arb, loose);
  const delta = fc.record(
    {
      content: maybe(fc.string()),
      reasoning: maybe(fc.string()),
      reasoning_content: maybe(fc.string()),
      role: maybe(fc.string()),
    },
    { requiredKeys: [] },
  );
  const choice = fc.record(
    { index: maybe(fc.nat()), delta: maybe(delta), finish_reason: maybe(fc.constantFrom("stop", "length")) },
    { requiredKeys: [] },
  );
  const usage = fc.record(
    { prompt_tokens: maybe(fc.nat()), completion_tokens: maybe(fc.nat()), total_tokens: maybe(fc.nat()) },
    { requiredKeys: [] },
  );
  const chunk = fc.record(
    { id: maybe(fc.string()), choices: maybe(fc.array(maybe(choice), { maxLength: 3 })), usage: maybe(usage) },
    { requiredKeys: [] },
  );

  test("gives zod's verdict on every chunk-like value (property)", () => {
    fc.assert(
      fc.property(maybe(chunk), (value) => {
        expect(isChunk(value)).toBe(ChunkSchema.safeParse(value).success);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("decodeChunk", () => {
  const decodeAll = (messages: readonly SseMessage[]): (ChunkFields | ReplyProblem)[] =>
    messages.map((m) => decodeChunk(m, new Headers()));

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
    expect(isReplyProblem(fields as ChunkFields | ReplyProblem) && (fields as ReplyProblem).detail).toContain(
      "choices.0.delta.content",
    );
  });

  test("a server that escapes differently from JSON.stringify: the same text elsewhere is not mistaken for the delta", () => {
    // "m" is both the model and the content, the content sent as \u006d: the only verbatim "m" is the model's.
    const chunk = (model: string): string =>
      `{"id":"c","model":"${model}","choices":[{"index":0,"delta":{"content":"\\u006d"},"finish_reason":null}]}`;
    const fields = decodeAll([{ data: chunk("m") }, { data: chunk("x") }]);
    expect(fields.map((f) => (f as ChunkFields).content)).toStrictEqual(["m", "m"]);
  });

  test("control characters escaped in the delta read as JSON.parse reads them, whatever else the chunk holds", () => {
    const sentinel = "\u0000quanteval template check\u0000";
    // The same text sits verbatim in "id"; the content is that text, escaped differently.
    const chunk = (id: string, content: string): string =>
      `{"id":${JSON.stringify(id)},"choices":[{"index":0,"delta":{"content":"${content}"},"finish_reason":null}]}`;
    const escaped = "\\u0000quanteval templa\\u0074e check\\u0000";
    const fields = decodeAll([{ data: chunk(sentinel, escaped) }, { data: chunk("chatcmpl-x", escaped) }]);
    expect(fields.map((f) => (f as ChunkFields).content)).toStrictEqual([sentinel, sentinel]);
  });
});

describe("a stream without usage, counted client-side (countMissingUsage)", () => {
  test("completion tokens are the token chunks; the reply says so; without countMissingUsage it stays a failure", () => {
    const chunks = ["a", "b", "c"].map((content) => ({
      reasoning: "",
      content,
      finishReason: undefined,
      usage: undefined,
    }));
    const counted = new StreamReplyBuilder({ countMissingUsage: {} });
    const strict = new StreamReplyBuilder();
    for (const [i, chunk] of chunks.entries()) {
      counted.add(chunk, i);
      strict.add(chunk, i);
    }
    const finish = { reasoning: "", content: "", usage: undefined, finishReason: "stop" };
    counted.add(finish, 3);
    strict.add(finish, 3);
    const result = counted.finish(0, 4);
    expect(result.ok && result.reply).toMatchObject({
      text: "abc",
      // The prompt is not known: null, never a count of 0 that would read as one.
      usage: { promptTokens: null, completionTokens: 3 },
      usageCountedBy: "chunks",
    });
    expect(strict.finish(0, 4)).toMatchObject({ ok: false, problem: { kind: "protocol" } });
  });

  const fields = (content: string, reasoning = "", finishReason?: string): ChunkFields => ({
    content,
    reasoning,
    finishReason,
    usage: undefined,
  });

  test("with countText, the completion is its count of the reasoning and the content as streamed, tags included", () => {
    const seen: string[] = [];
    // A stand-in tokenizer: one token per character, so each count is plain to check.
    const countText = (text: string): number => {
      seen.push(text);
      return text.length;
    };
    const builder = new StreamReplyBuilder({ countMissingUsage: { countText } });
    builder.add(fields("", "thinking"), 1);
    builder.add(fields("<think>x</think>"), 2);
    builder.add(fields("ab", "", "stop"), 3);
    const result = builder.finish(0, 4);
    expect(result.ok && result.reply.usage).toStrictEqual({ promptTokens: null, completionTokens: 8 + 18 });
    expect(result.ok && result.reply.usageCountedBy).toBe("tokenizer");
    expect(result.ok && result.reply.text).toBe("ab");
    expect(seen).toStrictEqual(["thinking", "<think>x</think>ab"]);
  });

  test("a body without usage: counted with countText (the content as sent), else still a failure", () => {
    const body = {
      choices: [{ message: { content: "<think>x</think>ab", reasoning_content: "why" }, finish_reason: "stop" }],
      usage: null,
    };
    const counted = completionToReply(body, 0, 5, { countText: (text) => text.length });
    expect(counted.ok && counted.reply.usage).toStrictEqual({ promptTokens: null, completionTokens: 3 + 18 });
    expect(counted.ok && counted.reply.usageCountedBy).toBe("tokenizer");
    expect(completionToReply(body, 0, 5, {})).toMatchObject({ ok: false, problem: { kind: "protocol" } });
    expect(completionToReply(body, 0, 5)).toMatchObject({ ok: false, problem: { kind: "protocol" } });
  });

  test("a stream with usage keeps the server's counts even when counting is on", () => {
    const builder = new StreamReplyBuilder({ countMissingUsage: { countText: () => 99 } });
    builder.add(fields("abc", "", "stop"), 1);
    builder.add({ ...fields(""), usage: { promptTokens: 7, completionTokens: 3 } }, 2);
    const result = builder.finish(0, 3);
    expect(result.ok && result.reply.usage).toStrictEqual({ promptTokens: 7, completionTokens: 3 });
    expect(result.ok && "usageCountedBy" in result.reply).toBe(false);
  });
});
