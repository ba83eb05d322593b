/**
 * `quanteval compare <run-id…>`: one report from runs made at different times, e.g. one variant per run on a
 * single GPU. The runs must have asked the same questions the same way — same tasks and items, same data
 * (file sha256), same task options, max_tokens, samples and sampling — and byte-identical prompts; otherwise
 * the paired comparison would compare different experiments, so compare refuses and names every difference.
 */
import { resolve } from "node:path";
import {
  compareRuns,
  type PrecisionTableFormat,
  type ReportData,
  type ReportStatsOptions,
  renderPrecisionTable,
} from "../../report/index.ts";
import type { CliIo } from "../io.ts";

export async function compareCommand(
  runIds: string[],
  flags: { artifacts: string; reports: string; name?: string; reference?: string; format?: PrecisionTableFormat },
  io: CliIo,
  stats?: ReportStatsOptions,
): Promise<ReportData> {
  const written = await compareRuns(
    runIds,
    {
      artifacts: resolve(io.cwd, flags.artifacts),
      reports: resolve(io.cwd, flags.reports),
      ...(flags.name !== undefined ? { name: flags.name } : {}),
      ...(flags.reference !== undefined ? { reference: flags.reference } : {}),
    },
    stats,
  );
  // With --format, stdout is the table alone, ready to redirect into a file.
  io.stdout(flags.format === undefined ? `${written.table}\n` : renderPrecisionTable(written.report, flags.format));
  io.stderr(
    `joined ${runIds.length} runs; report written to ${written.dir} (report.md, index.html, scores.csv, scores.json, charts/)\n`,
  );
  return written.report;
}
