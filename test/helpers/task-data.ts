/** Loading tasks in tests: from our fixtures (test/fixtures/hub), or the real files named by QUANTEVAL_REAL_DATA. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { openDatasets } from "../../src/datasets/open.ts";
import type { DatasetFiles } from "../../src/datasets/types.ts";
import { type LoadedTask, loadTasks } from "../../src/runner/load-tasks.ts";
import type { LoadOptions } from "../../src/tasks/types.ts";

export const ROOT = resolve(import.meta.dirname, "../..");
/** Our own small files in the hub layout (`<owner>/<name>/<path>`), written by test/fixtures/make-fixtures.ts. */
export const FIXTURE_HUB = join(ROOT, "test/fixtures/hub");
/** The real benchmark files (CI: ../shared/data), or undefined when not set. */
export const REAL_DATA =
  process.env.QUANTEVAL_REAL_DATA === undefined || process.env.QUANTEVAL_REAL_DATA === ""
    ? undefined
    : resolve(process.env.QUANTEVAL_REAL_DATA);

/** Dataset access that reads `dataDir` only (no cache, no network). */
export function localDatasets(dataDir: string = FIXTURE_HUB): DatasetFiles {
  return openDatasets(ROOT, {
    cacheDir: mkdtempSync(join(tmpdir(), "qe-cache-")),
    dataDir,
    offline: true,
    endpoint: "http://127.0.0.1:9",
  });
}

export function loadOptions(overrides: Partial<LoadOptions> = {}): LoadOptions & { notices: string[] } {
  const notices: string[] = [];
  return { root: ROOT, data: localDatasets(), options: {}, notice: (m) => notices.push(m), notices, ...overrides };
}

/** The runner's own loading path (subsets, options, limit), from `dataDir`. */
export async function loadForTest(
  tasks: string[],
  options: { dataDir?: string; taskOptions?: Record<string, Record<string, unknown>>; limit?: number } = {},
): Promise<{ loaded: LoadedTask[]; notices: string[] }> {
  const notices: string[] = [];
  const loaded = await loadTasks(
    {
      tasks,
      taskOptions: options.taskOptions ?? {},
      sampling: { temperature: 0 },
      ...(options.limit !== undefined ? { limit: options.limit } : {}),
    },
    ROOT,
    localDatasets(options.dataDir),
    (m) => notices.push(m),
  );
  return { loaded, notices };
}
