/**
 * `quanteval bench`'s prompt flags beyond --prompt-tokens and --prompt-file: --scenario (checked against the flags
 * it replaces) and --tokenizer (loaded, then given to the prompt source).
 */
import { resolve } from "node:path";
import type { VariantConfig } from "../../config.ts";
import { ConfigError } from "../../core/errors.ts";
import type { DataAccessOptions } from "../../datasets/index.ts";
import {
  type PromptSource,
  parseScenario,
  readPromptFile,
  readRunPrompts,
  resolveTokenizer,
  type Scenario,
  scenarioLabel,
  type TokenizerField,
  withTokenizer,
} from "../../loadgen/index.ts";
import type { BenchFlags } from "../flags.ts";

/** The parsed --scenario, or undefined with the problems (bad string, clashing flags) added to `problems`. */
export function scenarioFromFlags(flags: BenchFlags, problems: string[]): Scenario | undefined {
  if (flags.scenario === undefined) {
    if (flags.holdOutput !== undefined)
      problems.push("flags: --hold-output holds the output lengths of a --scenario: give one, or drop it");
    if (flags.fromRun !== undefined) problems.push("flags: --from-run sends a run's prompts with --scenario dataset");
    return undefined;
  }
  let scenario: Scenario;
  try {
    scenario = parseScenario(flags.scenario);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // The scenario's own fix (its forms, with examples) rides on each issue: the bench's hint is generic.
    problems.push(...error.issues.map((issue) => `${issue}; ${error.hint}`));
    return undefined;
  }
  const clash = (flag: string, why: string): void => {
    problems.push(`flags: --scenario ${flags.scenario} and ${flag}: ${why}`);
  };
  if (flags.holdOutput === "min-tokens" && flags.ignoreEos === true)
    problems.push("flags: --hold-output min-tokens and --ignore-eos: give one way of holding the output length");
  if (scenario.kind === "dataset") {
    if ((flags.promptFile === undefined) === (flags.fromRun === undefined))
      problems.push(
        "flags: --scenario dataset sends the prompts of --prompt-file, or of --from-run <artifacts>/<run-id> with " +
          "--task: give one of the two",
      );
    if ((flags.fromRun === undefined) !== (flags.task === undefined))
      problems.push("flags: --from-run and --task go together: the run's folder and the task whose prompts to send");
    if (flags.fromRun !== undefined && flags.maxTokens !== undefined)
      clash("--max-tokens", "each variant's output lengths come from its replies in the run");
    if (flags.fromRun === undefined && flags.holdOutput !== undefined)
      clash("--hold-output", "a prompt file sets no output lengths (use --max-tokens and --ignore-eos)");
    return scenario;
  }
  if (flags.fromRun !== undefined) clash("--from-run", "a run's prompts are sent with --scenario dataset");
  if (flags.promptFile !== undefined)
    clash("--prompt-file", "a scenario writes its own prompts; use --scenario dataset to send the file's");
  if (flags.promptTokens !== undefined) clash("--prompt-tokens", "the scenario sets each request's prompt tokens");
  if (flags.maxTokens !== undefined) clash("--max-tokens", "the scenario sets each request's output tokens");
  return scenario;
}

/**
 * The prompt source the flags ask for: a scenario's draws, a run's prompts (--scenario dataset --from-run), a
 * prompt file (with or without --scenario dataset), or synthetic prompts of --prompt-tokens. Relative paths are
 * read from `cwd`.
 */
export function promptSourceOf(
  flags: BenchFlags,
  scenario: Scenario | undefined,
  synthetic: { promptTokens: number; seed: number },
  variants: readonly VariantConfig[],
  cwd: string,
): PromptSource {
  const hold = flags.holdOutput === "min-tokens" ? flags.holdOutput : undefined;
  if (scenario !== undefined && scenario.kind !== "dataset")
    return { kind: "scenario", scenario, seed: synthetic.seed, hold };
  if (scenario !== undefined && flags.fromRun !== undefined) {
    const names = variants.map((v) => v.name);
    const run = readRunPrompts(resolve(cwd, flags.fromRun), flags.task ?? "", names, flags.fromRun);
    return { kind: "run", ...run, hold };
  }
  if (flags.promptFile !== undefined) {
    const prompts = readPromptFile(flags.promptFile, cwd);
    const dataset = scenario === undefined ? {} : { scenario: "dataset" as const };
    return { kind: "file", file: flags.promptFile, prompts, ...dataset };
  }
  return { kind: "synthetic", tokens: synthetic.promptTokens };
}

/** Whether the source's output lengths are held with ignore_eos (sent with every request of the bench). */
export function holdsWithIgnoreEos(prompts: PromptSource): boolean {
  return (prompts.kind === "scenario" || prompts.kind === "run") && prompts.hold !== "min-tokens";
}

/**
 * The prompts with the tokenizer loaded (a folder, or a hub id through the dataset cache), counted with the first
 * variant's chat_template_kwargs: prompts are the same for every variant, so one set of kwargs shapes them.
 */
export async function promptsWithTokenizer(
  prompts: PromptSource,
  given: { ref: string; field?: TokenizerField | undefined },
  variants: readonly VariantConfig[],
  access: DataAccessOptions,
  cwd: string,
): Promise<PromptSource> {
  const tokenizer = await resolveTokenizer(given.ref, cwd, access, given.field);
  const kwargs = variants[0]?.extraBody?.chat_template_kwargs;
  return withTokenizer(prompts, tokenizer, isRecord(kwargs) ? kwargs : {}, given.field?.name);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The prompts in sweep.md's settings line. */
export function describePrompts(prompts: PromptSource): string {
  const tokenizer = prompts.tokenizer === undefined ? undefined : prompts.tokenizer.info.ref;
  const unit = tokenizer === undefined ? "words" : `${tokenizer} tokens (chat template included)`;
  switch (prompts.kind) {
    case "synthetic":
      return `synthetic prompts of ${prompts.tokens} ${unit}`;
    case "file":
      return `prompts from ${prompts.file}${prompts.scenario === undefined ? "" : " (scenario dataset)"}`;
    case "run":
      return (
        `scenario dataset: ${prompts.prompts.length} ${prompts.task} prompts from run ${prompts.run}, ` +
        "each variant's max_tokens its own reply's length there"
      );
    case "scenario":
      return (
        `scenario ${scenarioLabel(prompts.scenario)} (seed ${prompts.seed}): ` +
        `prompt ${unit} and max_tokens drawn per request`
      );
  }
}
