/**
 * Download progress for `data pull` (and for `run` when it downloads): a cli-progress bar per file on a TTY,
 * else a plain line when a file starts, every 10 s while it runs, and when it is done.
 */
import { MultiBar, Presets, type SingleBar } from "cli-progress";
import type { DownloadProgress } from "../datasets/index.ts";
import { humanBytes } from "../human-bytes.ts";

export interface DownloadDisplay {
  onProgress(event: DownloadProgress): void;
  stop(): void;
}

export function createDownloadDisplay(
  isTty: boolean,
  write: (line: string) => void,
  intervalMs = 10_000,
): DownloadDisplay {
  return isTty ? new TtyDownloads() : new PlainDownloads(write, intervalMs);
}

class TtyDownloads implements DownloadDisplay {
  readonly #bars = new MultiBar(
    {
      format: "{file} [{bar}] {percentage}% {received}/{size} ETA {eta_formatted}",
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      autopadding: true,
    },
    Presets.shades_classic,
  );
  readonly #byFile = new Map<string, SingleBar>();

  onProgress(event: DownloadProgress): void {
    const key = `${event.dataset}/${event.file}`;
    const total = event.total ?? Math.max(event.received, 1);
    let bar = this.#byFile.get(key);
    const payload = {
      file: key,
      received: humanBytes(event.received),
      size: event.total === undefined ? "?" : humanBytes(event.total),
    };
    if (bar === undefined) {
      bar = this.#bars.create(total, event.received, payload);
      this.#byFile.set(key, bar);
    }
    bar.setTotal(total);
    bar.update(event.done ? total : event.received, payload);
  }

  stop(): void {
    this.#bars.stop();
  }
}

class PlainDownloads implements DownloadDisplay {
  readonly #lastAt = new Map<string, number>();
  readonly #write: (line: string) => void;
  readonly #intervalMs: number;
  constructor(write: (line: string) => void, intervalMs: number) {
    this.#write = write;
    this.#intervalMs = intervalMs;
  }

  onProgress(event: DownloadProgress): void {
    const key = `${event.dataset}/${event.file}`;
    const now = Date.now();
    const last = this.#lastAt.get(key);
    if (last !== undefined && !event.done && now - last < this.#intervalMs) return;
    this.#lastAt.set(key, now);
    const size = event.total === undefined ? "" : ` of ${humanBytes(event.total)}`;
    this.#write(
      `${event.done ? "downloaded" : last === undefined ? "downloading" : "  …"} ${key}: ${humanBytes(event.received)}${size}`,
    );
  }

  stop(): void {}
}
