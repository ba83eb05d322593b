/** What `run` and `demo` print when a run ends: the report, the table, what failed, and the exit code. */
import { resolve } from "node:path";
import type { MarginSetting, RunConfig } from "../config.ts";
import { OutputWriteError } from "../core/errors.ts";
import { artifactsFlag, resumeCommand } from "../journal/index.ts";
import { type WrittenReport, writeReport } from "../report/index.ts";
import type { RunOutcome } from "../runner/index.ts";
import { gateOutcome } from "./fail-below.ts";
import { type CommandContext, EXIT, type ExitCode } from "./io.ts";

/** Writes the report, prints the table and a summary, and turns the outcome into an exit code. */
export async function finishRun(
  config: RunConfig,
  outcome: RunOutcome,
  ctx: CommandContext,
  failBelow?: MarginSetting,
): Promise<ExitCode> {
  const { io } = ctx;
  const resume = resumeCommand(config, outcome.runId);
  const reportsDir = resolve(io.cwd, config.output.reports);
  let written: WrittenReport;
  try {
    written = await writeReport({
      artifactsDir: outcome.artifactsDir,
      reportsDir,
      runId: outcome.runId,
      ...(failBelow !== undefined ? { stats: { failBelow } } : {}),
    });
  } catch (error) {
    if (!(error instanceof OutputWriteError)) throw error;
    // What the run recorded is on disk: only the report is missing, and it can be written anywhere from the journals.
    const report = `quanteval report ${outcome.runId}${artifactsFlag(config)}`;
    throw new OutputWriteError(
      error.path,
      `${error.detail}; nothing the run recorded is lost: ` +
        `its journals are in ${outcome.artifactsDir}/${outcome.runId}/`,
      `write the report elsewhere now with \`${report} --reports <another folder>\`; ` + `or ${error.fix}`,
      `run \`${report}\``,
      error.errno,
      { cause: error },
    );
  }
  io.stdout(`${written.table}\n`);
  io.stderr(
    `report: ${written.dir}/report.md (also index.html, scores.csv, scores.json, charts/); journals: ${outcome.artifactsDir}/${outcome.runId}/\n`,
  );
  if (outcome.interrupted) {
    io.stderr(`interrupted: resume with \`${resume}\`\n`);
    return EXIT.interrupted;
  }
  const failed = outcome.variants.filter((v) => v.status === "failed");
  for (const variant of failed) {
    io.stderr(
      `error[${variant.error?.code ?? "E_VARIANT_FAILED"}]: variant ${variant.name}: ${variant.error?.message ?? "failed"}\nfix: ${variant.error?.hint ?? "see the log above"}\n`,
    );
  }
  if (failed.length > 0) io.stderr(`once the server(s) are fixed, resume with \`${resume}\`\n`);
  if (outcome.errors > 0)
    io.stderr(
      `${outcome.errors} request(s) failed after retries; they are counted as errors, not wrong answers. Ask them again with \`${resume}\`\n`,
    );
  for (const t of outcome.unavailable)
    io.stderr(
      `N/A: task ${t.task}: error[${t.code}]: ${t.message}\nfix: ${t.hint}; then \`${resume}\` runs it into this run\n`,
    );
  if (failed.length > 0 || outcome.errors > 0) return EXIT.failed;
  // The gate reads the finished run: an unavailable gated task has no verdict and fails it.
  if (gateOutcome(written.report, io) === EXIT.gateFailed) return EXIT.gateFailed;
  return outcome.unavailable.length > 0 ? EXIT.skipped : EXIT.ok;
}
