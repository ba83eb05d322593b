/** report.md's run header: the sampling line says the preset and every value sent. */
import { describe, expect, test } from "vitest";
import { engineCell, header } from "../../src/report/markdown-run.ts";
import type { ReportInput } from "../../src/report/report-types.ts";
import { buildReport } from "../../src/report/summary.ts";
import { reportInput } from "./fixture.ts";

const samplingLine = (sampling: ReportInput["sampling"]) =>
  header(buildReport(reportInput({ sampling })))
    .split("\n")
    .find((line) => line.startsWith("- Sampling:"));

describe("the run header's sampling line", () => {
  test("a preset is named before the values it resolved to, top_k and min_p included", () => {
    expect(samplingLine({ preset: "qwen3-thinking", temperature: 0.6, topP: 0.95, topK: 20, minP: 0, seed: 7 })).toBe(
      "- Sampling: preset qwen3-thinking: temperature 0.6, max_tokens per task (see Tasks), top_p 0.95, top_k 20, " +
        "min_p 0, seed 7",
    );
  });

  test("without a preset (an older manifest), the values alone, as before", () => {
    expect(samplingLine({ temperature: 0, maxTokens: 4096 })).toBe("- Sampling: temperature 0, max_tokens 4096");
    expect(samplingLine({ temperature: 0.7, topK: -1 })).toBe(
      "- Sampling: temperature 0.7, max_tokens per task (see Tasks), top_k -1",
    );
  });
});

describe("the variant table's engine cell", () => {
  test("says who named the engine, and where the version came from", () => {
    expect(engineCell({ name: "sglang", version: "0.5.0", source: "server", evidence: "GET /get_server_info" })).toBe(
      "SGLang 0.5.0 (server)",
    );
    expect(engineCell({ name: "lmdeploy", source: "serve-command", evidence: "serve.command" })).toBe(
      "LMDeploy (version not stated) (serve command)",
    );
    const tagged = { version: "0.10.1", versionFrom: "image-tag", evidence: "serve.command image" } as const;
    expect(engineCell({ name: "lmdeploy", source: "server", ...tagged })).toBe(
      "LMDeploy 0.10.1 (server; version from image tag)",
    );
    expect(engineCell({ name: "lmdeploy", source: "serve-command", ...tagged })).toBe(
      "LMDeploy 0.10.1 (serve command; version from image tag)",
    );
  });
});
