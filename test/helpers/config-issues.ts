/** What config tests share: the smallest valid run config, and the issues of the ConfigError a call throws. */
import { ConfigError } from "../../src/core/errors.ts";

export const MINIMAL_CONFIG = {
  variants: [{ name: "bf16", baseUrl: "http://127.0.0.1:8000/v1", model: "Qwen/Qwen3-32B" }],
  tasks: ["suite40"],
};

/** The issues of the ConfigError `fn` throws; anything else (or nothing thrown) fails the test. */
export function issuesOf(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  throw new Error("expected a ConfigError");
}
