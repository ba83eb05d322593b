/**
 * The cost of building the report (issue 16 added recovery, verdicts and speed × accuracy, each with its own
 * bootstrap): buildReport on hand-made journals the size of a full MMLU-Pro run (12,032 items × 3 variants, 14
 * categories) and of an AIME run with 8 samples per item (30 items × 8 × 3), 10,000 resamples as by default.
 */
import type { Figure } from "../bench/figures.ts";
import { seededRandom } from "../src/core/seeded-random.ts";
import { DEFAULT_BOOTSTRAP_SEED, DEFAULT_RESAMPLES } from "../src/metrics/index.ts";
import type { ReportInput } from "../src/report/report-types.ts";
import { buildReport } from "../src/report/summary.ts";
import { makeRecord } from "../test/metrics/records.ts";

const VARIANTS = ["bf16", "fp8", "nvfp4"] as const;
const ACCURACY: Record<(typeof VARIANTS)[number], number> = { bf16: 0.72, fp8: 0.715, nvfp4: 0.7 };

function input(task: string, items: number, samples: number, categories: number): ReportInput {
  const uniform = seededRandom("report bench", task);
  const records = [];
  for (let i = 0; i < items; i++) {
    const easy = uniform(); // one draw per item shared by the variants, so their verdicts correlate as real ones do
    for (const variant of VARIANTS) {
      for (let s = 0; s < samples; s++) {
        const right = samples === 1 ? easy < ACCURACY[variant] : uniform() < ACCURACY[variant] + (easy - 0.5) / 2;
        records.push(
          makeRecord({
            variant,
            task,
            itemId: `q${i}`,
            ...(samples > 1 ? { sample: s } : {}),
            labels: { category: `c${i % categories}` },
            outcome: right ? "correct" : "wrong",
            completionTokens: 200 + Math.floor(uniform() * 800),
            sentAt: i * 10,
            doneAt: i * 10 + 500,
          }),
        );
      }
    }
  }
  return {
    runId: "bench",
    reference: "bf16",
    variants: VARIANTS.map((name) => ({ name, model: name, endpoint: "http://127.0.0.1:1/v1", status: "done" })),
    tasks: [{ name: task, breakdowns: categories > 1 ? ["category"] : [], itemCount: items, samples }],
    sampling: { temperature: samples > 1 ? 0.6 : 0 },
    concurrency: 64,
    stream: true,
    records,
    bootstrap: { resamples: DEFAULT_RESAMPLES, seed: DEFAULT_BOOTSTRAP_SEED },
  };
}

function timeBuild(name: string, measures: string, built: ReportInput, rounds: number): Figure {
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const started = performance.now();
    buildReport(built);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return {
    name,
    measures,
    n: rounds,
    value: { value: times[Math.floor(rounds / 2)] ?? Number.NaN, unit: "ms (median)" },
  };
}

export async function bench(): Promise<Figure[]> {
  return [
    timeBuild(
      "report, MMLU-Pro size",
      "buildReport on 12,032 items × 3 variants, 14 category rows, 10,000 resamples per delta",
      input("mmlu_pro", 12_032, 1, 14),
      3,
    ),
    timeBuild(
      "report, AIME × 8 samples",
      "buildReport on 30 items × 8 samples × 3 variants (avg@8, clustered bootstrap), 10,000 resamples",
      input("aime25", 30, 8, 1),
      5,
    ),
  ];
}
