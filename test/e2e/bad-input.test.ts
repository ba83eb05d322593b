/**
 * Input a user can type that is wrong: each is a ConfigError (exit 2) naming the field and the fix, never an
 * internal error. In-process through main(); nothing here reaches a server.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { runMain } from "../helpers/run-main.ts";
import { tempDir } from "./harness.ts";

const SCHEME_FIX = "must be an http(s) URL: write it with its scheme, e.g. http://127.0.0.1:8000/v1";

describe("base URLs without a scheme or host", () => {
  for (const command of ["run", "bench"] as const) {
    for (const url of ["127.0.0.1:8000/v1", "", "http://"]) {
      test(`${command} --base-url ${JSON.stringify(url)} is a config error naming variants[0].baseUrl`, async () => {
        const tasks = command === "run" ? ["--tasks", "suite40"] : [];
        const result = await runMain([command, "--base-url", url, "--model", "m", ...tasks], { cwd: tempDir("url") });
        expect(result.stderr).not.toMatch(/E_INTERNAL/);
        expect(result.stderr).toMatch(/error\[E_CONFIG\]/);
        expect(result.stderr).toContain(`variants[0].baseUrl: ${SCHEME_FIX} (got ${JSON.stringify(url)})`);
        expect(result.code).toBe(2);
      });
    }
  }

  test("a replica in a --base-url comma list is named by its field path", async () => {
    const urls = "http://127.0.0.1:8000/v1,127.0.0.1:8001/v1";
    const result = await runMain(["run", "--base-url", urls, "--model", "m", "--tasks", "suite40"], {
      cwd: tempDir("url"),
    });
    expect(result.stderr).toContain(`variants[0].replicas[0]: ${SCHEME_FIX} (got "127.0.0.1:8001/v1")`);
    expect(result.code).toBe(2);
  });

  test("replicas and serve.healthUrl in a config file are named by their field paths", async () => {
    const dir = tempDir("url");
    const config = join(dir, "run.yaml");
    writeFileSync(
      config,
      [
        "variants:",
        "  - name: fp8",
        "    model: m",
        "    baseUrl: http://127.0.0.1:8000/v1",
        '    replicas: ["127.0.0.1:8001/v1", "http://"]',
        '    serve: { command: [vllm, serve, m], healthUrl: "127.0.0.1:8000/health" }',
        "tasks: [suite40]",
      ].join("\n"),
    );
    for (const command of ["run", "bench"]) {
      const result = await runMain([command, "-c", config], { cwd: dir });
      expect(result.stderr).not.toMatch(/E_INTERNAL/);
      expect(result.stderr).toContain(`run.yaml: variants[0].replicas[0]: ${SCHEME_FIX}`);
      expect(result.stderr).toContain(`run.yaml: variants[0].replicas[1]: ${SCHEME_FIX} (got "http://")`);
      expect(result.stderr).toContain(
        "run.yaml: variants[0].serve.healthUrl: must be an http(s) URL: " +
          'write it with its scheme, e.g. http://127.0.0.1:8000/health (got "127.0.0.1:8000/health")',
      );
      expect(result.code).toBe(2);
    }
  });
});

describe("--set paths through an object's prototype", () => {
  // Before the fix the first case polluted every object; the others must not pass or fail because of it.
  afterEach(() => {
    Reflect.deleteProperty(Object.prototype, "polluted");
  });
  const paths = [
    "__proto__.polluted",
    "variants[0].__proto__.polluted",
    "constructor.prototype.polluted",
    "sampling.prototype.polluted",
  ];
  for (const path of paths) {
    test(`--set ${path}=1 is refused, naming the path, and pollutes nothing`, async () => {
      const flags = ["--base-url", "http://127.0.0.1:8000/v1", "--model", "m", "--tasks", "suite40"];
      const result = await runMain(["run", ...flags, "--set", `${path}=1`], { cwd: tempDir("set") });
      expect(Reflect.get({}, "polluted")).toBeUndefined();
      expect(Reflect.get(Object.prototype, "polluted")).toBeUndefined();
      expect(result.stderr).toMatch(/error\[E_CONFIG\]/);
      expect(result.stderr).toContain(`flags: --set ${path}=1: `);
      expect(result.stderr).toMatch(/"(__proto__|constructor|prototype)" is not a config field/);
      expect(result.code).toBe(2);
    });
  }
});
