/**
 * What each command accepts: its commander declaration, and the flag type commander infers from it
 * (@commander-js/extra-typings), so a flag is declared once and its type can never drift from it. main.ts adds
 * the actions; the commands take these types. Only commander is imported here: `--help` stays cheap.
 */
import { type Command, Option, type OptionValues } from "@commander-js/extra-typings";
// A table of constants with no imports of its own: `--help` stays cheap.
import { SAMPLING_PRESET_NAMES } from "../sampling-presets.ts";

type AnyCommand = Command<unknown[], OptionValues, OptionValues>;
/** A command before any option: where the shared option groups' own types are read from. */
type NoFlags = Record<never, never>;
/** The options object commander hands to a command's action. */
type FlagsOf<C extends AnyCommand> = ReturnType<C["opts"]>;

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

const SET_HELP = "set any config field, e.g. --set variants[0].extraBody.top_k=20 (repeatable)";
const DEFAULT_CACHE = "HF_HUB_CACHE, HF_HOME/hub, ~/.cache/huggingface/hub";

export function declareRun(program: AnyCommand) {
  return withDataFlags(withRequestFlags(withVariantFlags(program.command("run"))))
    .description("ask every variant every item of the tasks, grade, journal, and write the report")
    .option("-c, --config <file>", "run config, YAML or JSON")
    .option("--reference <name>", "variant the deltas are measured against (default: the first)")
    .option("--tasks <list>", "comma-separated tasks or families, e.g. suite40")
    .option("--limit <n>", "ask only the first n items of each task")
    .option("--concurrency <n>", "requests in flight per variant (default 16)")
    .option("--max-tokens <n>", "max_tokens per request (default: per task)")
    .option("--sampling-preset <name>", `a model card's sampling settings: ${SAMPLING_PRESET_NAMES.join(", ")}`)
    .option("--temperature <t>", "sampling temperature (default: the preset's, else 0)")
    .option("--top-p <p>", "top_p")
    .option("--top-k <k>", "top_k (vLLM; -1: all tokens)")
    .option("--min-p <p>", "min_p (vLLM)")
    .option("--seed <n>", "sampling seed sent to the server")
    .option("--no-stream", "use non-streaming requests (no TTFT)")
    .addOption(
      new Option("--schedule <mode>", "variants one after another or all at once").choices(["sequential", "parallel"]),
    )
    .addOption(
      new Option(
        "--context-policy <policy>",
        "when prompt + max_tokens exceeds the server's context: fit max_tokens to it, or fail (default fit)",
      ).choices(["fit", "fail"]),
    )
    .option("--artifacts <dir>", "where journals go (default artifacts)")
    .option("--reports <dir>", "where reports go (default reports)")
    .option("--run-id <id>", "name the run; an existing run id resumes it")
    .option("--resume <run-id>", "resume a run: ask only what its journal is missing")
    .option("--only <names>", "run only these variants now (comma-separated), e.g. the one whose server is up")
    .option(
      "--fail-below <margin>",
      'exit 4 unless every variant is non-inferior on every gated task (report.gate) at this margin: "1pp" or "99%"',
    )
    .option("--since <date>", "livecodebench: first contest date included (YYYY-MM-DD)")
    .option("--until <date>", "livecodebench: last contest date included (YYYY-MM-DD)")
    .option("--scicode-h5 <file>", "scicode: SciCode's test_data.h5 (numeric targets, from its Google Drive)")
    .option("--set <path=value>", SET_HELP, collect);
}
export type RunFlags = FlagsOf<ReturnType<typeof declareRun>>;

export function declareBench(program: AnyCommand) {
  return withRequestFlags(withVariantFlags(program.command("bench")))
    .description(
      "throughput only: closed-loop load at one concurrency or a sweep, per variant; writes bench.json (bench_openai.py's fields), sweep.md and a sweep chart",
    )
    .option(
      "-c, --config <file>",
      "run config, YAML or JSON: its variants (serve blocks included), timeouts, retries, output (tasks are not needed)",
    )
    .option(
      "--concurrency <list>",
      "requests in flight: one value or a sweep, e.g. 16 or 1,2,4,8,16,32,64 (default: the config's, 16)",
    )
    .option("--requests <n>", "requests measured per variant and concurrency (default 64)")
    .option(
      "--request-rate <list>",
      "open loop instead: arrivals per second (Poisson unless --burstiness): one value, inf or a sweep, e.g. 1,2,4,8",
    )
    .option("--burstiness <b>", "open loop: gamma shape of the arrival gaps, as vLLM's (1 Poisson, <1 burstier)")
    .option("--max-concurrency <n>", "open loop: most requests in flight; one due at the cap waits (default none)")
    .option("--seed <n>", "open loop: seed of the arrival times, the same for every variant (default 0)")
    .option("--max-tokens <n>", "max_tokens per request (default 256)")
    .option("--temperature <t>", "sampling temperature (default 0)")
    .option(
      "--prompt-file <file>",
      'prompts: a .jsonl of {"prompt": ...} or {"messages": [...]} lines, taken in turn; any other file is sent whole as one prompt',
    )
    .option("--prompt-tokens <n>", "synthetic prompts of n words, one token each (default 128; not with --prompt-file)")
    .option("--ignore-eos", "send ignore_eos: true (vLLM): every reply runs to max_tokens, so token counts are fixed")
    .option(
      "--scenario <spec>",
      "traffic scenario in genai-bench's notation: D(in,out), N(in_mean,in_sd)/(out_mean,out_sd), " +
        "U(in_min,in_max)/(out_min,out_max), or dataset (the --prompt-file's prompts); output held with ignore_eos",
    )
    .option(
      "--from-run <dir>",
      "with --scenario dataset: send a run's prompts (artifacts/<run-id>) of --task, each variant's output " +
        "lengths those of its own replies there",
    )
    .option("--task <name>", "with --from-run: the task whose prompts to send")
    .addOption(
      new Option(
        "--hold-output <how>",
        "how a scenario's output lengths are held: vLLM's ignore_eos (default), or min_tokens = max_tokens",
      ).choices(["ignore-eos", "min-tokens"] as const),
    )
    .option(
      "--scenario-seed <n>",
      "seed of the scenario's draws (default 0); the same seed gives every variant the same lengths",
    )
    .option(
      "--tokenizer <dir|hub-id>",
      "the model's tokenizer: a folder with tokenizer.json and tokenizer_config.json, or a hub id (cached as " +
        "datasets are); prompts then have exact token counts after the chat template, compared with the server's",
    )
    .option(
      "--warmup <n>",
      "warm-up requests before each concurrency level, not counted (default: the config's warmup.requests, 0)",
    )
    .option("--no-stream", "non-streaming requests (no TTFT, TPOT or ITL: null in bench.json)")
    .option("--reports <dir>", "results go to <dir>/bench-<id>/ (default reports)")
    .option("--bench-id <id>", "name of the results folder (default: a timestamp)")
    .option("--json", "print bench.json to stdout (the table goes to stderr)")
    .option(
      "--slo <targets>",
      "latency targets, e.g. ttft=500ms,tpot=50ms,e2e=20s (ms or s): every level gains goodput, vLLM's --goodput",
    )
    .option(
      "--find-max-rate",
      "per variant, search for the highest request rate (Poisson) at which the --slo percentile holds",
    )
    .option("--slo-percentile <p>", "--find-max-rate: percentile of every target that must hold (default 90)")
    .option("--trials <n>", "--find-max-rate: independent searches of --requests-request trials (default 3)")
    .option(
      "--trial-warmup <seconds>",
      "--find-max-rate: each trial first sends at least this many seconds of arrivals (and half its --requests), " +
        "unjudged, so the queue fills before the judged requests, and after them a cool-down (the e2e target's " +
        "seconds, else these) so they finish under load (default 5; 0 turns both off)",
    )
    .option(
      "--run <run-id>",
      "--find-max-rate: attach the max rates to this run (an id under output.artifacts, or artifacts/<run-id>; " +
        "variants matched by name and model) and rewrite its report with each variant's capacity at SLO",
    )
    .option("--artifacts <dir>", "with --run: where the run is (default: the config's output.artifacts, artifacts)")
    .option("--set <path=value>", SET_HELP, collect);
}
export type BenchFlags = FlagsOf<ReturnType<typeof declareBench>>;

export function declareDiverge(program: AnyCommand) {
  return program
    .command("diverge")
    .description(
      "token-level divergence of each variant from the reference on a finished run: every variant scores the " +
        "reference's replies (prompt logprobs), giving KL, top-1 agreement and first divergence in the report",
    )
    .argument("<run-id>", "the run whose reference replies are scored")
    .option("-c, --config <file>", "a config for the run's variants (servers moved); it must ask what the run asked")
    .option("--artifacts <dir>", "where the run's journals are (default: the config's, else artifacts)")
    .option("--reports <dir>", "where to write the report (default: the run's own reports folder)")
    .option("--top-k <k>", "prompt logprobs per position (vLLM's --max-logprobs must allow it)", "20")
    .option("--max-positions <n>", 'score at most the first n tokens of each reply ("all": every token)', "1024")
    .option("--items <n>", 'score at most n items per task, a subset fixed by their ids ("all": every item)', "1000")
    .option("--tasks <list>", "only these tasks (comma-separated; default every task of the run)")
    .option("--variants <list>", "only these variants besides the reference (comma-separated)")
    .option("--concurrency <n>", "requests in flight per variant (default: the run config's concurrency)");
}
export type DivergeFlags = FlagsOf<ReturnType<typeof declareDiverge>>;

/** `--format` of `report` and `compare`: the per-precision table users paste into their own reports. */
export function formatOption() {
  return new Option(
    "--format <format>",
    "print only the per-precision table (scores, Δ pp, recovery, verdicts) to stdout, in this form",
  ).choices(["md", "csv", "latex"] as const);
}

export function declareRegrade(program: AnyCommand) {
  return withDataFlags(
    program.command("regrade"),
    "the run's, else HF_HUB_CACHE, HF_HOME/hub, ~/.cache/huggingface/hub",
  )
    .description(
      "re-score every stored reply of a run with the current graders (no model asked), rewrite its journals and report",
    )
    .argument("<run-id>", "the run to re-score")
    .option("--artifacts <dir>", "where the run's journals are", "artifacts")
    .option("--reports <dir>", "where to write the report (default: the run's own reports folder)")
    .option("--dry-run", "print what would change; write nothing");
}
export type RegradeFlags = FlagsOf<ReturnType<typeof declareRegrade>>;

export function declareGrade(program: AnyCommand) {
  return program
    .command("grade")
    .description(
      "grade JSONL lines from stdin as the tasks do: one JSON verdict per line on stdout (for scripts and audits)",
    )
    .argument(
      "<mode>",
      "math ({gold, response}), integer (AIME 0–999), " +
        "choice ({gold: letter, response, options?}) or code ({problem: {tests, funcName?} or a LiveCodeBench row, " +
        "response, language}, or a row with response)",
    )
    .option(
      "--letters <letters>",
      "choice: the valid letters, e.g. ABCD (default: one per option of the line, else A–J)",
    )
    .option("--timeout-sec <s>", "code: time limit per test (default 18 for python, 6 for javascript)")
    .option("--memory-mb <mb>", "code: memory limit per program (default 1024)");
}
export type GradeFlags = FlagsOf<ReturnType<typeof declareGrade>>;

export function declareSim(program: AnyCommand) {
  return withSimContextFlags(
    withSimFaultFlags(
      withDataFlags(program.command("sim"))
        .description("start the vLLM simulator (NOT a real model) that knows the answer key of the given tasks")
        .option("--host <host>", "address to listen on", "127.0.0.1")
        .option("--port <port>", "port (0 picks a free one)", "8000")
        .option("--tasks <list>", "tasks whose questions the simulator recognises", "suite40")
        .option("--profiles <file>", "JSON file with variant profiles (default: the demo's bf16/fp8/nvfp4)")
        .option("--seed <n>", "seed for the simulated answers", "0")
        .option(
          "--dialect <engine>",
          "the server it imitates: vllm, sglang, lmdeploy, trtllm or llamacpp (docs/engines.md)",
          "vllm",
        )
        .option(
          "-c, --config <file>",
          "take tasks and taskOptions from this run config, so the prompts match the run's",
        ),
    ).option("--disable-log-requests", "do not log one line per request (as vLLM's flag; faults are still logged)"),
  );
}
export type SimFlags = FlagsOf<ReturnType<typeof declareSim>>;

/** The simulator's fault-injection flags (each becomes a SimFaults field). */
function withSimFaultFlags<A extends unknown[], O extends OptionValues, G extends OptionValues>(
  command: Command<A, O, G>,
) {
  return command
    .option(
      "--status-rates <list>",
      "fault: error rate per HTTP status, e.g. 429=0.05,500=0.02,503=0.01 (429/503 carry Retry-After)",
    )
    .option("--retry-after <sec>", "fault: the Retry-After seconds sent with 429 and 503 (default 1)")
    .option("--drop-rate <p>", "fault: share of replies whose connection is destroyed halfway")
    .option(
      "--truncate-rate <p>",
      "fault: share of replies that end cleanly halfway (no finish_reason, usage or [DONE])",
    )
    .option("--malformed-rate <p>", "fault: share of replies with a data: line that is not JSON")
    .option("--missing-usage-rate <p>", "fault: share of replies without usage, even when include_usage asks for it")
    .option("--empty-rate <p>", "fault: share of replies with empty content")
    .option("--garbled-rate <p>", "fault: share of replies with junk text and no answer")
    .option("--slow-start <sec>", 'fault: answer 503 "loading" on /health, /v1/models and chat for the first seconds')
    .option("--die-after <n>", "fault: after n chat requests, close the listener and every connection (a crash)");
}
export type SimFaultFlags = FlagsOf<ReturnType<typeof withSimFaultFlags<[], NoFlags, NoFlags>>>;

/** The simulator's context flags (as vLLM's). */
function withSimContextFlags<A extends unknown[], O extends OptionValues, G extends OptionValues>(
  command: Command<A, O, G>,
) {
  return command
    .option(
      "--max-model-len <n>",
      "context length in tokens of each model whose profile sets no maxModelLen (as vLLM's flag; default 131072)",
    )
    .option(
      "--max-logprobs <n>",
      "largest prompt_logprobs k of each model whose profile sets no maxLogprobs (as vLLM's flag; default 20)",
    )
    .option("--no-tokenize", "no POST /tokenize, as on a server without vLLM's /tokenize (llama.cpp, a proxy)");
}
export type SimContextFlags = FlagsOf<ReturnType<typeof withSimContextFlags<[], NoFlags, NoFlags>>>;

/** The flags that name the variants, shared by `run` and `bench` (config-flags.ts merges them the same way). */
function withVariantFlags<A extends unknown[], O extends OptionValues, G extends OptionValues>(
  command: Command<A, O, G>,
) {
  return command
    .option("--variant <name>", "variant name (repeat for several variants)", collect)
    .option(
      "--base-url <url>",
      'OpenAI-compatible base URL, e.g. http://127.0.0.1:8000/v1 (repeat per variant); "url1,url2" adds replicas and replaces configured ones',
      collect,
    )
    .option("--model <name>", "served model name (repeat per variant)", collect)
    .option("--api-key-env <VAR>", "environment variable holding the API key (for every variant)");
}

/** Per-attempt timeout and retries, shared by `run` and `bench` (the config's timeoutSec and retry). */
function withRequestFlags<A extends unknown[], O extends OptionValues, G extends OptionValues>(
  command: Command<A, O, G>,
) {
  return command
    .option("--timeout-sec <s>", "per-attempt request timeout (default 1800)")
    .option("--max-attempts <n>", "attempts per request, first included (default 4)")
    .option("--retry-delay-ms <ms>", "base delay of the exponential retry backoff (default 1000)");
}

/** Where task data comes from, for the commands that load tasks (`run`, `regrade`, `sim`). */
function withDataFlags<A extends unknown[], O extends OptionValues, G extends OptionValues>(
  command: Command<A, O, G>,
  cacheDefault = DEFAULT_CACHE,
) {
  return command
    .option("--cache-dir <dir>", `Hugging Face cache folder (default ${cacheDefault})`)
    .option("--data-dir <dir>", "read datasets from local copies laid out as on the hub (<dir>/<owner>/<name>/<file>)")
    .option("--offline", "read datasets from the cache only (also HF_HUB_OFFLINE=1)")
    .option("--hf-token <token>", "Hugging Face token for gated datasets (default HF_TOKEN; never written anywhere)");
}
