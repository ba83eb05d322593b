/** Exit codes, stable for scripts: each typed error names its own (core/errors.ts), commands return these. */
/** gateFailed: `--fail-below` found a variant inferior or inconclusive on a gated task (the report is written). */
export const EXIT = { ok: 0, failed: 1, badInput: 2, skipped: 3, gateFailed: 4, interrupted: 130 } as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
