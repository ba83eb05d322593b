/**
 * `quanteval demo`: the whole path with no GPU. Starts the simulator (bf16, fp8, nvfp4 profiles) on a free
 * loopback port, runs the 40-question suite against each variant, writes and prints the report.
 */
import { parseRunConfig } from "../../config.ts";
import { dataAccessFor, openDatasets } from "../../datasets/index.ts";
import { createProgress, loadTasks, newRunId, type RunOutcome, runEvaluation } from "../../runner/index.ts";
import { DEMO_PROFILES, SimServer, simItemsFromTasks } from "../../sim/index.ts";
import { finishRun } from "../finish-run.ts";
import type { CliIo, ExitCode } from "../io.ts";

/** The demo's variant names: the served model name's last part ("qwen3-32b-fp8" → "fp8"). */
export function demoVariantName(model: string): string {
  return model.slice(model.lastIndexOf("-") + 1);
}

export async function runDemo(
  flags: { concurrency: string; artifacts: string; reports: string },
  ctx: { root: string; io: CliIo },
): Promise<ExitCode> {
  const { io } = ctx;
  const tasks = ["suite40"];
  // suite40 ships with quanteval: the demo reads no hub data and needs no network.
  const datasets = openDatasets(ctx.root, dataAccessFor(undefined, io.env, {}));
  const loaded = await loadTasks({ tasks, taskOptions: {}, sampling: { temperature: 0 } }, ctx.root, datasets, (m) =>
    io.stderr(`${m}\n`),
  );
  const sim = await SimServer.start({ seed: 0, variants: [...DEMO_PROFILES], items: simItemsFromTasks(loaded) });
  try {
    io.stderr(
      `simulator (NOT a real model) on ${sim.baseUrl}: variants ${DEMO_PROFILES.map((p) => demoVariantName(p.model)).join(", ")}\n`,
    );
    const config = parseRunConfig(
      {
        variants: DEMO_PROFILES.map((p) => ({ name: demoVariantName(p.model), baseUrl: sim.baseUrl, model: p.model })),
        reference: "bf16",
        tasks,
        concurrency: Number(flags.concurrency),
        runId: `demo-${newRunId(Date.now())}`,
        output: { artifacts: flags.artifacts, reports: flags.reports },
      },
      "demo flags",
    );
    const progress = createProgress(io.isTty, (line) => io.stderr(`${line}\n`));
    // Whoever creates the progress display stops it, before the table is printed below the bars.
    let outcome: RunOutcome;
    try {
      outcome = await runEvaluation(config, { root: ctx.root, cwd: io.cwd, apiKeys: {}, progress, datasets });
    } finally {
      progress.stop();
    }
    return await finishRun(config, outcome, ctx);
  } finally {
    await sim.close();
  }
}
