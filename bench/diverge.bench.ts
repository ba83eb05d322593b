/**
 * The cost of `quanteval diverge` (issue 18) against the simulator in this process: a run of 1,000 items of a task
 * of our own (a generated JSONL file) on a reference and two variants, one a noise-free copy of the reference and
 * one with known logprob noise, then `diverge --top-k 20 --concurrency 16` through the CLI's main().
 *
 * Requests are counted where they arrive, in the simulator's request log (one line per /tokenize and
 * /v1/completions, naming the model), not from the client's formula. Variants are scored one after another: the
 * reference's time runs from the command's start to its last record (recordedAt), each other's from the previous
 * variant's last record to its own (its GET /v1/models check included; the report written at the end is not).
 * The simulator shares this process and its 2 cores with the client: it hashes every prefix and draws every
 * position's distribution, so time and positions/s are upper bounds on what quanteval itself costs.
 *
 * Accuracy of the bound: the noisy variant's mean KL (per-item means, then the mean over items) divided by the
 * simulator's exact KL over its whole small vocabulary (trueKl), at k = 20 and, in a second session on the same
 * replies, at k = PROMPT_VOCABULARY_SIZE where the top-k holds the whole distribution.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { loadSimTasks } from "../src/cli/commands/sim.ts";
import { pairPositions } from "../src/client/index.ts";
import { forcedJournalPath, readForcedJournal } from "../src/journal/index.ts";
import { itemDivergence } from "../src/metrics/index.ts";
import { forcedOfRecord } from "../src/runner/index.ts";
import { SimServer, type SimVariantProfile, simItemsFromTasks, trueKl } from "../src/sim/index.ts";
import { PROMPT_VOCABULARY_SIZE } from "../src/sim/prompt-logprobs.ts";
import { runMain } from "../test/helpers/run-main.ts";
import type { Bench, Figure } from "./figures.ts";

const ROOT = join(import.meta.dirname, "..");
const ITEMS = 1000;
const TOP_K = 20;
const CONCURRENCY = 16;
const NOISE = 0.3;
const SEED = 0;
const TASK = "sums";
const RUN_ID = "div";
/** Reasoning split off by the parser, put back between <think> tags when forced: about this many tokens a reply. */
const REASONING_TOKENS = 200;
const VARIANTS = [
  { name: "bf16", model: "m-bf16", accuracy: 0.9 },
  { name: "copy", model: "m-copy", accuracy: 0.9 },
  { name: "noisy", model: "m-noisy", accuracy: 0.85, logprobNoise: NOISE },
] as const;

function profiles(): SimVariantProfile[] {
  return VARIANTS.map(({ model, accuracy, ...rest }) => ({
    model,
    accuracy,
    unansweredRate: 0,
    reasoning: "field",
    reasoningTokens: REASONING_TOKENS,
    speed: "instant",
    maxLogprobs: PROMPT_VOCABULARY_SIZE,
    ...("logprobNoise" in rest ? { logprobNoise: rest.logprobNoise } : {}),
  }));
}

/** 1,000 additions as a JSONL task file, and the run config that defines the task and names the variants. */
function writeRunFiles(dir: string, baseUrl: string): string {
  const rows = Array.from({ length: ITEMS }, (_, i) => {
    const [a, b] = [(i * 7919) % 1000, (i * 104_729) % 997];
    return JSON.stringify({ id: `s${i}`, question: `What is ${a} + ${b}?`, answer: a + b });
  });
  writeFileSync(join(dir, "sums.jsonl"), `${rows.join("\n")}\n`);
  const config = {
    variants: VARIANTS.map((v) => ({ name: v.name, baseUrl, model: v.model })),
    reference: "bf16",
    tasks: [TASK],
    customTasks: [
      {
        name: TASK,
        data: { file: "sums.jsonl" },
        id: "id",
        prompt: "{question}",
        gold: "answer",
        answer: { type: "integer" },
      },
    ],
    concurrency: 64,
  };
  const file = join(dir, "run.json");
  writeFileSync(file, JSON.stringify(config));
  return file;
}

/** `quanteval <args>` in this process; throws unless it exits 0. */
async function quanteval(args: string[], cwd: string): Promise<void> {
  const result = await runMain(args, { cwd });
  if (result.code !== 0) throw new Error(`quanteval ${args.join(" ")}: exit ${result.code}\n${result.stderr}`);
}

/** A phase's start on stderr, so a long bench shows where it is. */
function progress(phase: string): void {
  console.error(`  [diverge bench ${new Date().toISOString().slice(11, 19)}] ${phase}`);
}

const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;

/** The noisy variant's mean KL estimate over the mean of the simulator's exact KL, items weighted alike. */
function estimateOverTruth(artifacts: string): { ratio: number; estimate: number; truth: number } {
  const journal = (variant: string) => readForcedJournal(forcedJournalPath(artifacts, RUN_ID, variant, TASK)).records;
  const [reference, noisy] = [journal("bf16"), journal("noisy")];
  const estimates: number[] = [];
  const truths: number[] = [];
  for (const [itemId, ref] of reference) {
    const other = noisy.get(itemId);
    if (other === undefined || ref.ids === undefined) throw new Error(`${itemId}: not scored on both sides`);
    const positions = pairPositions(forcedOfRecord(ref), forcedOfRecord(other));
    estimates.push(itemDivergence(positions).meanKl);
    truths.push(mean(trueKl(ref.ids, ref.replyStart ?? 0, { seed: SEED, model: "m-noisy", noise: NOISE })));
  }
  const [estimate, truth] = [mean(estimates), mean(truths)];
  return { ratio: estimate / truth, estimate, truth };
}

export const bench: Bench = async () => {
  const dir = mkdtempSync(join(tmpdir(), "qe-diverge-bench-"));
  const artifacts = join(dir, "artifacts");
  const config = writeRunFiles(dir, "http://127.0.0.1:9/v1");
  const io = { stdout: () => {}, stderr: () => {}, env: {}, cwd: dir, isTty: false };
  const loaded = await loadSimTasks({ config, tasks: "", tokenize: true }, { root: ROOT, io });
  // Requests per model as the simulator logs them: "sim: <model>: tokenize …" and "sim: <model>: completion of …".
  const requests = new Map<string, number>();
  let counting = false;
  const sim = await SimServer.start({
    seed: SEED,
    variants: profiles(),
    items: simItemsFromTasks(loaded),
    log: (line) => {
      const asked = /^sim: (\S+): (tokenize|completion) /.exec(line);
      if (counting && asked?.[1] !== undefined) requests.set(asked[1], (requests.get(asked[1]) ?? 0) + 1);
    },
  });
  const loads = [loadavg()[0] ?? 0];
  try {
    writeRunFiles(dir, sim.baseUrl);
    progress(`run: ${ITEMS} items × ${VARIANTS.length} variants`);
    await quanteval(["run", "-c", "run.json", "--run-id", RUN_ID], dir);
    progress(`diverge: top-${TOP_K}`);
    counting = true;
    const startedAt = Date.now();
    const diverge = ["diverge", RUN_ID, "--top-k", String(TOP_K), "--concurrency", String(CONCURRENCY)];
    await quanteval(diverge, dir);
    counting = false;
    loads.push(loadavg()[0] ?? 0);
    const figures: Figure[] = [];
    const perThousand = ITEMS / 1000;
    // Variants are scored one after another: each one's time runs from the previous one's last record.
    let since = startedAt;
    const times: string[] = [];
    for (const { name, model } of VARIANTS) {
      const file = forcedJournalPath(artifacts, RUN_ID, name, TASK);
      const records = [...readForcedJournal(file).records.values()];
      if (records.length !== ITEMS || records.some((r) => r.error !== undefined))
        throw new Error(`${name}: ${records.length} records, some failed`);
      const positions = records.reduce((sum, r) => sum + (r.positions?.length ?? 0), 0);
      const retried = records.filter((r) => r.attempts > 1).length;
      const perItem = (positions / ITEMS).toFixed(0);
      const until = Math.max(...records.map((r) => r.recordedAt));
      const seconds = (until - since) / 1000;
      since = until;
      times.push(`${name} ${seconds.toFixed(1)} s`);
      figures.push(
        {
          name: `${name}: requests / 1,000 items`,
          measures:
            `/tokenize and /v1/completions requests the simulator received for ${model}, per 1,000 items ` +
            `(${retried} item(s) retried)`,
          n: ITEMS,
          value: { value: (requests.get(model) ?? 0) / perThousand, unit: "requests" },
        },
        {
          name: `${name}: time / 1,000 items`,
          measures: `wall time of the variant's ${ITEMS} teacher-forced items, top-${TOP_K}, ${CONCURRENCY} in flight`,
          n: ITEMS,
          value: { value: seconds / perThousand, unit: "s" },
        },
        {
          name: `${name}: positions/s`,
          measures: `reply positions scored per second (${positions} positions, ${perItem} per item)`,
          n: positions,
          rate: { value: positions / seconds, unit: "positions/s" },
        },
        {
          name: `${name}: journal / 1,000 items`,
          measures: `bytes of divergence/${name}/${TASK}.jsonl at top-${TOP_K}, per 1,000 items`,
          n: ITEMS,
          value: { value: statSync(file).size / perThousand / 1e6, unit: "MB" },
        },
      );
    }
    const atTopK = estimateOverTruth(artifacts);
    progress(`top-${TOP_K} done: ${times.join(", ")}`);
    // The same replies again with the whole distribution listed: a fresh divergence, reference and noisy only.
    rmSync(join(artifacts, RUN_ID, "divergence"), { recursive: true });
    progress(`diverge again: top-${PROMPT_VOCABULARY_SIZE}, reference and noisy`);
    const whole = ["diverge", RUN_ID, "--top-k", String(PROMPT_VOCABULARY_SIZE), "--variants", "noisy"];
    await quanteval([...whole, "--concurrency", String(CONCURRENCY)], dir);
    const atVocabulary = estimateOverTruth(artifacts);
    loads.push(loadavg()[0] ?? 0);
    for (const [k, { ratio, estimate, truth }] of [
      [TOP_K, atTopK],
      [PROMPT_VOCABULARY_SIZE, atVocabulary],
    ] as const)
      figures.push({
        name: `mean KL estimate / truth, k=${k}`,
        measures:
          `noisy (σ ${NOISE}): mean KL ${estimate.toFixed(5)} nats over the exact ${truth.toFixed(5)} ` +
          `(vocabulary ${PROMPT_VOCABULARY_SIZE} tokens a position)`,
        n: ITEMS,
        value: { value: ratio, unit: "× truth" },
      });
    console.log(
      `  (1-minute load average ${loads.map((l) => l.toFixed(1)).join(" → ")} on ${availableParallelism()} cores)`,
    );
    return figures;
  } finally {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
};
