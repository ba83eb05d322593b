/**
 * A fake Hugging Face hub on 127.0.0.1 (port 0) that serves a folder laid out `<root>/<owner>/<name>/<path>`
 * the way huggingface.co answers `/datasets/<id>/resolve/<revision>/<path>` (GET and HEAD; a model repo's
 * `/<id>/resolve/...` too): Range requests (206 + Content-Range), ETag, X-Repo-Commit, X-Linked-Etag/X-Linked-Size
 * for LFS files, the hub's JSON errors with X-Error-Code (GatedRepo, RepoNotFound, RevisionNotFound,
 * EntryNotFound), gated datasets, an optional CDN on a second origin that LFS downloads are redirected to, and a
 * way to break a download midway. Every request is logged so tests can assert what went over the wire (or that
 * nothing did).
 */
import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { join } from "node:path";

export interface FakeHubOptions {
  /** Files at `<root>/<owner>/<name>/<path-in-repo>`; a dataset exists when its folder does. */
  root: string;
  /** Dataset ids that need `Authorization: Bearer <token>` with a token from `tokens`. */
  gated?: string[];
  /** Tokens of accounts approved for every gated dataset. */
  tokens?: string[];
  /** The commit `main` points at, per dataset id (default: a hash derived from the id). Any 40-hex revision is served as itself. */
  commits?: Record<string, string>;
  /** Which paths are LFS files (etag = sha256, X-Linked-* headers). Default: `.parquet` files. */
  lfs?: (path: string) => boolean;
  /** Redirect LFS downloads (302) to a CDN on a second port, i.e. another origin, as huggingface.co does. */
  cdn?: boolean;
  /** Announce this sha256 for `<id>/<path>` instead of the real one (to see verification fail). */
  announceSha256?: Record<string, string>;
  /** Break the first body download (any GET but the 1-byte probe) after this many body bytes. */
  cutAfterBytes?: number;
  /**
   * Answer Range requests for file bodies with the whole file and 200, like a CDN without range support.
   * The 1-byte probe still gets its 206: @huggingface/hub learns the size from it.
   */
  ignoreRanges?: boolean;
}

export interface HubRequest {
  server: "hub" | "cdn";
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

export interface FakeHub {
  /** http://127.0.0.1:<port>, what HF_ENDPOINT would be. */
  url: string;
  /** The CDN's origin when `cdn` is set. */
  cdnUrl: string | undefined;
  requests: HubRequest[];
  /** The commit `main` stands for in `id`. */
  commitOf(id: string): string;
  /**
   * Break the next body download after `bytes` body bytes: they are sent, then the socket is destroyed once
   * `when` settles (default: as soon as they are flushed). A test passes a promise it resolves from its
   * progress callback, so the client has surely written some bytes before the cut, whatever the timing.
   */
  cutNextDownload(bytes: number, when?: Promise<unknown>): void;
  close(): Promise<void>;
}

export async function startFakeHub(options: FakeHubOptions): Promise<FakeHub> {
  const requests: HubRequest[] = [];
  const gated = new Set(options.gated ?? []);
  const tokens = new Set(options.tokens ?? []);
  const isLfs = options.lfs ?? ((path: string) => path.endsWith(".parquet"));
  const cdnBlobs = new Map<string, Buffer>();
  let pendingCut: Cut | undefined =
    options.cutAfterBytes === undefined ? undefined : { afterBytes: options.cutAfterBytes };
  const commitOf = (id: string): string =>
    options.commits?.[id] ?? createHash("sha1").update(`commit of ${id}`).digest("hex");

  const body: BodyServing = {
    ignoreRanges: options.ignoreRanges === true,
    takeCut: () => {
      const cut = pendingCut;
      pendingCut = undefined;
      return cut;
    },
  };

  const cdn =
    options.cdn === true
      ? await listen(
          createServer((req, res) => {
            requests.push(record("cdn", req));
            const blob = cdnBlobs.get(new URL(req.url ?? "/", "http://cdn").pathname.replace(/^\/blobs\//, ""));
            if (blob === undefined) return hubError(res, 404, "EntryNotFound", "no such blob");
            serveBytes(req, res, blob, { etag: `"cdn-${createHash("md5").update(blob).digest("hex")}"` }, body);
          }),
        )
      : undefined;

  const hub = await listen(
    createServer((req, res) => {
      requests.push(record("hub", req));
      answerHub(req, res).catch((error: unknown) => {
        if (!res.headersSent) hubError(res, 500, "Internal", error instanceof Error ? error.message : String(error));
        else res.destroy();
      });
    }),
  );

  async function answerHub(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const route = parseResolve(req.url ?? "/");
    if (route === undefined || (req.method !== "GET" && req.method !== "HEAD"))
      return hubError(res, 404, "NotFound", "Sorry, we can't find the page you are looking for.");
    const { id, revision, path } = route;
    const repoDir = join(options.root, ...id.split("/"));
    if (!(await isDirectory(repoDir))) return hubError(res, 404, "RepoNotFound", "Repository not found");
    if (gated.has(id)) {
      const token = bearerToken(req);
      if (token === undefined) {
        return hubError(
          res,
          401,
          "GatedRepo",
          `Access to dataset ${id} is restricted. You must have access to it and be authenticated to access it. Please log in.`,
        );
      }
      if (!tokens.has(token)) {
        return hubError(
          res,
          403,
          "GatedRepo",
          `Access to dataset ${id} is gated and your account is not in the authorized list. Visit https://huggingface.co/datasets/${id} to ask for access.`,
        );
      }
    }
    const commit = /^[0-9a-f]{40}$/.test(revision) ? revision : revision === "main" ? commitOf(id) : undefined;
    if (commit === undefined) return hubError(res, 404, "RevisionNotFound", `Invalid rev id: ${revision}`);
    const file = join(repoDir, ...path.split("/"));
    if (path.split("/").some((part) => part === ".." || part === "") || !(await isFile(file)))
      return hubError(res, 404, "EntryNotFound", "Entry not found");
    const content = await readFile(file);
    const headers: Record<string, string> = { "x-repo-commit": commit };
    if (!isLfs(path)) {
      serveBytes(req, res, content, { ...headers, etag: `"${gitBlobId(content)}"` }, body);
      return;
    }
    const sha256 = createHash("sha256").update(content).digest("hex");
    const announced = options.announceSha256?.[`${id}/${path}`] ?? sha256;
    Object.assign(headers, {
      etag: `"${announced}"`,
      "x-linked-etag": `"${announced}"`,
      "x-linked-size": String(content.length),
    });
    if (cdn === undefined) {
      serveBytes(req, res, content, headers, body);
      return;
    }
    cdnBlobs.set(sha256, content);
    res.writeHead(302, { ...headers, location: `${cdn.url}/blobs/${sha256}?signature=fake`, "content-length": "0" });
    res.end();
  }

  return {
    url: hub.url,
    cdnUrl: cdn?.url,
    requests,
    commitOf,
    cutNextDownload: (bytes, when) => {
      pendingCut = when === undefined ? { afterBytes: bytes } : { afterBytes: bytes, when };
    },
    close: async () => {
      await hub.close();
      await cdn?.close();
    },
  };
}

interface Cut {
  afterBytes: number;
  when?: Promise<unknown>;
}

interface BodyServing {
  ignoreRanges: boolean;
  /** The pending cut, consumed by the first body download that sees it. */
  takeCut(): Cut | undefined;
}

/** Sends `content` (or the asked range), as a hub or CDN does; honours a pending cut. */
function serveBytes(
  req: IncomingMessage,
  res: ServerResponse,
  content: Buffer,
  headers: Record<string, string>,
  serving: BodyServing,
): void {
  const size = content.length;
  const range = parseRange(req.headers.range, size);
  if (range === "unsatisfiable") {
    res.writeHead(416, { ...headers, "content-range": `bytes */${size}` });
    res.end();
    return;
  }
  const probe = range !== undefined && range[0] === 0 && range[1] === 0;
  const partial = range !== undefined && (probe || !serving.ignoreRanges);
  const [start, end] = partial ? range : [0, size - 1];
  const slice = content.subarray(start, end + 1);
  res.writeHead(partial ? 206 : 200, {
    ...headers,
    "accept-ranges": "bytes",
    "content-type": "application/octet-stream",
    "content-length": String(slice.length),
    ...(partial ? { "content-range": `bytes ${start}-${end}/${size}` } : {}),
  });
  if (req.method === "HEAD") {
    res.end();
    return;
  }
  const cut = probe ? undefined : serving.takeCut();
  if (cut === undefined || cut.afterBytes >= slice.length) {
    res.end(slice);
    return;
  }
  // The bytes are flushed first, then the connection dies mid-body, as a dropped download does.
  const destroy = (): void => {
    res.socket?.destroy();
  };
  res.write(slice.subarray(0, cut.afterBytes), () => {
    if (cut.when === undefined) destroy();
    else cut.when.then(destroy, destroy);
  });
}

/** `bytes=a-b`, `bytes=a-` or `bytes=-n` as [start, end] inclusive; undefined when absent. */
function parseRange(header: string | undefined, size: number): [number, number] | "unsatisfiable" | undefined {
  if (header === undefined) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (match === null) return undefined;
  const [, from = "", to = ""] = match;
  if (from === "" && to === "") return undefined;
  const start = from === "" ? Math.max(0, size - Number(to)) : Number(from);
  const end = from === "" || to === "" ? size - 1 : Math.min(Number(to), size - 1);
  return start > end || start >= size ? "unsatisfiable" : [start, end];
}

/**
 * `/datasets/<owner>/<name>/resolve/<revision>/<path...>`, each part percent-decoded; a model repo's
 * `/<owner>/<name>/resolve/...` (no `datasets/`) is served from the same folders.
 */
function parseResolve(url: string): { id: string; revision: string; path: string } | undefined {
  const parts = new URL(url, "http://hub").pathname.split("/").map((part) => decodeURIComponent(part));
  if (parts[1] === "datasets") parts.splice(1, 1);
  const [empty, owner, name, verb, revision, ...path] = parts;
  if (empty !== "" || verb !== "resolve" || !owner || !name || !revision || path.length === 0) return undefined;
  return { id: `${owner}/${name}`, revision, path: path.join("/") };
}

function bearerToken(req: IncomingMessage): string | undefined {
  const match = /^Bearer (.+)$/.exec(req.headers.authorization ?? "");
  return match?.[1];
}

/** The hub's error shape: JSON `{ error }` plus X-Error-Code / X-Error-Message headers. */
function hubError(res: ServerResponse, status: number, code: string, message: string): void {
  const text = JSON.stringify({ error: message });
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "x-error-code": code,
    "x-error-message": message,
    "content-length": String(Buffer.byteLength(text)),
  });
  res.end(text);
}

/** Git's blob id (what the hub sends as ETag for a non-LFS file). */
function gitBlobId(content: Buffer): string {
  return createHash("sha1").update(`blob ${content.length}\0`).update(content).digest("hex");
}

function record(server: HubRequest["server"], req: IncomingMessage): HubRequest {
  return { server, method: req.method ?? "", url: req.url ?? "", headers: req.headers };
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (info) => info.isDirectory(),
    () => false,
  );
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (info) => info.isFile(),
    () => false,
  );
}

async function listen(server: Server): Promise<{ url: string; close(): Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the fake hub is not listening on TCP");
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
