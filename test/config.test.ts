import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { configFromFlags } from "../src/cli/commands/run.ts";
import { applyFlags } from "../src/cli/config-flags.ts";
import {
  configForManifest,
  parseRunConfig,
  readConfigFile,
  requestDifferences,
  requestFingerprint,
  resolveApiKeys,
} from "../src/config.ts";
import { issuesOf, MINIMAL_CONFIG } from "./helpers/config-issues.ts";

const minimal = MINIMAL_CONFIG;

function tempFile(name: string, text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "qe-config-")), name);
  writeFileSync(file, text);
  return file;
}

describe("parseRunConfig", () => {
  test("fills defaults from the schema: temperature 0, concurrency 16, sequential, streaming", () => {
    const config = parseRunConfig(minimal, "run.yaml");
    expect(config.sampling.temperature).toBe(0);
    expect(config.sampling.maxTokens).toBeUndefined();
    expect(config.concurrency).toBe(16);
    expect(config.schedule).toBe("sequential");
    expect(config.stream).toBe(true);
    expect(config.output).toEqual({ artifacts: "artifacts", reports: "reports" });
    expect(config.variants[0]?.extraBody).toEqual({});
  });

  test("a base URL without a scheme is rejected by field path with the value given", () => {
    const issues = issuesOf(() =>
      parseRunConfig({ ...minimal, variants: [{ ...minimal.variants[0], baseUrl: "localhost:8000" }] }, "run.yaml"),
    );
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^run\.yaml: variants\[0\]\.baseUrl: .*http\(s\) URL.*\(got "localhost:8000"\)$/);
  });

  test("a variant's tokenizer is a folder or hub id; an empty one is rejected by field path", () => {
    const withTokenizer = (tokenizer: unknown) =>
      parseRunConfig({ ...minimal, variants: [{ ...minimal.variants[0], tokenizer }] }, "run.yaml");
    expect(withTokenizer("Qwen/Qwen3-8B").variants[0]?.tokenizer).toBe("Qwen/Qwen3-8B");
    expect(parseRunConfig(minimal, "run.yaml").variants[0]?.tokenizer).toBeUndefined();
    const issues = issuesOf(() => withTokenizer(""));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^run\.yaml: variants\[0\]\.tokenizer: /);
  });

  test("a snake_case or misspelt field fails with a suggestion instead of vanishing", () => {
    const issues = issuesOf(() =>
      parseRunConfig({ ...minimal, sampling: { max_tokens: 512 }, concurency: 4 }, "run.yaml"),
    );
    expect(issues).toContain('run.yaml: sampling: unknown field "max_tokens" (did you mean "maxTokens"?)');
    expect(issues).toContain('run.yaml: (top level): unknown field "concurency" (did you mean "concurrency"?)');
  });

  test("reference must name a variant; variant names must be unique", () => {
    const issues = issuesOf(() =>
      parseRunConfig({ ...minimal, variants: [minimal.variants[0], minimal.variants[0]], reference: "fp8" }, "c.json"),
    );
    expect(issues.some((i) => i.startsWith('c.json: variants[1].name: duplicate variant name "bf16"'))).toBe(true);
    expect(issues.some((i) => i.startsWith("c.json: reference: must be one of variants[].name (bf16)"))).toBe(true);
  });

  test("missing variants and tasks say how to give them", () => {
    expect(issuesOf(() => parseRunConfig({}, "flags"))).toEqual([
      "flags: variants: missing: list variants in a config file (-c run.yaml) or give --base-url and --model (got nothing)",
      "flags: tasks: missing: name tasks in the config or with --tasks (e.g. --tasks suite40) (got nothing)",
    ]);
  });

  test("every problem is listed at once, not just the first", () => {
    const issues = issuesOf(() => parseRunConfig({ variants: [], tasks: [], concurrency: 0 }, "c.yaml"));
    expect(issues.length).toBe(3);
  });
});

describe("readConfigFile", () => {
  test("reads YAML and JSON", () => {
    expect(readConfigFile(tempFile("a.yaml", "tasks: [suite40]\nconcurrency: 4\n"), process.cwd())).toEqual({
      tasks: ["suite40"],
      concurrency: 4,
    });
    expect(readConfigFile(tempFile("a.json", '{"tasks":["suite40"]}'), process.cwd())).toEqual({ tasks: ["suite40"] });
  });

  test("a syntax error names the file and the line", () => {
    const file = tempFile("bad.yaml", "tasks: [suite40\nconcurrency: 4\n");
    const issues = issuesOf(() => readConfigFile(file, process.cwd()));
    expect(issues[0]).toContain(file);
    expect(issues[0]).toMatch(/line \d+/);
  });

  test("a missing file says so", () => {
    expect(issuesOf(() => readConfigFile("/nonexistent/run.yaml", process.cwd()))[0]).toMatch(
      /^\/nonexistent\/run\.yaml: cannot read the file/,
    );
  });
});

describe("flags", () => {
  test("a run works from flags alone", () => {
    const config = configFromFlags(
      {
        baseUrl: ["http://10.0.0.1:8000"],
        model: ["Qwen/Qwen3-32B-FP8"],
        tasks: "suite40",
        limit: "5",
        maxTokens: "256",
      },
      undefined,
      process.cwd(),
    );
    expect(config.variants).toEqual([
      { name: "Qwen3-32B-FP8", baseUrl: "http://10.0.0.1:8000", model: "Qwen/Qwen3-32B-FP8", extraBody: {} },
    ]);
    expect(config.limit).toBe(5);
    expect(config.sampling.maxTokens).toBe(256);
  });

  test("repeated variant flags go in step; a single base URL is shared", () => {
    const config = configFromFlags(
      { variant: ["bf16", "fp8"], model: ["m-bf16", "m-fp8"], baseUrl: ["http://127.0.0.1:8000/v1"], tasks: "suite40" },
      undefined,
      process.cwd(),
    );
    expect(config.variants.map((v) => [v.name, v.model, v.baseUrl])).toEqual([
      ["bf16", "m-bf16", "http://127.0.0.1:8000/v1"],
      ["fp8", "m-fp8", "http://127.0.0.1:8000/v1"],
    ]);
  });

  test("mismatched repeat counts are an error, not a silent zip", () => {
    const issues = issuesOf(() =>
      configFromFlags(
        { variant: ["a", "b", "c"], model: ["m1", "m2"], baseUrl: ["http://h:1"], tasks: "suite40" },
        undefined,
        process.cwd(),
      ),
    );
    expect(issues[0]).toMatch(/--model: given 2 times but other variant flags 3 times/);
  });

  test("flags override the file, and a bad number is reported with what was typed", () => {
    const file = tempFile(
      "run.yaml",
      "variants:\n  - {name: bf16, baseUrl: 'http://127.0.0.1:8000/v1', model: m}\ntasks: [suite40]\nconcurrency: 4\n",
    );
    expect(configFromFlags({ config: file, concurrency: "32" }, undefined, process.cwd()).concurrency).toBe(32);
    const issues = issuesOf(() => configFromFlags({ config: file, concurrency: "lots" }, undefined, process.cwd()));
    expect(issues[0]).toMatch(
      new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: concurrency: .*\\(got "lots"\\)$`),
    );
  });

  test("--set reaches any field, with YAML-typed values", () => {
    const raw = applyFlags(minimal, {
      set: ["variants[0].extraBody.chat_template_kwargs.enable_thinking=false", "sampling.seed=7"],
    });
    const config = parseRunConfig(raw, "flags");
    expect(config.variants[0]?.extraBody).toEqual({ chat_template_kwargs: { enable_thinking: false } });
    expect(config.sampling.seed).toBe(7);
    expect(issuesOf(() => applyFlags(minimal, { set: ["novalue"] }))[0]).toMatch(/expected path=value/);
    expect(issuesOf(() => applyFlags(minimal, { set: ["a..b=1"] }))[0]).toMatch(/cannot read the path/);
  });

  test("--scicode-h5 sets taskOptions.scicode.h5 and keeps the config's other scicode options", () => {
    const raw = applyFlags(
      { ...minimal, taskOptions: { scicode: { withBackground: true } } },
      { scicodeH5: "/data/test_data.h5" },
    );
    expect(parseRunConfig(raw, "flags").taskOptions).toEqual({
      scicode: { withBackground: true, h5: "/data/test_data.h5" },
    });
  });

  test("a variant flag given once applies to every variant of the config; given per variant, in step", () => {
    const file = tempFile(
      "three.yaml",
      [
        "variants:",
        "  - {name: nvfp4, baseUrl: 'http://127.0.0.1:8000/v1', model: m-nvfp4}",
        "  - {name: fp8, baseUrl: 'http://127.0.0.1:8000/v1', model: m-fp8}",
        "  - {name: bf16, baseUrl: 'http://127.0.0.1:8000/v1', model: m-bf16}",
        "tasks: [suite40]",
      ].join("\n"),
    );
    const moved = configFromFlags({ config: file, baseUrl: ["http://127.0.0.1:9000/v1"] }, undefined, process.cwd());
    expect(moved.variants.map((v) => [v.name, v.model, v.baseUrl])).toEqual([
      ["nvfp4", "m-nvfp4", "http://127.0.0.1:9000/v1"],
      ["fp8", "m-fp8", "http://127.0.0.1:9000/v1"],
      ["bf16", "m-bf16", "http://127.0.0.1:9000/v1"],
    ]);
    const renamed = configFromFlags({ config: file, model: ["a", "b", "c"] }, undefined, process.cwd());
    expect(renamed.variants.map((v) => v.model)).toEqual(["a", "b", "c"]);
    expect(issuesOf(() => configFromFlags({ config: file, model: ["a", "b"] }, undefined, process.cwd()))[0]).toMatch(
      /--model: given 2 times but the config has 3 variants/,
    );
  });

  test("--base-url names a variant's servers: a comma list adds replicas, and configured replicas are replaced", () => {
    const file = tempFile(
      "replicas.yaml",
      [
        "variants:",
        "  - {name: fp8, baseUrl: 'http://127.0.0.1:8000/v1', replicas: ['http://127.0.0.1:8001/v1'], model: m-fp8}",
        "  - {name: bf16, baseUrl: 'http://127.0.0.1:8000/v1', model: m-bf16}",
        "tasks: [suite40]",
      ].join("\n"),
    );
    const kept = configFromFlags({ config: file }, undefined, process.cwd());
    expect(kept.variants[0]?.replicas).toEqual(["http://127.0.0.1:8001/v1"]);
    const moved = configFromFlags({ config: file, baseUrl: ["http://127.0.0.1:9000/v1"] }, undefined, process.cwd());
    expect(moved.variants.map((v) => [v.baseUrl, v.replicas])).toEqual([
      ["http://127.0.0.1:9000/v1", undefined],
      ["http://127.0.0.1:9000/v1", undefined],
    ]);
    const pair = configFromFlags(
      { config: file, baseUrl: ["http://127.0.0.1:9000/v1, http://127.0.0.1:9001/v1"] },
      undefined,
      process.cwd(),
    );
    expect(pair.variants.map((v) => [v.baseUrl, v.replicas])).toEqual([
      ["http://127.0.0.1:9000/v1", ["http://127.0.0.1:9001/v1"]],
      ["http://127.0.0.1:9000/v1", ["http://127.0.0.1:9001/v1"]],
    ]);
    expect(
      issuesOf(() =>
        configFromFlags(
          { config: file, baseUrl: ["http://127.0.0.1:9000/v1,localhost:9001"] },
          undefined,
          process.cwd(),
        ),
      )[0],
    ).toMatch(/variants\[0\]\.replicas\[0\]: must be an http\(s\) URL/);
  });
});

describe("secrets", () => {
  test("credentials in a base URL are refused, without echoing them", () => {
    const issues = issuesOf(() =>
      parseRunConfig(
        { ...minimal, variants: [{ ...minimal.variants[0], baseUrl: "http://u:sk-leak@127.0.0.1:8000/v1" }] },
        "run.yaml",
      ),
    );
    expect(issues[0]).toMatch(
      /^run\.yaml: variants\[0\]\.baseUrl: must not contain credentials.*\(got "http:\/\/\*\*\*@127\.0\.0\.1:8000\/v1"\)$/,
    );
    expect(issues[0]).not.toContain("sk-leak");
  });

  test("a key pasted where the variable name belongs is not echoed back", () => {
    const issues = issuesOf(() =>
      parseRunConfig({ ...minimal, variants: [{ ...minimal.variants[0], apiKeyEnv: "sk-abc-123" }] }, "run.yaml"),
    );
    expect(issues).toEqual(["run.yaml: variants[0].apiKeyEnv: must be an environment variable name (value not shown)"]);
  });

  const withKey = { ...minimal, variants: [{ ...minimal.variants[0], apiKeyEnv: "QE_TEST_KEY" }] };

  test("the key comes from the named variable and never enters the stored config", () => {
    const config = parseRunConfig(withKey, "run.yaml");
    expect(resolveApiKeys(config, { QE_TEST_KEY: "sk-secret-123" })).toEqual({ bf16: "sk-secret-123" });
    expect(JSON.stringify(configForManifest(config))).not.toContain("sk-secret-123");
  });

  test("a named but unset variable is an error naming the field", () => {
    const config = parseRunConfig(withKey, "run.yaml");
    expect(issuesOf(() => resolveApiKeys(config, {}))).toEqual([
      "variants[0].apiKeyEnv: environment variable QE_TEST_KEY is not set",
    ]);
  });
});

test("a resume's differences name each field that shapes a request, with both values", () => {
  const run = parseRunConfig(minimal, "x");
  const faster = parseRunConfig({ ...minimal, concurrency: 64, timeoutSec: 5 }, "x");
  expect(requestDifferences(run, faster, "r1")).toEqual([]);
  const changed = parseRunConfig({ ...minimal, tasks: ["suite40", "aime24"], limit: 3 }, "x");
  expect(requestDifferences(run, changed, "r1")).toEqual([
    'tasks: ["suite40"] in run r1, ["suite40","aime24"] now',
    "limit: none in run r1, 3 now",
  ]);
});

test("a resume refused for a changed custom task names each differing field of its definition", () => {
  const task = (name: string, extra: Record<string, unknown> = {}) => ({
    name,
    data: { file: "q.jsonl" },
    prompt: "What is the capital of {country}? ".repeat(5),
    gold: "capital",
    answer: { type: "exact" },
    ...extra,
  });
  const config = (...customTasks: unknown[]) => parseRunConfig({ ...minimal, customTasks }, "x");
  const run = config(task("capitals"), task("rivers"));
  const long = JSON.stringify(task("capitals").prompt);
  const changed = config(
    task("capitals", { prompt: "Capital of {country}?", answer: { type: "exact", ignoreCase: true } }),
    task("lakes"),
  );
  expect(requestDifferences(run, changed, "r1")).toEqual([
    // A long value is still cut short; the path says where to look.
    `customTasks.capitals.prompt: ${long.slice(0, 97)}... in run r1, "Capital of {country}?" now`,
    "customTasks.capitals.answer.ignoreCase: false in run r1, true now",
    "customTasks.rivers: defined in run r1, not now",
    "customTasks.lakes: not in run r1, defined now",
  ]);
});

test("the request fingerprint changes with anything that shapes a request, not with concurrency", () => {
  const a = parseRunConfig(minimal, "x");
  expect(requestFingerprint(parseRunConfig({ ...minimal, concurrency: 64 }, "x"))).toBe(requestFingerprint(a));
  expect(requestFingerprint(parseRunConfig({ ...minimal, sampling: { temperature: 0.6 } }, "x"))).not.toBe(
    requestFingerprint(a),
  );
  expect(requestFingerprint(parseRunConfig({ ...minimal, limit: 3 }, "x"))).not.toBe(requestFingerprint(a));
});

describe("a key written into a base URL is never echoed", () => {
  test.each([["user:sk-SECRET123@127.0.0.1:8000/v1"], ["http://user:sk-SECRET123@127.0.0.1:8000/v1"]])(
    "%s",
    (baseUrl) => {
      const issues = issuesOf(() =>
        parseRunConfig({ variants: [{ name: "a", baseUrl, model: "m" }], tasks: ["suite40"] }, "run.yaml"),
      );
      expect(issues.join("\n")).toMatch(/variants\[0\]\.baseUrl/);
      expect(issues.join("\n")).not.toContain("sk-SECRET123");
    },
  );
});
