/**
 * Settles the Python executor a task's options ask for, before it loads: "pyodide" as asked; "native" when this
 * machine runs the native sandbox (else the task is N/A, with why); "auto" native where it runs, else Pyodide with
 * a notice saying why. Detection (a trial sandbox) runs at most once per `detectOnce` detector.
 */
import type { NativeAvailability } from "../../graders/code/index.ts";
import { NativePythonUnavailableError } from "../core/errors.ts";
import type { PythonExecutor, PythonExecutorChoice } from "../core/types.ts";

export interface SettledExecutor {
  executor: PythonExecutor;
  /** Why "auto" fell back to Pyodide, or a limit the native sandbox cannot apply here. */
  notice?: string;
}

/** A detector that runs the trial sandbox on first use only (owned by one loadTasks call). */
export function detectOnce(detect: () => Promise<NativeAvailability>) {
  let found: Promise<NativeAvailability> | undefined;
  return (): Promise<NativeAvailability> => {
    found ??= detect();
    return found;
  };
}

export async function settlePythonExecutor(
  task: string,
  choice: PythonExecutorChoice,
  detect: () => Promise<NativeAvailability>,
): Promise<SettledExecutor> {
  if (choice === "pyodide") return { executor: "pyodide" };
  const found = await detect();
  if (found.available) return { executor: "native", ...(found.caveat === undefined ? {} : { notice: found.caveat }) };
  if (choice === "native") throw new NativePythonUnavailableError(task, found.reason);
  return { executor: "pyodide", notice: `native Python is not available (${found.reason}): Pyodide grades` };
}
