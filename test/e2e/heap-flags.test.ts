/**
 * bin/quanteval.js restarts Node in place with heap settings for long runs (README, "Memory"): the same process
 * id, so signals and kill -9 still reach quanteval; the flags applied; a flag the user set left alone.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { runCli, tempDir } from "./harness.ts";

/** A preload that records, in each process image it runs in, its pid and Node flags. */
function preload(dir: string): { file: string; nodeOptions: string } {
  const script = join(dir, "record-flags.mjs");
  const file = join(dir, "flags.jsonl");
  writeFileSync(
    script,
    `import { appendFileSync } from "node:fs";\nappendFileSync(${JSON.stringify(file)}, JSON.stringify({ pid: process.pid, execArgv: process.execArgv }) + "\\n");\n`,
  );
  return { file, nodeOptions: `--import=${script}` };
}

const images = (file: string): { pid: number; execArgv: string[] }[] =>
  readFileSync(file, "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line));

describe("heap flags", () => {
  test("quanteval re-executes itself once, in place, with the semi-space and heap-growth flags", async () => {
    const dir = tempDir("heap-flags");
    const { file, nodeOptions } = preload(dir);
    const run = runCli(["tasks"], { cwd: dir, env: { NODE_OPTIONS: nodeOptions } });
    const result = await run;
    expect(result.code).toBe(0);
    const [first, second, ...more] = images(file);
    expect(more).toEqual([]);
    expect([first?.pid, second?.pid]).toEqual([run.child.pid, run.child.pid]);
    expect(first?.execArgv).not.toContain("--max-semi-space-size=16");
    expect(second?.execArgv).toEqual(expect.arrayContaining(["--max-semi-space-size=16", "--heap-growing-percent=50"]));
  });

  test.each(["--max-semi-space-size=32", "--max_semi_space_size=32"])(
    "a semi-space size the user set in NODE_OPTIONS (%s) is kept; only the missing flag is added",
    async (flag) => {
      const dir = tempDir("heap-flags-user");
      const { file, nodeOptions } = preload(dir);
      const result = await runCli(["tasks"], { cwd: dir, env: { NODE_OPTIONS: `${nodeOptions} ${flag}` } });
      expect(result.code).toBe(0);
      const last = images(file).at(-1);
      expect(last?.execArgv).toContain("--heap-growing-percent=50");
      expect(last?.execArgv.some((arg) => arg.startsWith("--max-semi-space-size"))).toBe(false);
    },
  );

  test("QUANTEVAL_NO_REEXEC=1: no restart, Node's defaults", async () => {
    const dir = tempDir("heap-flags-off");
    const { file, nodeOptions } = preload(dir);
    const result = await runCli(["tasks"], { cwd: dir, env: { NODE_OPTIONS: nodeOptions, QUANTEVAL_NO_REEXEC: "1" } });
    expect(result.code).toBe(0);
    expect(images(file)).toHaveLength(1);
  });
});
