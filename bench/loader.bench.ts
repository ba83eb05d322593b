/**
 * Dataset load time (issue 7): the real MMLU-Pro test split (parquet, 12,032 rows) loaded as `quanteval run` loads
 * it (loadTasks: read and decompress, check every row, build the prompts, hash the file), with MATH-500 (JSONL, 500
 * rows) for comparison. The first load runs in a fresh process (cold: what a user waits for at start-up, with its
 * memory measured around full GCs); then five loads in this process give the warm median.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { dataAccessFor, openDatasets } from "../src/datasets/open.ts";
import { loadTasks } from "../src/runner/load-tasks.ts";
import { type Bench, type Figure, figureFromTimes, timeEach } from "./figures.ts";
import { MATH_500_TEST, MMLU_PRO_TEST, REAL_DATA_DIR } from "./real-data.ts";
import { ROOT } from "./sim-child.ts";
import type { TaskLoadCost } from "./task-load-child.ts";

const WARM_LOADS = 5;
const CHILD = join(import.meta.dirname, "task-load-child.ts");

const TASKS = [
  { task: "mmlu_pro", file: MMLU_PRO_TEST, what: "MMLU-Pro test split (parquet, 4.2 MB)" },
  { task: "math500", file: MATH_500_TEST, what: "MATH-500 (JSONL, 0.4 MB)" },
] as const;

async function firstLoad(task: string): Promise<TaskLoadCost> {
  const { stdout } = await promisify(execFile)(process.execPath, ["--expose-gc", CHILD, task, REAL_DATA_DIR], {
    cwd: ROOT,
  });
  return JSON.parse(stdout) as TaskLoadCost;
}

async function loadOnce(task: string): Promise<number> {
  const loaded = await loadTasks(
    { tasks: [task], taskOptions: {}, sampling: { temperature: 0 } },
    ROOT,
    openDatasets(ROOT, dataAccessFor({ dataDir: REAL_DATA_DIR, offline: true }, process.env, {})),
    () => {},
  );
  return loaded.reduce((sum, t) => sum + t.items.length, 0);
}

const mb = (value: number): string => `${value.toFixed(1)} MB`;

export const bench: Bench = async () => {
  const figures: Figure[] = [];
  for (const { task, file, what } of TASKS) {
    if (!existsSync(file)) {
      const why = `skipped: no ${what} at ${file} (set QUANTEVAL_REAL_DATA to the folder of real benchmark files)`;
      process.stderr.write(`  loader: ${task}: ${why}\n`);
      figures.push({ name: `${task} load`, n: 0, measures: why });
      continue;
    }
    const cold = await firstLoad(task);
    figures.push({
      name: `${task} load, first`,
      n: 1,
      value: { value: cold.loadMs, unit: "ms" },
      measures: `${cold.items} items from the ${what}, first load in a fresh node process (${Math.round((cold.items / cold.loadMs) * 1000).toLocaleString("en-US")} items/s)`,
    });
    figures.push({
      name: `${task} load memory`,
      n: 1,
      value: { value: cold.heapAfterMb - cold.heapBeforeMb, unit: "MB heap kept" },
      measures: `same fresh process, around full GCs: heap ${mb(cold.heapBeforeMb)} → ${mb(cold.heapAfterMb)} with the items kept, RSS ${mb(cold.rssBeforeMb)} → ${mb(cold.rssAfterMb)}, peak RSS +${mb(cold.peakRssGrowthMb)} during the load`,
    });
    let items = 0;
    const { timesMs, totalMs } = await timeEach(
      Array.from({ length: WARM_LOADS }, () => task),
      async (name) => {
        items = await loadOnce(name);
      },
    );
    const warm = figureFromTimes(
      `${task} load, warm`,
      `loadTasks as \`quanteval run\` calls it, ${WARM_LOADS} times in this process (after other loads), ${items} items each`,
      timesMs,
      totalMs,
      "loads/s",
      "ms",
    );
    const medianMs = warm.latency?.p50 ?? Number.NaN;
    figures.push({
      ...warm,
      rate: { value: (items / medianMs) * 1000, unit: "items/s" },
      measures: `${warm.measures}; items/s from the median load`,
    });
  }
  return figures;
};
