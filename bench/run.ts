/**
 * `npm run bench`: runs every bench/*.bench.ts in name order, prints its figures and writes them to
 * bench/results/<name>.json. A bench file exports `bench: Bench` (see figures.ts). Pass names to run only those
 * (`npm run bench -- graders`).
 */
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type Bench, type BenchReport, formatFigure } from "./figures.ts";

const BENCH_DIR = import.meta.dirname;
const RESULTS_DIR = join(BENCH_DIR, "results");
const SUFFIX = ".bench.ts";

const wanted = process.argv.slice(2);
const files = readdirSync(BENCH_DIR)
  .filter((file) => file.endsWith(SUFFIX))
  .filter((file) => wanted.length === 0 || wanted.includes(file.slice(0, -SUFFIX.length)))
  .sort();
if (files.length === 0) {
  console.error(`no bench file matches ${wanted.join(", ")}`);
  process.exit(1);
}

mkdirSync(RESULTS_DIR, { recursive: true });
for (const file of files) {
  const name = file.slice(0, -SUFFIX.length);
  const module = (await import(pathToFileURL(join(BENCH_DIR, file)).href)) as { bench?: Bench };
  if (typeof module.bench !== "function") throw new Error(`${file} does not export a bench function`);
  console.log(`${name}:`);
  const started = performance.now();
  const figures = await module.bench();
  const width = Math.max(...figures.map((f) => f.name.length));
  for (const figure of figures) console.log(`  ${formatFigure(figure, width)}`);
  const report: BenchReport & { node: string; cpus: number; ranAt: string; seconds: number } = {
    name,
    node: process.version,
    cpus: (await import("node:os")).availableParallelism(),
    ranAt: new Date().toISOString(),
    seconds: (performance.now() - started) / 1000,
    figures,
  };
  writeFileSync(join(RESULTS_DIR, `${name}.json`), `${JSON.stringify(report, null, 2)}\n`);
  console.log(`  (${report.seconds.toFixed(1)} s; written to bench/results/${name}.json)`);
}
