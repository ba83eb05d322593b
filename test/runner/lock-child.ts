/**
 * A separate process that races for run locks, for test/runner/run-lock.sandbox.test.ts:
 * `node lock-child.ts <folder> <rounds>`. Round r: wait for <folder>/go-r (so every child tries at once), take the
 * lock of <folder>/run-r, print "r won" or "r <error code>", and, when won, hold the lock until <folder>/release-r
 * exists, so the others meet it held. One process runs many rounds: Node's start-up is paid once.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { QuantevalError } from "../../src/core/errors.ts";
import { RunLock } from "../../src/runner/run-lock.ts";

const [folder = "", rounds = "1"] = process.argv.slice(2);
const pause = new Int32Array(new SharedArrayBuffer(4));
const waitFor = (file: string): void => {
  while (!existsSync(file)) Atomics.wait(pause, 0, 0, 1);
};

process.stdout.write("ready\n");
for (let round = 0; round < Number(rounds); round++) {
  waitFor(join(folder, `go-${round}`));
  let lock: RunLock | undefined;
  try {
    lock = RunLock.acquire(join(folder, `run-${round}`), "race");
    process.stdout.write(`${round} won\n`);
  } catch (error) {
    process.stdout.write(`${round} ${error instanceof QuantevalError ? error.code : String(error)}\n`);
  }
  if (lock !== undefined) {
    waitFor(join(folder, `release-${round}`));
    lock.release();
  }
}
