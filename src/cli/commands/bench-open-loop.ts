/**
 * `quanteval bench`'s open-loop flags → the plan's OpenLoopPlan, as `vllm bench serve` names them:
 * --request-rate (one rate, inf, or a sweep), --burstiness, --max-concurrency, and --seed for the arrival times.
 */
import type { OpenLoopPlan } from "../../loadgen/index.ts";
import type { BenchFlags } from "../flags.ts";
import { parseCount, parsePositiveOrInf } from "./bench-numbers.ts";

const MAX_RATE = 1_000_000;
const MAX_BURSTINESS = 1_000;
const MAX_CONCURRENCY = 4096;
const MAX_SEED = 2 ** 32 - 1;

/** Undefined without --request-rate (a closed loop); problems collect every bad or misplaced flag. */
export function openLoopFromFlags(flags: BenchFlags, problems: string[]): OpenLoopPlan | undefined {
  if (flags.requestRate === undefined) {
    const stray = { "--burstiness": flags.burstiness, "--max-concurrency": flags.maxConcurrency, "--seed": flags.seed };
    for (const [flag, value] of Object.entries(stray)) {
      if (value !== undefined)
        problems.push(`flags: ${flag}: only with --request-rate (an open loop); a closed loop takes --concurrency`);
    }
    return undefined;
  }
  if (flags.concurrency !== undefined) {
    problems.push(
      "flags: --concurrency and --request-rate: give one (a closed loop, or an open loop at a rate); " +
        "cap an open loop's requests in flight with --max-concurrency",
    );
  }
  const requestRates = parseRateList(flags.requestRate, problems);
  const burstiness =
    flags.burstiness === undefined
      ? 1
      : parsePositiveOrInf("--burstiness", flags.burstiness, MAX_BURSTINESS, "e.g. --burstiness 0.5", problems);
  const maxConcurrency =
    flags.maxConcurrency === undefined
      ? undefined
      : parseCount(
          "--max-concurrency",
          flags.maxConcurrency,
          1,
          MAX_CONCURRENCY,
          "e.g. --max-concurrency 64",
          problems,
        );
  const seed = flags.seed === undefined ? 0 : parseCount("--seed", flags.seed, 0, MAX_SEED, "e.g. --seed 0", problems);
  if (burstiness === undefined || seed === undefined) return undefined;
  return { requestRates, burstiness, seed, ...(maxConcurrency === undefined ? {} : { maxConcurrency }) };
}

/** "1,2,4,inf" → [1, 2, 4, Infinity]; each above 0, none twice. */
function parseRateList(text: string, problems: string[]): number[] {
  const values: number[] = [];
  for (const part of text.split(",")) {
    const example = "give one rate in req/s, inf, or a comma-separated sweep, e.g. --request-rate 4 or 1,2,4,8";
    const value = parsePositiveOrInf("--request-rate", part, MAX_RATE, example, problems);
    if (value === undefined) continue;
    if (values.includes(value))
      problems.push(`flags: --request-rate: ${part.trim()} is listed twice (got ${JSON.stringify(text)})`);
    else values.push(value);
  }
  return values;
}
