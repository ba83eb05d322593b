/**
 * The simulator's dialects (src/sim/dialects.ts, docs/engines.md): each engine's routes, model card, usage placement,
 * reasoning field, request fields and error bodies, as a client meets them; and the profile misbehaviours the users
 * saw (ignore_eos taken but not honoured, usage that does not grow with the prompt).
 */
import { describe, expect, test } from "vitest";
import { countPromptTokens, type SimDialectName, type SimVariantProfile } from "../../src/sim/index.ts";
import { dig, postChat, simProfile, sseEvents, startSim, syntheticItems, userMessages } from "./helpers.ts";

const ITEMS = syntheticItems(2);
const MESSAGES = userMessages(ITEMS[0]);

async function sim(dialect: SimDialectName, profile: Partial<SimVariantProfile> = {}, maxModelLen?: number) {
  return startSim({
    seed: 1,
    dialect,
    variants: [simProfile("m", { reasoningTokens: 20, ...profile })],
    items: ITEMS,
    ...(maxModelLen === undefined ? {} : { maxModelLen }),
  });
}

async function getJson(url: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url);
  const text = await res.text();
  return { status: res.status, body: text === "" ? undefined : JSON.parse(text) };
}

async function streamChunks(dialect: SimDialectName, body: Record<string, unknown>, profile = {}): Promise<unknown[]> {
  const server = await sim(dialect, profile);
  const res = await postChat(server, { model: "m", messages: MESSAGES, stream: true, ...body });
  expect(res.status).toBe(200);
  return sseEvents(await res.text())
    .filter((data) => data !== "[DONE]")
    .map((data) => JSON.parse(data));
}

describe("health, version and model list", () => {
  test.each([
    ["vllm", "/health", undefined],
    ["sglang", "/health_generate", undefined],
    ["lmdeploy", "/health", { status: "healthy" }],
    ["trtllm", "/health_generate", undefined],
    ["llamacpp", "/v1/health", { status: "ok" }],
  ] as const)("%s answers %s with 200", async (dialect, route, body) => {
    const server = await sim(dialect);
    expect(await getJson(`${server.url}${route}`)).toEqual({ status: 200, body });
  });

  test("while loading, llama.cpp's /health is its 503 'Loading model' error with Retry-After", async () => {
    const server = await startSim({
      seed: 1,
      dialect: "llamacpp",
      variants: [simProfile("m")],
      items: ITEMS,
      faults: { slowStartSec: 30 },
    });
    const res = await fetch(`${server.url}/health`);
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("30");
    expect(await res.json()).toEqual({ error: { code: 503, message: "Loading model", type: "unavailable_error" } });
  });

  test.each([
    ["vllm", "/version", ["version"], "quanteval-simulator"],
    ["trtllm", "/version", ["version"], "1.0.0+quanteval-simulator"],
    ["sglang", "/get_server_info", ["version"], "0.5.0+quanteval-simulator"],
    ["llamacpp", "/props", ["build_info"], "b6000-quanteval-simulator"],
  ] as const)("%s says its version on %s", async (dialect, route, path, version) => {
    const server = await sim(dialect);
    const { status, body } = await getJson(`${server.url}${route}`);
    expect(status).toBe(200);
    expect(dig(body, ...path)).toBe(version);
  });

  test("LMDeploy has no version route: /version is FastAPI's 404", async () => {
    const server = await sim("lmdeploy");
    expect(await getJson(`${server.url}/version`)).toEqual({ status: 404, body: { detail: "Not Found" } });
  });

  test("llama.cpp's /props states the served context (n_ctx), its model card only the training one", async () => {
    const server = await sim("llamacpp", {}, 8192);
    expect(dig((await getJson(`${server.url}/props`)).body, "default_generation_settings", "n_ctx")).toBe(8192);
    const card = dig((await getJson(`${server.baseUrl}/models`)).body, "data", 0);
    expect(dig(card, "owned_by")).toBe("llamacpp");
    expect(dig(card, "meta", "n_ctx_train")).toBe(40960);
    expect(dig(card, "max_model_len")).toBeUndefined();
  });

  test.each([
    ["vllm", "quanteval-simulator (not a real model)", 4096],
    ["sglang", "sglang", 4096],
    ["lmdeploy", "lmdeploy", undefined],
    ["trtllm", "tensorrt_llm", undefined],
  ] as const)("%s's model card: owned_by %s, max_model_len %s", async (dialect, ownedBy, maxModelLen) => {
    const server = await sim(dialect, {}, 4096);
    const card = dig((await getJson(`${server.baseUrl}/models`)).body, "data", 0);
    expect(dig(card, "id")).toBe("m");
    expect(dig(card, "owned_by")).toBe(ownedBy);
    expect(dig(card, "max_model_len")).toBe(maxModelLen);
  });

  test("POST /tokenize is vLLM's: another dialect answers 404 in its own shape", async () => {
    const server = await sim("llamacpp");
    const res = await fetch(`${server.url}/tokenize`, { method: "POST", body: JSON.stringify({ prompt: "hi" }) });
    expect(res.status).toBe(404);
    expect(dig(await res.json(), "error", "type")).toBe("not_found_error");
  });
});

describe("usage in streams", () => {
  test.each(["vllm", "sglang", "lmdeploy", "trtllm"] as const)(
    "%s: a last chunk with no choices when include_usage asks, none otherwise",
    async (dialect) => {
      const asked = await streamChunks(dialect, { stream_options: { include_usage: true } });
      const last = asked.at(-1);
      expect(dig(last, "choices")).toEqual([]);
      expect(dig(last, "usage", "prompt_tokens")).toBe(countPromptTokens(MESSAGES));
      const unasked = await streamChunks(dialect, {});
      expect(unasked.filter((c) => dig(c, "usage") !== undefined)).toEqual([]);
    },
  );

  test("llama.cpp: usage and timings ride on the finish_reason chunk, asked or not, and no chunk is choice-less", async () => {
    for (const body of [{}, { stream_options: { include_usage: true } }]) {
      const chunks = await streamChunks("llamacpp", body);
      const last = chunks.at(-1);
      expect(dig(last, "choices", 0, "finish_reason")).toBe("stop");
      const completion = dig(last, "usage", "completion_tokens");
      expect(completion).toBeGreaterThan(0);
      expect(dig(last, "timings", "predicted_n")).toBe(completion);
      expect(dig(last, "system_fingerprint")).toBe("b6000-quanteval-simulator");
      expect(chunks.filter((c) => dig(c, "choices", 0) === undefined)).toEqual([]);
    }
  });
});

describe("reasoning field", () => {
  const reasoningKeys = (chunks: unknown[]): string[] => [
    ...new Set(
      chunks.flatMap((c) => Object.keys(Object(dig(c, "choices", 0, "delta")))).filter((k) => k.startsWith("reason")),
    ),
  ];

  test.each(["sglang", "lmdeploy", "trtllm", "llamacpp"] as const)("%s streams reasoning_content", async (dialect) => {
    expect(reasoningKeys(await streamChunks(dialect, {}, { reasoning: "field" }))).toEqual(["reasoning_content"]);
  });

  test("a profile's reasoningField names it `reasoning` (newer vLLM, TensorRT-LLM's gpt-oss), streamed and not", async () => {
    const profile = { reasoning: "field", reasoningField: "reasoning" } as const;
    expect(reasoningKeys(await streamChunks("trtllm", {}, profile))).toEqual(["reasoning"]);
    const server = await sim("vllm", profile);
    const body: unknown = await (await postChat(server, { model: "m", messages: MESSAGES })).json();
    expect(dig(body, "choices", 0, "message", "reasoning")).toEqual(expect.any(String));
    expect(dig(body, "choices", 0, "message", "reasoning_content")).toBeUndefined();
  });
});

describe("request fields", () => {
  async function tokensWith(dialect: SimDialectName, body: Record<string, unknown>): Promise<unknown> {
    const server = await sim(dialect);
    const res = await postChat(server, { model: "m", messages: MESSAGES, max_tokens: 300, ...body });
    expect(res.status).toBe(200);
    return dig(await res.json(), "usage", "completion_tokens");
  }

  test.each([
    ["vllm", "min_tokens", 250],
    ["sglang", "min_tokens", 250],
    ["trtllm", "min_tokens", 250],
    ["lmdeploy", "min_new_tokens", 250],
  ] as const)("%s pads a reply to %s", async (dialect, field, n) => {
    expect(await tokensWith(dialect, { [field]: n })).toBe(n);
  });

  test.each([
    ["lmdeploy", "min_tokens"],
    ["llamacpp", "min_tokens"],
    ["vllm", "min_new_tokens"],
  ] as const)("%s ignores %s: the reply keeps its own length", async (dialect, field) => {
    const own = await tokensWith(dialect, {});
    expect(own).toBeLessThan(250);
    expect(await tokensWith(dialect, { [field]: 250 })).toBe(own);
  });

  test("TensorRT-LLM refuses a field it does not know with pydantic's text under `error`", async () => {
    const server = await sim("trtllm");
    const res = await postChat(server, { model: "m", messages: MESSAGES, prompt_logprobs: 1, max_tokens: 8 });
    expect(res.status).toBe(400);
    const body: unknown = await res.json();
    expect(dig(body, "error")).toMatch(/^1 validation error for ChatCompletionRequest\nprompt_logprobs\n/);
    expect(dig(body, "error")).toContain("Extra inputs are not permitted");
  });

  test("SGLang ignores a field it does not know (prompt_logprobs included)", async () => {
    const server = await sim("sglang");
    const res = await postChat(server, { model: "m", messages: MESSAGES, prompt_logprobs: 1, no_such: true });
    expect(res.status).toBe(200);
    expect(dig(await res.json(), "prompt_logprobs")).toBeNull();
  });

  test.each([
    [
      "vllm",
      { error: { message: "top_p must be in (0, 1], got 2.", type: "BadRequestError", param: null, code: 400 } },
    ],
    [
      "sglang",
      { object: "error", message: "top_p must be in (0, 1], got 2.", type: "BadRequestError", param: null, code: 400 },
    ],
    [
      "lmdeploy",
      {
        object: "error",
        message: "The top_p 2 must be in (0, 1].",
        type: "invalid_request_error",
        param: null,
        code: 400,
      },
    ],
  ] as const)("%s refuses top_p 2 with its own body", async (dialect, expected) => {
    const server = await sim(dialect);
    const res = await postChat(server, { model: "m", messages: MESSAGES, top_p: 2 });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual(expected);
  });
});

describe("context length", () => {
  const prompt = countPromptTokens(MESSAGES);

  test.each([
    ["vllm", ["error", "message"], /^This model's maximum context length is/],
    ["sglang", ["message"], /^The input \(\d+ tokens\) is longer than the model's context length \(\d+ tokens\)\.$/],
    ["lmdeploy", ["message"], /^Input length \(\d+\) must be smaller than the model context length \(\d+\)\.$/],
    [
      "trtllm",
      ["message"],
      /^The sum of prompt length \(\d+\.0\), query length \(0\) should not exceed max_num_tokens/,
    ],
    ["llamacpp", ["error", "message"], /^request \(\d+ tokens\) exceeds the available context size \(\d+ tokens\)/],
  ] as const)("%s refuses a prompt longer than the context with a 400 in its words", async (dialect, path, words) => {
    const server = await sim(dialect, {}, prompt - 1);
    const res = await postChat(server, { model: "m", messages: MESSAGES, max_tokens: 8 });
    expect(res.status).toBe(400);
    expect(dig(await res.json(), ...path)).toMatch(words);
  });

  test("llama.cpp's context error carries the numbers as fields", async () => {
    const server = await sim("llamacpp", {}, prompt - 1);
    const res = await postChat(server, { model: "m", messages: MESSAGES });
    expect(dig(await res.json(), "error")).toMatchObject({
      type: "exceed_context_size_error",
      n_prompt_tokens: prompt,
      n_ctx: prompt - 1,
    });
  });

  test("SGLang refuses prompt + max_tokens over the context, in vLLM's older sentence", async () => {
    const server = await sim("sglang", {}, prompt + 10);
    const res = await postChat(server, { model: "m", messages: MESSAGES, max_tokens: 50 });
    expect(res.status).toBe(400);
    expect(dig(await res.json(), "message")).toContain(
      `You requested a total of ${prompt + 50} tokens: ${prompt} tokens from the input messages and 50 tokens`,
    );
  });

  test.each(["lmdeploy", "trtllm", "llamacpp"] as const)(
    "%s cuts a reply where the context ends instead of refusing max_tokens over it",
    async (dialect) => {
      const server = await sim(dialect, {}, prompt + 10);
      const res = await postChat(server, { model: "m", messages: MESSAGES, max_tokens: 50, ignore_eos: true });
      expect(res.status).toBe(200);
      const body: unknown = await res.json();
      expect(dig(body, "usage", "completion_tokens")).toBe(10);
      expect(dig(body, "choices", 0, "finish_reason")).toBe("length");
    },
  );
});

describe("misbehaviour the users saw", () => {
  async function reply(profile: Partial<SimVariantProfile>, body: Record<string, unknown>, messages = MESSAGES) {
    const server = await sim("lmdeploy", profile);
    const res = await postChat(server, { model: "m", messages, max_tokens: 1024, ...body });
    const json: unknown = await res.json();
    return {
      finish: dig(json, "choices", 0, "finish_reason"),
      completion: dig(json, "usage", "completion_tokens"),
      prompt: dig(json, "usage", "prompt_tokens"),
    };
  }

  test("ignore_eos honoured: the reply runs to max_tokens, by length", async () => {
    expect(await reply({}, { ignore_eos: true })).toMatchObject({ finish: "length", completion: 1024 });
  });

  test("ignoreEosHonoured false with eosAfterTokens 513: 'ignore_eos was set, yet decoding stopped at 513 tokens'", async () => {
    const profile = { ignoreEosHonoured: false, eosAfterTokens: 513 };
    expect(await reply(profile, { ignore_eos: true })).toMatchObject({ finish: "stop", completion: 513 });
  });

  test("ignoreEosHonoured false alone: the reply ends where it would without ignore_eos", async () => {
    const own = await reply({}, {});
    expect(await reply({ ignoreEosHonoured: false }, { ignore_eos: true })).toEqual(own);
  });

  test("usageQuirk.promptTokens: the same prompt_tokens for a short and a long prompt", async () => {
    const long = [{ role: "user" as const, content: `${"background text ".repeat(400)}${ITEMS[1]?.promptKey}` }];
    const quirk = { usageQuirk: { promptTokens: 37 } };
    expect((await reply(quirk, {})).prompt).toBe(37);
    expect((await reply(quirk, {}, long)).prompt).toBe(37);
    expect((await reply({}, {}, long)).prompt).toBe(countPromptTokens(long));
  });

  test("usageQuirk.completionScale: completion_tokens off from what was sent", async () => {
    const own = await reply({}, { ignore_eos: true });
    const scaled = await reply({ usageQuirk: { completionScale: 0.9 } }, { ignore_eos: true });
    expect(scaled.completion).toBe(Math.round(1024 * 0.9));
    expect(own.completion).toBe(1024);
  });
});
