/** Serving time per served variant, with and without its server start-ups. */
import type { ReportInput, ServingTime, TaskReport } from "./report-types.ts";

export function servingTimes(variants: ReportInput["variants"], tasks: readonly TaskReport[]): ServingTime[] {
  return variants.flatMap((v) => {
    const startups = v.serverStartupsSec ?? [];
    if (startups.length === 0) return [];
    const summaries = tasks.flatMap((t) => t.throughput.filter((x) => x.variant === v.name).map((x) => x.summary));
    const servingSec = summaries.reduce((total, s) => total + s.total_time_s, 0);
    const completionTokens = summaries.reduce((total, s) => total + s.token_usage.completion_tokens_total, 0);
    const startupSec = startups.reduce((total, s) => total + s, 0);
    const rate = (seconds: number) => (seconds > 0 ? completionTokens / seconds : 0);
    return [
      {
        variant: v.name,
        starts: startups.length,
        startupSec,
        servingSec,
        completionTokens,
        decodeTps: rate(servingSec),
        decodeTpsWithStartup: rate(servingSec + startupSec),
      },
    ];
  });
}
