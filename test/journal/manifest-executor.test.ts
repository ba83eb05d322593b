/** tasks[].executor (manifest format 5): written as settled, and a resume that would change it is refused. */
import { describe, expect, test } from "vitest";
import { parseRunConfig } from "../../src/config.ts";
import { ConfigError } from "../../src/core/errors.ts";
import { type ManifestTask, newManifest, resumeManifest } from "../../src/journal/manifest.ts";
import { ROOT } from "../helpers/task-data.ts";

const config = parseRunConfig(
  { variants: [{ name: "bf16", baseUrl: "http://127.0.0.1:8003/v1", model: "m" }], tasks: ["livecodebench"] },
  "test",
);
const task = (executor: ManifestTask["executor"]): { info: ManifestTask } => ({
  info: {
    name: "livecodebench",
    family: "livecodebench",
    source: { kind: "hub", datasets: ["livecodebench/code_generation_lite"] },
    breakdowns: [],
    options: {},
    itemCount: 1,
    maxTokens: 100,
    samples: 1,
    files: [],
    notices: [],
    ...(executor === undefined ? {} : { executor }),
  },
});
const now = () => 0;

describe("the manifest's executor", () => {
  test("a resume with the same executor goes on; with another it is refused, naming both and the fix", () => {
    const started = newManifest("r1", config, [task("native")], ROOT, now);
    expect(started.v).toBe(6);
    expect(resumeManifest(started, config, [task("native")], now).tasks[0]?.executor).toBe("native");
    expect(() => resumeManifest(started, config, [task("pyodide")], now)).toThrow(ConfigError);
    expect(() => resumeManifest(started, config, [task("pyodide")], now)).toThrow(
      "task livecodebench was graded by the native Python executor, now it would be pyodide " +
        "(set taskOptions.livecodebench.executor: native)",
    );
  });

  test("a run from before the field (no executor recorded) resumes under either", () => {
    const started = newManifest("r1", config, [task(undefined)], ROOT, now);
    expect(resumeManifest(started, config, [task("pyodide")], now).tasks[0]?.executor).toBe("pyodide");
  });
});
