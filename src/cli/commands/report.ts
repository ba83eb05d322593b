/** `quanteval report`'s flags: `--resamples` and `--bootstrap-seed`, checked like the config's `report` block. */
import { ReportConfigSchema } from "../../config.ts";
import { ConfigError } from "../../core/errors.ts";
import type { ReportStatsOptions } from "../../report/index.ts";
import { failBelowFromFlag } from "../fail-below.ts";

// main.ts loads this module for `report` and `compare` and takes these from it.
export { renderPrecisionTable, writeReport } from "../../report/index.ts";
export { gateOutcome } from "../fail-below.ts";

/**
 * `--resamples <n>` and `--bootstrap-seed <n>` as commander hands them over (strings), checked by the same schema as
 * the config's `report` block, so the limits and messages agree.
 */
export function reportStatsFromFlags(flags: {
  resamples?: string;
  bootstrapSeed?: string;
  failBelow?: string;
}): ReportStatsOptions {
  const failBelow = failBelowFromFlag(flags.failBelow);
  const raw: Record<string, unknown> = {};
  if (flags.resamples !== undefined) raw.bootstrapResamples = asNumber(flags.resamples);
  if (flags.bootstrapSeed !== undefined) raw.bootstrapSeed = asNumber(flags.bootstrapSeed);
  // The whole block is parsed (the absent field takes its default, which is valid); only the given flags are kept.
  const parsed = ReportConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const flagOf: Record<string, string> = { bootstrapResamples: "--resamples", bootstrapSeed: "--bootstrap-seed" };
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const key = String(issue.path[0] ?? "");
        return `flags: ${flagOf[key] ?? key} ${String(raw[key])}: ${issue.message}`;
      }),
      "give --resamples a whole number from 100 to 1000000 (default 10000) and --bootstrap-seed a whole number >= 0",
      "report options",
    );
  }
  return {
    ...(flags.resamples !== undefined ? { resamples: parsed.data.bootstrapResamples } : {}),
    ...(flags.bootstrapSeed !== undefined ? { bootstrapSeed: parsed.data.bootstrapSeed } : {}),
    ...(failBelow !== undefined ? { failBelow } : {}),
  };
}

function asNumber(text: string): number | string {
  const value = Number(text.replace(/_/g, ""));
  return text.trim() === "" || Number.isNaN(value) ? text : value;
}
