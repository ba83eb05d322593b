/** The seams between tasks, the runner and graders (DESIGN.md "Core types"). */
import type { z } from "zod";
import type {
  Grade,
  GradeContext,
  Item,
  MathEngine,
  PythonExecutor,
  PythonExecutorChoice,
  Reply,
} from "../core/types.ts";
import type { DatasetFiles } from "../datasets/index.ts";

export interface LoadOptions {
  /** Folder that holds `evalsets/` (the package root). */
  root: string;
  /** Hub dataset files, pinned and recorded (see src/datasets/). Bundled tasks do not use it. */
  data: DatasetFiles;
  /** What followed the task name after ":" (`mmlu_pro:law` → "law"); checked by `Task.subsets` first. */
  subset?: string;
  /** `taskOptions.<task>` from the config, already validated by `Task.options` (defaults applied). */
  options: Record<string, unknown>;
  /** Says something once about the data (e.g. rows whose fields disagree); shown on stderr and kept in the manifest. */
  notice: (message: string) => void;
  /** The Python executor the runner settled on for `Task.pythonExecutor`'s choice; absent when it asked none. */
  pythonExecutor?: PythonExecutor;
}

/**
 * What the simulator may say as the final answer for an item, in the format the task's prompt asks for
 * (e.g. "Answer: 42"). `wrong` holds plausible wrong answers; the simulator picks among them.
 */
export interface AnswerKey {
  correct: string;
  wrong: string[];
}

/**
 * Where the items come from: a file of ours, hub datasets pinned in evalsets/datasets.json, or the user's own files
 * (a custom task: its definition file, when it has one, and its data files, as absolute paths).
 */
export type TaskSource =
  | { kind: "bundled"; path: string }
  | { kind: "hub"; datasets: string[] }
  | { kind: "local"; paths: string[] };

/** A dataset file a task reads: for `quanteval data pull` and `tasks`. */
export interface DataFileRef {
  dataset: string;
  path: string;
}

export interface Task {
  /** As users type it (`suite40`, `mmlu_pro`, `aime24`). */
  name: string;
  /** Family name that expands to several tasks (`aime` → aime24, aime25). */
  family: string;
  description: string;
  source: TaskSource;
  defaults: { maxTokens: number };
  /** Nominal item count for `quanteval tasks` (the data may not be downloaded yet). */
  size: string;
  /** Hub datasets behind the task need an approved account (Idavidrein/gpqa, cais/hle). */
  gated?: boolean;
  /** When set, the task may be named `name:<subset>`; `check` returns a problem or undefined. */
  subsets?: { describe: string; check(subset: string): string | undefined };
  /** Schema of `taskOptions.<name>` (strict, with defaults); `maxTokens` is handled by the runner for every task. */
  options?: z.ZodType<Record<string, unknown>>;
  /** Every hub file `load` would read with this subset and options (default subset, default options if omitted). */
  files(subset: string | undefined, options: Record<string, unknown>): DataFileRef[];
  /** `Item.meta` keys the report breaks accuracy down by (e.g. ["category"]). */
  breakdowns: readonly string[];
  /**
   * A breakdown key whose values are main problems made of several items (SciCode's sub-steps): the report adds
   * the share of problems whose every item passed.
   */
  problemLabel?: string;
  /** Pure data: no HTTP to model endpoints. */
  load(opts: LoadOptions): Promise<Item[]>;
  /**
   * Pure but for ctx's sandboxes and math engine, which the caller owns. Throws GoldParseError when the gold itself
   * will not parse.
   */
  grade(item: Item, reply: Reply, ctx: GradeContext): Promise<Grade>;
  /**
   * For the simulator and grader self-tests: the correct final answer and some wrong ones (`math` keeps out wrong
   * answers the grader would accept).
   */
  answerKey(item: Item, math: MathEngine): AnswerKey;
  /**
   * Tasks with a `scoring` option: which mode recorded options select and what it reads, as the report states it;
   * `undefined` for options that name a mode this version does not know.
   */
  scoring?(options: Record<string, unknown>): ScoringInfo | undefined;
  /**
   * Tasks that run Python: the executor their (validated) options ask for, or undefined when these options run
   * none. The runner settles "auto" before `load` (LoadOptions.pythonExecutor) and records it in the manifest.
   */
  pythonExecutor?(options: Record<string, unknown>): PythonExecutorChoice | undefined;
}

/** How a task's replies were scored: quanteval's strict reader, or the benchmark's own extraction. */
export interface ScoringInfo {
  mode: "strict" | "official";
  /** What the mode reads, and for "official" which script it reproduces, in a sentence. */
  description: string;
}
