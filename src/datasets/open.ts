/** Builds the run's DatasetFiles from the config's `data` block, the environment and --hf-token. */
import type { DataConfig } from "../config.ts";
import { readDatasetRegistry } from "./dataset-registry.ts";
import { dataAccessFromEnv, HubDatasetFiles } from "./hub.ts";
import type { DataAccessOptions, DatasetFiles } from "./types.ts";

export interface DataFlags {
  hfToken?: string;
}

export function dataAccessFor(
  data: DataConfig | undefined,
  env: NodeJS.ProcessEnv,
  flags: DataFlags,
  onProgress?: DataAccessOptions["onProgress"],
): DataAccessOptions {
  const options = dataAccessFromEnv(env, {
    ...(data?.cacheDir !== undefined ? { cacheDir: data.cacheDir } : {}),
    ...(data?.dataDir !== undefined ? { dataDir: data.dataDir } : {}),
    ...(data?.offline === true ? { offline: true } : {}),
    ...(flags.hfToken !== undefined ? { hfToken: flags.hfToken } : {}),
  });
  return onProgress === undefined ? options : { ...options, onProgress };
}

export function openDatasets(root: string, access: DataAccessOptions): DatasetFiles {
  return new HubDatasetFiles(readDatasetRegistry(root), access);
}
