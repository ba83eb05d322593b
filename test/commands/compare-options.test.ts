/** compare's check of task options: recorded options are compared with today's defaults filled in. */
import { describe, expect, test } from "vitest";
import { parseRunConfig } from "../../src/config.ts";
import type { Manifest } from "../../src/journal/manifest.ts";
import { comparabilityProblems } from "../../src/report/index.ts";

function run(runId: string, options: Record<string, unknown>): Manifest {
  const config = parseRunConfig(
    { variants: [{ name: runId, baseUrl: "http://127.0.0.1:8000/v1", model: "m" }], tasks: ["mmlu_pro"] },
    "test",
  );
  return {
    v: 2,
    runId,
    createdAt: "2026-01-01T00:00:00.000Z",
    updatedAt: "2026-01-01T00:00:00.000Z",
    tool: { name: "quanteval", version: "0.1.0", node: "v24", platform: "linux-x64", dependencies: {} },
    config,
    reference: runId,
    tasks: [
      {
        name: "mmlu_pro",
        family: "mmlu_pro",
        source: { kind: "hub", datasets: ["TIGER-Lab/MMLU-Pro"] },
        breakdowns: ["category"],
        options,
        itemCount: 10,
        maxTokens: 32768,
        samples: 1,
        files: [],
        notices: [],
      },
    ],
    variants: [{ name: runId, status: "done" }],
    sessions: [],
  };
}

describe("comparabilityProblems and task options", () => {
  test("a run recorded before `scoring` existed joins one that records the default, scoring: strict", () => {
    expect(
      comparabilityProblems([run("old", { shots: 0 }), run("new", { shots: 0, scoring: "strict" })], new Map()),
    ).toEqual([]);
  });

  test("runs scored in different modes do not join", () => {
    expect(
      comparabilityProblems([run("a", { shots: 0 }), run("b", { shots: 0, scoring: "official" })], new Map()),
    ).toEqual(["run b vs a: task mmlu_pro differs in items, data revision (sha256), options, max_tokens or samples"]);
  });
});
