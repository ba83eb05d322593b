/** `quanteval run`: config → runner → report, with SIGINT handling and an exit code that tells what happened. */
import { resolve } from "node:path";
import { type RunFlags, applyFlags, isRecord, splitList } from "../../config-flags.ts";
import { type RunConfig, parseRunConfig, readConfigFile, requestDifferences } from "../../config.ts";
import { type CliIo, EXIT, type ExitCode } from "../io.ts";
import { ConfigError, OutputWriteError } from "../../core/errors.ts";
import { type Manifest, readManifest } from "../../runner/manifest.ts";
import { createProgress } from "../../runner/progress.ts";
import { artifactsFlag, resumeCommand } from "../../runner/resume-command.ts";
import { whileInterruptible } from "./interrupts.ts";
import { GRADING_GRACE_MS, type RunActivity, type RunOutcome, runEvaluation } from "../../runner/run.ts";
import { dataAccessFor, openDatasets } from "../../datasets/open.ts";
import { closeCodeRunner } from "../../tasks/livecodebench.ts";
import { createDownloadDisplay } from "./download-progress.ts";
import { type WrittenReport, writeReport } from "./report.ts";

export interface CommandContext { root: string; io: CliIo }

/**
 * Loads the config for `run`: a file (or a resumed run's stored config), then flags, then one schema check. A
 * relative --config is read from `cwd`.
 */
export function configFromFlags(flags: RunFlags, resumeConfig: unknown, cwd: string): RunConfig {
  const raw = resumeConfig ?? (flags.config !== undefined ? readConfigFile(flags.config, cwd) : {});
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
    const raw = readConfigFile(flags.config, cwd);
    const named = isRecord(raw) ? raw.runId : undefined;
    if (named !== undefined && named !== runId) {
      throw new ConfigError([`${flags.config}: runId: ${JSON.stringify(named)}, but --resume names run "${runId}"`],
        `drop runId from ${flags.config}, or resume the run it names`);
    }
    config = parseRunConfig(applyFlags(raw, { ...flags, runId }), flags.config);
    manifest = readManifest(resolve(cwd, config.output.artifacts), runId);
  } else {
    manifest = readManifest(resolve(cwd, flags.artifacts ?? "artifacts"), runId);
    config = configFromFlags(flags, { ...manifest.config, runId: manifest.runId }, cwd);
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

export async function runCommand(flags: RunFlags & { resume?: string; only?: string; hfToken?: string }, ctx: CommandContext): Promise<ExitCode> {
  const { io } = ctx;
  const resume = flags.resume;
  const config = resume !== undefined
    ? resumedConfig({ ...flags, resume }, io.cwd)
    : configFromFlags(flags, undefined, io.cwd);
  const apiKeys = resolveApiKeys(config, io.env);

  const progress = createProgress(io.isTty, (line) => io.stderr(`${line}\n`));
  const activity: RunActivity = { pendingGradings: 0 };
  let outcome: RunOutcome;
  try {
    outcome = await whileInterruptible(io, {
      first: (servers) => `no new requests; in-flight ones are dropped and asked again on resume${gradingsNote(activity)}` +
        `${servers ? "; then the server quanteval started is stopped" : ""}`,
      again: "; every reply received is already in the journal (resume grades any left ungraded)",
    }, (signal) => {
      const only = flags.only === undefined ? undefined : splitList(flags.only);
      // Downloads report as plain lines through the run's progress display, so bars and lines do not garble.
      const downloads = createDownloadDisplay(false, (line) => progress.log(line));
      const datasets = openDatasets(ctx.root, dataAccessFor(config.data, io.env, flags.hfToken !== undefined ? { hfToken: flags.hfToken } : {}, (e) => downloads.onProgress(e)));
      return runEvaluation(config, {
        root: ctx.root, cwd: io.cwd, env: io.env, apiKeys, progress, datasets, signal, activity,
        ...(only !== undefined ? { only } : {}),
      });
    });
  } finally {
    progress.stop();
    await closeCodeRunner();
  }
  return await finishRun(config, outcome, ctx);
}

/** ", 3 gradings pending: finishing them (up to 10 s)" while replies await their grade; "" otherwise. */
function gradingsNote(activity: RunActivity): string {
  const n = activity.pendingGradings;
  return n === 0 ? "" : `; ${n} grading(s) pending: finishing them (up to ${GRADING_GRACE_MS / 1000} s), else left for resume`;
}

/** Writes the report, prints the table and a summary, and turns the outcome into an exit code. */
export async function finishRun(config: RunConfig, outcome: RunOutcome, ctx: CommandContext): Promise<ExitCode> {
  const { io } = ctx;
  const resume = resumeCommand(config, outcome.runId);
  const reportsDir = resolve(io.cwd, config.output.reports);
  let written: WrittenReport;
  try {
    written = await writeReport({ artifactsDir: outcome.artifactsDir, reportsDir, runId: outcome.runId });
  } catch (error) {
    if (!(error instanceof OutputWriteError)) throw error;
    // What the run recorded is on disk: only the report is missing, and it can be written anywhere from the journals.
    const report = `quanteval report ${outcome.runId}${artifactsFlag(config)}`;
    throw new OutputWriteError(error.path, `${error.detail}; nothing the run recorded is lost: ` +
      `its journals are in ${outcome.artifactsDir}/${outcome.runId}/`, `write the report elsewhere now with \`${report} --reports <another folder>\`; ` +
      `or ${error.fix}`, `run \`${report}\``, error.errno, { cause: error });
  }
  io.stdout(`${written.table}\n`);
  io.stderr(`report: ${written.dir}/report.md (also index.html, scores.csv, scores.json, charts/); journals: ${outcome.artifactsDir}/${outcome.runId}/\n`);
  if (outcome.interrupted) {
    io.stderr(`interrupted: resume with \`${resume}\`\n`);
    return EXIT.interrupted;
  }
  const failed = outcome.variants.filter((v) => v.status === "failed");
  for (const variant of failed) {
    io.stderr(`error[${variant.error?.code ?? "E_VARIANT_FAILED"}]: variant ${variant.name}: ${variant.error?.message ?? "failed"}\nfix: ${variant.error?.hint ?? "see the log above"}\n`);
  }
  if (failed.length > 0) io.stderr(`once the server(s) are fixed, resume with \`${resume}\`\n`);
  if (outcome.errors > 0) io.stderr(`${outcome.errors} request(s) failed after retries; they are counted as errors, not wrong answers. Ask them again with \`${resume}\`\n`);
  for (const t of outcome.unavailable) io.stderr(`N/A: task ${t.task}: error[${t.code}]: ${t.message}\nfix: ${t.hint}; then \`${resume}\` runs it into this run\n`);
  if (failed.length > 0 || outcome.errors > 0) return EXIT.failed;
  return outcome.unavailable.length > 0 ? EXIT.skipped : EXIT.ok;
}
