/**
 * `evalsets/datasets.json`: every hub dataset a task may read, pinned to a revision, with the files read from
 * it. The registry is the one place a revision is chosen, so a run's data is the same wherever it runs.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { DatasetFormatError } from "../core/errors.ts";
import { formatIssue } from "../zod-issues.ts";
import type { DatasetEntry } from "./types.ts";

export const REGISTRY_PATH = "evalsets/datasets.json";

/** A path inside the repo; it is joined onto cache and data folders, so it must not climb out of them. */
const RepoPathSchema = z
  .string()
  .min(1)
  .refine(
    (path) =>
      !path.startsWith("/") &&
      !path.includes("\\") &&
      path.split("/").every((part) => part !== "" && part !== "." && part !== ".."),
    "must be a relative path inside the repo (no leading /, no empty, . or .. parts)",
  );

const FileSchema = z.strictObject({
  path: RepoPathSchema,
  bytes: z.int().nonnegative().optional(),
});

const EntrySchema = z.strictObject({
  /** A 40-hex commit (preferred) or a branch/tag name; becomes a folder name under refs/, hence the charset. */
  revision: z.string().regex(/^[A-Za-z0-9][\w.\-/]*$/, "must be a commit hash or a branch name"),
  gated: z.boolean(),
  license: z.string().min(1),
  files: z.array(FileSchema).min(1),
});

const RegistrySchema = z.strictObject({
  schemaVersion: z.literal(1),
  datasets: z.record(z.string().regex(/^[\w.-]+\/[\w.-]+$/, "must be a hub id owner/name"), EntrySchema),
});

export function readDatasetRegistry(root: string): Map<string, DatasetEntry> {
  const file = join(root, REGISTRY_PATH);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new DatasetFormatError(
      file,
      `cannot read the file (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new DatasetFormatError(file, `not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  return parseDatasetRegistry(raw, file);
}

/** Validates a parsed registry; `source` names it in errors. Each issue names the field at fault. */
export function parseDatasetRegistry(raw: unknown, source: string): Map<string, DatasetEntry> {
  const result = RegistrySchema.safeParse(raw);
  if (!result.success) {
    // formatIssue prefixes "<source>: "; DatasetFormatError adds it once for the whole list.
    const issues = result.error.issues.map((issue) => formatIssue(issue, raw, source).slice(source.length + 2));
    throw new DatasetFormatError(source, issues.join("; "));
  }
  const registry = new Map<string, DatasetEntry>();
  for (const [id, entry] of Object.entries(result.data.datasets)) {
    registry.set(id, {
      id,
      revision: entry.revision,
      gated: entry.gated,
      license: entry.license,
      files: entry.files.map((file) =>
        file.bytes === undefined ? { path: file.path } : { path: file.path, bytes: file.bytes },
      ),
    });
  }
  return registry;
}
