/**
 * `quanteval data pull <tasks…>` fetches the tasks' hub files into the cache ahead of time (for GPU nodes with no
 * internet: pull on a login node, then run there with --offline); `quanteval data status` shows what is cached,
 * at which revision, and how big. Downloads resume from a partial file.
 */

import { QuantevalError } from "../../core/errors.ts";
import type { DataAccessOptions } from "../../datasets/index.ts";
import { HubDatasetFiles, readDatasetRegistry, scanDatasetCache } from "../../datasets/index.ts";
import { humanBytes } from "../../human-bytes.ts";
import { defaultOptions, resolveTasks } from "../../tasks/index.ts";
import { createDownloadDisplay } from "../download-progress.ts";
import { type CliIo, EXIT, type ExitCode } from "../io.ts";
import { renderPlainTable } from "../plain-table.ts";

export async function pullCommand(
  names: readonly string[],
  ctx: { root: string; io: CliIo; access: DataAccessOptions },
): Promise<ExitCode> {
  const { io } = ctx;
  const resolved = resolveTasks(names);
  const display = createDownloadDisplay(io.isTty, (line) => io.stderr(`${line}\n`));
  const files = new HubDatasetFiles(readDatasetRegistry(ctx.root), {
    ...ctx.access,
    onProgress: (e) => display.onProgress(e),
  });
  const failures: string[] = [];
  try {
    for (const { task, subset } of resolved) {
      for (const ref of task.files(subset, defaultOptions(task))) {
        try {
          await files.path(ref.dataset, ref.path, task.name);
        } catch (error) {
          if (!(error instanceof QuantevalError)) throw error;
          failures.push(
            `${task.name}: ${ref.dataset}/${ref.path}: error[${error.code}]: ${error.message}\nfix: ${error.hint}`,
          );
        }
      }
    }
  } finally {
    display.stop();
  }
  const used = files.used();
  for (const f of used)
    io.stdout(
      `${f.from === "download" ? "pulled" : "present"}  ${f.dataset}@${f.revision.slice(0, 12)}  ${f.path}  ${humanBytes(f.bytes)}  sha256 ${f.sha256.slice(0, 16)}…\n`,
    );
  for (const failure of failures) io.stderr(`${failure}\n`);
  io.stderr(
    `${used.length} file(s) ready in ${ctx.access.dataDir ?? ctx.access.cacheDir}${failures.length > 0 ? `; ${failures.length} failed (above)` : ""}\n`,
  );
  return failures.length > 0 ? EXIT.failed : EXIT.ok;
}

export async function statusCommand(ctx: { root: string; io: CliIo; access: DataAccessOptions }): Promise<void> {
  const statuses = await scanDatasetCache(readDatasetRegistry(ctx.root), ctx.access);
  const rows = [["dataset", "file", "revision", "cached", "size", "gated", "path"]];
  for (const s of statuses) {
    rows.push([
      s.dataset,
      s.path,
      s.revision.slice(0, 12),
      s.cached ? "yes" : "no",
      s.bytesOnDisk !== undefined
        ? humanBytes(s.bytesOnDisk)
        : s.expectedBytes !== undefined
          ? `(${humanBytes(s.expectedBytes)})`
          : "",
      s.gated ? "gated" : "",
      s.localPath ?? "",
    ]);
  }
  ctx.io.stdout(renderPlainTable(rows));
  const onDisk = statuses.reduce((sum, s) => sum + (s.bytesOnDisk ?? 0), 0);
  ctx.io.stdout(
    `\n${statuses.filter((s) => s.cached).length}/${statuses.length} files present, ${humanBytes(onDisk)} on disk in ${ctx.access.dataDir !== undefined ? `--data-dir ${ctx.access.dataDir}` : ctx.access.cacheDir}; sizes in parentheses are the hub's, for files not yet pulled\n`,
  );
}
