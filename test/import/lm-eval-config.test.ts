/** The run config an lm-eval import records: names from lm-eval's model fields, the server, the temperature. */
import { describe, expect, test } from "vitest";
import { importConfig } from "../../src/import/lm-eval-config.ts";

function output(configs: Record<string, Record<string, unknown>>, config: Record<string, unknown>, modelName?: string) {
  return {
    resultsFile: "results_x.json",
    dateId: "x",
    results: { results: {}, configs, config, ...(modelName !== undefined ? { model_name: modelName } : {}) },
  };
}
const OPTIONS = { artifacts: "artifacts" };
const GENERATE = (temperature: number) => ({ output_type: "generate_until", generation_kwargs: { temperature } });
const CHOICE = { output_type: "multiple_choice" };

describe("importConfig", () => {
  test("variant and run id default from the model name, as lm-eval recorded it", () => {
    const imported = importConfig(output({ arc: CHOICE }, { model: "vllm" }, "Qwen/Qwen3-8B-FP8"), ["arc"], OPTIONS);
    expect([imported.model, imported.variant, imported.runId]).toEqual([
      "Qwen/Qwen3-8B-FP8",
      "Qwen3-8B-FP8",
      "lm-eval-Qwen3-8B-FP8",
    ]);
  });

  test("without model_name, the model comes from model_args in lm-eval's order (pretrained before model)", () => {
    const args = "model=served-name,pretrained=org/weights,base_url=http://127.0.0.1:8000/v1/completions";
    const imported = importConfig(
      output({ arc: CHOICE }, { model: "local-completions", model_args: args }),
      ["arc"],
      OPTIONS,
    );
    expect(imported.model).toBe("org/weights");
    // The server lm-eval asked, as model_args names it.
    expect(imported.config.variants[0]?.baseUrl).toBe("http://127.0.0.1:8000/v1/completions");
  });

  test("no base_url, or one with credentials: the stand-in URL that never resolves", () => {
    const withKey = "pretrained=m,base_url=http://user:secret@10.0.0.1:8000/v1";
    for (const args of ["pretrained=m", withKey]) {
      const imported = importConfig(output({ arc: CHOICE }, { model_args: args }), ["arc"], OPTIONS);
      expect(imported.config.variants[0]?.baseUrl).toBe("http://lm-eval.invalid/");
    }
  });

  test("the temperature the generating tasks agree on; 0 when they disagree", () => {
    const agree = importConfig(output({ a: GENERATE(0.6), b: GENERATE(0.6), c: CHOICE }, {}), ["a", "b", "c"], OPTIONS);
    expect(agree.config.sampling.temperature).toBe(0.6);
    const differ = importConfig(output({ a: GENERATE(0.6), b: GENERATE(1) }, {}), ["a", "b"], OPTIONS);
    expect(differ.config.sampling.temperature).toBe(0);
  });

  test("--variant and --run-id win; a name that cannot name a folder is refused", () => {
    const named = importConfig(output({ arc: CHOICE }, {}, "m"), ["arc"], { ...OPTIONS, variant: "fp8", runId: "r1" });
    expect([named.variant, named.runId]).toEqual(["fp8", "r1"]);
    expect(() => importConfig(output({ arc: CHOICE }, {}, "m"), ["arc"], { ...OPTIONS, variant: "a/b" })).toThrow(
      "variants.0.name: must be letters, digits",
    );
  });
});
