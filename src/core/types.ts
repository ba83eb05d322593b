/** The shared vocabulary of the runner, the client, tasks and graders (DESIGN.md "Core types"). */

export type Role = "system" | "user" | "assistant";
export interface Message {
  role: Role;
  content: string;
}

/** One question, ready to send. `messages` depend only on (item, config): every variant gets the same bytes. */
export interface Item {
  id: string;
  task: string;
  messages: Message[];
  /** The task's own gold answer; must be JSON-serialisable (it is journalled). */
  gold: unknown;
  /** Free-form metadata; keys named in `Task.breakdowns` must be strings and are journalled as labels. */
  meta: Record<string, unknown>;
}

export interface Reply {
  /** Final answer text, reasoning removed. Empty when a `<think>` never closed. */
  text: string;
  /** Reasoning (vLLM `reasoning_content`/`reasoning`, or the inside of `<think>…</think>`). */
  reasoning?: string;
  /** As the server said it: "stop", "length", … ("length" means cut at max_tokens). */
  finishReason: string;
  /** The server's counts; with usageCountedBy, the client's (promptTokens null: not known, never a count of 0). */
  usage: { promptTokens: number | null; completionTokens: number };
  timing: {
    /** Epoch ms when the request was sent. */
    sentAt: number;
    /** First streamed token of any kind, reasoning included (as `vllm bench serve` counts TTFT). */
    firstTokenAt?: number;
    /** First token of the final answer (non-reasoning content). */
    firstAnswerTokenAt?: number;
    doneAt: number;
  };
  /** Which server answered, when the variant has several (data-parallel replicas); absent with one. */
  replica?: string;
  /**
   * Set when the server sent no usage, so the client counted: "tokenizer", with the model's tokenizer (the prompt
   * through its chat template, the completion from the streamed text); "chunks", the completion as the streamed
   * chunks that carried a token, the prompt unknown. Absent: the server's own usage.
   */
  usageCountedBy?: UsageCounter;
}

/** Who counted a reply's tokens when the server did not (Reply.usageCountedBy). */
export type UsageCounter = "tokenizer" | "chunks";

export interface Grade {
  correct: boolean;
  /** False when no answer could be extracted: unanswered is never a wrong letter. */
  answered: boolean;
  /** The path that decided: extraction then comparison, e.g. "answer-line/numeric-equal". */
  rule: string;
  extracted?: string;
  detail?: string;
}

/**
 * What grading may use beyond the item and the reply: the sandboxes and the math engine. Whoever grades (the runner,
 * `regrade`, `grade`) creates it and closes it (src/runner/grade-context.ts), so no grader holds process-wide state.
 */
export interface GradeContext {
  code: CodeRunner;
  math: MathEngine;
  /** Native CPython in an OS sandbox, where the machine has one (tasks whose code needs numpy: SciCode). */
  python?: RunPythonProgram;
}

/** Runs one Python program in a fresh sandboxed process with the given limits; the program's exit code decides. */
export type RunPythonProgram = (program: string, options: PythonProgramOptions) => Promise<PythonProgramResult>;

export interface PythonProgramOptions {
  timeoutMs: number;
  memoryMb: number;
}

export interface PythonProgramResult {
  /** null when the process was killed (time limit, signal). */
  exitCode: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Runs a program against tests in a sandbox (graders/code); the pools behind it start on first use. */
export interface CodeRunner {
  run(code: string, language: CodeLanguage, tests: readonly CodeTest[], options: RunOptions): Promise<CodeVerdict>;
}

/** Decides whether two math answers agree (graders/math), naming the rule that decided. */
export interface MathEngine {
  equal(gold: string, pred: string): MathEquality;
}

export interface MathEquality {
  equal: boolean;
  /** graders/math's MathRule, e.g. "numeric-equal". */
  rule: string;
  /** A short human-readable reason, e.g. which element differed or why parsing failed. */
  detail?: string;
}

export type CodeLanguage = "python" | "javascript";

/** The sandbox that runs Python: Pyodide (WebAssembly, in a worker thread) or CPython in bubblewrap ("native"). */
export type PythonExecutor = "pyodide" | "native";
/** What a task may ask for: "auto" takes native where this machine can run it, else Pyodide. */
export type PythonExecutorChoice = PythonExecutor | "auto";

/**
 * One test of a program. "stdin": `input` is fed to the program's standard input and `output` is the expected
 * standard output. "functional": each line of `input` is one JSON argument and `output` is the JSON return value.
 */
export interface CodeTest {
  input: string;
  output: string;
  testtype: "stdin" | "functional";
}

export type TestStatus = "passed" | "wrong_answer" | "runtime_error" | "time_limit" | "memory_limit" | "compile_error";

export interface TestOutcome {
  status: TestStatus;
  /** Short reason: the first differing line, the error class and message, ≤ 300 chars. */
  detail?: string;
  /** Time the program ran for this test (ms), as measured inside the sandbox where possible. */
  ms?: number;
}

export interface CodeVerdict {
  /** True when every test passed. */
  passed: boolean;
  /** One outcome per test that was run; with stopAtFirstFailure the list ends at the first failure. */
  tests: TestOutcome[];
}

export interface RunLimits {
  /** CPU/wall time per test. */
  timeoutMs: number;
  /** Memory the program may use (for Python: on top of the interpreter's own heap). */
  memoryMb: number;
}

export interface RunOptions {
  /** Name of the function to call for functional tests. */
  funcName?: string;
  limits: RunLimits;
  /** Stop at the first test that does not pass, like LiveCodeBench (default true). */
  stopAtFirstFailure?: boolean;
  /** Python only: which sandbox runs the program (default "pyodide"). */
  executor?: PythonExecutor;
}
