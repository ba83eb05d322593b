/** Two imports of an lm-eval task pair only when their task configs agree field by field and read one metric. */
import { describe, expect, test } from "vitest";
import type { ManifestTask } from "../../src/journal/index.ts";
import { lmEvalTaskDifferences } from "../../src/report/lm-eval-comparability.ts";

function task(config: Record<string, unknown>, overrides: Partial<NonNullable<ManifestTask["lmEval"]>> = {}) {
  const info: ManifestTask = {
    name: "gsm8k",
    family: "gsm8k",
    source: { kind: "lm-eval", path: "samples_gsm8k_x.jsonl" },
    breakdowns: [],
    options: {},
    itemCount: 6,
    maxTokens: 256,
    samples: 1,
    files: [],
    notices: [],
    lmEval: {
      taskVersion: 3,
      nShot: 0,
      metric: "exact_match",
      filter: "strict-match",
      metricSource: "default",
      configHash: JSON.stringify(config),
      config,
      ...overrides,
    },
  };
  return info;
}

const CONFIG = {
  num_fewshot: 0,
  generation_kwargs: { until: ["Question:"], temperature: 0 },
  metric_list: [{ metric: "exact_match" }],
};

describe("lmEvalTaskDifferences", () => {
  test("equal configs, metric and items: nothing", () => {
    expect(lmEvalTaskDifferences(task(CONFIG), task(structuredClone(CONFIG)))).toEqual([]);
  });

  test("names each differing field by its path, with both values", () => {
    const other = structuredClone(CONFIG);
    other.generation_kwargs.temperature = 0.6;
    other.metric_list = [{ metric: "exact_match" }, { metric: "f1" }];
    expect(lmEvalTaskDifferences(task(CONFIG), task(other))).toEqual([
      "task gsm8k: lm-eval task config field generation_kwargs.temperature differs (0.6 vs 0)",
      'task gsm8k: lm-eval task config field metric_list differs ([{"metric":"exact_match"},{"metric":"f1"}] vs ' +
        '[{"metric":"exact_match"}])',
    ]);
  });

  test("a field present in one config only is named, as absent in the other", () => {
    expect(lmEvalTaskDifferences(task(CONFIG), task({ ...CONFIG, description: "Solve." }))).toEqual([
      'task gsm8k: lm-eval task config field description differs ("Solve." vs absent)',
    ]);
  });

  test("metadata keys other than version (lm-eval 0.4.8+ copies --model_args there) are not compared", () => {
    const mine = { ...CONFIG, metadata: { version: 3, pretrained: "Qwen/Qwen3-8B", dtype: "bfloat16" } };
    const other = { ...CONFIG, metadata: { version: 3, pretrained: "Qwen/Qwen3-8B-FP8" } };
    expect(lmEvalTaskDifferences(task(mine), task(other))).toEqual([]);
    expect(lmEvalTaskDifferences(task(mine), task({ ...other, metadata: { version: 4 } }))).toEqual([
      "task gsm8k: lm-eval task config field metadata.version differs (4 vs 3)",
    ]);
  });

  test("as many items but other doc_ids: refused, naming a few unpaired ones on each side", () => {
    const ids = (...xs: number[]) => new Set(xs.map(String));
    const same = { mine: ids(0, 1, 2, 3, 4, 5), other: ids(5, 4, 3, 2, 1, 0) };
    expect(lmEvalTaskDifferences(task(CONFIG), task(CONFIG), same)).toEqual([]);
    const shifted = { mine: ids(0, 1, 2, 3, 4, 5), other: ids(0, 6, 7, 8, 9, 10) };
    expect(lmEvalTaskDifferences(task(CONFIG), task(CONFIG), shifted)).toEqual([
      "task gsm8k: doc_ids differ (unpaired: 6, 7, 8, 9, 10 vs 1, 2, 3, 4, 5)",
    ]);
    const many = { mine: ids(0, 1, 2, 3, 4, 5), other: ids(10, 11, 12, 13, 14, 15) };
    expect(lmEvalTaskDifferences(task(CONFIG), task(CONFIG), many)).toEqual([
      "task gsm8k: doc_ids differ (unpaired: 10, 11, 12, 13, 14, … vs 0, 1, 2, 3, 4, …)",
    ]);
  });

  test("another metric, n-shot or task version is refused", () => {
    const problems = lmEvalTaskDifferences(
      task(CONFIG),
      task(CONFIG, { filter: "flexible-extract", nShot: 5, taskVersion: 2 }),
    );
    expect(problems).toEqual([
      "task gsm8k: correct is read from exact_match,flexible-extract vs exact_match,strict-match (import both with the same --metric)",
      "task gsm8k: n-shot differs (5 vs 0)",
      "task gsm8k: task version differs (2 vs 3)",
    ]);
  });

  test("an imported task never pairs with one quanteval asked", () => {
    const { lmEval: _imported, ...asked } = task(CONFIG);
    expect(lmEvalTaskDifferences(task(CONFIG), asked)).toEqual([
      "task gsm8k was imported from lm-eval in one run and asked by quanteval in the other",
    ]);
  });
});
