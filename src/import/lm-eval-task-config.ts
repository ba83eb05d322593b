/**
 * The part of an lm-eval task config that says how the task asks and scores, for compare and the config hash: all of
 * it except `metadata`, of which only `version`. Since lm-eval 0.4.8, simple_evaluate merges the parsed --model_args
 * into the TaskManager's metadata (lm_eval/evaluator.py: `metadata = simple_parse_args_string(model_args) |
 * (metadata or {})`; `TaskManager(metadata=metadata)`), which lands in every task's `metadata`, so `pretrained`,
 * `dtype`, … differ between two precisions of one task without the task differing.
 */
import { isRecord } from "../core/is-record.ts";

export function comparableTaskConfig(config: Record<string, unknown>): Record<string, unknown> {
  const { metadata, ...rest } = config;
  if (!isRecord(metadata)) return config;
  return "version" in metadata ? { ...rest, metadata: { version: metadata.version } } : rest;
}
