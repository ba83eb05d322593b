/** Reading a manifest that this quanteval cannot use: each case says what is wrong with the file and what to do. */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { FormatTooNewError, JournalFormatError } from "../../src/core/errors.ts";
import { MANIFEST_VERSION, readManifest } from "../../src/journal/manifest.ts";
import { QUANTEVAL_VERSION } from "../../src/version.ts";

function withManifest(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "qe-manifest-"));
  mkdirSync(join(dir, "r1"));
  writeFileSync(join(dir, "r1", "manifest.json"), text);
  return dir;
}

describe("readManifest", () => {
  test("a manifest of a newer format names the quanteval that wrote it and says to upgrade", () => {
    const dir = withManifest(
      JSON.stringify({
        v: MANIFEST_VERSION + 1,
        runId: "r1",
        tool: { name: "quanteval", version: "9.4.0" },
        somethingNew: {},
      }),
    );
    expect(() => readManifest(dir, "r1")).toThrow(FormatTooNewError);
    expect(() => readManifest(dir, "r1")).toThrow(
      `manifest format v${MANIFEST_VERSION + 1}, written by quanteval 9.4.0; this is quanteval ${QUANTEVAL_VERSION}, which reads up to v${MANIFEST_VERSION}`,
    );
    try {
      readManifest(dir, "r1");
    } catch (error) {
      expect((error as FormatTooNewError).hint).toMatch(/^upgrade quanteval/);
    }
  });

  test.each([
    ["empty", ""],
    ["cut mid-object", '{\n  "v": 1,\n  "runId": "r1",\n  "createdAt": "2026-'],
  ])("a manifest cut short (%s) says so, apart from one that is not JSON", (_name, text) => {
    const dir = withManifest(text);
    expect(() => readManifest(dir, "r1")).toThrow(JournalFormatError);
    expect(() => readManifest(dir, "r1")).toThrow(
      /the manifest is cut short: \d+ bytes that end in the middle of its JSON/,
    );
  });

  test("a manifest that is not JSON at all is not called cut short", () => {
    const dir = withManifest("this is not json }");
    expect(() => readManifest(dir, "r1")).toThrow(/the manifest is not JSON/);
  });
});
