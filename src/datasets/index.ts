/** The datasets' API: where benchmark files come from (hub cache, registry, local paths) and how they are read. */

export { readCsvRecords } from "./csv.ts";
export { readDatasetRegistry } from "./dataset-registry.ts";
export { type CacheStatus, dataAccessFromEnv, HubDatasetFiles, scanDatasetCache } from "./hub.ts";
export { readJsonl, scanJsonl } from "./jsonl.ts";
export { forEachLineSync } from "./lines.ts";
export {
  decodeLcbTests,
  lcbMetadataFrom,
  lcbTestsFrom,
  parseLcbMetadata,
  parseLcbPublicTests,
} from "./livecodebench-tests.ts";
export { dataAccessFor, openDatasets } from "./open.ts";
export { readParquetRows } from "./parquet.ts";
export { parseRow } from "./row.ts";
export { readScicodeTargets } from "./scicode-targets.ts";
export type { DataAccessOptions, DatasetFiles, DatasetPin, DownloadProgress } from "./types.ts";
