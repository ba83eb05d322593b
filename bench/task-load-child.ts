/**
 * Loads one task once in a fresh process, as `quanteval run` does (loadTasks: read, check, build prompts, hash the
 * files), and prints what it cost as JSON: the first load's time, and memory before and after, each after a full
 * GC. Run by bench/loader.bench.ts as `node --expose-gc bench/task-load-child.ts <task> <data-dir>`.
 */
import { resolve } from "node:path";
import { dataAccessFor, openDatasets } from "../src/datasets/open.ts";
import { loadTasks } from "../src/runner/load-tasks.ts";

export interface TaskLoadCost {
  task: string;
  items: number;
  loadMs: number;
  heapBeforeMb: number;
  heapAfterMb: number;
  rssBeforeMb: number;
  rssAfterMb: number;
  /** Growth of the process's peak RSS over the load: the transient cost (file bytes, decoded pages, rows). */
  peakRssGrowthMb: number;
}

const MB = 1024 * 1024;
const ROOT = resolve(import.meta.dirname, "..");

const [task, dataDir] = process.argv.slice(2);
const gc = (globalThis as { gc?: () => void }).gc;
if (task === undefined || dataDir === undefined || gc === undefined) {
  process.stderr.write("usage: node --expose-gc bench/task-load-child.ts <task> <data-dir>\n");
  process.exit(2);
}
gc();
const before = process.memoryUsage();
const peakBeforeKb = process.resourceUsage().maxRSS;
const started = performance.now();
const loaded = await loadTasks(
  { tasks: [task], taskOptions: {}, sampling: { temperature: 0 } },
  ROOT,
  openDatasets(ROOT, dataAccessFor({ dataDir, offline: true }, process.env, {})),
  () => {},
);
const loadMs = performance.now() - started;
gc();
const after = process.memoryUsage();
const cost: TaskLoadCost = {
  task,
  items: loaded.reduce((sum, t) => sum + t.items.length, 0),
  loadMs,
  heapBeforeMb: before.heapUsed / MB,
  heapAfterMb: after.heapUsed / MB,
  rssBeforeMb: before.rss / MB,
  rssAfterMb: after.rss / MB,
  peakRssGrowthMb: (process.resourceUsage().maxRSS - peakBeforeKb) / 1024,
};
process.stdout.write(`${JSON.stringify(cost)}\n`);
