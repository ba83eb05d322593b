import { describe, expect, test } from "vitest";
import { buildRequestParams, normalizeBaseUrl } from "../../src/client/index.ts";
import { ConfigError } from "../../src/core/errors.ts";

describe("buildRequestParams", () => {
  test("snake_case sampling fields; unset topP and seed are left out, not sent as null", () => {
    expect(buildRequestParams({ temperature: 0, maxTokens: 512 })).toStrictEqual({ temperature: 0, max_tokens: 512 });
    expect(buildRequestParams({ temperature: 0, maxTokens: 512, topP: undefined, seed: undefined })).toStrictEqual({
      temperature: 0,
      max_tokens: 512,
    });
  });

  test("topP, seed and extraBody are all sent", () => {
    const params = buildRequestParams(
      { temperature: 0.6, maxTokens: 32768, topP: 0.95, seed: 0 },
      {
        chat_template_kwargs: { enable_thinking: true },
        top_k: 20,
      },
    );
    expect(params).toStrictEqual({
      temperature: 0.6,
      max_tokens: 32768,
      top_p: 0.95,
      seed: 0,
      chat_template_kwargs: { enable_thinking: true },
      top_k: 20,
    });
  });

  test("minTokens is sent as vLLM's min_tokens, and only when set", () => {
    expect(buildRequestParams({ temperature: 0, maxTokens: 30, minTokens: 30 })).toStrictEqual({
      temperature: 0,
      max_tokens: 30,
      min_tokens: 30,
    });
    expect(buildRequestParams({ temperature: 0, maxTokens: 30, minTokens: undefined })).toStrictEqual({
      temperature: 0,
      max_tokens: 30,
    });
  });

  test("topK and minP are sent as vLLM's top_k and min_p; a minP of 0 is sent, not dropped", () => {
    expect(buildRequestParams({ temperature: 0.6, maxTokens: 64, topP: 0.95, topK: 20, minP: 0 })).toStrictEqual({
      temperature: 0.6,
      max_tokens: 64,
      top_p: 0.95,
      top_k: 20,
      min_p: 0,
    });
  });

  test("extraBody.top_k beside topK is a ConfigError; alone it is sent as before", () => {
    const build = (): unknown => buildRequestParams({ temperature: 0, maxTokens: 8, topK: 20 }, { top_k: 5 });
    expect(build).toThrow(ConfigError);
    expect(build).toThrow("variants[].extraBody.top_k: sampling.topK sets it too: drop one of the two");
    expect(buildRequestParams({ temperature: 0, maxTokens: 8, topP: 0.9 }, { top_k: 5, min_p: 0.1 })).toStrictEqual({
      temperature: 0,
      max_tokens: 8,
      top_p: 0.9,
      top_k: 5,
      min_p: 0.1,
    });
  });

  test("extraBody may not override what quanteval sets: ConfigError naming each key and the setting to use", () => {
    const build = (): unknown =>
      buildRequestParams({ temperature: 0, maxTokens: 8 }, { temperature: 0.7, stream: false, top_k: 1 });
    expect(build).toThrow(ConfigError);
    expect(build).toThrow("variants[].extraBody.temperature: set by quanteval (use sampling.temperature instead)");
    expect(build).toThrow("variants[].extraBody.stream: set by quanteval (use stream instead)");
  });

  test("a reserved name as a nested key is not a clash", () => {
    expect(
      buildRequestParams({ temperature: 0, maxTokens: 8 }, { chat_template_kwargs: { temperature: 1 } }),
    ).toStrictEqual({
      temperature: 0,
      max_tokens: 8,
      chat_template_kwargs: { temperature: 1 },
    });
  });
});

describe("normalizeBaseUrl", () => {
  test.each([
    ["http://h:8000", "http://h:8000/v1"],
    ["http://h:8000/", "http://h:8000/v1"],
    ["http://h:8000/v1", "http://h:8000/v1"],
    ["http://h:8000/v1/", "http://h:8000/v1"],
    ["http://h:8000/v1//", "http://h:8000/v1"],
    ["  https://h/v1  ", "https://h/v1"],
    ["http://h:8000/vllm", "http://h:8000/vllm/v1"],
    ["http://h:8000/vllm/v1/", "http://h:8000/vllm/v1"],
    // Near misses: a path that merely contains v1 still gets /v1 appended.
    ["http://h:8000/v10", "http://h:8000/v10/v1"],
    ["http://h:8000/xv1", "http://h:8000/xv1/v1"],
  ])("%s → %s", (input, expected) => {
    expect(normalizeBaseUrl(input)).toBe(expected);
  });

  test.each(["localhost:8000", "h:8000/v1", "ftp://h/v1", "not a url", ""])("%s is a ConfigError", (input) => {
    expect(() => normalizeBaseUrl(input)).toThrow(ConfigError);
  });
});
