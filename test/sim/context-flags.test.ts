/** `quanteval sim --max-model-len`, `--max-logprobs` and `--no-tokenize` → SimOptions; errors name the flag. */
import { describe, expect, test } from "vitest";
import { simContextFromFlags } from "../../src/cli/commands/sim.ts";
import { ConfigError } from "../../src/core/errors.ts";

describe("simContextFromFlags", () => {
  test("--max-model-len and --no-tokenize set their fields; neither leaves the defaults", () => {
    expect(simContextFromFlags({})).toStrictEqual({ tokenize: true });
    const both = simContextFromFlags({ maxModelLen: "4096", tokenize: false });
    expect(both).toStrictEqual({ maxModelLen: 4096, tokenize: false });
    expect(simContextFromFlags({ maxLogprobs: "50" })).toStrictEqual({ maxLogprobs: 50, tokenize: true });
  });

  test.each(["0", "-1", "2.5", ""])("--max-logprobs %j is a ConfigError naming the flag", (value) => {
    expect(() => simContextFromFlags({ maxLogprobs: value })).toThrow(
      `flags: --max-logprobs: must be a positive integer (got ${JSON.stringify(value)})`,
    );
  });

  test.each(["0", "-5", "4k", "2.5", ""])("--max-model-len %j is a ConfigError naming the flag", (value) => {
    expect(() => simContextFromFlags({ maxModelLen: value })).toThrow(ConfigError);
    expect(() => simContextFromFlags({ maxModelLen: value })).toThrow(
      `flags: --max-model-len: must be a positive integer (got ${JSON.stringify(value)})`,
    );
  });
});
