/**
 * Progress display. On a TTY: one cli-progress bar per variant × task with done/total, running accuracy,
 * decode tokens/s and ETA. Elsewhere (CI, nohup, pipes): a plain line per task every `intervalMs` and at the end.
 */
import { MultiBar, Presets, type SingleBar } from "cli-progress";

export interface ProgressCounts {
  done: number;
  total: number;
  graded: number;
  correct: number;
  errors: number;
  completionTokens: number;
}

export interface ProgressSink {
  start(variant: string, task: string, counts: ProgressCounts): void;
  update(variant: string, task: string, counts: ProgressCounts): void;
  finish(variant: string, task: string, counts: ProgressCounts): void;
  /** A message that must not be garbled by the bars. */
  log(line: string): void;
  stop(): void;
}

function accuracyText(c: ProgressCounts): string {
  return c.graded === 0 ? "–" : `${((100 * c.correct) / c.graded).toFixed(1)}%`;
}

export class SilentProgress implements ProgressSink {
  start(): void {}
  update(): void {}
  finish(): void {}
  log(): void {}
  stop(): void {}
}

export class TtyProgress implements ProgressSink {
  readonly #bars = new MultiBar(
    {
      format: " {label} |{bar}| {value}/{total} acc {acc} | {tps} tok/s | err {errors} | ETA {eta_formatted}",
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      barsize: 24,
      etaBuffer: 50,
      stream: process.stderr,
    },
    Presets.shades_classic,
  );
  readonly #state = new Map<string, { bar: SingleBar; startedAt: number; startTokens: number }>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  start(variant: string, task: string, counts: ProgressCounts): void {
    const bar = this.#bars.create(counts.total, counts.done, this.#payload(variant, task, counts, 0));
    this.#state.set(`${variant}/${task}`, { bar, startedAt: this.#now(), startTokens: counts.completionTokens });
  }

  update(variant: string, task: string, counts: ProgressCounts): void {
    const state = this.#state.get(`${variant}/${task}`);
    if (state === undefined) return;
    const seconds = (this.#now() - state.startedAt) / 1000;
    const tps = seconds > 0 ? (counts.completionTokens - state.startTokens) / seconds : 0;
    state.bar.update(counts.done, this.#payload(variant, task, counts, tps));
  }

  finish(variant: string, task: string, counts: ProgressCounts): void {
    this.update(variant, task, counts);
  }

  log(line: string): void {
    this.#bars.log(`${line}\n`);
  }

  stop(): void {
    this.#bars.stop();
  }

  #payload(variant: string, task: string, counts: ProgressCounts, tps: number) {
    return {
      label: `${variant} ${task}`.padEnd(22),
      acc: accuracyText(counts).padStart(6),
      tps: tps.toFixed(0).padStart(6),
      errors: counts.errors,
    };
  }
}

export class PlainProgress implements ProgressSink {
  readonly #write: (line: string) => void;
  readonly #now: () => number;
  readonly #intervalMs: number;
  readonly #state = new Map<
    string,
    { startedAt: number; lastPrintedAt: number; startTokens: number; startDone: number }
  >();

  constructor(write: (line: string) => void, options: { now?: () => number; intervalMs?: number } = {}) {
    this.#write = write;
    this.#now = options.now ?? Date.now;
    this.#intervalMs = options.intervalMs ?? 10_000;
  }

  start(variant: string, task: string, counts: ProgressCounts): void {
    const now = this.#now();
    this.#state.set(`${variant}/${task}`, {
      startedAt: now,
      lastPrintedAt: now,
      startTokens: counts.completionTokens,
      startDone: counts.done,
    });
    const resumed = counts.done > 0 ? ` (${counts.done} already in the journal)` : "";
    this.#write(`[${variant}] ${task}: ${counts.total} items${resumed}`);
  }

  update(variant: string, task: string, counts: ProgressCounts): void {
    const state = this.#state.get(`${variant}/${task}`);
    if (state === undefined) return;
    const now = this.#now();
    if (now - state.lastPrintedAt < this.#intervalMs) return;
    state.lastPrintedAt = now;
    this.#write(this.#line(variant, task, counts, state, now));
  }

  finish(variant: string, task: string, counts: ProgressCounts): void {
    const state = this.#state.get(`${variant}/${task}`);
    if (state === undefined) return;
    const missing = counts.total - counts.done;
    this.#write(
      `${this.#line(variant, task, counts, state, this.#now())} ${missing === 0 ? "done" : `stopped (${missing} not answered yet)`}`,
    );
  }

  log(line: string): void {
    this.#write(line);
  }

  stop(): void {}

  #line(
    variant: string,
    task: string,
    c: ProgressCounts,
    state: { startedAt: number; startTokens: number; startDone: number },
    now: number,
  ): string {
    const seconds = (now - state.startedAt) / 1000;
    const tps = seconds > 0 ? (c.completionTokens - state.startTokens) / seconds : 0;
    const rate = seconds > 0 ? (c.done - state.startDone) / seconds : 0;
    const eta = rate > 0 ? `${Math.ceil((c.total - c.done) / rate)}s` : "–";
    return `[${variant}] ${task}: ${c.done}/${c.total} acc ${accuracyText(c)} | ${tps.toFixed(0)} tok/s | errors ${c.errors} | ETA ${eta}`;
  }
}

/** Bars on a terminal, plain periodic lines elsewhere (CI logs, nohup, pipes). */
export function createProgress(isTty: boolean, write: (line: string) => void): ProgressSink {
  return isTty ? new TtyProgress() : new PlainProgress(write);
}
