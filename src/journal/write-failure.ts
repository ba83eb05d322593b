/**
 * A failed write to the output folders, as the user needs to read it: which path, why (disk full, read-only,
 * permission, a file where a folder should be), how much space is left, and what to do next. Every place that
 * writes artifacts or reports turns Node's error into this, so no full disk ends as "this is a bug in quanteval".
 */
import { existsSync, statfsSync } from "node:fs";
import { dirname } from "node:path";
import { OutputWriteError } from "../core/errors.ts";
import { humanBytes } from "../human-bytes.ts";

/** The errno codes of a write that the user, not quanteval, has to fix. */
const USER_FIXABLE = new Set([
  "ENOSPC",
  "EDQUOT",
  "EACCES",
  "EPERM",
  "EROFS",
  "ENOTDIR",
  "EISDIR",
  "EEXIST",
  "ENOENT",
  "EFBIG",
]);

export function isWriteFailure(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && "code" in error && typeof error.code === "string" && USER_FIXABLE.has(error.code);
}

/**
 * The typed error for a failed write of `path`. `then` says how to go on once it is fixed (e.g. the resume
 * command); `error` is what fs threw, or undefined for a short write (fewer bytes written than asked, no errno).
 */
export function writeFailure(path: string, error: NodeJS.ErrnoException | undefined, then: string): OutputWriteError {
  const code = error?.code;
  const space = freeSpace(path);
  const spaceNote = space === undefined ? "" : ` (${humanBytes(space.free)} free of ${humanBytes(space.total)} there)`;
  const { detail, fix } = explain(code, spaceNote);
  return new OutputWriteError(path, detail, fix, then, code, error === undefined ? undefined : { cause: error });
}

function explain(code: string | undefined, spaceNote: string): { detail: string; fix: string } {
  switch (code) {
    case undefined:
      return { detail: `a short write: the disk took only part of a line${spaceNote}`, fix: "free space on that disk" };
    case "ENOSPC":
    case "EFBIG":
      return {
        detail: `no space left on the device${spaceNote}`,
        fix: "free space on that disk (or choose another folder)",
      };
    case "EDQUOT":
      return {
        detail: `the disk quota is used up${spaceNote}`,
        fix: "free space within your quota (or choose another folder)",
      };
    case "EROFS":
      return {
        detail: "the file system is read-only",
        fix: "choose a writable folder (--artifacts/--reports, or output in the config)",
      };
    case "EACCES":
    case "EPERM":
      return {
        detail: "permission denied",
        fix: "make the folder writable for this user, or choose another (--artifacts/--reports)",
      };
    case "ENOTDIR":
    case "EEXIST":
      return {
        detail: "a part of the path is a file, not a folder",
        fix: "move that file away, or choose another folder",
      };
    case "EISDIR":
      return { detail: "a folder is in the way of the file", fix: "move that folder away, or choose another folder" };
    case "ENOENT":
      return {
        detail: "a folder on the path does not exist and could not be created",
        fix: "create the folder, or choose another",
      };
    default:
      return { detail: `${code}`, fix: "fix the folder" };
  }
}

/** Free and total bytes of the file system holding `path` (its nearest existing folder); undefined if unknown. */
export function freeSpace(path: string): { free: number; total: number } | undefined {
  let at = path;
  while (!existsSync(at)) {
    const parent = dirname(at);
    if (parent === at) return undefined;
    at = parent;
  }
  try {
    const stats = statfsSync(at);
    return { free: stats.bavail * stats.bsize, total: stats.blocks * stats.bsize };
  } catch {
    return undefined;
  }
}
