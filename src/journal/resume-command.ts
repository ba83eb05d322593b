/** The commands printed for going on with a run: they must find its journals where the config put them. */
import type { RunConfig } from "../config.ts";

/** The shell command that continues this run. */
export function resumeCommand(config: RunConfig, runId: string): string {
  return `quanteval run --resume ${runId}${artifactsFlag(config)}`;
}

/** " --artifacts <dir>" when the run's journals are not in the default folder, so a printed command finds them. */
export function artifactsFlag(config: RunConfig): string {
  return config.output.artifacts !== "artifacts" ? ` --artifacts ${config.output.artifacts}` : "";
}
