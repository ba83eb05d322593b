/** `quanteval run`: config → runner → report, with SIGINT handling and an exit code that tells what happened. */
import { resolve } from "node:path";
import { type RunFlags, applyFlags, splitList } from "../config-flags.ts";
import { type RunConfig, parseRunConfig, readConfigFile, requestDifferences } from "../config.ts";
import type { CliIo } from "../cli.ts";
import { ConfigError } from "../errors.ts";
import { type Manifest, readManifest } from "../runner/manifest.ts";
import { createProgress } from "../runner/progress.ts";
import { whileInterruptible } from "./interrupts.ts";
import { type RunOutcome, runEvaluation } from "../runner/run.ts";
import { dataAccessFor, openDatasets } from "../datasets/open.ts";
import { closeCodeRunner } from "../tasks/livecodebench.ts";
import { createDownloadDisplay } from "./download-progress.ts";
import { writeReport } from "./report.ts";

export interface CommandContext { root: string; io: CliIo }

/** Loads the config for `run`: a file (or a resumed run's stored config), then flags, then one schema check. */
export function configFromFlags(flags: RunFlags, resumeConfig: unknown): RunConfig {
  const raw = resumeConfig ?? (flags.config !== undefined ? readConfigFile(flags.config) : {});
  const source = flags.config ?? (resumeConfig !== undefined ? "stored config" : "flags");
  return parseRunConfig(applyFlags(raw, flags), source);
}

/**
 * The config of `run --resume <id>`. With -c, the file replaces the stored config (a server moved, more requests
 * in flight) and the run is looked for where that config puts journals (--artifacts still wins); without, the
 * stored config is used, found under --artifacts or ./artifacts. Flags go over either. Changes to what is asked
 * are refused here, naming each field, before any data is loaded (the runner checks again with the tasks' data).
 */
export function resumedConfig(flags: RunFlags & { resume: string }, cwd: string): RunConfig {
  const runId = flags.resume;
  if (flags.runId !== undefined && flags.runId !== runId) {
    throw new ConfigError([`flags: --run-id ${flags.runId} with --resume ${runId}: they name two runs`],
      "give one of them");
  }
  let config: RunConfig;
  let manifest: Manifest;
  if (flags.config !== undefined) {
    const raw = readConfigFile(flags.config);
    const named = isRecord(raw) ? raw.runId : undefined;
    if (named !== undefined && named !== runId) {
      throw new ConfigError([`${flags.config}: runId: ${JSON.stringify(named)}, but --resume names run "${runId}"`],
        `drop runId from ${flags.config}, or resume the run it names`);
    }
    config = parseRunConfig(applyFlags(raw, { ...flags, runId }), flags.config);
    manifest = readManifest(resolve(cwd, config.output.artifacts), runId);
  } else {
    manifest = readManifest(resolve(cwd, flags.artifacts ?? "artifacts"), runId);
    config = configFromFlags(flags, { ...manifest.config, runId: manifest.runId });
  }
  const differences = requestDifferences(manifest.config, config, runId);
  if (differences.length > 0) {
    const hint = flags.config !== undefined
      ? `make ${flags.config} ask what run ${runId} asked (variants' names, models and extraBody, tasks, ` +
        "taskOptions, sampling, limit, stream), or start a new run with another --run-id"
      : `resume with the run's own settings (\`quanteval run --resume ${runId}\` without those flags), ` +
        "or start a new run";
    throw new ConfigError(differences.map((d) => `${flags.config ?? "flags"}: ${d}`), hint);
  }
  return config;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** API keys come from the environment variables the config names; a named but unset variable is an error. */
export function resolveApiKeys(config: RunConfig, env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  const keys: Record<string, string | undefined> = {};
  const problems: string[] = [];
  config.variants.forEach((variant, index) => {
    if (variant.apiKeyEnv === undefined) return;
    const value = env[variant.apiKeyEnv];
    if (value === undefined || value === "") problems.push(`variants[${index}].apiKeyEnv: environment variable ${variant.apiKeyEnv} is not set`);
    else keys[variant.name] = value;
  });
  if (problems.length > 0) throw new ConfigError(problems, "export the variable (e.g. `export VLLM_API_KEY=...`) or drop apiKeyEnv for servers started without --api-key");
  return keys;
}

export async function runCommand(flags: RunFlags & { resume?: string; only?: string; hfToken?: string }, ctx: CommandContext): Promise<number> {
  const { io } = ctx;
  const resume = flags.resume;
  const config = resume !== undefined ? resumedConfig({ ...flags, resume }, io.cwd) : configFromFlags(flags, undefined);
  const apiKeys = resolveApiKeys(config, io.env);

  const progress = createProgress(io.isTty, (line) => io.stderr(`${line}\n`));
  let outcome: RunOutcome;
  try {
    outcome = await whileInterruptible(io, {
      first: (servers) => `in-flight requests are dropped and will be asked again on resume${servers ? "; then the server quanteval started is stopped" : ""}`,
      again: "; the journal stays valid",
    }, (signal) => {
      const only = flags.only === undefined ? undefined : splitList(flags.only);
      // Downloads report as plain lines through the run's progress display, so bars and lines do not garble.
      const downloads = createDownloadDisplay(false, (line) => progress.log(line));
      const datasets = openDatasets(ctx.root, dataAccessFor(config.data, io.env, flags.hfToken !== undefined ? { hfToken: flags.hfToken } : {}, (e) => downloads.onProgress(e)));
      return runEvaluation(config, { root: ctx.root, cwd: io.cwd, apiKeys, progress, datasets, signal, ...(only !== undefined ? { only } : {}) });
    });
  } finally {
    progress.stop();
    await closeCodeRunner();
  }
  return await finishRun(config, outcome, ctx);
}

/** Writes the report, prints the table and a summary, and turns the outcome into an exit code. */
export async function finishRun(config: RunConfig, outcome: RunOutcome, ctx: CommandContext): Promise<number> {
  const { io } = ctx;
  const written = await writeReport({ artifactsDir: outcome.artifactsDir, reportsDir: resolve(io.cwd, config.output.reports), runId: outcome.runId });
  io.stdout(`${written.table}\n`);
  io.stderr(`report: ${written.dir}/report.md (also index.html, scores.csv, scores.json, charts/); journals: ${outcome.artifactsDir}/${outcome.runId}/\n`);
  const resume = `quanteval run --resume ${outcome.runId}${config.output.artifacts !== "artifacts" ? ` --artifacts ${config.output.artifacts}` : ""}`;
  if (outcome.interrupted) {
    io.stderr(`interrupted: resume with \`${resume}\`\n`);
    return 130;
  }
  const failed = outcome.variants.filter((v) => v.status === "failed");
  for (const variant of failed) {
    io.stderr(`error[${variant.error?.code ?? "E_VARIANT_FAILED"}]: variant ${variant.name}: ${variant.error?.message ?? "failed"}\nfix: ${variant.error?.hint ?? "see the log above"}\n`);
  }
  if (failed.length > 0) io.stderr(`once the server(s) are fixed, resume with \`${resume}\`\n`);
  if (outcome.errors > 0) io.stderr(`${outcome.errors} request(s) failed after retries; they are counted as errors, not wrong answers. Ask them again with \`${resume}\`\n`);
  for (const t of outcome.unavailable) io.stderr(`N/A: task ${t.task}: error[${t.code}]: ${t.message}\nfix: ${t.hint}; then \`${resume}\` runs it into this run\n`);
  if (failed.length > 0 || outcome.errors > 0) return 1;
  return outcome.unavailable.length > 0 ? 3 : 0;
}
