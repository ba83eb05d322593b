/** The manifest records the sampling preset and the values it resolved to; manifests from before presets still read. */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { parseRunConfig } from "../../src/config.ts";
import { manifestPath, newManifest, readManifest, writeManifest } from "../../src/journal/manifest.ts";
import { MINIMAL_CONFIG } from "../helpers/config-issues.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

function written(sampling: Record<string, unknown>): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), "qe-manifest-sampling-"));
  const config = parseRunConfig({ ...MINIMAL_CONFIG, sampling }, "run.yaml");
  writeManifest(
    dir,
    newManifest("r1", config, [], ROOT, () => Date.UTC(2026, 0, 1)),
  );
  return { dir, file: manifestPath(dir, "r1") };
}

describe("the manifest's sampling block", () => {
  test("the preset's name and the values sent, overrides included, as written on disk and read back", () => {
    const { dir, file } = written({ preset: "qwen3-thinking", topK: 40 });
    const onDisk: unknown = JSON.parse(readFileSync(file, "utf8"));
    expect(onDisk).toMatchObject({
      v: 6,
      config: { sampling: { preset: "qwen3-thinking", temperature: 0.6, topP: 0.95, topK: 40, minP: 0 } },
    });
    expect(readManifest(dir, "r1").config.sampling).toStrictEqual({
      preset: "qwen3-thinking",
      temperature: 0.6,
      topP: 0.95,
      topK: 40,
      minP: 0,
    });
  });

  test("a v2 manifest, from before presets, reads with its own values and no preset", () => {
    const { dir, file } = written({});
    const old = readManifest(dir, "r1");
    writeFileSync(
      file,
      JSON.stringify({ ...old, v: 2, config: { ...old.config, sampling: { temperature: 0.6, topP: 0.95, seed: 1 } } }),
    );
    const manifest = readManifest(dir, "r1");
    expect(manifest.v).toBe(2);
    expect(manifest.config.sampling).toStrictEqual({ temperature: 0.6, topP: 0.95, seed: 1 });
  });
});
