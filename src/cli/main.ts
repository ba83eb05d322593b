/**
 * The command line. Only this file catches every error: it prints `error[E_CODE]: message` and `fix: hint`,
 * exits non-zero (2 for bad input, 1 for failures, 3 when tasks were N/A, 130 when interrupted), shows a stack only with --debug,
 * and leaves journals resumable. Only this file and config.ts read environment variables.
 */
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Command, CommanderError, Option } from "commander";
import type { RunFlags } from "../config-flags.ts";
import { QuantevalError } from "../core/errors.ts";
import { type CliIo, EXIT } from "./io.ts";
import type { BenchFlags } from "./commands/bench.ts";
import type { GradeFlags } from "./commands/grade.ts";
import type { RegradeFlags } from "./commands/regrade.ts";
import type { SimFlags } from "./commands/sim.ts";

// Each command loads its own modules when it runs: `--help` and a small command do not pay for the sandboxes,
// the chart renderer and every task's grader (seconds of start-up on a busy machine).
const commands = {
  bench: () => import("./commands/bench.ts"),
  compare: () => import("./commands/compare.ts"),
  data: () => import("./commands/data.ts"),
  demo: () => import("./commands/demo.ts"),
  grade: () => import("./commands/grade.ts"),
  regrade: () => import("./commands/regrade.ts"),
  report: () => import("./commands/report.ts"),
  run: () => import("./commands/run.ts"),
  sim: () => import("./commands/sim.ts"),
  tasks: () => import("./commands/tasks.ts"),
  hub: () => import("../datasets/hub.ts"),
  flags: () => import("../config-flags.ts"),
};

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export type { CliIo } from "./io.ts";
export { EXIT } from "./io.ts";

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  let debug = argv.includes("--debug");
  let exitCode: number = EXIT.ok;
  const program = new Command()
    .name("quanteval")
    .description("How much accuracy does a model lose at lower precision? Evaluate NVFP4/FP8/BF16 variants served by vLLM, with throughput from the same requests.")
    .option("--debug", "show stack traces")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });

  withDataFlags(withRequestFlags(withVariantFlags(program.command("run"))))
    .description("ask every variant every item of the tasks, grade, journal, and write the report")
    .option("-c, --config <file>", "run config, YAML or JSON")
    .option("--reference <name>", "variant the deltas are measured against (default: the first)")
    .option("--tasks <list>", "comma-separated tasks or families, e.g. suite40")
    .option("--limit <n>", "ask only the first n items of each task")
    .option("--concurrency <n>", "requests in flight per variant (default 16)")
    .option("--max-tokens <n>", "max_tokens per request (default: per task)")
    .option("--temperature <t>", "sampling temperature (default 0)")
    .option("--top-p <p>", "top_p")
    .option("--seed <n>", "sampling seed sent to the server")
    .option("--no-stream", "use non-streaming requests (no TTFT)")
    .addOption(new Option("--schedule <mode>", "variants one after another or all at once").choices(["sequential", "parallel"]))
    .addOption(new Option("--context-policy <policy>", "when prompt + max_tokens exceeds the server's context: fit max_tokens to it, or fail (default fit)")
      .choices(["fit", "fail"]))
    .option("--artifacts <dir>", "where journals go (default artifacts)")
    .option("--reports <dir>", "where reports go (default reports)")
    .option("--run-id <id>", "name the run; an existing run id resumes it")
    .option("--resume <run-id>", "resume a run: ask only what its journal is missing")
    .option("--only <names>", "run only these variants now (comma-separated), e.g. the one whose server is up")
    .option("--since <date>", "livecodebench: first contest date included (YYYY-MM-DD)")
    .option("--until <date>", "livecodebench: last contest date included (YYYY-MM-DD)")
    .option("--set <path=value>", "set any config field, e.g. --set variants[0].extraBody.top_k=20 (repeatable)", collect)
    .action(async (flags: RunFlags & { resume?: string; only?: string; hfToken?: string }) => {
      exitCode = await (await commands.run()).runCommand(flags, { root: ROOT, io });
    });

  withRequestFlags(withVariantFlags(program.command("bench")))
    .description("throughput only: closed-loop load at one concurrency or a sweep, per variant; writes bench.json (bench_openai.py's fields), sweep.md and a sweep chart")
    .option("-c, --config <file>", "run config, YAML or JSON: its variants (serve blocks included), timeouts, retries, output (tasks are not needed)")
    .option("--concurrency <list>", "requests in flight: one value or a sweep, e.g. 16 or 1,2,4,8,16,32,64 (default: the config's, 16)")
    .option("--requests <n>", "requests measured per variant and concurrency (default 64)")
    .option("--max-tokens <n>", "max_tokens per request (default 256)")
    .option("--temperature <t>", "sampling temperature (default 0)")
    .option("--prompt-file <file>", "prompts: a .jsonl of {\"prompt\": ...} or {\"messages\": [...]} lines, taken in turn; any other file is sent whole as one prompt")
    .option("--prompt-tokens <n>", "synthetic prompts of n words, one token each (default 128; not with --prompt-file)")
    .option("--ignore-eos", "send ignore_eos: true (vLLM): every reply runs to max_tokens, so token counts are fixed")
    .option("--warmup <n>", "warm-up requests before each concurrency level, not counted (default: the config's warmup.requests, 0)")
    .option("--no-stream", "non-streaming requests (no TTFT, TPOT or ITL: null in bench.json)")
    .option("--reports <dir>", "results go to <dir>/bench-<id>/ (default reports)")
    .option("--bench-id <id>", "name of the results folder (default: a timestamp)")
    .option("--json", "print bench.json to stdout (the table goes to stderr)")
    .option("--set <path=value>", "set any config field, e.g. --set variants[0].extraBody.top_k=20 (repeatable)", collect)
    .action(async (flags: BenchFlags) => {
      exitCode = await (await commands.bench()).benchCommand(flags, io);
    });

  program
    .command("report")
    .description("write reports/<run-id>/report.md, scores.csv, scores.json from the journals and print the score table")
    .argument("<run-id>", "the run to report")
    .option("--artifacts <dir>", "where the run's journals are", "artifacts")
    .option("--reports <dir>", "where to write the report", "reports")
    .option("--resamples <n>", "bootstrap resamples per delta interval (default: the run config's report.bootstrapResamples, 10000)")
    .option("--bootstrap-seed <n>", "seed of the bootstrap generator (default: the run config's report.bootstrapSeed, 0)")
    .action(async (runId: string, flags: { artifacts: string; reports: string; resamples?: string; bootstrapSeed?: string }) => {
      const { reportStatsFromFlags, writeReport } = await commands.report();
      const written = await writeReport({ artifactsDir: resolve(io.cwd, flags.artifacts), reportsDir: resolve(io.cwd, flags.reports), runId, stats: reportStatsFromFlags(flags) });
      io.stdout(`${written.table}\n`);
      io.stderr(`report written to ${written.dir} (report.md, index.html, scores.csv, scores.json, charts/)\n`);
    });

  withDataFlags(program.command("regrade"), "the run's, else HF_HUB_CACHE, HF_HOME/hub, ~/.cache/huggingface/hub")
    .description("re-score every stored reply of a run with the current graders (no model asked), rewrite its journals and report")
    .argument("<run-id>", "the run to re-score")
    .option("--artifacts <dir>", "where the run's journals are", "artifacts")
    .option("--reports <dir>", "where to write the report (default: the run's own reports folder)")
    .option("--dry-run", "print what would change; write nothing")
    .action(async (runId: string, flags: RegradeFlags) => {
      exitCode = await (await commands.regrade()).regradeCommand(runId, flags, { root: ROOT, io });
    });

  program
    .command("grade")
    .description("grade JSONL lines from stdin as the tasks do: one JSON verdict per line on stdout (for scripts and audits)")
    .argument("<mode>", "math ({gold, response}), integer (AIME 0–999), " +
      "choice ({gold: letter, response, options?}) or code ({problem: {tests, funcName?} or a LiveCodeBench row, " +
      "response, language}, or a row with response)")
    .option("--letters <letters>", "choice: the valid letters, e.g. ABCD (default: one per option of the line, else A–J)")
    .option("--timeout-sec <s>", "code: time limit per test (default 18 for python, 6 for javascript)")
    .option("--memory-mb <mb>", "code: memory limit per program (default 1024)")
    .action(async (mode: string, flags: GradeFlags) => {
      exitCode = await (await commands.grade()).gradeCommand(mode, flags, { io, input: process.stdin });
    });

  program
    .command("compare")
    .description("join runs made at different times (e.g. one variant per run on one GPU) into one report; refuses runs that asked different items or settings")
    .argument("<run-ids...>", "two or more run ids, e.g. qwen3-nvfp4 qwen3-fp8 qwen3-bf16")
    .option("--artifacts <dir>", "where the runs' journals are", "artifacts")
    .option("--reports <dir>", "where to write the joined report", "reports")
    .option("--name <id>", "folder name of the joined report (default compare-<ids>)")
    .option("--reference <variant>", "variant the deltas are measured against (default: the first run's reference)")
    .option("--resamples <n>", "bootstrap resamples per delta interval")
    .option("--bootstrap-seed <n>", "seed of the bootstrap generator")
    .action(async (runIds: string[], flags: { artifacts: string; reports: string; name?: string; reference?: string; resamples?: string; bootstrapSeed?: string }) => {
      const { reportStatsFromFlags } = await commands.report();
      await (await commands.compare()).compareCommand(runIds, flags, io, reportStatsFromFlags(flags));
    });

  withDataFlags(program.command("sim"))
    .description("start the vLLM simulator (NOT a real model) that knows the answer key of the given tasks")
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .option("--port <port>", "port (0 picks a free one)", "8000")
    .option("--tasks <list>", "tasks whose questions the simulator recognises", "suite40")
    .option("--profiles <file>", "JSON file with variant profiles (default: the demo's bf16/fp8/nvfp4)")
    .option("--seed <n>", "seed for the simulated answers", "0")
    .option("-c, --config <file>", "take tasks and taskOptions from this run config, so the prompts match the run's")
    .option("--status-rates <list>", "fault: error rate per HTTP status, e.g. 429=0.05,500=0.02,503=0.01 (429/503 carry Retry-After)")
    .option("--retry-after <sec>", "fault: the Retry-After seconds sent with 429 and 503 (default 1)")
    .option("--drop-rate <p>", "fault: share of replies whose connection is destroyed halfway")
    .option("--truncate-rate <p>", "fault: share of replies that end cleanly halfway (no finish_reason, usage or [DONE])")
    .option("--malformed-rate <p>", "fault: share of replies with a data: line that is not JSON")
    .option("--missing-usage-rate <p>", "fault: share of replies without usage, even when include_usage asks for it")
    .option("--empty-rate <p>", "fault: share of replies with empty content")
    .option("--garbled-rate <p>", "fault: share of replies with junk text and no answer")
    .option("--slow-start <sec>", "fault: answer 503 \"loading\" on /health, /v1/models and chat for the first seconds")
    .option("--die-after <n>", "fault: after n chat requests, close the listener and every connection (a crash)")
    .option("--disable-log-requests", "do not log one line per request (as vLLM's flag; faults are still logged)")
    .option("--max-model-len <n>",
      "context length in tokens of each model whose profile sets no maxModelLen (as vLLM's flag; default 131072)")
    .option("--no-tokenize", "no POST /tokenize, as on a server without vLLM's /tokenize (llama.cpp, a proxy)")
    .action(async (flags: SimFlags) => {
      await (await commands.sim()).startSimCommand(flags, { root: ROOT, io });
      exitCode = EXIT.ok;
    });

  program
    .command("demo")
    .description("start the simulator with three variants (bf16, fp8, nvfp4), run the 40-question suite on each, print the report")
    .option("--concurrency <n>", "requests in flight per variant", "8")
    .option("--artifacts <dir>", "where journals go", "artifacts")
    .option("--reports <dir>", "where reports go", "reports")
    .action(async (flags: { concurrency: string; artifacts: string; reports: string }) => {
      exitCode = await (await commands.demo()).runDemo(flags, { root: ROOT, io });
    });

  program
    .command("tasks")
    .description("list the tasks and families, with item counts, sources, revisions, and whether their data is cached")
    .option("--cache-dir <dir>", "Hugging Face cache folder to look in")
    .option("--data-dir <dir>", "local copies laid out as on the hub, to look in instead")
    .action(async (flags: { cacheDir?: string; dataDir?: string }) => {
      const { dataAccessFromEnv } = await commands.hub();
      await (await commands.tasks()).printTaskList({ root: ROOT, io, access: dataAccessFromEnv(io.env, flags) });
    });

  const data = program.command("data").description("fetch benchmark datasets ahead of time, and show what is cached");
  data
    .command("pull")
    .description("download the hub files of these tasks into the cache (resumable), e.g. on a login node before an offline run")
    .argument("<tasks...>", "tasks or families, e.g. mmlu_pro gpqa aime livecodebench:v6")
    .option("--cache-dir <dir>", "Hugging Face cache folder (default HF_HUB_CACHE, HF_HOME/hub, ~/.cache/huggingface/hub)")
    .option("--hf-token <token>", "Hugging Face token for gated datasets (default HF_TOKEN; never written anywhere)")
    .action(async (tasks: string[], flags: { cacheDir?: string; hfToken?: string }) => {
      const [{ dataAccessFromEnv }, { splitList }] = await Promise.all([commands.hub(), commands.flags()]);
      exitCode = await (await commands.data()).pullCommand(tasks.flatMap(splitList), { root: ROOT, io, access: dataAccessFromEnv(io.env, { ...flags, offline: false }) });
    });
  data
    .command("status")
    .description("show each pinned dataset file: cached or not, revision, size on disk, gated")
    .option("--cache-dir <dir>", "Hugging Face cache folder")
    .option("--data-dir <dir>", "local copies laid out as on the hub, to look in instead")
    .action(async (flags: { cacheDir?: string; dataDir?: string }) => {
      const { dataAccessFromEnv } = await commands.hub();
      await (await commands.data()).statusCommand({ root: ROOT, io, access: dataAccessFromEnv(io.env, flags) });
    });

  try {
    await program.parseAsync([...argv], { from: "user" });
    debug = program.opts<{ debug?: boolean }>().debug === true || debug;
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
  io.stderr(`error[E_INTERNAL]: ${error instanceof Error ? error.message : String(error)}\nfix: this is a bug in quanteval; rerun with --debug and report the stack\n`);
  if (debug && error instanceof Error && error.stack !== undefined) io.stderr(`${error.stack}\n`);
  return EXIT.failed;
}

/** The flags that name the variants, shared by `run` and `bench` (config-flags.ts merges them the same way). */
function withVariantFlags(command: Command): Command {
  return command
    .option("--variant <name>", "variant name (repeat for several variants)", collect)
    .option("--base-url <url>", "OpenAI-compatible base URL, e.g. http://127.0.0.1:8000/v1 (repeat per variant); \"url1,url2\" adds replicas and replaces configured ones", collect)
    .option("--model <name>", "served model name (repeat per variant)", collect)
    .option("--api-key-env <VAR>", "environment variable holding the API key (for every variant)");
}

/** Per-attempt timeout and retries, shared by `run` and `bench` (the config's timeoutSec and retry). */
function withRequestFlags(command: Command): Command {
  return command
    .option("--timeout-sec <s>", "per-attempt request timeout (default 1800)")
    .option("--max-attempts <n>", "attempts per request, first included (default 4)")
    .option("--retry-delay-ms <ms>", "base delay of the exponential retry backoff (default 1000)");
}

/** Where task data comes from, for the commands that load tasks (`run`, `regrade`, `sim`). */
function withDataFlags(command: Command, cacheDefault = "HF_HUB_CACHE, HF_HOME/hub, ~/.cache/huggingface/hub"): Command {
  return command
    .option("--cache-dir <dir>", `Hugging Face cache folder (default ${cacheDefault})`)
    .option("--data-dir <dir>", "read datasets from local copies laid out as on the hub (<dir>/<owner>/<name>/<file>)")
    .option("--offline", "read datasets from the cache only (also HF_HUB_OFFLINE=1)")
    .option("--hf-token <token>", "Hugging Face token for gated datasets (default HF_TOKEN; never written anywhere)");
}
