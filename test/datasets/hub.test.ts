/**
 * Hub dataset access against a fake hub on 127.0.0.1: the real @huggingface/hub code runs over HTTP, the
 * cache is the real HF layout on disk, and every file is a small one written here.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, readlink, rm, stat, symlink, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  ConfigError,
  DatasetFormatError,
  DatasetGatedError,
  DatasetNotCachedError,
  DatasetNotFoundError,
  DatasetNotInDataDirError,
  HubUnreachableError,
  QuantevalError,
} from "../../src/core/errors.ts";
import { parseDatasetRegistry, readDatasetRegistry } from "../../src/datasets/dataset-registry.ts";
import { dataAccessFromEnv, HubDatasetFiles, scanDatasetCache } from "../../src/datasets/hub.ts";
import type { DataAccessOptions, DatasetEntry, DownloadProgress } from "../../src/datasets/types.ts";
import { type FakeHub, type FakeHubOptions, startFakeHub } from "../helpers/hub-server.ts";

const PARQUET = "data/train-00000-of-00001.parquet";
const JSONL = "test.jsonl";
const CSV = "questions.csv";
const PINNED = "0123456789abcdef0123456789abcdef01234567";
const APPROVED = "hf_approvedTokenForTestsOnly0123456789";
const UNAPPROVED = "hf_unapprovedTokenForTestsOnly987654321";

/** Deterministic bytes that do not compress or repeat (so a wrong offset changes the sha256). */
function bytesOf(size: number, seed: number): Buffer {
  const out = Buffer.alloc(size);
  let x = seed >>> 0;
  for (let i = 0; i < size; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

const sha256 = (data: Buffer): string => createHash("sha256").update(data).digest("hex");
const gitBlobId = (data: Buffer): string =>
  createHash("sha1").update(`blob ${data.length}\0`).update(data).digest("hex");

// 3 MiB, so a download crosses the 1 MiB progress step (the cut test waits for that event).
const PARQUET_BYTES = bytesOf(3 * 1024 * 1024 + 123, 1);
const JSONL_BYTES = Buffer.from('{"problem":"1+1","answer":"2"}\n{"problem":"2+2","answer":"4"}\n');
const CSV_BYTES = Buffer.from("Question,Correct Answer\nWhat is 6*7?,42\n");

const REGISTRY = parseDatasetRegistry(
  {
    schemaVersion: 1,
    datasets: {
      "acme/plain": {
        revision: "main",
        gated: false,
        license: "MIT",
        files: [{ path: PARQUET }, { path: JSONL }, { path: "absent.jsonl" }],
      },
      "acme/pinned": {
        revision: PINNED,
        gated: false,
        license: "MIT",
        files: [{ path: JSONL, bytes: JSONL_BYTES.length }],
      },
      "acme/locked": {
        revision: "main",
        gated: true,
        license: "CC-BY-4.0",
        files: [{ path: CSV }, { path: "big.parquet" }],
      },
      "acme/vanished": { revision: "main", gated: false, license: "MIT", files: [{ path: JSONL }] },
    },
  },
  "test registry",
);

let work: string;
let cacheDir: string;
const hubs: FakeHub[] = [];

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), "quanteval-hub-"));
  cacheDir = join(work, "cache");
  await writeRepoFile("acme/plain", PARQUET, PARQUET_BYTES);
  await writeRepoFile("acme/plain", JSONL, JSONL_BYTES);
  await writeRepoFile("acme/pinned", JSONL, JSONL_BYTES);
  await writeRepoFile("acme/locked", CSV, CSV_BYTES);
  await writeRepoFile("acme/locked", "big.parquet", PARQUET_BYTES.subarray(0, 200_000));
});

afterEach(async () => {
  await Promise.all(hubs.splice(0).map((hub) => hub.close()));
  await rm(work, { recursive: true, force: true });
});

async function writeRepoFile(id: string, path: string, data: Buffer): Promise<void> {
  const file = join(work, "hub", id, path);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, data);
}

async function fakeHub(options: Partial<FakeHubOptions> = {}): Promise<FakeHub> {
  const hub = await startFakeHub({ root: join(work, "hub"), gated: ["acme/locked"], tokens: [APPROVED], ...options });
  hubs.push(hub);
  return hub;
}

function access(hub: FakeHub | string, extra: Partial<DataAccessOptions> = {}): DataAccessOptions {
  return { cacheDir, offline: false, endpoint: typeof hub === "string" ? hub : hub.url, ...extra };
}

function repoDir(id: string): string {
  return join(cacheDir, `datasets--${id.replace("/", "--")}`);
}

/** GETs that carry file bytes: every resolve GET but the library's 1-byte probe. */
function bodyGets(hub: FakeHub): FakeHub["requests"] {
  return hub.requests.filter((r) => r.method === "GET" && r.headers.range !== "bytes=0-0");
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (error: unknown) => error,
  );
}

/** Every file under `dir`, read whole (the cache in a test is small). */
async function allFileText(dir: string): Promise<string> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  const texts = await Promise.all(
    entries.filter((e) => e.isFile()).map((e) => readFile(join(e.parentPath, e.name), "latin1")),
  );
  return texts.join("\n");
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("not TCP");
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return address.port;
}

describe("download into the Hugging Face cache layout", () => {
  it("stores an LFS file as blobs/<sha256>, a relative snapshot link and refs/main", async () => {
    const hub = await fakeHub();
    const files = new HubDatasetFiles(REGISTRY, access(hub));
    const local = await files.path("acme/plain", PARQUET, "demo");

    const commit = hub.commitOf("acme/plain");
    const sha = sha256(PARQUET_BYTES);
    expect(local).toBe(join(repoDir("acme/plain"), "snapshots", commit, "data", "train-00000-of-00001.parquet"));
    expect(await readlink(local)).toBe(`../../../blobs/${sha}`);
    expect(await readFile(local)).toEqual(PARQUET_BYTES);
    expect(await readdir(join(repoDir("acme/plain"), "blobs"))).toEqual([sha]);
    expect(await readFile(join(repoDir("acme/plain"), "refs", "main"), "utf8")).toBe(commit);
    expect(files.used()).toEqual([
      {
        dataset: "acme/plain",
        revision: commit,
        path: PARQUET,
        localPath: local,
        sha256: sha,
        bytes: PARQUET_BYTES.length,
        from: "download",
      },
    ]);
  });

  it("names a plain git file's blob by its git id and hashes the file for the record", async () => {
    const hub = await fakeHub();
    const files = new HubDatasetFiles(REGISTRY, access(hub));
    const local = await files.path("acme/plain", JSONL, "demo");
    expect(await readlink(local)).toBe(`../../blobs/${gitBlobId(JSONL_BYTES)}`);
    expect(files.used()[0]?.sha256).toBe(sha256(JSONL_BYTES));
  });

  it("keeps a pinned commit's snapshot under that commit and writes no ref", async () => {
    const hub = await fakeHub();
    const files = new HubDatasetFiles(REGISTRY, access(hub));
    const local = await files.path("acme/pinned", JSONL, "demo");
    expect(local).toBe(join(repoDir("acme/pinned"), "snapshots", PINNED, JSONL));
    await expect(stat(join(repoDir("acme/pinned"), "refs"))).rejects.toThrow();
    expect(files.used()[0]?.revision).toBe(PINNED);
  });

  it("reports progress that grows to the file's size and ends with done=true", async () => {
    const hub = await fakeHub();
    const events: DownloadProgress[] = [];
    const files = new HubDatasetFiles(REGISTRY, access(hub, { onProgress: (event) => events.push(event) }));
    await files.path("acme/plain", PARQUET, "demo");
    expect(events.length).toBeGreaterThanOrEqual(3);
    expect(
      events.every((e) => e.dataset === "acme/plain" && e.file === PARQUET && e.total === PARQUET_BYTES.length),
    ).toBe(true);
    const received = events.map((e) => e.received);
    expect(received).toEqual([...received].sort((a, b) => a - b));
    expect(events.at(-1)).toMatchObject({ received: PARQUET_BYTES.length, done: true });
    expect(events.filter((e) => e.done)).toHaveLength(1);
  });

  it("shares one download between concurrent asks for the same file", async () => {
    const hub = await fakeHub();
    const files = new HubDatasetFiles(REGISTRY, access(hub));
    const [a, b] = await Promise.all([
      files.path("acme/plain", PARQUET, "demo"),
      files.path("acme/plain", PARQUET, "demo"),
    ]);
    expect(a).toBe(b);
    expect(bodyGets(hub)).toHaveLength(1);
    expect(files.used()).toHaveLength(1);
  });

  it("records each file once, in first-use order", async () => {
    const hub = await fakeHub();
    const files = new HubDatasetFiles(REGISTRY, access(hub));
    await files.path("acme/plain", JSONL, "demo");
    await files.path("acme/pinned", JSONL, "demo");
    await files.path("acme/plain", JSONL, "demo");
    expect(files.used().map((u) => `${u.dataset}/${u.path}`)).toEqual([
      "acme/plain/test.jsonl",
      "acme/pinned/test.jsonl",
    ]);
  });
});

describe("the cache serves without network", () => {
  it("a second run reads the cache and sends no request", async () => {
    const hub = await fakeHub();
    const first = new HubDatasetFiles(REGISTRY, access(hub));
    const local = await first.path("acme/plain", PARQUET, "demo");
    await first.path("acme/plain", JSONL, "demo");
    const before = hub.requests.length;

    const second = new HubDatasetFiles(REGISTRY, access(hub));
    expect(await second.path("acme/plain", PARQUET, "demo")).toBe(local);
    await second.path("acme/plain", JSONL, "demo");
    expect(hub.requests).toHaveLength(before);
    expect(second.used().map((u) => [u.from, u.sha256])).toEqual([
      ["cache", sha256(PARQUET_BYTES)],
      ["cache", sha256(JSONL_BYTES)],
    ]);
  });

  it("reuses a cache laid out by Python's huggingface_hub (blob, relative link, refs/main)", async () => {
    const hub = await fakeHub();
    const commit = "fedcba9876543210fedcba9876543210fedcba98";
    const sha = sha256(PARQUET_BYTES);
    const repo = repoDir("acme/plain");
    await mkdir(join(repo, "blobs"), { recursive: true });
    await writeFile(join(repo, "blobs", sha), PARQUET_BYTES);
    await mkdir(join(repo, "snapshots", commit, "data"), { recursive: true });
    await symlink(`../../../blobs/${sha}`, join(repo, "snapshots", commit, PARQUET));
    await mkdir(join(repo, "refs"), { recursive: true });
    await writeFile(join(repo, "refs", "main"), commit);

    const files = new HubDatasetFiles(REGISTRY, access(hub));
    expect(await files.path("acme/plain", PARQUET, "demo")).toBe(join(repo, "snapshots", commit, PARQUET));
    expect(hub.requests).toHaveLength(0);
    expect(files.used()[0]).toMatchObject({
      revision: commit,
      sha256: sha,
      bytes: PARQUET_BYTES.length,
      from: "cache",
    });
  });

  it("offline: a cached file is used, a missing one is DatasetNotCachedError naming `quanteval data pull <task>`", async () => {
    const hub = await fakeHub();
    await new HubDatasetFiles(REGISTRY, access(hub)).path("acme/plain", JSONL, "demo");
    const before = hub.requests.length;

    const offline = new HubDatasetFiles(REGISTRY, access(hub, { offline: true }));
    expect(await offline.path("acme/plain", JSONL, "math500")).toContain("snapshots");
    const error = await failure(offline.path("acme/plain", PARQUET, "math500"));
    expect(error).toBeInstanceOf(DatasetNotCachedError);
    const notCached = error as DatasetNotCachedError;
    expect(notCached.message).toContain(`acme/plain/${PARQUET}`);
    expect(notCached.message).toContain(cacheDir);
    expect(notCached.hint).toContain("quanteval data pull math500");
    expect(notCached.dataset).toBe("acme/plain");
    expect(hub.requests).toHaveLength(before);
    expect(offline.used().map((u) => u.path)).toEqual([JSONL]);
  });

  it("data dir: reads <dataDir>/<owner>/<name>/<path>, names the expected path when missing, never asks the hub", async () => {
    const hub = await fakeHub();
    const dataDir = join(work, "local-copy");
    await mkdir(join(dataDir, "acme", "plain"), { recursive: true });
    await writeFile(join(dataDir, "acme", "plain", JSONL), JSONL_BYTES);

    const files = new HubDatasetFiles(REGISTRY, access(hub, { dataDir }));
    expect(await files.path("acme/plain", JSONL, "demo")).toBe(join(dataDir, "acme", "plain", JSONL));
    expect(files.used()).toEqual([
      {
        dataset: "acme/plain",
        revision: "main",
        path: JSONL,
        localPath: join(dataDir, "acme", "plain", JSONL),
        sha256: sha256(JSONL_BYTES),
        bytes: JSONL_BYTES.length,
        from: "data-dir",
      },
    ]);

    const error = await failure(files.path("acme/plain", PARQUET, "demo"));
    expect(error).toBeInstanceOf(DatasetNotInDataDirError);
    expect((error as Error).message).toContain(join(dataDir, "acme", "plain", "data", "train-00000-of-00001.parquet"));
    expect(hub.requests).toHaveLength(0);
  });
});

describe("hub failures become typed errors", () => {
  it("gated without a token: 401 is DatasetGatedError naming the dataset, its page and HF_TOKEN", async () => {
    const hub = await fakeHub();
    const error = await failure(new HubDatasetFiles(REGISTRY, access(hub)).path("acme/locked", CSV, "gpqa"));
    expect(error).toBeInstanceOf(DatasetGatedError);
    const gated = error as DatasetGatedError;
    expect(gated.status).toBe(401);
    expect(gated.dataset).toBe("acme/locked");
    expect(gated.message).toContain("acme/locked");
    expect(gated.message).toMatch(/restricted/);
    expect(gated.hint).toContain("https://huggingface.co/datasets/acme/locked");
    expect(gated.hint).toContain("HF_TOKEN");
    expect(hub.requests.every((r) => r.headers.authorization === undefined)).toBe(true);
  });

  it("gated with an unapproved token: 403, and the token appears in no error text and no file", async () => {
    const hub = await fakeHub();
    const error = await failure(
      new HubDatasetFiles(REGISTRY, access(hub, { token: UNAPPROVED })).path("acme/locked", CSV, "gpqa"),
    );
    expect(error).toBeInstanceOf(DatasetGatedError);
    const gated = error as DatasetGatedError;
    expect(gated.status).toBe(403);
    expect(gated.hint).toContain("account that owns HF_TOKEN");
    expect(hub.requests.some((r) => r.headers.authorization === `Bearer ${UNAPPROVED}`)).toBe(true);
    const everything = [
      gated.message,
      gated.hint,
      String(gated),
      gated.stack ?? "",
      JSON.stringify(gated),
      await allFileText(`${work}/cache`),
    ].join("\n");
    expect(everything).not.toContain(UNAPPROVED);
  });

  it("gated with an approved token: downloads, and the token goes to the hub only, never to the CDN", async () => {
    const hub = await fakeHub({ cdn: true });
    const files = new HubDatasetFiles(REGISTRY, access(hub, { token: APPROVED }));
    expect(await readFile(await files.path("acme/locked", CSV, "gpqa"))).toEqual(CSV_BYTES);
    expect(await readFile(await files.path("acme/locked", "big.parquet", "gpqa"))).toEqual(
      PARQUET_BYTES.subarray(0, 200_000),
    );

    const cdnRequests = hub.requests.filter((r) => r.server === "cdn");
    expect(cdnRequests.length).toBeGreaterThan(0);
    expect(cdnRequests.every((r) => r.headers.authorization === undefined)).toBe(true);
    expect(
      hub.requests.filter((r) => r.server === "hub").every((r) => r.headers.authorization === `Bearer ${APPROVED}`),
    ).toBe(true);
    // The blob is named by the hub's X-Linked-Etag, not by the CDN's own ETag.
    expect(await readlink(join(repoDir("acme/locked"), "snapshots", hub.commitOf("acme/locked"), "big.parquet"))).toBe(
      `../../blobs/${sha256(PARQUET_BYTES.subarray(0, 200_000))}`,
    );
    expect(await allFileText(cacheDir)).not.toContain(APPROVED);
  });

  it("404: a file or a dataset the hub does not have is DatasetNotFoundError", async () => {
    const hub = await fakeHub();
    const files = new HubDatasetFiles(REGISTRY, access(hub));
    const noFile = await failure(files.path("acme/plain", "absent.jsonl", "demo"));
    expect(noFile).toBeInstanceOf(DatasetNotFoundError);
    expect((noFile as Error).message).toContain("absent.jsonl");
    const noRepo = await failure(files.path("acme/vanished", JSONL, "demo"));
    expect(noRepo).toBeInstanceOf(DatasetNotFoundError);
    expect((noRepo as DatasetNotFoundError).dataset).toBe("acme/vanished");
  });

  it("a hub that is down is HubUnreachableError naming the URL", async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const error = await failure(
      new HubDatasetFiles(REGISTRY, access(endpoint, { token: APPROVED })).path("acme/plain", JSONL, "demo"),
    );
    expect(error).toBeInstanceOf(HubUnreachableError);
    expect((error as Error).message).toContain(`${endpoint}/datasets/acme/plain/resolve/main/test.jsonl`);
    expect((error as Error).message).not.toContain(APPROVED);
  });

  it("another HTTP status is HubUnreachableError with the status and the hub's words", async () => {
    const server = createServer((_req, res) => {
      res.writeHead(503, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: "Service temporarily unavailable" }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    if (address === null || typeof address === "string") throw new Error("not TCP");
    try {
      const error = await failure(
        new HubDatasetFiles(REGISTRY, access(`http://127.0.0.1:${address.port}`)).path("acme/plain", JSONL, "demo"),
      );
      expect(error).toBeInstanceOf(HubUnreachableError);
      expect((error as Error).message).toMatch(/HTTP 503: Service temporarily unavailable$/);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("bytes that do not match the announced sha256 are DatasetFormatError, and nothing is kept", async () => {
    const hub = await fakeHub({ announceSha256: { [`acme/plain/${PARQUET}`]: "a".repeat(64) } });
    const error = await failure(new HubDatasetFiles(REGISTRY, access(hub)).path("acme/plain", PARQUET, "demo"));
    expect(error).toBeInstanceOf(DatasetFormatError);
    expect((error as Error).message).toContain(sha256(PARQUET_BYTES));
    expect(await readdir(join(repoDir("acme/plain"), "blobs"))).toEqual([]);
    await expect(stat(join(repoDir("acme/plain"), "snapshots"))).rejects.toThrow();
  });
});

describe("resuming downloads", () => {
  it("resumes a download cut midway with a Range request and gets the right bytes", async () => {
    const hub = await fakeHub();
    // The cut happens once the client has written 1 MiB (its first progress event past the start).
    let passedFirstMiB: () => void = () => undefined;
    const firstMiB = new Promise<void>((resolve) => {
      passedFirstMiB = resolve;
    });
    hub.cutNextDownload(1536 * 1024, firstMiB);
    const events: DownloadProgress[] = [];
    const files = new HubDatasetFiles(
      REGISTRY,
      access(hub, {
        onProgress: (event) => {
          events.push(event);
          if (event.received >= 1024 * 1024) passedFirstMiB();
        },
      }),
    );

    const local = await files.path("acme/plain", PARQUET, "demo");
    const gets = bodyGets(hub);
    expect(gets).toHaveLength(2);
    expect(gets[0]?.headers.range).toBeUndefined();
    const resumedAt = Number(/^bytes=(\d+)-(\d+)$/.exec(gets[1]?.headers.range ?? "")?.[1]);
    expect(resumedAt).toBeGreaterThanOrEqual(1024 * 1024);
    expect(resumedAt).toBeLessThanOrEqual(1536 * 1024);
    expect(gets[1]?.headers.range).toBe(`bytes=${resumedAt}-${PARQUET_BYTES.length - 1}`);
    expect(sha256(await readFile(local))).toBe(sha256(PARQUET_BYTES));
    expect(files.used()[0]?.sha256).toBe(sha256(PARQUET_BYTES));
    expect(events.some((e) => !e.done && e.received === resumedAt)).toBe(true);
    expect(events.at(-1)?.done).toBe(true);
  });

  it("resumes the .incomplete file an earlier process left", async () => {
    const hub = await fakeHub();
    const sha = sha256(PARQUET_BYTES);
    await mkdir(join(repoDir("acme/plain"), "blobs"), { recursive: true });
    await writeFile(join(repoDir("acme/plain"), "blobs", `${sha}.incomplete`), PARQUET_BYTES.subarray(0, 12_345));

    const local = await new HubDatasetFiles(REGISTRY, access(hub)).path("acme/plain", PARQUET, "demo");
    expect(bodyGets(hub).map((r) => r.headers.range)).toEqual([`bytes=12345-${PARQUET_BYTES.length - 1}`]);
    expect(await readFile(local)).toEqual(PARQUET_BYTES);
    expect(await readdir(join(repoDir("acme/plain"), "blobs"))).toEqual([sha]);
  });

  it("starts over when the server ignores Range and sends the whole file", async () => {
    const hub = await fakeHub({ ignoreRanges: true });
    const sha = sha256(PARQUET_BYTES);
    await mkdir(join(repoDir("acme/plain"), "blobs"), { recursive: true });
    await writeFile(join(repoDir("acme/plain"), "blobs", `${sha}.incomplete`), PARQUET_BYTES.subarray(0, 999));

    const local = await new HubDatasetFiles(REGISTRY, access(hub)).path("acme/plain", PARQUET, "demo");
    expect(bodyGets(hub).map((r) => r.headers.range)).toEqual([`bytes=999-${PARQUET_BYTES.length - 1}`, undefined]);
    expect(await readFile(local)).toEqual(PARQUET_BYTES);
  });
});

describe("registry use", () => {
  it("entry() of an unlisted dataset, and a file the registry does not list, are plain Errors (bugs in a task)", async () => {
    const files = new HubDatasetFiles(REGISTRY, access("http://127.0.0.1:9"));
    expect(files.entry("acme/plain").revision).toBe("main");
    expect(() => files.entry("acme/nope")).toThrow(/acme\/nope is not listed in evalsets\/datasets.json/);
    let thrown: unknown;
    try {
      files.entry("acme/nope");
    } catch (error) {
      thrown = error;
    }
    expect(thrown).not.toBeInstanceOf(QuantevalError);
    const unlisted = await failure(files.path("acme/plain", "other.jsonl", "demo"));
    expect(unlisted).not.toBeInstanceOf(QuantevalError);
    expect((unlisted as Error).message).toMatch(/other\.jsonl is not listed/);
  });

  it("scanDatasetCache says per file whether it is cached, where, and how big", async () => {
    const hub = await fakeHub();
    const options = access(hub);
    const registry = new Map<string, DatasetEntry>(
      [...REGISTRY].filter(([id]) => id === "acme/plain" || id === "acme/pinned"),
    );
    const before = await scanDatasetCache(registry, options);
    expect(before.map((s) => [s.dataset, s.path, s.cached])).toEqual([
      ["acme/plain", PARQUET, false],
      ["acme/plain", JSONL, false],
      ["acme/plain", "absent.jsonl", false],
      ["acme/pinned", JSONL, false],
    ]);
    expect(before[3]).toMatchObject({
      commit: PINNED,
      localPath: join(repoDir("acme/pinned"), "snapshots", PINNED, JSONL),
      expectedBytes: JSONL_BYTES.length,
    });
    expect(before[0]).toMatchObject({
      commit: undefined,
      localPath: undefined,
      gated: false,
      license: "MIT",
      source: "cache",
    });

    await new HubDatasetFiles(registry, options).path("acme/plain", JSONL, "demo");
    const after = await scanDatasetCache(registry, options);
    expect(after[1]).toMatchObject({
      cached: true,
      commit: hub.commitOf("acme/plain"),
      revision: "main",
      bytesOnDisk: JSONL_BYTES.length,
      localPath: join(repoDir("acme/plain"), "snapshots", hub.commitOf("acme/plain"), JSONL),
    });
    expect(after[0]?.cached).toBe(false);
  });
});

describe("dataAccessFromEnv", () => {
  const HOME = "/home/someone";

  it("finds the cache as huggingface_hub does: --cache-dir, HF_HUB_CACHE, HF_HOME/hub, XDG_CACHE_HOME, ~/.cache", () => {
    expect(dataAccessFromEnv({ HOME }, {}).cacheDir).toBe("/home/someone/.cache/huggingface/hub");
    expect(dataAccessFromEnv({ HOME, XDG_CACHE_HOME: "/xdg" }, {}).cacheDir).toBe("/xdg/huggingface/hub");
    expect(dataAccessFromEnv({ HOME, HF_HOME: "/hf" }, {}).cacheDir).toBe("/hf/hub");
    expect(dataAccessFromEnv({ HOME, HF_HOME: "~/hf" }, {}).cacheDir).toBe("/home/someone/hf/hub");
    expect(dataAccessFromEnv({ HOME, HF_HOME: "/hf", HF_HUB_CACHE: "/hub-cache" }, {}).cacheDir).toBe("/hub-cache");
    expect(
      dataAccessFromEnv({ HOME, HF_HOME: "/hf", HF_HUB_CACHE: "/hub-cache" }, { cacheDir: "/flag" }).cacheDir,
    ).toBe("/flag");
  });

  it("takes the token from --hf-token, else HF_TOKEN (an empty one is no token)", () => {
    expect(dataAccessFromEnv({ HOME, HF_TOKEN: "hf_env" }, {}).token).toBe("hf_env");
    expect(dataAccessFromEnv({ HOME, HF_TOKEN: "hf_env" }, { hfToken: "hf_flag" }).token).toBe("hf_flag");
    expect(dataAccessFromEnv({ HOME, HF_TOKEN: "" }, {})).not.toHaveProperty("token");
  });

  it("is offline with --offline or HF_HUB_OFFLINE=1/true/yes", () => {
    for (const value of ["1", "true", "YES", "on"])
      expect(dataAccessFromEnv({ HOME, HF_HUB_OFFLINE: value }, {}).offline).toBe(true);
    for (const value of ["0", "", "false", "no"])
      expect(dataAccessFromEnv({ HOME, HF_HUB_OFFLINE: value }, {}).offline).toBe(false);
    expect(dataAccessFromEnv({ HOME }, { offline: true }).offline).toBe(true);
  });

  it("uses HF_ENDPOINT without its trailing slash, huggingface.co by default, and rejects a non-URL", () => {
    expect(dataAccessFromEnv({ HOME }, {}).endpoint).toBe("https://huggingface.co");
    expect(dataAccessFromEnv({ HOME, HF_ENDPOINT: "https://hf-mirror.example/" }, {}).endpoint).toBe(
      "https://hf-mirror.example",
    );
    expect(() => dataAccessFromEnv({ HOME, HF_ENDPOINT: "hf-mirror.example" }, {})).toThrow(ConfigError);
  });

  it("keeps --data-dir as an absolute path", () => {
    expect(dataAccessFromEnv({ HOME }, { dataDir: "/data/hf" }).dataDir).toBe("/data/hf");
    expect(dataAccessFromEnv({ HOME }, {})).not.toHaveProperty("dataDir");
  });

  it("the token `hf auth login` saved is used when neither --hf-token nor HF_TOKEN is given", () => {
    const hfHome = mkdtempSync(join(tmpdir(), "qe-hfhome-"));
    writeFileSync(join(hfHome, "token"), "hf_savedLoginToken\n");
    expect(dataAccessFromEnv({ HOME: "/nowhere", HF_HOME: hfHome }, {}).token).toBe("hf_savedLoginToken");
    expect(dataAccessFromEnv({ HOME: "/nowhere", HF_HOME: hfHome, HF_TOKEN: "hf_env" }, {}).token).toBe("hf_env");
    expect(
      dataAccessFromEnv({ HOME: "/nowhere", HF_TOKEN_PATH: join(hfHome, "token") }, { hfToken: "hf_flag" }).token,
    ).toBe("hf_flag");
    expect(dataAccessFromEnv({ HOME: "/nowhere" }, {}).token).toBeUndefined();
  });
});

describe("evalsets/datasets.json", () => {
  it("pins every dataset the tasks read", () => {
    const registry = readDatasetRegistry(join(import.meta.dirname, "..", ".."));
    expect([...registry.keys()].sort()).toEqual([
      "HuggingFaceH4/MATH-500",
      "HuggingFaceH4/aime_2024",
      "Idavidrein/gpqa",
      "Maxwell-Jia/AIME_2024",
      // Issue 20: scicode reads SciCode1/SciCode's validation split.
      "SciCode1/SciCode",
      "TIGER-Lab/MMLU-Pro",
      "cais/hle",
      "livecodebench/code_generation_lite",
      "math-ai/aime25",
      "opencompass/AIME2025",
    ]);
    expect(
      [...registry.values()]
        .filter((e) => e.gated)
        .map((e) => e.id)
        .sort(),
    ).toEqual(["Idavidrein/gpqa", "cais/hle"]);
    expect(registry.get("Idavidrein/gpqa")?.revision).toBe("633f5ee89ab8ad4522a9f850766b73f62147ffdd");
    expect(registry.get("SciCode1/SciCode")?.revision).toBe("4510f6a6aa27c43fad7b43da2c59602a86e88480");
    expect(registry.get("livecodebench/code_generation_lite")?.files.map((f) => f.path)).toEqual([
      "test.jsonl",
      "test2.jsonl",
      "test3.jsonl",
      "test4.jsonl",
      "test5.jsonl",
      "test6.jsonl",
    ]);
  });

  it("a malformed registry is DatasetFormatError naming the field", async () => {
    const root = join(work, "project");
    await mkdir(join(root, "evalsets"), { recursive: true });
    const file = join(root, "evalsets", "datasets.json");
    await writeFile(
      file,
      JSON.stringify({
        schemaVersion: 1,
        datasets: { "acme/x": { revision: 42, gated: false, license: "MIT", files: [{ path: "../escape.jsonl" }] } },
      }),
    );
    const error = (() => {
      try {
        readDatasetRegistry(root);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(DatasetFormatError);
    expect((error as Error).message).toContain(file);
    expect((error as Error).message).toContain("datasets.acme/x.revision");
    expect((error as Error).message).toContain("datasets.acme/x.files[0].path");

    await writeFile(file, "{ not json");
    expect(() => readDatasetRegistry(root)).toThrow(DatasetFormatError);
  });
});
