/** scicode from the CLI: without --scicode-h5 the task is N/A, naming where test_data.h5 comes from and the flag. */
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { SimServer } from "../../src/sim/index.ts";
import { runMain } from "../helpers/run-main.ts";
import { FIXTURE_HUB } from "../helpers/task-data.ts";
import { profile, simItemsFor, tempDir } from "./harness.ts";

let sim: SimServer;
beforeAll(async () => {
  sim = await SimServer.start({ seed: 1, variants: [profile("m-bf16")], items: await simItemsFor(["suite40"]) });
});
afterAll(async () => {
  await sim.close();
});

const run = (cwd: string, extra: string[]) =>
  runMain(
    [
      "run",
      ...["--base-url", sim.baseUrl, "--model", "m-bf16", "--variant", "bf16"],
      ...["--tasks", "suite40,scicode", "--data-dir", FIXTURE_HUB, "--run-id", "sc", "--limit", "2"],
      ...extra,
    ],
    { cwd },
  );

test("no --scicode-h5, or a file that is not there: scicode is N/A with the fix, the other tasks run", async () => {
  const cwd = tempDir("scicode-na");
  const result = await run(cwd, []);
  expect(result.stderr).toMatch(/scicode: N\/A: error\[E_SCICODE_H5_MISSING\]: no test_data\.h5 was given/);
  expect(result.stderr).toMatch(/fix: download test_data\.h5 from SciCode's Google Drive \(https:\/\/drive\.google/);
  expect(result.stderr).toMatch(/--scicode-h5 <file> \(or set taskOptions\.scicode\.h5\)/);
  expect(result.code).toBe(3);

  const missing = await run(tempDir("scicode-na2"), ["--scicode-h5", join(cwd, "nowhere", "test_data.h5")]);
  expect(missing.stderr).toMatch(/scicode: N\/A: .*nowhere\/test_data\.h5 does not exist/);
  expect(missing.code).toBe(3);
});
