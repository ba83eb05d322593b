/**
 * Typed errors. Each has a stable `code` (printed as `error[E_CODE]`) and a `hint` that states the fix.
 * Only cli.ts catches everything; elsewhere a catch either rethrows one of these with `{ cause }` or
 * records the failure in the journal.
 */
import { EXIT, type ExitCode } from "./exit-codes.ts";

export class QuantevalError extends Error {
  readonly code: string;
  readonly hint: string;
  /** What the process exits with when this error ends a command: bad input (2) or a failure (1). */
  readonly exitCode: ExitCode = EXIT.failed;
  constructor(code: string, message: string, hint: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.hint = hint;
  }
}

/** Invalid run config or CLI flags. `issues` are already formatted as `file: path: problem (got …)`. */
export class ConfigError extends QuantevalError {
  override readonly exitCode = EXIT.badInput;
  readonly issues: readonly string[];
  constructor(
    issues: readonly string[],
    hint = "fix the fields named above; `quanteval run --help` lists every flag",
    what = "run config",
  ) {
    super("E_CONFIG", `invalid ${what}:\n  ${issues.join("\n  ")}`, hint);
    this.issues = issues;
  }
}

export class UnknownTaskError extends QuantevalError {
  override readonly exitCode = EXIT.badInput;
  constructor(name: string, known: readonly string[]) {
    super(
      "E_UNKNOWN_TASK",
      `unknown task "${name}"`,
      `use one of: ${known.join(", ")} (\`quanteval tasks\` lists them)`,
    );
  }
}

/** A benchmark users ask for that quanteval lists but cannot run yet. */
export class TaskNotSupportedError extends QuantevalError {
  override readonly exitCode = EXIT.badInput;
  constructor(name: string, reason: string) {
    super(
      "E_TASK_NOT_SUPPORTED",
      `task "${name}" is not supported yet: ${reason}`,
      "drop it from --tasks; `quanteval tasks` lists what runs",
    );
  }
}

/** The endpoint could not be reached at all (connection refused, DNS, timeout on /v1/models). */
export class EndpointUnreachableError extends QuantevalError {
  readonly url: string;
  constructor(url: string, detail: string, options?: ErrorOptions) {
    super(
      "E_ENDPOINT_UNREACHABLE",
      `cannot reach ${url}: ${detail}`,
      "start the server (e.g. `vllm serve <model> --port 8000`) or fix variants[].baseUrl, then rerun with --resume <run-id>",
      options,
    );
    this.url = url;
  }
}

/** The server answered but does not serve the configured model name. */
export class ModelNotServedError extends QuantevalError {
  constructor(url: string, model: string, served: readonly string[]) {
    super(
      "E_MODEL_NOT_SERVED",
      `${url} does not serve model "${model}" (it serves: ${served.join(", ") || "nothing"})`,
      "set variants[].model to the name vLLM was started with (--served-model-name), as listed by GET /v1/models",
    );
  }
}

/**
 * How the last attempt failed: no connection or a connection that broke ("connection"), no answer in time
 * ("timeout"), an HTTP error status ("http"), or an answer that was not a usable completion ("protocol").
 */
export type RequestFailureKind = "connection" | "timeout" | "http" | "protocol";

/**
 * An error message with its numbers and ids masked: vLLM names each request's token counts (and proxies request ids)
 * in otherwise identical messages, and two messages of the same shape are the same error for grouping and counting.
 */
export function errorShape(message: string): string {
  return message.replace(/[0-9a-f]{8,}(-[0-9a-f]{4,})*/gi, "#").replace(/\d+/g, "#");
}

/** A chat completion that still failed after retries. Journalled as an error, never graded as wrong. */
export class RequestFailedError extends QuantevalError {
  /** The URL asked, as shown (no credentials). */
  readonly url: string;
  /** What went wrong, as the server said it (for an HTTP error, its status line and body), without the URL. */
  readonly detail: string;
  readonly status: number | undefined;
  readonly attempts: number;
  readonly retryable: boolean;
  readonly kind: RequestFailureKind;
  constructor(
    url: string,
    detail: string,
    info: { status?: number; attempts: number; retryable: boolean; kind: RequestFailureKind },
    options?: ErrorOptions,
  ) {
    super(
      "E_REQUEST_FAILED",
      `request to ${url} failed after ${info.attempts} attempt(s): ${detail}`,
      "check the server log; rerun with --resume <run-id> to ask only the failed and missing items again",
      options,
    );
    this.url = url;
    this.detail = detail;
    this.status = info.status;
    this.attempts = info.attempts;
    this.retryable = info.retryable;
    this.kind = info.kind;
  }
}

/** A gold answer that does not parse is a data or grader bug: counted apart, never a wrong answer. */
export class GoldParseError extends QuantevalError {
  constructor(task: string, itemId: string, gold: string, detail: string) {
    super(
      "E_GOLD_PARSE",
      `${task}/${itemId}: gold answer ${JSON.stringify(gold)} does not parse: ${detail}`,
      "this is a dataset or grader bug; report it with the item id",
    );
  }
}

/** A dataset or evalset file is malformed (bad JSON, a row that fails its schema). */
export class DatasetFormatError extends QuantevalError {
  /** The file, or the row in it: `file:line`, `file row N`. */
  readonly where: string;
  readonly detail: string;
  constructor(
    where: string,
    detail: string,
    options?: ErrorOptions,
    hint = "the file does not match its documented format; re-download it or fix the row named",
  ) {
    super("E_DATASET_FORMAT", `${where}: ${detail}`, hint, options);
    this.where = where;
    this.detail = detail;
  }
}

export class RunNotFoundError extends QuantevalError {
  override readonly exitCode = EXIT.badInput;
  constructor(runId: string, dir: string) {
    super(
      "E_RUN_NOT_FOUND",
      `no run "${runId}" under ${dir}`,
      "pass a run id listed by `ls artifacts/`, or --artifacts <dir> if the run was written elsewhere",
    );
  }
}

/**
 * A bench that cannot be attached to a run's report (`report --bench`, `bench --run`): not found, not a bench.json,
 * no --find-max-rate result, or variants that are not the run's. `what` is the problem, `hint` the fix.
 */
export class BenchAttachError extends QuantevalError {
  override readonly exitCode = EXIT.badInput;
  constructor(code: "E_BENCH_NOT_FOUND" | "E_BENCH_FORMAT" | "E_BENCH_NO_MAX_RATE", what: string, hint: string) {
    super(code, what, hint);
  }
}

/** A bench's variant is not the run's: another name, or the same name serving another model. */
export class BenchMismatchError extends QuantevalError {
  override readonly exitCode = EXIT.badInput;
  readonly variant: string;
  constructor(variant: string, problem: string, hint: string) {
    super("E_BENCH_MISMATCH", `bench variant ${variant}: ${problem}`, hint);
    this.variant = variant;
  }
}

/** A manifest that cannot be read: not JSON, cut short, or not a manifest. (Unreadable journal lines are quarantined.) */
export class JournalFormatError extends QuantevalError {
  constructor(
    file: string,
    line: number,
    detail: string,
    hint = "the file was edited by hand or damaged; restore it from a copy",
  ) {
    super("E_JOURNAL_FORMAT", `${file}:${line}: ${detail}`, hint);
  }
}

/** A journal or manifest in a format newer than this quanteval reads: guessing at it could lose records. */
export class FormatTooNewError extends QuantevalError {
  constructor(file: string, what: string, found: number, known: number, writtenBy: string | undefined, ours: string) {
    super(
      "E_FORMAT_TOO_NEW",
      `${file}: ${what} format v${found}${writtenBy !== undefined ? `, written by quanteval ${writtenBy}` : " (written by a newer quanteval)"}; ` +
        `this is quanteval ${ours}, which reads up to v${known}`,
      `upgrade quanteval (npm install in its folder, or the newer checkout) and run the command again; nothing was changed`,
    );
  }
}

/**
 * A file or folder quanteval must write cannot be written: the disk is full, the folder is read-only or not a folder.
 * Nothing already written is lost: the message names the path, and the hint says how to go on.
 */
export class OutputWriteError extends QuantevalError {
  readonly path: string;
  readonly errno: string | undefined;
  /** Why the write failed ("no space left on the device (…)"), and what to fix, for callers that say more. */
  readonly detail: string;
  readonly fix: string;
  constructor(
    path: string,
    detail: string,
    fix: string,
    then: string,
    errno: string | undefined,
    options?: ErrorOptions,
  ) {
    super("E_OUTPUT_WRITE", `cannot write ${path}: ${detail}`, `${fix}, then ${then}`, options);
    this.path = path;
    this.errno = errno;
    this.detail = detail;
    this.fix = fix;
  }
}

/**
 * A task's data cannot be had right now. In `run` the task becomes N/A with this message and hint, and the
 * other tasks go on; elsewhere (`data pull`, `tasks`) it is an error like any other.
 */
export class DatasetUnavailableError extends QuantevalError {
  readonly dataset: string;
  constructor(code: string, dataset: string, message: string, hint: string, options?: ErrorOptions) {
    super(code, message, hint, options);
    this.dataset = dataset;
  }
}

/** The hub answered 401/403 or its gated message: the user has not been granted access, or sent no token. */
export class DatasetGatedError extends DatasetUnavailableError {
  readonly status: number;
  constructor(dataset: string, status: number, detail: string, hasToken: boolean, options?: ErrorOptions) {
    const page = `https://huggingface.co/datasets/${dataset}`;
    super(
      "E_DATASET_GATED",
      dataset,
      `${dataset} is gated: the hub refused access (HTTP ${status}${detail ? `: ${detail}` : ""})`,
      hasToken
        ? `request access at ${page} with the account that owns HF_TOKEN (or --hf-token), wait for approval, then retry`
        : `request access at ${page}, then set HF_TOKEN (or pass --hf-token) to a token of that account (https://huggingface.co/settings/tokens)`,
      options,
    );
    this.status = status;
  }
}

/** The hub has no such dataset, revision or file (404). */
export class DatasetNotFoundError extends DatasetUnavailableError {
  constructor(dataset: string, revision: string, file: string, options?: ErrorOptions) {
    super(
      "E_DATASET_NOT_FOUND",
      dataset,
      `${dataset}@${revision.slice(0, 12)} has no file ${file} (HTTP 404)`,
      `check the id and revision in evalsets/datasets.json, or that HF_ENDPOINT points at a mirror that has ${dataset}`,
      options,
    );
  }
}

/** Offline (`--offline` / HF_HUB_OFFLINE=1) and the file is not in the cache. */
export class DatasetNotCachedError extends DatasetUnavailableError {
  constructor(dataset: string, file: string, cacheDir: string, task: string) {
    super(
      "E_DATASET_NOT_CACHED",
      dataset,
      `${dataset}/${file} is not in the cache ${cacheDir} and downloads are off (offline)`,
      `on a machine with internet run \`quanteval data pull ${task} --cache-dir <dir>\` and copy <dir> here (or pass --data-dir with a local copy)`,
    );
  }
}

/** `--data-dir` was given and the file is not where the hub layout puts it. */
export class DatasetNotInDataDirError extends DatasetUnavailableError {
  constructor(dataset: string, file: string, expected: string) {
    super(
      "E_DATASET_NOT_IN_DATA_DIR",
      dataset,
      `${dataset}/${file} is not in --data-dir: expected ${expected}`,
      `copy the hub repo's files to <data-dir>/${dataset}/ keeping their paths, or drop --data-dir to download`,
    );
  }
}

/** The hub (or HF_ENDPOINT mirror) could not be reached or answered an unexpected status. */
export class HubUnreachableError extends DatasetUnavailableError {
  constructor(dataset: string, url: string, detail: string, options?: ErrorOptions) {
    super(
      "E_HUB_UNREACHABLE",
      dataset,
      `cannot download ${dataset} from ${url}: ${detail}`,
      "check the network or HF_ENDPOINT; on a machine without internet use --offline with a cache filled by `quanteval data pull`, or --data-dir",
      options,
    );
  }
}

/**
 * A task asks for the native Python executor (`executor: native`, or a task that needs CPython) and this machine
 * cannot run it: in `run` the task becomes N/A with the reason, like a dataset that cannot be had.
 */
export class NativePythonUnavailableError extends QuantevalError {
  constructor(task: string, reason: string) {
    super(
      "E_NATIVE_PYTHON_UNAVAILABLE",
      `${task} needs the native Python executor, which cannot run here: ${reason}`,
      "install bubblewrap and python3 (Debian: apt-get install bubblewrap python3) where user namespaces are " +
        "allowed, or let the task fall back to Pyodide where it can (taskOptions.<task>.executor: auto)",
    );
  }
}

/**
 * SciCode's numeric targets (test_data.h5) are not on the hub: the user downloads them once and names the file.
 * Without them no sub-step can be graded, so the task is N/A (the other tasks go on).
 */
export class ScicodeTargetsMissingError extends DatasetUnavailableError {
  constructor(detail: string) {
    super(
      "E_SCICODE_H5_MISSING",
      "SciCode1/SciCode",
      `${detail}: SciCode's numeric targets (test_data.h5) are not on the hub`,
      "download test_data.h5 from SciCode's Google Drive " +
        "(https://drive.google.com/drive/folders/1W5GZW6_bdiDAiipuFMqdUhvUaHIj6-pR, linked from the README of " +
        "github.com/scicode-bench/SciCode) and pass --scicode-h5 <file> (or set taskOptions.scicode.h5)",
    );
  }
}

/**
 * A serve block's port already accepts connections before quanteval starts its server: whatever answers there
 * would be measured instead of the precision the variant names, so the variant is refused rather than guessed at.
 */
export class ServerPortBusyError extends QuantevalError {
  constructor(address: string, detail: string, hint: string) {
    super(
      "E_SERVER_PORT_BUSY",
      `${address} already accepts connections before the variant's server was started${detail}`,
      hint,
    );
  }
}

/** The serve command could not be started at all (not found, not executable, bad cwd). */
export class ServerSpawnError extends QuantevalError {
  constructor(command: string, detail: string, options?: ErrorOptions) {
    super(
      "E_SERVER_SPAWN",
      `cannot start \`${command}\`: ${detail}`,
      "check variants[].serve.command (argv: the program first, found on PATH) and serve.cwd; a program run from a virtualenv needs its full path",
      options,
    );
  }
}

/**
 * The server quanteval started exited on its own: before it was ready (bad flags, CUDA out of memory, the GPU
 * still held by another process) or while the variant's items were being asked. The message carries the end of
 * the server's log, since that is where vLLM says why.
 */
export class ServerExitedError extends QuantevalError {
  constructor(when: "before it was ready" | "while its items were asked", how: string, logFile: string, tail: string) {
    super(
      "E_SERVER_EXITED",
      `the server exited ${how} ${when}; last lines of ${logFile}:\n${tail}`,
      `read ${logFile}; fix variants[].serve (flags, memory: --gpu-memory-utilization, --max-model-len) or free the GPU, then resume the run`,
    );
  }
}

/** The server did not become ready (health 200 and the model listed) within serve.startupTimeoutSec. */
export class ServerStartTimeoutError extends QuantevalError {
  constructor(seconds: number, lastSeen: string, logFile: string, tail: string) {
    super(
      "E_SERVER_START_TIMEOUT",
      `the server was not ready after ${seconds}s (${lastSeen}); it was stopped; last lines of ${logFile}:\n${tail}`,
      "raise variants[].serve.startupTimeoutSec if the weights are still loading (see the log), or fix serve.healthUrl / baseUrl if they do not point at this server",
    );
  }
}

/**
 * A server an earlier session of this run started is still running: that session was killed with SIGKILL (no
 * handler runs then), so its server was never stopped. It holds the GPU, and maybe the port.
 */
export class ServerLeftRunningError extends QuantevalError {
  constructor(pid: number, command: string, pidFile: string) {
    super(
      "E_SERVER_LEFT_RUNNING",
      `a server started by an earlier session of this run is still running (pid ${pid}: ${command}; recorded in ${pidFile}); that session was killed before it could stop it`,
      `stop it and its child processes with \`kill -- -${pid}\` (its process group), then resume the run`,
    );
  }
}

/** An lm-evaluation-harness output folder that `quanteval import lm-eval` cannot read: names the file (and line). */
export class LmEvalFormatError extends QuantevalError {
  override readonly exitCode = EXIT.badInput;
  constructor(where: string, detail: string, hint: string, options?: ErrorOptions) {
    super("E_LMEVAL_FORMAT", `${where}: ${detail}`, hint, options);
  }
}

/** A server that cannot give the prompt logprobs teacher forcing needs (issue 18): no /tokenize, or no field. */
export class PromptLogprobsUnsupportedError extends QuantevalError {
  readonly url: string;
  constructor(url: string, detail: string, options?: ErrorOptions) {
    super(
      "E_PROMPT_LOGPROBS_UNSUPPORTED",
      `${url} cannot score a reply token by token: ${detail}`,
      "serve the variant with vLLM, whose chat completions give prompt_logprobs and whose POST /tokenize gives " +
        "token ids; leave this variant out of divergence otherwise",
      options,
    );
    this.url = url;
  }
}

/** vLLM's 400 for a `prompt_logprobs` k over its --max-logprobs (default 20). */
export class MaxLogprobsTooLowError extends QuantevalError {
  readonly url: string;
  readonly requested: number;
  readonly allowed: number;
  constructor(url: string, requested: number, allowed: number, options?: ErrorOptions) {
    super(
      "E_MAX_LOGPROBS",
      `${url} allows at most ${allowed} prompt logprobs per position; ${requested} were asked for`,
      `restart vLLM with --max-logprobs ${requested} (or more), or lower the top-k to ${allowed}`,
      options,
    );
    this.url = url;
    this.requested = requested;
    this.allowed = allowed;
  }
}

/**
 * Two servers turned the same messages into different token ids, so their logprobs are not of the same sequence
 * and no divergence between them means anything. `position` is the first index that differs (0-based).
 */
export class TokenizationMismatchError extends QuantevalError {
  readonly position: number;
  constructor(
    what: string,
    position: number,
    detail: string,
    hint = "serve every variant with the same tokenizer and chat template (vLLM's --tokenizer, --chat-template) " +
      "and send them identical messages and chat_template_kwargs",
  ) {
    super("E_TOKENIZATION_MISMATCH", `${what}: the token ids differ first at position ${position} (${detail})`, hint);
    this.position = position;
  }
}
