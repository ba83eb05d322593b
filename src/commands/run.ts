/** `quanteval run`: config → runner → report, with SIGINT handling and an exit code that tells what happened. */
import { resolve } from "node:path";
import { type RunFlags, applyFlags, splitList } from "../config-flags.ts";
import { type RunConfig, parseRunConfig, readConfigFile } from "../config.ts";
import type { CliIo } from "../cli.ts";
import { ConfigError } from "../errors.ts";
import { readManifest } from "../runner/manifest.ts";
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
  if (flags.config !== undefined && resumeConfig !== undefined) {
    throw new ConfigError(["flags: --config with --resume: a resumed run uses its own stored config"], "drop --config when resuming");
  }
  const raw = resumeConfig ?? (flags.config !== undefined ? readConfigFile(flags.config) : {});
  const source = flags.config ?? (resumeConfig !== undefined ? "stored config" : "flags");
  return parseRunConfig(applyFlags(raw, flags), source);
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
  let resumeConfig: unknown;
  if (flags.resume !== undefined) {
    const manifest = readManifest(resolve(io.cwd, flags.artifacts ?? "artifacts"), flags.resume);
    resumeConfig = { ...manifest.config, runId: manifest.runId };
  }
  const config = configFromFlags(flags, resumeConfig);
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
