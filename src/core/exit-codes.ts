/** Exit codes, stable for scripts: each typed error names its own (core/errors.ts), commands return these. */
export const EXIT = { ok: 0, failed: 1, badInput: 2, skipped: 3, interrupted: 130 } as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
