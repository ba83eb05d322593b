/**
 * `quanteval bench --find-max-rate --run <run-id>`: before any request, the run must exist and the bench's variants
 * be its own (names and models); once bench.json is written, it is attached to the run (artifacts/<run-id>/
 * capacity.json) and the run's report is rewritten with each variant's capacity at SLO, as `quanteval report <run-id>
 * --bench <id>` does. Kept apart from bench.ts so that file stays about load.
 */
import { basename, dirname, resolve } from "node:path";
import type { RunConfig } from "../../config.ts";
import { readManifest } from "../../journal/index.ts";
import { attachBench, capacityClaim, checkCapacityMatch, runVariantsOf, writeReport } from "../../report/index.ts";
import type { CliIo } from "../io.ts";

export interface RunToAttach {
  runId: string;
  artifactsDir: string;
  reportsDir: string;
}

/**
 * The run the bench will attach to, checked now so that a mismatch costs seconds, not a whole bench. `run` is a run
 * id under `artifacts` (else the config's output.artifacts), or a run's folder (`artifacts/<run-id>`, as --from-run).
 */
export function runToAttach(run: string, artifacts: string | undefined, config: RunConfig, cwd: string): RunToAttach {
  const asFolder = run.includes("/") && artifacts === undefined;
  const artifactsDir = resolve(cwd, asFolder ? dirname(run) : (artifacts ?? config.output.artifacts));
  const runId = asFolder ? basename(run) : run;
  const manifest = readManifest(artifactsDir, runId);
  const measured = config.variants.map((v) => ({ variant: v.name, model: v.model }));
  checkCapacityMatch(measured, "this bench", runVariantsOf(manifest));
  return { runId, artifactsDir, reportsDir: resolve(cwd, config.output.reports) };
}

/** Attaches the written bench.json to the run and rewrites the run's report; says what it did on stderr. */
export async function attachToRun(target: RunToAttach, benchFile: string, io: Pick<CliIo, "stderr">): Promise<void> {
  const attached = attachBench({ artifactsDir: target.artifactsDir, runId: target.runId, benchFile });
  const written = await writeReport({
    artifactsDir: target.artifactsDir,
    reportsDir: target.reportsDir,
    runId: target.runId,
  });
  const { capacity, reference, variants } = written.report;
  const claims =
    capacity === undefined
      ? []
      : variants.flatMap((v) => {
          const claim = capacityClaim(capacity, v.name, reference);
          return claim === undefined ? [] : [`${v.name} ${claim}\n`];
        });
  io.stderr(
    `bench ${attached.attachment.bench.id} attached to run ${target.runId} (${attached.file}); ` +
      `its report rewritten in ${written.dir}\n${claims.join("")}`,
  );
}
