/**
 * Server start-up in the report, "with / without load time": variants whose server quanteval started get their
 * start-ups summed over sessions and set against the requests' own wall time; variants without a serve block get no row.
 */
import { describe, expect, test } from "vitest";
import { parseRunConfig } from "../../src/config.ts";
import type { Manifest } from "../../src/journal/manifest.ts";
import { renderHtml } from "../../src/report/html.ts";
import { reportInputFromRun } from "../../src/report/index.ts";
import { renderMarkdown } from "../../src/report/markdown.ts";
import { buildReport } from "../../src/report/summary.ts";
import { makeRecord } from "../metrics/records.ts";

/**
 * fp8: two sessions started its server (20 s, then 10 s); two tasks, each spanning 2 s of requests with 2 × 100
 * completion tokens → serving 4 s, 400 tokens: 100 tok/s, and 400 / (4 + 30) with start-up.
 * bf16: served elsewhere (no serve block), so no row.
 */
const RECORDS = [
  makeRecord({
    variant: "fp8",
    task: "suite40",
    itemId: "q1",
    outcome: "correct",
    sentAt: 0,
    doneAt: 1000,
    completionTokens: 100,
  }),
  makeRecord({
    variant: "fp8",
    task: "suite40",
    itemId: "q2",
    outcome: "wrong",
    sentAt: 1000,
    doneAt: 2000,
    completionTokens: 100,
  }),
  makeRecord({
    variant: "fp8",
    task: "math10",
    itemId: "m1",
    outcome: "correct",
    sentAt: 5000,
    doneAt: 7000,
    completionTokens: 100,
  }),
  makeRecord({
    variant: "fp8",
    task: "math10",
    itemId: "m2",
    outcome: "correct",
    sentAt: 5000,
    doneAt: 6000,
    completionTokens: 100,
  }),
  makeRecord({ variant: "bf16", task: "suite40", itemId: "q1", outcome: "correct" }),
  makeRecord({ variant: "bf16", task: "suite40", itemId: "q2", outcome: "correct" }),
];

function manifest(fp8: Partial<Manifest["variants"][number]>): Manifest {
  const config = parseRunConfig(
    {
      variants: [
        { name: "bf16", baseUrl: "http://127.0.0.1:8003/v1", model: "m" },
        {
          name: "fp8",
          baseUrl: "http://127.0.0.1:8000/v1",
          model: "m-fp8",
          serve: { command: ["vllm", "serve", "m-fp8", "--port", "8000"] },
        },
      ],
      tasks: ["suite40"],
    },
    "test",
  );
  const task = (name: string) => ({
    name,
    family: name,
    source: { kind: "bundled" as const, path: `evalsets/${name}.jsonl` },
    breakdowns: [],
    options: {},
    itemCount: 2,
    maxTokens: 100,
    samples: 1,
    files: [],
    notices: [],
  });
  return {
    v: 1,
    runId: "r1",
    createdAt: "2025-01-01T00:00:00.000Z",
    updatedAt: "2025-01-01T00:00:00.000Z",
    tool: { name: "quanteval", version: "0.1.0", node: "v24", platform: "linux-x64", dependencies: {} },
    config,
    reference: "bf16",
    tasks: [task("suite40"), task("math10")],
    variants: [
      { name: "bf16", status: "done" },
      { name: "fp8", status: "done", ...fp8 },
    ],
    sessions: [],
  };
}

describe("server start-up with and without load time", () => {
  test("start-ups sum over sessions; serving time is the tasks' wall time; rates divide the same tokens by each", () => {
    const report = buildReport(
      reportInputFromRun(manifest({ serverStartupSec: 10, serverStartupsSec: [20, 10] }), RECORDS),
    );
    expect(report.serving).toHaveLength(1);
    const fp8 = report.serving[0];
    expect(fp8?.variant).toBe("fp8");
    expect(fp8?.starts).toBe(2);
    expect(fp8?.startupSec).toBe(30);
    expect(fp8?.servingSec).toBeCloseTo(4, 9);
    expect(fp8?.completionTokens).toBe(400);
    expect(fp8?.decodeTps).toBeCloseTo(100, 9);
    expect(fp8?.decodeTpsWithStartup).toBeCloseTo(400 / 34, 9);
  });

  test("a manifest from before the list was kept counts its one recorded start-up", () => {
    const report = buildReport(reportInputFromRun(manifest({ serverStartupSec: 6 }), RECORDS));
    expect(report.serving.map((s) => [s.starts, s.startupSec])).toEqual([[1, 6]]);
  });

  test("report.md and index.html show the section with its legend; without served variants it is left out", () => {
    const report = buildReport(reportInputFromRun(manifest({ serverStartupsSec: [20, 10] }), RECORDS));
    const markdown = renderMarkdown(report);
    const section = markdown.split("## Server start-up (with / without load time)")[1]?.split("\n## ")[0] ?? "";
    expect(section).toMatch(/\| fp8 +\| +2 \| +30\.0 \| +4\.0 \| +34\.0 \| +400 \|/);
    expect(section).toContain("with load time");
    expect(section).not.toContain("bf16");
    const html = renderHtml(report, RECORDS, []);
    expect(html).toContain("Server start-up (with / without load time)");
    expect(html).toMatch(/<td[^>]*>30\.0<\/td>/);

    const unserved = buildReport(reportInputFromRun(manifest({}), RECORDS));
    expect(unserved.serving).toEqual([]);
    expect(renderMarkdown(unserved)).not.toContain("Server start-up");
  });
});
