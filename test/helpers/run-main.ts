/**
 * `quanteval <args>` in this process through main(argv, io): the CLI's own parsing, output and exit codes, without
 * a child process (each spawn of bin/quanteval.js costs two Node start-ups). The environment is the one
 * e2e/harness.ts's runCli gives its child: PATH, HOME and what the test adds.
 */
import { main } from "../../src/cli/main.ts";

export interface MainResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface MainOptions {
  cwd: string;
  env?: Record<string, string>;
}

export async function runMain(args: readonly string[], options: MainOptions): Promise<MainResult> {
  let stdout = "";
  let stderr = "";
  const code = await main(args, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...options.env },
    cwd: options.cwd,
    isTty: false,
  });
  return { code, stdout, stderr };
}
