/** `quanteval run`: config → runner → report, with SIGINT handling and an exit code that tells what happened. */
import { resolve } from "node:path";
import { parseRunConfig, type RunConfig, readConfigFile, requestDifferences, resolveApiKeys } from "../../config.ts";
import { ConfigError } from "../../core/errors.ts";
import { isRecord } from "../../core/is-record.ts";
import { dataAccessFor, openDatasets } from "../../datasets/index.ts";
import { type Manifest, readManifest, refuseImported } from "../../journal/index.ts";
import {
  createProgress,
  GRADING_GRACE_MS,
  type RunActivity,
  type RunOutcome,
  runEvaluation,
} from "../../runner/index.ts";
import { ServerRegistry } from "../../runner/serve/index.ts";
import { resolveTasks, taskRegistry } from "../../tasks/index.ts";
import { applyFlags, splitList } from "../config-flags.ts";
import { createDownloadDisplay } from "../download-progress.ts";
import { failBelowFromFlag } from "../fail-below.ts";
import { finishRun } from "../finish-run.ts";
import type { RunFlags } from "../flags.ts";
import { whileInterruptible } from "../interrupts.ts";
import type { CommandContext, ExitCode } from "../io.ts";
import { variantTokenizers } from "./run-tokenizers.ts";

/**
 * Loads the config for `run`: a file (or a resumed run's stored config), then flags, then one schema check. A
 * relative --config is read from `cwd`.
 */
export function configFromFlags(flags: Partial<RunFlags>, resumeConfig: unknown, cwd: string): RunConfig {
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
export function resumedConfig(flags: Partial<RunFlags> & { resume: string }, cwd: string): RunConfig {
  const runId = flags.resume;
  if (flags.runId !== undefined && flags.runId !== runId) {
    throw new ConfigError(
      [`flags: --run-id ${flags.runId} with --resume ${runId}: they name two runs`],
      "give one of them",
    );
  }
  let config: RunConfig;
  let manifest: Manifest;
  if (flags.config !== undefined) {
    const raw = readConfigFile(flags.config, cwd);
    const named = isRecord(raw) ? raw.runId : undefined;
    if (named !== undefined && named !== runId) {
      throw new ConfigError(
        [`${flags.config}: runId: ${JSON.stringify(named)}, but --resume names run "${runId}"`],
        `drop runId from ${flags.config}, or resume the run it names`,
      );
    }
    config = parseRunConfig(applyFlags(raw, { ...flags, runId }), flags.config);
    manifest = readManifest(resolve(cwd, config.output.artifacts), runId);
  } else {
    manifest = readManifest(resolve(cwd, flags.artifacts ?? "artifacts"), runId);
    config = configFromFlags(flags, { ...manifest.config, runId: manifest.runId }, cwd);
  }
  refuseImported(manifest, "run --resume");
  const differences = requestDifferences(manifest.config, config, runId);
  if (differences.length > 0) {
    const hint =
      flags.config !== undefined
        ? `make ${flags.config} ask what run ${runId} asked (variants' names, models and extraBody, tasks, ` +
          "customTasks, taskOptions, sampling, limit, stream), or start a new run with another --run-id"
        : `resume with the run's own settings (\`quanteval run --resume ${runId}\` without those flags), ` +
          "or start a new run";
    throw new ConfigError(
      differences.map((d) => `${flags.config ?? "flags"}: ${d}`),
      hint,
    );
  }
  return config;
}

export async function runCommand(flags: RunFlags, ctx: CommandContext): Promise<ExitCode> {
  const { io } = ctx;
  const resume = flags.resume;
  const config =
    resume !== undefined ? resumedConfig({ ...flags, resume }, io.cwd) : configFromFlags(flags, undefined, io.cwd);
  const apiKeys = resolveApiKeys(config, io.env);
  // Checked before anything is asked: a bad margin or gate must not wait for the end of a long run.
  const failBelow = failBelowFromFlag(flags.failBelow);
  checkGate(config);
  const only = flags.only === undefined ? undefined : splitList(flags.only);
  // Loaded before anything is asked: a tokenizer that cannot be had is a config error now, not after a server start.
  const tokenizers = await variantTokenizers(config, {
    source: flags.config ?? (resume !== undefined ? "stored config" : "config"),
    cwd: io.cwd,
    access: dataAccessFor(config.data, io.env, flags.hfToken !== undefined ? { hfToken: flags.hfToken } : {}),
    only,
  });

  const progress = createProgress(io.isTty, (line) => io.stderr(`${line}\n`));
  const activity: RunActivity = { pendingGradings: 0 };
  // Owned here, not by the runner: the interrupt handler kills these servers when a second Ctrl-C exits at once.
  const servers = new ServerRegistry();
  let outcome: RunOutcome;
  try {
    outcome = await whileInterruptible(
      io,
      servers,
      {
        first: (servers) =>
          `no new requests; in-flight ones are dropped and asked again on resume${gradingsNote(activity)}` +
          `${servers ? "; then the server quanteval started is stopped" : ""}`,
        again: "; every reply received is already in the journal (resume grades any left ungraded)",
      },
      (signal) => {
        // Downloads report as plain lines through the run's progress display, so bars and lines do not garble.
        const downloads = createDownloadDisplay(false, (line) => progress.log(line));
        const datasets = openDatasets(
          ctx.root,
          dataAccessFor(config.data, io.env, flags.hfToken !== undefined ? { hfToken: flags.hfToken } : {}, (e) =>
            downloads.onProgress(e),
          ),
        );
        return runEvaluation(config, {
          root: ctx.root,
          cwd: io.cwd,
          env: io.env,
          apiKeys,
          progress,
          datasets,
          signal,
          activity,
          servers,
          ...(tokenizers.size > 0 ? { tokenizers } : {}),
          ...(only !== undefined ? { only } : {}),
        });
      },
    );
  } finally {
    progress.stop();
  }
  return await finishRun(config, outcome, ctx, failBelow);
}

/** ", 3 gradings pending: finishing them (up to 10 s)" while replies await their grade; "" otherwise. */
function gradingsNote(activity: RunActivity): string {
  const n = activity.pendingGradings;
  return n === 0
    ? ""
    : `; ${n} grading(s) pending: finishing them (up to ${GRADING_GRACE_MS / 1000} s), else left for resume`;
}

/** report.gate must name tasks or families this run asks (it is read again, by name, when the report is built). */
function checkGate(config: RunConfig): void {
  const gate = config.report.gate;
  if (gate === undefined) return;
  const names = resolveTasks(config.tasks, taskRegistry(config.customTasks)).flatMap(({ task }) => [
    task.name,
    task.family,
  ]);
  const unknown = gate.filter((g) => !names.includes(g));
  if (unknown.length === 0) return;
  throw new ConfigError(
    unknown.map((g) => `report.gate: "${g}" is not a task of this run (tasks: ${config.tasks.join(", ")})`),
    "name tasks or families listed in tasks, or leave report.gate out to gate every task",
  );
}
