/**
 * `quanteval diverge` end to end (issue 18): a run of three variants against the simulator, then every variant
 * scores the reference's replies. The simulator perturbs one variant's logprobs with known noise, so the true KL is
 * known per position (trueKl): the estimate recovers it within its interval, a noise-free copy of the reference
 * gives exactly 0, a resumed divergence asks only what is missing, and a variant whose chat template renders the
 * prompt differently is refused at the first differing token.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { forcedJournalPath, readForcedJournal } from "../../src/journal/index.ts";
import { itemDivergence, type PositionLogprobs } from "../../src/metrics/divergence.ts";
import { summarizeDivergence } from "../../src/metrics/divergence-summary.ts";
import type { ReportData } from "../../src/report/index.ts";
import { type SimServer, trueKl } from "../../src/sim/index.ts";
import { PROMPT_VOCABULARY_SIZE } from "../../src/sim/prompt-logprobs.ts";
import { tokenId } from "../../src/sim/tokens.ts";
import { runMain } from "../helpers/run-main.ts";
import { profile, startSuiteSim, tempDir } from "./harness.ts";

const NOISE = 0.3;
/** Every token a simulated position can have: the top-k then holds the whole distribution and the bound is exact. */
const K = PROMPT_VOCABULARY_SIZE;
let sim: SimServer;
let cwd: string;
const artifacts = () => `${cwd}/artifacts`;
const forced = (variant: string) => readForcedJournal(forcedJournalPath(artifacts(), "d1", variant, "suite40"));

beforeAll(async () => {
  const thinking = { reasoning: "field" as const, reasoningTokens: 30, maxLogprobs: K };
  sim = await startSuiteSim([
    profile("m-bf16", thinking),
    profile("m-copy", thinking),
    profile("m-nvfp4", { ...thinking, accuracy: 0.8, logprobNoise: NOISE }),
  ]);
  cwd = tempDir("diverge");
  const variant = (name: string) => ["--variant", name, "--base-url", sim.baseUrl, "--model", `m-${name}`];
  const run = await runMain(
    ["run", ...variant("bf16"), ...variant("copy"), ...variant("nvfp4"), "--tasks", "suite40", "--run-id", "d1"],
    { cwd },
  );
  expect(run.code, run.stderr).toBe(0);
});
afterAll(async () => {
  await sim.close();
});

/** The paired positions of one item from the two journals, as the report reads them. */
function paired(reference: ReturnType<typeof forced>, variant: ReturnType<typeof forced>, itemId: string) {
  const a = reference.records.get(itemId);
  const b = variant.records.get(itemId);
  if (a?.positions === undefined || b?.positions === undefined) throw new Error(`no scores for ${itemId}`);
  expect(b.ids).toStrictEqual(a.ids);
  return a.positions.map(
    (p, i): PositionLogprobs => ({
      token: String(a.ids?.[(a.replyStart ?? 0) + i]),
      reference: p.top,
      variant: b.positions?.[i]?.top ?? {},
      referenceTokenLogprob: p.lp,
      variantTokenLogprob: b.positions?.[i]?.lp ?? Number.NaN,
    }),
  );
}

describe("quanteval diverge", () => {
  test("recovers the simulator's known KL within its interval; the reference's noise-free copy gives exactly 0", async () => {
    const result = await runMain(["diverge", "d1", "--top-k", String(K)], { cwd });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/m?nvfp4\s+done\s+40\s+0\s+0\s+0/);
    const [reference, copy, nvfp4] = ["bf16", "copy", "nvfp4"].map(forced);
    if (reference === undefined || copy === undefined || nvfp4 === undefined) throw new Error("unreachable");
    expect(reference.records.size).toBe(40);
    const ids = [...reference.records.keys()];
    for (const id of ids) {
      const item = itemDivergence(paired(reference, copy, id));
      expect(item).toMatchObject({ meanKl: 0, maxKl: 0, top1Agreement: 1, firstDivergence: null });
      expect(copy.records.get(id)?.divergence).toStrictEqual({ ...item, lnPplRatio: 0 });
    }
    // The estimate per item against the exact per-position truth of the simulator's noise.
    const items = ids.map((id) => {
      const record = reference.records.get(id);
      const truth = trueKl(record?.ids ?? [], record?.replyStart ?? 0, { seed: 0, model: "m-nvfp4", noise: NOISE });
      const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
      const positions = paired(reference, nvfp4, id);
      const estimate = itemDivergence(positions);
      // The figures the runner stored with the scores are those of the positions stored beside them.
      const delta = mean(positions.map((p) => (p.variantTokenLogprob ?? 0) - (p.referenceTokenLogprob ?? 0)));
      expect(nvfp4.records.get(id)?.divergence).toStrictEqual({ ...estimate, lnPplRatio: -delta });
      return { estimate, truth: mean(truth) };
    });
    const summary = summarizeDivergence(
      items.map((i) => ({ divergence: i.estimate, flipped: false })),
      { resamples: 2000, seed: 0, stream: "test" },
    );
    const truth = items.reduce((s, i) => s + i.truth, 0) / items.length;
    expect(truth).toBeGreaterThan(0.01);
    expect(summary.meanKl.low).toBeLessThanOrEqual(truth);
    expect(summary.meanKl.high).toBeGreaterThanOrEqual(truth);
    // With the whole distribution listed, each item's estimate is the truth itself (to rounding).
    for (const item of items) expect(item.estimate.meanKl).toBeCloseTo(item.truth, 9);
    // The report the command wrote says the same: its interval holds the truth, the copy is exactly 0.
    const scores = JSON.parse(readFileSync(`${cwd}/reports/d1/scores.json`, "utf8")) as ReportData;
    const row = (variant: string) => scores.divergence?.rows.find((r) => r.variant === variant);
    expect(row("nvfp4")?.n).toBe(40);
    expect(row("nvfp4")?.summary?.meanKl.value).toBeCloseTo(summary.meanKl.value, 12);
    expect(row("nvfp4")?.summary?.meanKl.low).toBeLessThanOrEqual(truth);
    expect(row("nvfp4")?.summary?.meanKl.high).toBeGreaterThanOrEqual(truth);
    expect(row("copy")?.summary?.meanKl).toStrictEqual({ value: 0, low: 0, high: 0 });
    expect(readFileSync(`${cwd}/reports/d1/report.md`, "utf8")).toContain("Token divergence vs reference");
    // The reasoning was forced too: the reply starts with the opening thought tag the parser had split off.
    for (const record of reference.records.values())
      expect(record.ids?.[record.replyStart ?? 0]).toBe(tokenId("<think>"));
  });

  test("resumed: only the items missing from the journal are asked", async () => {
    const file = forcedJournalPath(artifacts(), "d1", "nvfp4", "suite40");
    const lines = readFileSync(file, "utf8").trimEnd().split("\n");
    writeFileSync(file, `${lines.slice(0, 35).join("\n")}\n`);
    const result = await runMain(["diverge", "d1", "--top-k", String(K)], { cwd });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/nvfp4\s+done\s+5\s+35\s+0\s+0/);
    expect(result.stdout).toMatch(/bf16\s+done\s+0\s+40\s+0\s+0/);
    expect(forced("nvfp4").records.size).toBe(40);
    // Another top-k would mix two partitions in one table: refused, naming the file and the settings.
    const other = await runMain(["diverge", "d1", "--top-k", "10"], { cwd });
    expect(other.code).toBe(2);
    expect(other.stderr).toContain(`scored with --top-k ${K}; this session asks --top-k 10`);
  });

  test("bad flags are refused before any run is read, each named with its value and an example", async () => {
    const result = await runMain(
      ["diverge", "no-such-run", "--top-k", "0", "--items", "some", "--concurrency", "5000"],
      {
        cwd,
      },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("invalid diverge flags:");
    expect(result.stderr).toContain('flags: --top-k: must be a whole number from 1 to 1000000000 (got "0")');
    expect(result.stderr).toContain('flags: --items: must be a whole number from 1 to 1000000000 (got "some"); e.g.');
    expect(result.stderr).toContain('flags: --concurrency: must be a whole number from 1 to 4096 (got "5000")');
    expect(result.stderr).not.toContain("no-such-run");
  });

  test("--items: a subset fixed by the item ids, the same for every variant; all of them later", async () => {
    const own = tempDir("diverge-items");
    const variant = (name: string) => ["--variant", name, "--base-url", sim.baseUrl, "--model", `m-${name}`];
    const run = await runMain(
      ["run", ...variant("bf16"), ...variant("nvfp4"), "--tasks", "suite40", "--limit", "8", "--run-id", "it"],
      { cwd: own },
    );
    expect(run.code, run.stderr).toBe(0);
    const ids = (variant: string) => [
      ...readForcedJournal(forcedJournalPath(`${own}/artifacts`, "it", variant, "suite40")).records.keys(),
    ];
    const some = await runMain(["diverge", "it", "--items", "3"], { cwd: own });
    expect(some.code, some.stderr).toBe(0);
    expect(ids("bf16").sort()).toStrictEqual(ids("nvfp4").sort());
    expect(ids("nvfp4")).toHaveLength(3);
    const all = await runMain(["diverge", "it", "--items", "all"], { cwd: own });
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toMatch(/nvfp4\s+done\s+5\s+3\s+0\s+0/);
    expect(ids("nvfp4")).toHaveLength(8);
  });

  test("a variant whose template renders the prompt differently is refused at the first differing token", async () => {
    const own = tempDir("diverge-mismatch");
    const variant = (name: string, extraBody = {}) => ({ name, baseUrl: sim.baseUrl, model: `m-${name}`, extraBody });
    const thinkingOff = { chat_template_kwargs: { enable_thinking: false } };
    const config = { variants: [variant("bf16"), variant("copy", thinkingOff)], tasks: ["suite40"], limit: 3 };
    writeFileSync(`${own}/run.json`, JSON.stringify(config));
    const run = await runMain(["run", "-c", "run.json", "--run-id", "mm"], { cwd: own });
    expect(run.code, run.stderr).toBe(0);
    const result = await runMain(["diverge", "mm"], { cwd: own });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/copy\s+failed\s+0\s+0\s+0\s+0\s+E_TOKENIZATION_MISMATCH/);
    expect(result.stderr).toContain("[copy] error[E_TOKENIZATION_MISMATCH]");
    expect(result.stderr).toContain("the token ids differ first at position");
    expect(result.stderr).toContain("fix: serve every variant with the same tokenizer and chat template");
    // Nothing of the refused variant is kept; the reference's scores are.
    expect(readForcedJournal(forcedJournalPath(`${own}/artifacts`, "mm", "copy", "suite40")).records.size).toBe(0);
    expect(readForcedJournal(forcedJournalPath(`${own}/artifacts`, "mm", "bf16", "suite40")).records.size).toBe(3);
    // A config that asks something else than the run did is refused before anything is asked.
    writeFileSync(`${own}/moved.json`, JSON.stringify({ ...config, limit: 4 }));
    const moved = await runMain(["diverge", "mm", "-c", "moved.json"], { cwd: own });
    expect(moved.code).toBe(2);
    expect(moved.stderr).toContain("fix: make moved.json ask what run mm asked");
  });
});
