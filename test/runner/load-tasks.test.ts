/** What loadTasks records of each task's data: every file the task read, even one another task read first. */
import { expect, test } from "vitest";
import { loadTasks } from "../../src/runner/load-tasks.ts";
import { localDatasets, ROOT } from "../helpers/task-data.ts";

test("two subsets of one dataset each record the file they read, and so does a second loading with the same access", async () => {
  const data = localDatasets();
  const config = { tasks: ["mmlu_pro:law", "mmlu_pro:math"], taskOptions: {}, sampling: { temperature: 0 } };
  const first = await loadTasks(config, ROOT, data, () => {});
  const second = await loadTasks(config, ROOT, data, () => {});
  for (const loaded of [...first, ...second]) {
    expect(
      loaded.info.files.map((f) => f.path),
      loaded.task.name,
    ).toEqual(["data/test-00000-of-00001.parquet"]);
    expect(loaded.info.files[0]?.sha256).toMatch(/^[0-9a-f]{64}$/);
  }
});
