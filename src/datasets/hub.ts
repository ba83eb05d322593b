/**
 * Hub dataset files for a run. A file comes from `--data-dir` when given; else from the Hugging Face cache
 * (the layout Python's huggingface_hub uses, so either tool can fill it for the other); else it is downloaded
 * into that cache with @huggingface/hub, resuming a partial download, unless offline.
 *
 * The HF token is added by our own fetch wrapper, only to requests for the hub's origin: a redirect to a CDN
 * never carries it, and no message we build can contain it (`redact` is a second guard).
 */

import { readFileSync } from "node:fs";
import { mkdir, open, rename, rm, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import {
  downloadFile,
  type FileDownloadInfoOutput,
  fileDownloadInfo,
  HubApiError,
  InvalidApiResponseFormatError,
  REGEX_COMMIT_HASH,
} from "@huggingface/hub";
import {
  ConfigError,
  DatasetFormatError,
  DatasetGatedError,
  DatasetNotCachedError,
  DatasetNotFoundError,
  DatasetNotInDataDirError,
  type DatasetUnavailableError,
  HubUnreachableError,
} from "../core/errors.ts";
import {
  blobFile,
  findCachedFile,
  type HubRepoType,
  linkSnapshot,
  localCommit,
  snapshotFile,
  writeRef,
} from "./hf-cache.ts";
import { isSha256Hex, sha256OfFile } from "./sha256.ts";
import type { DataAccessOptions, DatasetEntry, DatasetFiles, DatasetPin, DownloadProgress, UsedFile } from "./types.ts";

export const DEFAULT_ENDPOINT = "https://huggingface.co";

/** Attempts per file when the connection breaks; each must have received bytes, so a dead hub fails at once. */
const MAX_ATTEMPTS = 5;
const MAX_REDIRECTS = 10;
/** Progress is reported every this many bytes (plus start and end), not per network chunk. */
const PROGRESS_STEP = 1 << 20;
/** An etag becomes a file name under blobs/: a hub answer must not be able to pick a path. */
const SAFE_ETAG = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const NOT_FOUND_CODES = new Set(["RepoNotFound", "EntryNotFound", "RevisionNotFound"]);

// ---------------------------------------------------------------------------------------------------------
// Options from the environment, as Python's huggingface_hub reads them.

export interface DataAccessFlags {
  cacheDir?: string;
  dataDir?: string;
  offline?: boolean;
  hfToken?: string;
}

/**
 * Cache: --cache-dir, else HF_HUB_CACHE (or the older HUGGINGFACE_HUB_CACHE), else $HF_HOME/hub, else
 * $XDG_CACHE_HOME/huggingface/hub, else ~/.cache/huggingface/hub. Token: --hf-token, else HF_TOKEN, else the file
 * `hf auth login` saved (HF_TOKEN_PATH, else $HF_HOME/token). Endpoint:
 * HF_ENDPOINT. Offline: --offline or HF_HUB_OFFLINE=1/true/yes/on.
 */
export function dataAccessFromEnv(env: NodeJS.ProcessEnv, flags: DataAccessFlags): DataAccessOptions {
  const home = nonEmpty(env.HOME) ?? homedir();
  const options: DataAccessOptions = {
    cacheDir: resolve(expandHome(nonEmpty(flags.cacheDir) ?? hubCacheFromEnv(env, home), home)),
    offline: flags.offline === true || isTrue(env.HF_HUB_OFFLINE),
    endpoint: endpointFromEnv(env),
  };
  const dataDir = nonEmpty(flags.dataDir);
  if (dataDir !== undefined) options.dataDir = resolve(expandHome(dataDir, home));
  const token = nonEmpty(flags.hfToken) ?? nonEmpty(env.HF_TOKEN) ?? savedToken(env, home);
  if (token !== undefined) options.token = token;
  return options;
}

/** The token `hf auth login` (huggingface-cli login) saved: HF_TOKEN_PATH, else $HF_HOME/token. */
function savedToken(env: NodeJS.ProcessEnv, home: string): string | undefined {
  const hfHome = nonEmpty(env.HF_HOME) ?? join(nonEmpty(env.XDG_CACHE_HOME) ?? join(home, ".cache"), "huggingface");
  const file = expandHome(nonEmpty(env.HF_TOKEN_PATH) ?? join(expandHome(hfHome, home), "token"), home);
  try {
    return nonEmpty(readFileSync(file, "utf8").trim());
  } catch {
    return undefined; // no saved login: anonymous access
  }
}

function hubCacheFromEnv(env: NodeJS.ProcessEnv, home: string): string {
  const explicit = nonEmpty(env.HF_HUB_CACHE) ?? nonEmpty(env.HUGGINGFACE_HUB_CACHE);
  if (explicit !== undefined) return explicit;
  const hfHome = nonEmpty(env.HF_HOME) ?? join(nonEmpty(env.XDG_CACHE_HOME) ?? join(home, ".cache"), "huggingface");
  return join(expandHome(hfHome, home), "hub");
}

function endpointFromEnv(env: NodeJS.ProcessEnv): string {
  const endpoint = (nonEmpty(env.HF_ENDPOINT) ?? DEFAULT_ENDPOINT).replace(/\/+$/, "");
  let protocol: string | undefined;
  try {
    protocol = new URL(endpoint).protocol;
  } catch {
    protocol = undefined;
  }
  if (protocol !== "http:" && protocol !== "https:") {
    const shown = JSON.stringify(endpoint.replace(/\/\/[^/@\s]*@/, "//***@"));
    throw new ConfigError(
      [`HF_ENDPOINT: must be an http(s) URL such as ${DEFAULT_ENDPOINT} (got ${shown})`],
      "fix or unset HF_ENDPOINT",
      "environment",
    );
  }
  return endpoint;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}

/** Python's `_is_true`: 1, true, yes, on (any case). */
function isTrue(value: string | undefined): boolean {
  return value !== undefined && ["1", "true", "yes", "on"].includes(value.trim().toLowerCase());
}

function expandHome(path: string, home: string): string {
  return path === "~" || path.startsWith("~/") ? join(home, path.slice(1)) : path;
}

// ---------------------------------------------------------------------------------------------------------
// DatasetFiles

export class HubDatasetFiles implements DatasetFiles {
  readonly #registry: Map<string, DatasetEntry>;
  readonly #options: DataAccessOptions;
  /** One promise per (id, path): concurrent asks share one download. */
  readonly #resolving = new Map<string, Promise<string>>();
  /** Keyed in first-ask order; the value is set once the file is resolved. */
  readonly #used = new Map<string, UsedFile | undefined>();

  constructor(registry: Map<string, DatasetEntry>, options: DataAccessOptions) {
    this.#registry = registry;
    this.#options = { ...options, endpoint: options.endpoint.replace(/\/+$/, "") };
  }

  entry(id: string): DatasetEntry {
    const entry = this.#registry.get(id);
    if (entry === undefined) throw new Error(`dataset ${id} is not listed in evalsets/datasets.json`);
    return entry;
  }

  path(id: string, path: string, task: string, pin?: DatasetPin): Promise<string> {
    const key = `${id}\u0000${path}`;
    const known = this.#resolving.get(key);
    if (known !== undefined) return known;
    if (!this.#used.has(key)) this.#used.set(key, undefined);
    const resolving = this.#resolve(id, path, task, pin).then(
      (used) => {
        this.#used.set(key, used);
        return used.localPath;
      },
      (error: unknown) => {
        // Not remembered: a later ask (after `data pull`, say) tries again.
        this.#resolving.delete(key);
        this.#used.delete(key);
        throw error;
      },
    );
    this.#resolving.set(key, resolving);
    return resolving;
  }

  used(): UsedFile[] {
    return [...this.#used.values()].filter((used) => used !== undefined);
  }

  async #resolve(id: string, path: string, task: string, pin: DatasetPin | undefined): Promise<UsedFile> {
    const entry =
      pin === undefined
        ? this.entry(id)
        : {
            id,
            revision: pin.revision,
            gated: false,
            license: "unknown",
            files: [{ path }],
            ...(pin.type === undefined ? {} : { type: pin.type }),
          };
    if (!entry.files.some((file) => file.path === path)) {
      throw new Error(`${id}: file ${path} is not listed in evalsets/datasets.json (add it to the dataset's files)`);
    }
    const { dataDir, cacheDir, offline } = this.#options;
    if (dataDir !== undefined) return fileFromDataDir(entry, path, dataDir);
    const cached = await findCachedFile(cacheDir, id, entry.revision, path, entry.type);
    if (cached !== undefined) {
      // A blob named by a sha256 was verified when it was downloaded (by us or by huggingface_hub).
      const sha256 = isSha256Hex(cached.blobName) ? cached.blobName : await sha256OfFile(cached.localPath);
      return {
        dataset: id,
        revision: cached.commit,
        path,
        localPath: cached.localPath,
        sha256,
        bytes: cached.bytes,
        from: "cache",
      };
    }
    if (offline) throw new DatasetNotCachedError(id, path, cacheDir, task);
    const downloaded = await downloadToCache(entry, path, this.#options);
    const { localPath, commit, sha256, bytes } = downloaded;
    return { dataset: id, revision: commit, path, localPath, sha256, bytes, from: "download" };
  }
}

function dataDirFile(dataDir: string, id: string, path: string): string {
  return join(dataDir, ...id.split("/"), ...path.split("/"));
}

async function fileFromDataDir(entry: DatasetEntry, path: string, dataDir: string): Promise<UsedFile> {
  const localPath = dataDirFile(dataDir, entry.id, path);
  const bytes = await fileSize(localPath);
  if (bytes === undefined) throw new DatasetNotInDataDirError(entry.id, path, localPath);
  // No commit is known for a local copy: the pinned revision is what it claims to be.
  return {
    dataset: entry.id,
    revision: entry.revision,
    path,
    localPath,
    sha256: await sha256OfFile(localPath),
    bytes,
    from: "data-dir",
  };
}

async function fileSize(file: string): Promise<number | undefined> {
  try {
    const info = await stat(file);
    return info.isFile() ? info.size : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------------------
// data status

export interface CacheStatus {
  dataset: string;
  path: string;
  /** As pinned in evalsets/datasets.json. */
  revision: string;
  /** The commit `revision` resolves to locally (itself for a hash; refs/<branch> otherwise), if known. */
  commit: string | undefined;
  gated: boolean;
  license: string;
  /** Where `path()` would read it: --data-dir when set, else the cache. */
  source: "data-dir" | "cache";
  /** Present in `source`. */
  cached: boolean;
  /** Where the file is, or would be once pulled (undefined while a branch's commit is unknown). */
  localPath: string | undefined;
  bytesOnDisk: number | undefined;
  /** Size listed in the registry, when known. */
  expectedBytes: number | undefined;
}

/** Per registry file: is it here, where, how big. No network. */
export async function scanDatasetCache(
  registry: Map<string, DatasetEntry>,
  options: DataAccessOptions,
): Promise<CacheStatus[]> {
  const statuses: CacheStatus[] = [];
  for (const entry of registry.values()) {
    const commit = await localCommit(options.cacheDir, entry.id, entry.revision);
    for (const file of entry.files) statuses.push(await fileStatus(entry, file, commit, options));
  }
  return statuses;
}

async function fileStatus(
  entry: DatasetEntry,
  file: DatasetEntry["files"][number],
  commit: string | undefined,
  options: DataAccessOptions,
): Promise<CacheStatus> {
  const known = {
    dataset: entry.id,
    path: file.path,
    revision: entry.revision,
    commit,
    gated: entry.gated,
    license: entry.license,
    expectedBytes: file.bytes,
  };
  if (options.dataDir !== undefined) {
    const localPath = dataDirFile(options.dataDir, entry.id, file.path);
    const bytes = await fileSize(localPath);
    return { ...known, source: "data-dir", cached: bytes !== undefined, localPath, bytesOnDisk: bytes };
  }
  const cached = await findCachedFile(options.cacheDir, entry.id, entry.revision, file.path);
  const wouldBe = commit === undefined ? undefined : snapshotFile(options.cacheDir, entry.id, commit, file.path);
  return {
    ...known,
    source: "cache",
    cached: cached !== undefined,
    localPath: cached?.localPath ?? wouldBe,
    bytesOnDisk: cached?.bytes,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Download into the cache

/** What one download is about; `url` is what errors name (it never holds the token). */
interface Target {
  id: string;
  type: HubRepoType;
  revision: string;
  path: string;
  url: string;
  endpoint: string;
  hasToken: boolean;
  redact: (text: string) => string;
}

interface RemoteFile {
  etag: string;
  size: number;
  commit: string;
  info: FileDownloadInfoOutput;
}

interface Downloaded {
  localPath: string;
  commit: string;
  sha256: string;
  bytes: number;
}

async function downloadToCache(entry: DatasetEntry, path: string, options: DataAccessOptions): Promise<Downloaded> {
  const target = targetOf(entry, path, options);
  const transport = hubTransport(options);
  const remote = await askRemoteFile(target, transport);
  const type = entry.type ?? "dataset";
  const blob = blobFile(options.cacheDir, entry.id, remote.etag, type);
  // Another revision (or Python) may already hold these exact bytes.
  if ((await fileSize(blob)) === undefined) await downloadBlob(target, remote, transport, blob, options.onProgress);
  const localPath = await linkSnapshot(options.cacheDir, entry.id, remote.commit, path, remote.etag, type);
  if (remote.commit !== entry.revision) await writeRef(options.cacheDir, entry.id, entry.revision, remote.commit, type);
  const sha256 = isSha256Hex(remote.etag) ? remote.etag : await sha256OfFile(blob);
  return { localPath, commit: remote.commit, sha256, bytes: (await fileSize(blob)) ?? remote.size };
}

function targetOf(entry: DatasetEntry, path: string, options: DataAccessOptions): Target {
  const token = options.token;
  const revision = encodeURIComponent(entry.revision);
  return {
    id: entry.id,
    revision: entry.revision,
    path,
    type: entry.type ?? "dataset",
    url: `${options.endpoint}/${entry.type === "model" ? "" : "datasets/"}${entry.id}/resolve/${revision}/${path}`,
    endpoint: options.endpoint,
    hasToken: token !== undefined && token !== "",
    redact: (text) => (token ? text.replaceAll(token, "***") : text),
  };
}

/** Size, etag (the blob's name) and commit of the file, from the hub's answer to a 1-byte probe. */
async function askRemoteFile(target: Target, transport: HubTransport): Promise<RemoteFile> {
  let info: FileDownloadInfoOutput | null;
  try {
    info = await fileDownloadInfo({
      repo: { type: target.type, name: target.id },
      path: target.path,
      revision: target.revision,
      hubUrl: target.endpoint,
      fetch: transport.fetch,
    });
  } catch (error) {
    throw unavailableError(target, error, transport.last());
  }
  if (info === null) throw new DatasetNotFoundError(target.id, target.revision, target.path);
  const answer = transport.hubAnswer();
  const commit = REGEX_COMMIT_HASH.test(target.revision) ? target.revision : answer.commit;
  if (commit === undefined || !REGEX_COMMIT_HASH.test(commit)) {
    throw new HubUnreachableError(
      target.id,
      target.url,
      `the answer did not name the commit of "${target.revision}" (no X-Repo-Commit header); is HF_ENDPOINT a hub?`,
    );
  }
  // The hub's own headers win over those of a CDN the probe was redirected to.
  const etag = normalizeEtag(answer.etag ?? info.etag);
  if (!SAFE_ETAG.test(etag)) {
    throw new HubUnreachableError(
      target.id,
      target.url,
      target.redact(`the answer's ETag ${JSON.stringify(etag.slice(0, 80))} cannot name a cache blob`),
    );
  }
  return { etag, size: answer.size ?? info.size, commit, info };
}

/** `W/"abc"` → `abc`, as huggingface_hub normalises it. */
function normalizeEtag(etag: string): string {
  return etag.replace(/^W\//, "").replace(/^"(.*)"$/, "$1");
}

/**
 * Fills `blobs/<etag>.incomplete` (resuming what is there with a Range request), checks it, and renames it
 * to `blobs/<etag>`. A broken connection is resumed at once while each attempt makes progress.
 */
async function downloadBlob(
  target: Target,
  remote: RemoteFile,
  transport: HubTransport,
  blob: string,
  onProgress: DataAccessOptions["onProgress"],
): Promise<void> {
  const partial = `${blob}.incomplete`;
  await mkdir(dirname(blob), { recursive: true });
  const report = progressReporter(target, remote.size, onProgress);
  for (let attempt = 1; ; attempt++) {
    let start = (await fileSize(partial)) ?? 0;
    if (start > remote.size) {
      // Left by another version of the file: useless.
      await rm(partial, { force: true });
      start = 0;
    }
    const outcome =
      start === remote.size
        ? { kind: "complete" as const }
        : await transferFrom(start, target, remote, transport, partial, report);
    const end = (await fileSize(partial)) ?? 0;
    if (end > remote.size) {
      await rm(partial, { force: true });
      throw new HubUnreachableError(
        target.id,
        target.url,
        `received ${end} bytes where ${remote.size} were announced; the partial download was deleted`,
      );
    }
    if (outcome.kind === "complete" && end === remote.size) break;
    if (outcome.kind === "range-ignored") {
      // The server sent the whole file again: start over rather than append it.
      await rm(partial, { force: true });
    } else if (end === start || attempt >= MAX_ATTEMPTS) {
      const failure =
        outcome.kind === "broken" ? outcome.error : `the connection closed after ${end} of ${remote.size} bytes`;
      throw new HubUnreachableError(
        target.id,
        target.url,
        target.redact(`${connectionDetail(failure)} (${end} of ${remote.size} bytes kept for a resume)`),
      );
    }
    if (attempt >= MAX_ATTEMPTS)
      throw new HubUnreachableError(target.id, target.url, "the server ignored Range requests repeatedly");
  }
  await verifyDownload(target, remote, partial);
  await rename(partial, blob);
  report(remote.size, "done");
}

type Transfer = { kind: "complete" } | { kind: "range-ignored" } | { kind: "broken"; error: unknown };

/** Appends the file's bytes from `start` to `partial`. HTTP errors throw; a broken connection is returned. */
async function transferFrom(
  start: number,
  target: Target,
  remote: RemoteFile,
  transport: HubTransport,
  partial: string,
  report: ProgressReport,
): Promise<Transfer> {
  const whole = await downloadFile({
    repo: { type: target.type, name: target.id },
    path: target.path,
    revision: target.revision,
    hubUrl: target.endpoint,
    fetch: transport.fetch,
    downloadInfo: remote.info,
    xet: false,
  });
  if (whole === null) throw new DatasetNotFoundError(target.id, target.revision, target.path);
  // slice(start) makes the library send `Range: bytes=<start>-<size-1>`.
  const reader = (start === 0 ? whole : whole.slice(start)).stream().getReader();
  const file = await open(partial, "a");
  try {
    report(start, "start");
    let received = start;
    for (let first = true; ; first = false) {
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await reader.read();
      } catch (error) {
        const last = transport.last();
        if (last?.status !== undefined && last.status >= 400) throw unavailableError(target, error, last);
        return { kind: "broken", error };
      }
      if (first && start > 0 && transport.last()?.status === 200) {
        await reader.cancel();
        return { kind: "range-ignored" };
      }
      if (chunk.done) return { kind: "complete" };
      await file.write(chunk.value);
      received += chunk.value.byteLength;
      report(received, "data");
    }
  } finally {
    await file.close();
  }
}

/** An LFS/xet blob's name is its sha256: checked once here, trusted afterwards. */
async function verifyDownload(target: Target, remote: RemoteFile, partial: string): Promise<void> {
  if (!isSha256Hex(remote.etag)) return;
  const actual = await sha256OfFile(partial);
  if (actual === remote.etag) return;
  await rm(partial, { force: true });
  throw new DatasetFormatError(
    `${target.id}/${target.path}`,
    `the downloaded bytes have sha256 ${actual} but the hub announced ${remote.etag}; the download was deleted, retry it`,
  );
}

type ProgressReport = (received: number, phase: "start" | "data" | "done") => void;

function progressReporter(
  target: Target,
  total: number,
  onProgress: ((event: DownloadProgress) => void) | undefined,
): ProgressReport {
  let reported = 0;
  return (received, phase) => {
    if (onProgress === undefined) return;
    if (phase === "data" && received - reported < PROGRESS_STEP) return;
    reported = received;
    onProgress({ dataset: target.id, file: target.path, received, total, done: phase === "done" });
  };
}

// ---------------------------------------------------------------------------------------------------------
// HTTP: our fetch for the library, and what a failure means

interface Exchange {
  url: string;
  status: number | undefined;
  errorCode: string | undefined;
}

/** Headers of the hub's own answer (not a CDN's), from the last response on the hub's origin. */
interface HubAnswer {
  commit: string | undefined;
  etag: string | undefined;
  size: number | undefined;
}

interface HubTransport {
  fetch: typeof fetch;
  /** The last request sent; `status` stays undefined when no answer came. */
  last(): Exchange | undefined;
  hubAnswer(): HubAnswer;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * A fetch that adds the token for the hub's origin only and follows redirects itself, so the hub's headers
 * (X-Repo-Commit, X-Linked-Etag, X-Linked-Size) are seen even when the file itself comes from a CDN. Neither
 * fetch's `redirect: "follow"` nor undici's redirect interceptor shows a redirect response's headers, and the
 * library's fileDownloadInfo reads only the final (CDN) response's; Python's huggingface_hub follows these
 * redirects by hand for the same reason.
 */
function hubTransport(options: DataAccessOptions): HubTransport {
  const send = options.fetch ?? globalThis.fetch;
  const hubOrigin = new URL(options.endpoint).origin;
  let last: Exchange | undefined;
  let answer: HubAnswer = { commit: undefined, etag: undefined, size: undefined };
  const hubFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    let url = new URL(input instanceof Request ? input.url : input);
    answer = { commit: undefined, etag: undefined, size: undefined };
    for (let hop = 0; ; hop++) {
      const headers = new Headers(init?.headers);
      if (options.token && url.origin === hubOrigin) headers.set("authorization", `Bearer ${options.token}`);
      else headers.delete("authorization");
      last = { url: url.href, status: undefined, errorCode: undefined };
      const response = await send(url, { ...init, headers, redirect: "manual" });
      last = { url: url.href, status: response.status, errorCode: response.headers.get("x-error-code") ?? undefined };
      if (url.origin === hubOrigin) answer = mergeHubAnswer(answer, response.headers);
      const location = response.headers.get("location");
      if (!REDIRECTS.has(response.status) || location === null) return response;
      await response.body?.cancel();
      if (hop >= MAX_REDIRECTS) throw new Error(`more than ${MAX_REDIRECTS} redirects`);
      url = new URL(location, url);
    }
  };
  return { fetch: hubFetch, last: () => last, hubAnswer: () => answer };
}

function mergeHubAnswer(previous: HubAnswer, headers: Headers): HubAnswer {
  const size = Number.parseInt(headers.get("x-linked-size") ?? "", 10);
  return {
    commit: headers.get("x-repo-commit") ?? previous.commit,
    etag: headers.get("x-linked-etag") ?? headers.get("etag") ?? previous.etag,
    size: Number.isSafeInteger(size) && size >= 0 ? size : previous.size,
  };
}

/** Maps a failed hub call to the error a user can act on: gated, not found, or unreachable. */
function unavailableError(target: Target, error: unknown, last: Exchange | undefined): DatasetUnavailableError {
  const status =
    error instanceof HubApiError
      ? error.statusCode
      : last?.status !== undefined && last.status >= 400
        ? last.status
        : undefined;
  if (status === undefined) {
    const detail =
      error instanceof InvalidApiResponseFormatError
        ? `the answer was not understood: ${error.message}`
        : connectionDetail(error);
    return new HubUnreachableError(target.id, target.url, target.redact(detail));
  }
  const detail = shorten(target.redact(hubMessage(error)));
  // A CDN's 403 (say, an expired signed URL) says nothing about access to the dataset.
  const fromHub = last === undefined || new URL(last.url).origin === new URL(target.endpoint).origin;
  if (last?.errorCode !== undefined && NOT_FOUND_CODES.has(last.errorCode))
    return new DatasetNotFoundError(target.id, target.revision, target.path);
  if ((fromHub && (status === 401 || status === 403)) || /gated|restricted/i.test(detail))
    return new DatasetGatedError(target.id, status, detail, target.hasToken);
  if (status === 404) return new DatasetNotFoundError(target.id, target.revision, target.path);
  return new HubUnreachableError(target.id, target.url, `HTTP ${status}${detail === "" ? "" : `: ${detail}`}`);
}

/** The hub's own words: its JSON `error`, without the URL/request-id trailer the library appends. */
function hubMessage(error: unknown): string {
  if (error instanceof HubApiError) {
    const said = error.data?.error;
    if (typeof said === "string") return said;
  }
  const text = typeof error === "string" ? error : error instanceof Error ? error.message : String(error);
  return text.replace(/\. URL: [\s\S]*$/, "").replace(/^Api error with status \d+\.?\s*/, "");
}

/** "fetch failed: connect ECONNREFUSED 127.0.0.1:9" rather than a bare "fetch failed". */
function connectionDetail(error: unknown): string {
  if (typeof error === "string") return error;
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause;
  return cause instanceof Error && cause.message !== "" ? `${error.message}: ${cause.message}` : error.message;
}

function shorten(text: string): string {
  const line = text.trim().replace(/\s+/g, " ");
  return line.length > 240 ? `${line.slice(0, 237)}...` : line;
}
