import { describe, expect, test } from "vitest";
import { applyFlags } from "../src/cli/config-flags.ts";
import { configForManifest, parseRunConfig, requestFingerprint } from "../src/config.ts";
import { issuesOf, MINIMAL_CONFIG as minimal } from "./helpers/config-issues.ts";

const KNOWN = "known presets: qwen3-thinking, qwen3-non-thinking, deepseek-r1, greedy";

const sampling = (block: Record<string, unknown>) =>
  parseRunConfig({ ...minimal, sampling: block }, "run.yaml").sampling;

describe("sampling.preset", () => {
  // The model cards' numbers, written out here rather than read from the table under test.
  test.each([
    ["qwen3-thinking", { preset: "qwen3-thinking", temperature: 0.6, topP: 0.95, topK: 20, minP: 0 }],
    ["qwen3-non-thinking", { preset: "qwen3-non-thinking", temperature: 0.7, topP: 0.8, topK: 20, minP: 0 }],
    ["deepseek-r1", { preset: "deepseek-r1", temperature: 0.6, topP: 0.95 }],
    ["greedy", { preset: "greedy", temperature: 0 }],
  ])("%s resolves to the card's values", (preset, expected) => {
    expect(sampling({ preset })).toStrictEqual(expected);
  });

  test("without a preset: temperature 0 and nothing else, as before presets", () => {
    expect(parseRunConfig(minimal, "run.yaml").sampling).toStrictEqual({ temperature: 0 });
    expect(sampling({ topP: 0.9 })).toStrictEqual({ temperature: 0, topP: 0.9 });
  });

  test("fields set beside the preset win, 0 included; the others come from the preset", () => {
    expect(sampling({ preset: "qwen3-thinking", temperature: 0, topK: 40, seed: 3 })).toStrictEqual({
      preset: "qwen3-thinking",
      temperature: 0,
      topP: 0.95,
      topK: 40,
      minP: 0,
      seed: 3,
    });
    expect(sampling({ preset: "deepseek-r1", minP: 0.05, maxTokens: 32768 })).toStrictEqual({
      preset: "deepseek-r1",
      temperature: 0.6,
      maxTokens: 32768,
      topP: 0.95,
      minP: 0.05,
    });
  });

  test("an unknown preset is a ConfigError naming the field, the value and the presets there are", () => {
    expect(issuesOf(() => sampling({ preset: "qwen4-thinking" }))).toStrictEqual([
      `run.yaml: sampling.preset: unknown sampling preset; ${KNOWN} (got "qwen4-thinking")`,
    ]);
    // Near miss: the name as the card spells the mode, with an underscore.
    expect(issuesOf(() => sampling({ preset: "qwen3_thinking" }))[0]).toMatch(/^run\.yaml: sampling\.preset: /);
  });

  test("topK and minP are checked as vLLM checks them", () => {
    expect(sampling({ topK: -1 })).toStrictEqual({ temperature: 0, topK: -1 });
    const issues = issuesOf(() => sampling({ topK: -2, minP: 1.5 }));
    expect(issues).toHaveLength(2);
    expect(issues[0]).toMatch(/^run\.yaml: sampling\.topK: .*\(got -2\)$/);
    expect(issues[1]).toMatch(/^run\.yaml: sampling\.minP: .*\(got 1\.5\)$/);
    expect(issuesOf(() => sampling({ topK: 2.5 }))[0]).toMatch(/^run\.yaml: sampling\.topK: .*\(got 2\.5\)$/);
  });

  test("flags: --sampling-preset, --top-k and --min-p, over the file's sampling block", () => {
    const raw = applyFlags(
      { ...minimal, sampling: { preset: "qwen3-non-thinking", topK: 50 } },
      { samplingPreset: "qwen3-thinking", topK: "30", minP: "0.1" },
    );
    expect(parseRunConfig(raw, "flags").sampling).toStrictEqual({
      preset: "qwen3-thinking",
      temperature: 0.6,
      topP: 0.95,
      topK: 30,
      minP: 0.1,
    });
    const unknown = applyFlags(minimal, { samplingPreset: "fast" });
    expect(issuesOf(() => parseRunConfig(unknown, "flags"))[0]).toBe(
      `flags: sampling.preset: unknown sampling preset; ${KNOWN} (got "fast")`,
    );
    expect(issuesOf(() => parseRunConfig(applyFlags(minimal, { topK: "many" }), "flags"))[0]).toMatch(
      /^flags: sampling\.topK: .*\(got "many"\)$/,
    );
  });

  test("the manifest's copy parses back to the same settings; an older manifest's block still reads", () => {
    const config = parseRunConfig({ ...minimal, sampling: { preset: "qwen3-thinking", topK: 40 } }, "run.yaml");
    const stored = JSON.parse(JSON.stringify(configForManifest(config))) as unknown;
    expect(parseRunConfig(stored, "manifest.json").sampling).toStrictEqual(config.sampling);
    expect(sampling({ temperature: 0.6, maxTokens: 512, topP: 0.95, seed: 1 })).toStrictEqual({
      temperature: 0.6,
      maxTokens: 512,
      topP: 0.95,
      seed: 1,
    });
  });

  test("the request fingerprint follows the values sent, not the preset's name", () => {
    const named = parseRunConfig({ ...minimal, sampling: { preset: "qwen3-thinking" } }, "x");
    const written = parseRunConfig({ ...minimal, sampling: { temperature: 0.6, topP: 0.95, topK: 20, minP: 0 } }, "x");
    expect(requestFingerprint(named)).toBe(requestFingerprint(written));
    const other = parseRunConfig({ ...minimal, sampling: { preset: "qwen3-thinking", minP: 0.01 } }, "x");
    expect(requestFingerprint(other)).not.toBe(requestFingerprint(named));
  });

  test("extraBody.top_k still works alone, but not beside sampling.topK (the preset's included)", () => {
    const withBody = (extraBody: Record<string, unknown>, block: Record<string, unknown>) =>
      parseRunConfig({ ...minimal, variants: [{ ...minimal.variants[0], extraBody }], sampling: block }, "run.yaml");
    expect(withBody({ top_k: 20 }, {}).variants[0]?.extraBody).toStrictEqual({ top_k: 20 });
    expect(issuesOf(() => withBody({ top_k: 20, min_p: 0 }, { preset: "qwen3-thinking" }))).toStrictEqual([
      "run.yaml: variants[0].extraBody.top_k: sampling.topK sets top_k too " +
        "(here from sampling.preset qwen3-thinking): drop one of the two (got 20)",
      "run.yaml: variants[0].extraBody.min_p: sampling.minP sets min_p too " +
        "(here from sampling.preset qwen3-thinking): drop one of the two (got 0)",
    ]);
    // deepseek-r1 sets no top_k: extraBody may.
    expect(withBody({ top_k: 20 }, { preset: "deepseek-r1" }).sampling.topK).toBeUndefined();
  });
});
