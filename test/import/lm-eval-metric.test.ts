/** Which lm-eval per-sample metric counts as correct, and the config hash that ties two imports together. */
import { describe, expect, test } from "vitest";
import { ConfigError } from "../../src/core/errors.ts";
import { canonicalJson } from "../../src/import/canonical-json.ts";
import { chooseMetric, parseMetricFlags } from "../../src/import/lm-eval-metric.ts";

const GSM8K = {
  metric_list: [{ metric: "exact_match", aggregation: "mean", higher_is_better: true }],
  filter_list: [{ name: "strict-match" }, { name: "flexible-extract" }],
};
const GSM8K_REPORTED = {
  alias: "gsm8k",
  "exact_match,strict-match": 0.5,
  "exact_match_stderr,strict-match": 0.2,
  "exact_match,flexible-extract": 0.6,
  "exact_match_stderr,flexible-extract": 0.2,
};
const ARC = { metric_list: [{ metric: "acc" }, { metric: "acc_norm" }] };
const ARC_REPORTED = { "acc,none": 0.5, "acc_stderr,none": 0.1, "acc_norm,none": 0.6, "acc_norm_stderr,none": 0.1 };

describe("chooseMetric", () => {
  test("default: the first metric of metric_list under the first filter of filter_list, else 'none'", () => {
    expect(chooseMetric("gsm8k", GSM8K, GSM8K_REPORTED, undefined, "r.json")).toEqual({
      metric: "exact_match",
      filter: "strict-match",
      source: "default",
    });
    expect(chooseMetric("arc_easy", ARC, ARC_REPORTED, undefined, "r.json")).toEqual({
      metric: "acc",
      filter: "none",
      source: "default",
    });
  });

  test("a flag picks the metric, and the filter when it names one", () => {
    expect(chooseMetric("arc_easy", ARC, ARC_REPORTED, { metric: "acc_norm" }, "r.json")).toEqual({
      metric: "acc_norm",
      filter: "none",
      source: "flag",
    });
    const flexible = { metric: "exact_match", filter: "flexible-extract" };
    expect(chooseMetric("gsm8k", GSM8K, GSM8K_REPORTED, flexible, "r.json").filter).toBe("flexible-extract");
  });

  test("a pair the results file does not report is refused, listing what it reports (stderr keys left out)", () => {
    expect(() =>
      chooseMetric("gsm8k", GSM8K, GSM8K_REPORTED, { metric: "exact_match", filter: "none" }, "r.json"),
    ).toThrow(
      'task gsm8k: the results file reports no "exact_match,none" (it reports: exact_match,strict-match ' +
        "exact_match,flexible-extract)",
    );
  });
});

describe("parseMetricFlags", () => {
  test("task=metric and task=metric,filter", () => {
    const flags = parseMetricFlags(["gsm8k=exact_match,flexible-extract", "arc_easy=acc_norm"]);
    expect(flags.get("gsm8k")).toEqual({ metric: "exact_match", filter: "flexible-extract" });
    expect(flags.get("arc_easy")).toEqual({ metric: "acc_norm" });
  });

  test.each(["gsm8k", "gsm8k=", "=acc", "gsm8k=exact match"])("refuses %j", (flag) => {
    expect(() => parseMetricFlags([flag])).toThrow(ConfigError);
  });
});

describe("canonicalJson", () => {
  test("key order at any depth does not change the text; array order and values do", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 2], c: null } })).toBe(canonicalJson({ a: { c: null, d: [1, 2] }, b: 1 }));
    expect(canonicalJson({ a: [1, 2] })).not.toBe(canonicalJson({ a: [2, 1] }));
    expect(canonicalJson({ a: 1 })).not.toBe(canonicalJson({ a: "1" }));
  });
});
