/**
 * The Hugging Face hub cache layout, exactly as Python's huggingface_hub writes it, so a cache filled by
 * `huggingface-cli download --repo-type dataset` (or by us) serves both:
 *
 *   <cacheDir>/datasets--<owner>--<name>/
 *     blobs/<etag>                         file contents, named by sha256 (LFS/xet) or git blob id
 *     snapshots/<commit>/<path>            relative symlink to ../../blobs/<etag> (one more ../ per folder in path)
 *     refs/<branch>                        the commit the branch pointed at when last downloaded
 *
 * Names come from @huggingface/hub (getRepoFolderName, REGEX_COMMIT_HASH). Its downloadFileToCacheDir and
 * scanCacheDir do not fit what this serves, so the lookups and writes stay here: the download neither resumes a
 * partial blob, reports progress, checks the sha256, nor writes refs/<branch> for a branch pin (an offline run
 * could not find it), and the scan skips files in snapshot sub-folders and gives up on a repo with one dangling
 * link, where `data status` reports per file.
 *
 * No network here: only paths, lookups and the atomic writes that fill the layout.
 */

import { randomBytes } from "node:crypto";
import { copyFile, mkdir, readFile, realpath, rename, rm, stat, symlink, writeFile } from "node:fs/promises";
import { basename, dirname, join, relative } from "node:path";
import { getRepoFolderName, REGEX_COMMIT_HASH } from "@huggingface/hub";

/** Dataset repos hold benchmark data; model repos are read for their tokenizer files (`bench --tokenizer`). */
export type HubRepoType = "dataset" | "model";

/** `datasets--owner--name` (or `models--owner--name`), as huggingface_hub names a repo's folder. */
export function repoFolder(cacheDir: string, id: string, type: HubRepoType = "dataset"): string {
  return join(cacheDir, getRepoFolderName({ type, name: id }));
}

export function blobFile(cacheDir: string, id: string, etag: string, type: HubRepoType = "dataset"): string {
  return join(repoFolder(cacheDir, id, type), "blobs", etag);
}

export function snapshotFile(
  cacheDir: string,
  id: string,
  commit: string,
  path: string,
  type: HubRepoType = "dataset",
): string {
  return join(repoFolder(cacheDir, id, type), "snapshots", commit, ...path.split("/"));
}

function refFile(cacheDir: string, id: string, branch: string, type: HubRepoType = "dataset"): string {
  return join(repoFolder(cacheDir, id, type), "refs", ...branch.split("/"));
}

/** The commit `revision` stands for without asking the hub: itself when it is a hash, else `refs/<revision>`. */
export async function localCommit(
  cacheDir: string,
  id: string,
  revision: string,
  type: HubRepoType = "dataset",
): Promise<string | undefined> {
  if (REGEX_COMMIT_HASH.test(revision)) return revision;
  let text: string;
  try {
    text = await readFile(refFile(cacheDir, id, revision, type), "utf8");
  } catch {
    return undefined;
  }
  const commit = text.trim();
  return REGEX_COMMIT_HASH.test(commit) ? commit : undefined;
}

export interface CachedFile {
  /** `snapshots/<commit>/<path>` (usually a symlink into blobs/). */
  localPath: string;
  commit: string;
  /** Name of the blob the snapshot entry resolves to (the file's own name when it is a plain copy). */
  blobName: string;
  bytes: number;
}

/** The cached file for `path` at `revision`, or undefined when the snapshot entry is missing or dangling. */
export async function findCachedFile(
  cacheDir: string,
  id: string,
  revision: string,
  path: string,
  type: HubRepoType = "dataset",
): Promise<CachedFile | undefined> {
  const commit = await localCommit(cacheDir, id, revision, type);
  if (commit === undefined) return undefined;
  const localPath = snapshotFile(cacheDir, id, commit, path, type);
  try {
    const info = await stat(localPath);
    if (!info.isFile()) return undefined;
    return { localPath, commit, blobName: basename(await realpath(localPath)), bytes: info.size };
  } catch {
    return undefined;
  }
}

/** Points `snapshots/<commit>/<path>` at `blobs/<etag>` with a relative link (as huggingface_hub does, so a moved cache still works). */
export async function linkSnapshot(
  cacheDir: string,
  id: string,
  commit: string,
  path: string,
  etag: string,
  type: HubRepoType = "dataset",
): Promise<string> {
  const pointer = snapshotFile(cacheDir, id, commit, path, type);
  const blob = blobFile(cacheDir, id, etag, type);
  await mkdir(dirname(pointer), { recursive: true });
  // Made under a temporary name and renamed over: a concurrent reader never sees a half-made entry.
  const temporary = `${pointer}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    await symlink(relative(dirname(pointer), blob), temporary);
  } catch {
    // Filesystems without symlinks (some Windows setups): a copy, the same fallback huggingface_hub uses.
    await copyFile(blob, temporary);
  }
  try {
    await rename(temporary, pointer);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  return pointer;
}

/** Records that `branch` pointed at `commit`, so later offline runs can find the snapshot. */
export async function writeRef(
  cacheDir: string,
  id: string,
  branch: string,
  commit: string,
  type: HubRepoType = "dataset",
): Promise<void> {
  const file = refFile(cacheDir, id, branch, type);
  await mkdir(dirname(file), { recursive: true });
  const temporary = `${file}.${randomBytes(6).toString("hex")}.tmp`;
  await writeFile(temporary, commit);
  await rename(temporary, file);
}
