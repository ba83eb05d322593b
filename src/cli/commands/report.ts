/**
 * `quanteval report`'s flags: `--resamples` and `--bootstrap-seed`, checked like the config's `report` block;
 * `--bench` and `--detach-bench`, which attach a max-rate bench to the run or remove it before the report is written.
 */
import { ReportConfigSchema } from "../../config.ts";
import { ConfigError } from "../../core/errors.ts";
import { attachBench, benchFileOf, detachBench, type ReportStatsOptions } from "../../report/index.ts";
import { failBelowFromFlag } from "../fail-below.ts";
import type { CliIo } from "../io.ts";

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

/**
 * `--bench <id | folder | bench.json>` attaches the bench to the run (artifacts/<run-id>/capacity.json), refusing one
 * whose variants are not the run's; `--detach-bench` removes it. Either is said on stderr; neither: nothing to do.
 */
export function applyBenchFlags(
  runId: string,
  flags: { bench?: string; detachBench?: true },
  dirs: { artifactsDir: string; reportsDir: string },
  io: Pick<CliIo, "cwd" | "stderr">,
): void {
  if (flags.bench !== undefined && flags.detachBench === true) {
    throw new ConfigError(
      ["flags: --bench and --detach-bench: give one (attach a bench, or remove the attached one)"],
      "`--bench <id>` alone replaces an attached bench",
      "report options",
    );
  }
  if (flags.detachBench === true) {
    const detached = detachBench(dirs.artifactsDir, runId);
    io.stderr(
      detached === undefined
        ? `run ${runId} has no bench attached\n`
        : `bench ${detached} detached from run ${runId}\n`,
    );
    return;
  }
  if (flags.bench === undefined) return;
  const benchFile = benchFileOf(flags.bench, dirs.reportsDir, io.cwd);
  const attached = attachBench({ artifactsDir: dirs.artifactsDir, runId, benchFile });
  const id = attached.attachment.bench.id;
  const what =
    attached.change === "same"
      ? `bench ${id} was already attached to run ${runId} (unchanged)`
      : attached.change === "replaced"
        ? `bench ${id} attached to run ${runId}, replacing bench ${attached.replacedId ?? "?"}`
        : `bench ${id} attached to run ${runId}`;
  io.stderr(`${what}: ${attached.file}\n`);
}
