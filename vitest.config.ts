import { defineConfig } from "vitest/config";

// Three tiers (README, "Testing"), chosen by where a test file is and how it is named:
// - e2e: test/e2e/, the CLI end to end against servers on 127.0.0.1 (mostly in-process through main()).
// - sandbox: *.sandbox.test.ts, anything that starts another process or a sandbox: isolated-vm, Pyodide, the
//   browser, child processes.
// - unit: the rest, pure and in-process (loopback servers in this process are fine); under 60 s on 2 cores.
const E2E = ["test/e2e/**/*.test.ts"];
const SANDBOX = ["test/**/*.sandbox.test.ts"];

export default defineConfig({
  test: {
    // End-to-end tests start real servers and child processes; 2-core CI needs room.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    passWithNoTests: false,
    projects: [
      {
        extends: true,
        // Pure tests may share a worker's modules: with a fresh module graph per file, imports were half the time.
        test: { name: "unit", include: ["test/**/*.test.ts"], exclude: [...E2E, ...SANDBOX], isolate: false },
      },
      { extends: true, test: { name: "sandbox", include: SANDBOX } },
      // e2e files mostly wait on servers and timers: three at once keep 2 cores busy (152 s against about 390 s).
      // A project with its own maxWorkers runs as a group of its own, after unit and sandbox.
      { extends: true, test: { name: "e2e", include: E2E, maxWorkers: 3, sequence: { groupOrder: 1 } } },
    ],
  },
});
