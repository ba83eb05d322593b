/**
 * The command line. Only this file catches every error: it prints `error[E_CODE]: message` and `fix: hint`,
 * exits non-zero (2 for bad input, 1 for failures, 3 when tasks were N/A, 130 when interrupted), shows a stack only with --debug,
 * and leaves journals resumable. Only this file and config.ts read environment variables.
 */
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Command, CommanderError } from "@commander-js/extra-typings";
import { QuantevalError } from "../core/errors.ts";
import {
  declareBench,
  declareDiverge,
  declareGrade,
  declareRegrade,
  declareRun,
  declareSim,
  formatOption,
} from "./flags.ts";
import { type CliIo, EXIT } from "./io.ts";

// Each command loads its own modules when it runs: `--help` and a small command do not pay for the sandboxes,
// the chart renderer and every task's grader (seconds of start-up on a busy machine).
const commands = {
  bench: () => import("./commands/bench.ts"),
  compare: () => import("./commands/compare.ts"),
  data: () => import("./commands/data.ts"),
  demo: () => import("./commands/demo.ts"),
  diverge: () => import("./commands/diverge.ts"),
  grade: () => import("./commands/grade.ts"),
  import: () => import("./commands/import.ts"),
  regrade: () => import("./commands/regrade.ts"),
  report: () => import("./commands/report.ts"),
  run: () => import("./commands/run.ts"),
  sim: () => import("./commands/sim.ts"),
  tasks: () => import("./commands/tasks.ts"),
  datasets: () => import("../datasets/index.ts"),
  flags: () => import("./config-flags.ts"),
};

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export type { CliIo } from "./io.ts";
export { EXIT } from "./io.ts";

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  let debug = argv.includes("--debug");
  let exitCode: number = EXIT.ok;
  const program = new Command()
    .name("quanteval")
    .description(
      "How much accuracy does a model lose at lower precision? Evaluate NVFP4/FP8/BF16 variants served by vLLM, with throughput from the same requests.",
    )
    .option("--debug", "show stack traces")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });

  declareRun(program).action(async (flags) => {
    exitCode = await (await commands.run()).runCommand(flags, { root: ROOT, io });
  });

  declareBench(program).action(async (flags) => {
    exitCode = await (await commands.bench()).benchCommand(flags, io);
  });

  program
    .command("report")
    .description(
      "write reports/<run-id>/report.md, scores.csv, scores.json from the journals and print the score table",
    )
    .argument("<run-id>", "the run to report")
    .option("--artifacts <dir>", "where the run's journals are", "artifacts")
    .option("--reports <dir>", "where to write the report", "reports")
    .option(
      "--resamples <n>",
      "bootstrap resamples per delta interval (default: the run config's report.bootstrapResamples, 10000)",
    )
    .option(
      "--bootstrap-seed <n>",
      "seed of the bootstrap generator (default: the run config's report.bootstrapSeed, 0)",
    )
    .option(
      "--fail-below <margin>",
      'exit 4 unless every variant is non-inferior on every gated task (report.gate) at this margin: "1pp" or "99%"',
    )
    .option(
      "--bench <bench>",
      "attach a `bench --find-max-rate` result (its id, folder or bench.json) to the run: the report shows each " +
        "variant's capacity at SLO, now and in every later report (kept in artifacts/<run-id>/capacity.json)",
    )
    .option("--detach-bench", "remove the attached bench (artifacts/<run-id>/capacity.json) before reporting")
    .addOption(formatOption())
    .action(async (runId, flags) => {
      const { applyBenchFlags, gateOutcome, renderPrecisionTable, reportStatsFromFlags, writeReport } =
        await commands.report();
      const dirs = { artifactsDir: resolve(io.cwd, flags.artifacts), reportsDir: resolve(io.cwd, flags.reports) };
      const stats = reportStatsFromFlags(flags);
      applyBenchFlags(runId, flags, dirs, io);
      const written = await writeReport({ ...dirs, runId, stats });
      // With --format, stdout is the table alone, ready to redirect into a file.
      io.stdout(flags.format === undefined ? `${written.table}\n` : renderPrecisionTable(written.report, flags.format));
      io.stderr(`report written to ${written.dir} (report.md, index.html, scores.csv, scores.json, charts/)\n`);
      exitCode = gateOutcome(written.report, io) ?? EXIT.ok;
    });

  declareRegrade(program).action(async (runId, flags) => {
    exitCode = await (await commands.regrade()).regradeCommand(runId, flags, { root: ROOT, io });
  });

  declareDiverge(program).action(async (runId, flags) => {
    exitCode = await (await commands.diverge()).divergeCommand(runId, flags, { root: ROOT, io });
  });

  declareGrade(program).action(async (mode, flags) => {
    exitCode = await (await commands.grade()).gradeCommand(mode, flags, { io, input: process.stdin });
  });

  program
    .command("compare")
    .description(
      "join runs made at different times (e.g. one variant per run on one GPU) into one report; refuses runs that asked different items or settings",
    )
    .argument("<run-ids...>", "two or more run ids, e.g. qwen3-nvfp4 qwen3-fp8 qwen3-bf16")
    .option("--artifacts <dir>", "where the runs' journals are", "artifacts")
    .option("--reports <dir>", "where to write the joined report", "reports")
    .option("--name <id>", "folder name of the joined report (default compare-<ids>)")
    .option("--reference <variant>", "variant the deltas are measured against (default: the first run's reference)")
    .option("--resamples <n>", "bootstrap resamples per delta interval")
    .option("--bootstrap-seed <n>", "seed of the bootstrap generator")
    .option(
      "--fail-below <margin>",
      'exit 4 unless every variant is non-inferior on every gated task (report.gate) at this margin: "1pp" or "99%"',
    )
    .addOption(formatOption())
    .action(async (runIds, flags) => {
      const { gateOutcome, reportStatsFromFlags } = await commands.report();
      const report = await (await commands.compare()).compareCommand(runIds, flags, io, reportStatsFromFlags(flags));
      exitCode = gateOutcome(report, io) ?? EXIT.ok;
    });

  program
    .command("import")
    .description("bring results made by other tools into quanteval runs")
    .command("lm-eval")
    .description(
      "write lm-evaluation-harness output (results_*.json and --log_samples files) for one model as one variant of a run",
    )
    .argument("<output-dir>", "lm-eval's --output_path, its model folder, or one results_<date>.json")
    .option("--variant <name>", "the variant's name (default: the last part of the model name)")
    .option("--run-id <id>", "the run to write (default lm-eval-<variant>)")
    .option("--artifacts <dir>", "where runs are written", "artifacts")
    .option("--tasks <list>", "import only these tasks (comma-separated lm-eval task names)")
    .option(
      "--metric <task=metric[,filter]>",
      "the per-sample 0/1 metric that counts as correct, e.g. gsm8k=exact_match,flexible-extract (repeatable)",
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .action(async (outputDir, flags) => {
      (await commands.import()).importLmEvalCommand(outputDir, flags, { root: ROOT, io });
      exitCode = EXIT.ok;
    });

  declareSim(program).action(async (flags) => {
    await (await commands.sim()).startSimCommand(flags, { root: ROOT, io });
    exitCode = EXIT.ok;
  });

  program
    .command("demo")
    .description(
      "start the simulator with three variants (bf16, fp8, nvfp4), run the 40-question suite on each, print the report",
    )
    .option("--concurrency <n>", "requests in flight per variant", "8")
    .option("--artifacts <dir>", "where journals go", "artifacts")
    .option("--reports <dir>", "where reports go", "reports")
    .action(async (flags) => {
      exitCode = await (await commands.demo()).runDemo(flags, { root: ROOT, io });
    });

  program
    .command("tasks")
    .description("list the tasks and families, with item counts, sources, revisions, and whether their data is cached")
    .option("--cache-dir <dir>", "Hugging Face cache folder to look in")
    .option("--data-dir <dir>", "local copies laid out as on the hub, to look in instead")
    .option("-c, --config <file>", "also list the customTasks this run config defines")
    .action(async (flags: { cacheDir?: string; dataDir?: string; config?: string }) => {
      const { dataAccessFromEnv } = await commands.datasets();
      const tasks = await commands.tasks();
      const custom = flags.config === undefined ? [] : tasks.customTasksOf(flags.config, io.cwd);
      await tasks.printTaskList({ root: ROOT, io, access: dataAccessFromEnv(io.env, flags), custom });
    });

  const data = program.command("data").description("fetch benchmark datasets ahead of time, and show what is cached");
  data
    .command("pull")
    .description(
      "download the hub files of these tasks into the cache (resumable), e.g. on a login node before an offline run",
    )
    .argument("<tasks...>", "tasks or families, e.g. mmlu_pro gpqa aime livecodebench:v6")
    .option(
      "--cache-dir <dir>",
      "Hugging Face cache folder (default HF_HUB_CACHE, HF_HOME/hub, ~/.cache/huggingface/hub)",
    )
    .option("--hf-token <token>", "Hugging Face token for gated datasets (default HF_TOKEN; never written anywhere)")
    .action(async (tasks, flags) => {
      const [{ dataAccessFromEnv }, { splitList }] = await Promise.all([commands.datasets(), commands.flags()]);
      exitCode = await (await commands.data()).pullCommand(tasks.flatMap(splitList), {
        root: ROOT,
        io,
        access: dataAccessFromEnv(io.env, { ...flags, offline: false }),
      });
    });
  data
    .command("status")
    .description("show each pinned dataset file: cached or not, revision, size on disk, gated")
    .option("--cache-dir <dir>", "Hugging Face cache folder")
    .option("--data-dir <dir>", "local copies laid out as on the hub, to look in instead")
    .action(async (flags) => {
      const { dataAccessFromEnv } = await commands.datasets();
      await (await commands.data()).statusCommand({ root: ROOT, io, access: dataAccessFromEnv(io.env, flags) });
    });

  try {
    await program.parseAsync([...argv], { from: "user" });
    debug = program.opts().debug === true || debug;
    return exitCode;
  } catch (error) {
    return reportError(error, io, debug);
  }
}

function reportError(error: unknown, io: CliIo, debug: boolean): number {
  if (error instanceof CommanderError) {
    // Commander has printed its own message (or help) already.
    return error.exitCode === 0 ? EXIT.ok : EXIT.badInput;
  }
  if (error instanceof QuantevalError) {
    io.stderr(`error[${error.code}]: ${error.message}\nfix: ${error.hint}\n`);
    if (debug && error.stack !== undefined) io.stderr(`${error.stack}\n`);
    return error.exitCode;
  }
  io.stderr(
    `error[E_INTERNAL]: ${error instanceof Error ? error.message : String(error)}\nfix: this is a bug in quanteval; rerun with --debug and report the stack\n`,
  );
  if (debug && error instanceof Error && error.stack !== undefined) io.stderr(`${error.stack}\n`);
  return EXIT.failed;
}
