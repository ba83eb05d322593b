/**
 * Where the benches find the real benchmark files: QUANTEVAL_REAL_DATA, else the shared data folder beside the
 * checkout (../shared/data, where CI puts it). Laid out as on the hub, so it is a `--data-dir`.
 */
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "..");

export const REAL_DATA_DIR =
  process.env.QUANTEVAL_REAL_DATA === undefined || process.env.QUANTEVAL_REAL_DATA === ""
    ? resolve(ROOT, "../shared/data")
    : resolve(process.env.QUANTEVAL_REAL_DATA);

/** The real MMLU-Pro test split (12,032 rows) and MATH-500 (500 rows), as `load()` reads them. */
export const MMLU_PRO_TEST = join(REAL_DATA_DIR, "TIGER-Lab/MMLU-Pro/data/test-00000-of-00001.parquet");
export const MATH_500_TEST = join(REAL_DATA_DIR, "HuggingFaceH4/MATH-500/test.jsonl");
