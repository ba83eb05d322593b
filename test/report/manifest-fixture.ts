/** A manifest of a run of suite40 by bf16 (the reference), fp8 and nvfp4, for tests that read runs from disk. */
import { parseRunConfig } from "../../src/config.ts";
import type { Manifest } from "../../src/journal/manifest.ts";

export function manifest(raw: Record<string, unknown> = {}, itemCount = 2): Manifest {
  const config = parseRunConfig(
    {
      variants: [
        { name: "bf16", baseUrl: "http://127.0.0.1:8003/v1", model: "m", batchInvariant: true },
        { name: "fp8", baseUrl: "http://127.0.0.1:8002/v1", model: "m-fp8", batchInvariant: false },
        { name: "nvfp4", baseUrl: "http://127.0.0.1:8001/v1", model: "m-nvfp4" },
      ],
      tasks: ["suite40"],
      ...raw,
    },
    "test",
  );
  return {
    v: 1,
    runId: "r1",
    createdAt: "2025-01-01T00:00:00.000Z",
    updatedAt: "2025-01-01T00:00:00.000Z",
    tool: { name: "quanteval", version: "0.1.0", node: "v24", platform: "linux-x64", dependencies: {} },
    config,
    reference: "bf16",
    tasks: [
      {
        name: "suite40",
        family: "suite40",
        source: { kind: "bundled", path: "evalsets/suite40.jsonl" },
        breakdowns: [],
        options: {},
        itemCount,
        maxTokens: 100,
        samples: 1,
        files: [],
        notices: [],
      },
    ],
    variants: config.variants.map((v) => ({ name: v.name, status: "done" as const })),
    sessions: [],
  };
}
