/**
 * What a benchmark reports, and the arithmetic behind it. A bench file (`bench/*.bench.ts`) exports `bench`, a
 * function returning its figures; bench/run.ts prints them and writes them to bench/results/<name>.json.
 */

export interface Figure {
  /** Short name, e.g. "math equivalence". */
  name: string;
  /** What is measured, in a sentence. */
  measures: string;
  /** Operations (or samples) measured. */
  n: number;
  /** Operations per second over the whole run, with its unit ("checks/s"). */
  rate?: { value: number; unit: string };
  /** Per-operation time: median and 90th percentile. */
  latency?: { p50: number; p90: number; unit: "µs" | "ms" };
  /** One measured quantity that is not a rate: a ratio, a time, a size ({ value: 0.96, unit: "× raw client" }). */
  value?: { value: number; unit: string };
  /** The issue's target for this figure, printed beside it (">= 0.9", "< 500 MB"). */
  target?: string;
}

export interface BenchReport {
  /** The file's name without .bench.ts: the results file is bench/results/<name>.json. */
  name: string;
  figures: Figure[];
}

export type Bench = () => Promise<Figure[]>;

/** The q-quantile of sorted values (nearest rank). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index] as number;
}

/** A figure from per-operation times in milliseconds and the total wall time of the run. */
export function figureFromTimes(
  name: string,
  measures: string,
  timesMs: readonly number[],
  totalMs: number,
  rateUnit: string,
  latencyUnit: "µs" | "ms",
): Figure {
  const sorted = [...timesMs].sort((a, b) => a - b);
  const scale = latencyUnit === "µs" ? 1000 : 1;
  return {
    name,
    measures,
    n: timesMs.length,
    rate: { value: (timesMs.length / totalMs) * 1000, unit: rateUnit },
    latency: { p50: quantile(sorted, 0.5) * scale, p90: quantile(sorted, 0.9) * scale, unit: latencyUnit },
  };
}

/** Runs `operation` once per input, timing each; returns the times (ms) and the total (ms). */
export async function timeEach<T>(
  inputs: readonly T[],
  operation: (input: T) => unknown,
): Promise<{ timesMs: number[]; totalMs: number }> {
  const timesMs: number[] = [];
  const started = performance.now();
  for (const input of inputs) {
    const before = performance.now();
    await operation(input);
    timesMs.push(performance.now() - before);
  }
  return { timesMs, totalMs: performance.now() - started };
}

const number = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const precise = new Intl.NumberFormat("en-US", { maximumSignificantDigits: 3 });

function amount(value: number): string {
  return value >= 100 ? number.format(value) : precise.format(value);
}

/**
 * `math equivalence  n=2000  41,233 checks/s  (p50 18 µs, p90 95 µs)  mathEqual over …`, or with a value and
 * its target: `items/s ratio, c=16  n=2000  0.96 × raw client (target >= 0.9)  …`
 */
export function formatFigure(figure: Figure, nameWidth: number): string {
  const parts = [figure.name.padEnd(nameWidth), `n=${figure.n}`.padEnd(8)];
  const measured = figure.rate ?? figure.value;
  const target = figure.target === undefined ? "" : ` (target ${figure.target})`;
  parts.push((measured === undefined ? "" : `${amount(measured.value)} ${measured.unit}${target}`).padEnd(26));
  const latency = figure.latency;
  parts.push(
    (latency === undefined
      ? ""
      : `(p50 ${amount(latency.p50)} ${latency.unit}, p90 ${amount(latency.p90)} ${latency.unit})`
    ).padEnd(32),
  );
  parts.push(figure.measures);
  return parts.join("  ");
}
