/**
 * Latency targets (`--slo ttft=500ms,tpot=50ms,e2e=20s`), which of them each request met, and goodput: the requests
 * per second and output tokens per second of the requests that met every target. Semantics as `vllm bench serve
 * --goodput` (vllm/benchmarks/serve.py, calculate_metrics): a request is good when each measured value is at most
 * its target (`s >= r`), TPOT is (E2E − TTFT) / (output tokens − 1) and counts as 0 for a one-token reply, and a
 * failed request is never good. Unlike vLLM we also divide by every request sent, not only the completed ones, in
 * the per-target shares, so failures count as misses there too. Pure.
 */
import { ConfigError } from "../core/errors.ts";
import { tpotMs } from "../metrics/index.ts";
import type { RequestOutcome } from "./closed-loop.ts";

export const SLO_METRICS = ["ttft", "tpot", "e2e"] as const;
export type SloMetric = (typeof SLO_METRICS)[number];

/** Targets in ms; a metric without a target does not bind. */
export type Slo = Partial<Record<SloMetric, number>>;

/** Which targets one request met; `all` over the targets given. */
export type SloVerdict = Partial<Record<SloMetric, boolean>> & { all: boolean };

export interface Goodput {
  /** Requests sent (n for every share). */
  requests: number;
  /** Requests that met every target. */
  good: number;
  /** good / wall time. */
  requests_per_s: number;
  /** Output (completion) tokens of the good requests / wall time. */
  output_tokens_per_s: number;
  /** Share of requests that met every target, then each target alone. */
  share_met: Partial<Record<SloMetric, number>> & { all: number };
}

const SLO_HINT = "give targets as metric=value with a unit, e.g. --slo ttft=500ms,tpot=50ms,e2e=20s (ms or s)";
/** vLLM's --goodput names E2E `e2el`; both are accepted. */
const ALIASES: Readonly<Record<string, SloMetric>> = { ttft: "ttft", tpot: "tpot", e2e: "e2e", e2el: "e2e" };
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000 };

/** "ttft=500ms,tpot=50ms,e2e=20s" → { ttft: 500, tpot: 50, e2e: 20000 }. Throws ConfigError naming each bad piece. */
export function parseSlo(text: string, flag = "--slo"): Slo {
  const problems: string[] = [];
  const slo = parseSloInto(text, problems, flag);
  if (problems.length > 0) throw new ConfigError(problems, SLO_HINT, "bench flags");
  return slo;
}

/** parseSlo for a caller that gathers every flag's problems before throwing: each bad piece goes to `problems`. */
export function parseSloInto(text: string, problems: string[], flag = "--slo"): Slo {
  const slo: Slo = {};
  for (const piece of text.split(",").map((p) => p.trim())) {
    const match = /^([A-Za-z0-9]+)\s*=\s*([0-9]*\.?[0-9]+)\s*([A-Za-z]*)$/.exec(piece);
    if (match === null) {
      problems.push(`flags: ${flag}: "${piece}" is not metric=value (got ${JSON.stringify(text)})`);
      continue;
    }
    const [, name = "", value = "", unit = ""] = match;
    const metric = ALIASES[name.toLowerCase()];
    const scale = UNIT_MS[unit.toLowerCase()];
    if (metric === undefined) {
      const itl = name.toLowerCase() === "itl" ? " (ITL has no per-request target in vLLM's goodput; use tpot)" : "";
      problems.push(`flags: ${flag}: unknown metric "${name}" in "${piece}": use ttft, tpot or e2e${itl}`);
    } else if (scale === undefined) {
      const got = unit === "" ? "no unit" : `unit "${unit}"`;
      problems.push(`flags: ${flag}: "${piece}" has ${got}: write ${name}=${value}ms or ${name}=${value}s`);
    } else if (slo[metric] !== undefined) {
      problems.push(`flags: ${flag}: ${metric} is given twice (got ${JSON.stringify(text)})`);
    } else if (!(Number(value) > 0)) {
      problems.push(`flags: ${flag}: "${piece}": a target must be more than 0`);
    } else {
      slo[metric] = Number(value) * scale;
    }
  }
  return slo;
}

/** The targets given, in SLO_METRICS order. */
export function sloMetricsOf(slo: Slo): SloMetric[] {
  return SLO_METRICS.filter((metric) => slo[metric] !== undefined);
}

/**
 * One request's measured value per metric, ms: null when it failed, or (TTFT, TPOT) when no token was seen to arrive
 * (not streamed). TPOT of a reply of one token or none is 0, as vLLM counts it.
 */
export function sloValuesMs(outcome: RequestOutcome): Record<SloMetric, number | null> {
  if (!outcome.ok) return { ttft: null, tpot: null, e2e: null };
  const { timing, usage } = outcome;
  const streamed = timing.firstTokenAt !== undefined;
  return {
    ttft: streamed ? (timing.firstTokenAt ?? 0) - timing.sentAt : null,
    tpot: streamed ? (tpotMs(timing, usage.completionTokens) ?? 0) : null,
    e2e: timing.doneAt - timing.sentAt,
  };
}

/** Which targets one request met. A value that could not be measured (failure, not streamed) is a miss. */
export function sloVerdict(outcome: RequestOutcome, slo: Slo): SloVerdict {
  const values = sloValuesMs(outcome);
  const verdict: SloVerdict = { all: true };
  for (const metric of sloMetricsOf(slo)) {
    const value = values[metric];
    const met = value !== null && value <= (slo[metric] ?? Infinity);
    verdict[metric] = met;
    verdict.all &&= met;
  }
  return verdict;
}

/** Goodput of one level: its outcomes (every request sent) over its wall time. */
export function summarizeGoodput(outcomes: readonly RequestOutcome[], wallTimeMs: number, slo: Slo): Goodput {
  const seconds = Math.max(0, wallTimeMs) / 1000;
  const perSecond = (n: number): number => (seconds > 0 ? n / seconds : 0);
  const verdicts = outcomes.map((outcome) => ({ outcome, verdict: sloVerdict(outcome, slo) }));
  const good = verdicts.filter((v) => v.verdict.all);
  const goodTokens = good.reduce((n, v) => n + (v.outcome.ok ? v.outcome.usage.completionTokens : 0), 0);
  const share = (count: number): number => (outcomes.length === 0 ? 0 : count / outcomes.length);
  const shareMet: Goodput["share_met"] = { all: share(good.length) };
  for (const metric of sloMetricsOf(slo)) shareMet[metric] = share(verdicts.filter((v) => v.verdict[metric]).length);
  return {
    requests: outcomes.length,
    good: good.length,
    requests_per_s: perSecond(good.length),
    output_tokens_per_s: perSecond(goodTokens),
    share_met: shareMet,
  };
}

/** The targets as bench.json records them: metric_ms → target. */
export function sloSettings(slo: Slo): Partial<Record<`${SloMetric}_ms`, number>> {
  const out: Partial<Record<`${SloMetric}_ms`, number>> = {};
  for (const metric of sloMetricsOf(slo)) {
    const target = slo[metric];
    if (target !== undefined) out[`${metric}_ms`] = target;
  }
  return out;
}
