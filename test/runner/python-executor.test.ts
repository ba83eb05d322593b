/**
 * Settling LiveCodeBench's Python executor at load: the choice, the fallback, the N/A, the time limit that follows,
 * and detection run at most once. Detection is injected: these tests start no sandbox.
 */
import { describe, expect, test } from "vitest";
import type { NativeAvailability } from "../../graders/code/index.ts";
import { loadTasks } from "../../src/runner/load-tasks.ts";
import { localDatasets, ROOT } from "../helpers/task-data.ts";

const UNAVAILABLE: NativeAvailability = { available: false, reason: "bubblewrap is not installed (no /usr/bin/bwrap)" };
const AVAILABLE: NativeAvailability = {
  available: true,
  python: { bwrap: "/usr/bin/bwrap", python: "/usr/bin/python3.11", pythonPaths: [], version: "3.11.2" },
  dirs: [],
};

async function load(tasks: string[], options: Record<string, unknown>, found: NativeAvailability) {
  const notices: string[] = [];
  let detections = 0;
  const detect = async (): Promise<NativeAvailability> => {
    detections++;
    return found;
  };
  const loaded = await loadTasks(
    { tasks, taskOptions: { livecodebench: options }, sampling: { temperature: 0 } },
    ROOT,
    localDatasets(),
    (m) => notices.push(m),
    detect,
  );
  return { loaded, notices, detections };
}

describe("taskOptions.livecodebench.executor", () => {
  test("default: Pyodide, 18 s per test, no detection", async () => {
    const { loaded, detections } = await load(["livecodebench:release_v1"], {}, AVAILABLE);
    expect(loaded[0]?.info.executor).toBe("pyodide");
    expect(loaded[0]?.items[0]?.meta).toMatchObject({ executor: "pyodide", timeoutSec: 18 });
    expect(detections).toBe(0);
  });

  test("native where it runs: LiveCodeBench's own 6 s, detected once for two subsets", async () => {
    const { loaded, detections } = await load(
      ["livecodebench:release_v1", "livecodebench:v6"],
      { executor: "native" },
      AVAILABLE,
    );
    expect(loaded.map((t) => t.info.executor)).toEqual(["native", "native"]);
    expect(loaded[0]?.items[0]?.meta).toMatchObject({ executor: "native", timeoutSec: 6 });
    expect(detections).toBe(1);
  });

  test("a timeoutSec given is kept, whatever the executor", async () => {
    const { loaded } = await load(["livecodebench:release_v1"], { executor: "native", timeoutSec: 9 }, AVAILABLE);
    expect(loaded[0]?.items[0]?.meta).toMatchObject({ executor: "native", timeoutSec: 9 });
  });

  test("native where it cannot run: the task is N/A, with the reason and the fix", async () => {
    const { loaded } = await load(["livecodebench:release_v1"], { executor: "native" }, UNAVAILABLE);
    expect(loaded[0]?.items).toEqual([]);
    expect(loaded[0]?.info.unavailable).toMatchObject({
      code: "E_NATIVE_PYTHON_UNAVAILABLE",
      message: expect.stringContaining("bubblewrap is not installed"),
      hint: expect.stringContaining("executor: auto"),
    });
  });

  test("auto where native cannot run: Pyodide, 18 s, and a notice saying why", async () => {
    const { loaded, notices } = await load(["livecodebench:release_v1"], { executor: "auto" }, UNAVAILABLE);
    expect(loaded[0]?.info.executor).toBe("pyodide");
    expect(loaded[0]?.items[0]?.meta).toMatchObject({ executor: "pyodide", timeoutSec: 18 });
    expect(notices).toEqual([
      "livecodebench:release_v1: native Python is not available (bubblewrap is not installed (no /usr/bin/bwrap)): Pyodide grades",
    ]);
  });

  test("auto where native runs: native", async () => {
    const { loaded } = await load(["livecodebench:release_v1"], { executor: "auto" }, AVAILABLE);
    expect(loaded[0]?.info.executor).toBe("native");
  });

  test("JavaScript runs no Python: no executor recorded, no detection", async () => {
    const { loaded, detections } = await load(
      ["livecodebench:release_v1"],
      { language: "javascript", executor: "native" },
      UNAVAILABLE,
    );
    expect(loaded[0]?.info.executor).toBeUndefined();
    expect(loaded[0]?.items[0]?.meta).toMatchObject({ timeoutSec: 6 });
    expect(loaded[0]?.items[0]?.meta.executor).toBeUndefined();
    expect(detections).toBe(0);
  });

  test("an unknown executor is a config error naming the field", async () => {
    await expect(load(["livecodebench:release_v1"], { executor: "docker" }, AVAILABLE)).rejects.toThrow(
      /taskOptions\.livecodebench\.executor/,
    );
  });
});
