/** `quanteval sim --dialect`: one of the five engines, vllm when not given; anything else is a ConfigError naming it. */
import { describe, expect, test } from "vitest";
import { simDialectFromFlag } from "../../src/cli/commands/sim.ts";
import { ConfigError } from "../../src/core/errors.ts";

describe("simDialectFromFlag", () => {
  test.each(["vllm", "sglang", "lmdeploy", "trtllm", "llamacpp"])("%s is itself", (name) => {
    expect(simDialectFromFlag(name)).toBe(name);
  });

  test("not given is vllm", () => {
    expect(simDialectFromFlag(undefined)).toBe("vllm");
  });

  test.each(["VLLM", "llama.cpp", "tensorrt-llm", ""])("%j is a ConfigError that lists the names", (value) => {
    expect(() => simDialectFromFlag(value)).toThrow(ConfigError);
    expect(() => simDialectFromFlag(value)).toThrow(`flags: --dialect: unknown engine (got ${JSON.stringify(value)})`);
  });
});
