/** What tasks see of dataset access: a file of a pinned hub dataset, as a local path, and what was read. */

/** One dataset as `evalsets/datasets.json` pins it. */
export interface DatasetEntry {
  /** Hub id, `owner/name` (a dataset repo). */
  id: string;
  /** Commit hash (preferred) or branch the files are read at. */
  revision: string;
  /** Requires accepting terms on the hub (a token of an approved account). */
  gated: boolean;
  license: string;
  /** Every file any task reads from this dataset, with its size in bytes when known (for `data status`). */
  files: { path: string; bytes?: number }[];
  /** A model repo (`models--owner--name` in the cache, no /datasets/ in URLs); default a dataset repo. */
  type?: "dataset" | "model";
}

/** Where files come from, in order: `dataDir` if set; else the cache; else a download (unless offline). */
export interface DataAccessOptions {
  /** HF cache layout (`datasets--owner--name/{blobs,snapshots,refs}`), shared with Python's huggingface_hub. */
  cacheDir: string;
  /** Local copies laid out as on the hub: `<dataDir>/<owner>/<name>/<path-in-repo>`. No cache, no network. */
  dataDir?: string;
  offline: boolean;
  /** HF token; sent only to `endpoint`, never logged or written. */
  token?: string;
  /** Hub base URL (`HF_ENDPOINT`), default https://huggingface.co. */
  endpoint: string;
  /** For tests; defaults to global fetch. */
  fetch?: typeof fetch;
  /** Download progress, for a progress bar. `total` is undefined when the server does not say. */
  onProgress?: (event: DownloadProgress) => void;
}

export interface DownloadProgress {
  dataset: string;
  file: string;
  received: number;
  total: number | undefined;
  done: boolean;
}

/** A file that a task read: recorded in the run manifest. */
export interface UsedFile {
  dataset: string;
  revision: string;
  path: string;
  /** Local file it was read from. */
  localPath: string;
  sha256: string;
  bytes: number;
  from: "data-dir" | "cache" | "download";
}

/**
 * A dataset the registry does not list (a user's own task names it): read at this revision, with no file list to
 * check against. Access (gated, offline, cache, data dir) is the same as for registered datasets.
 */
export interface DatasetPin {
  revision: string;
  /** `model` for a model repo's files (a tokenizer's, for `bench --tokenizer`); default a dataset repo. */
  type?: "dataset" | "model";
}

/** Resolves dataset files for one run and remembers each one used. */
export interface DatasetFiles {
  /**
   * Local path of `path` in dataset `id` at the revision pinned in `evalsets/datasets.json`, downloading it
   * when needed. `task` names the task asking (for error hints such as `quanteval data pull <task>`).
   * Throws a DatasetUnavailableError subclass (gated, not found, not cached, not in data dir, hub unreachable).
   */
  path(id: string, path: string, task: string, pin?: DatasetPin): Promise<string>;
  /** The pinned entry for `id`; throws if `evalsets/datasets.json` does not list it (a bug in a task). */
  entry(id: string): DatasetEntry;
  /** Files resolved so far, in first-use order. */
  used(): UsedFile[];
}
