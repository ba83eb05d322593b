/** The CLI in-process (`main(argv, io)`): exit code and output, without a child process's start-up. */
import { main } from "../../src/cli/main.ts";

export interface MainResult { code: number; stdout: string; stderr: string }

export async function runMain(argv: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<MainResult> {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, {
    stdout: (text) => { stdout += text; },
    stderr: (text) => { stderr += text; },
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    cwd,
    isTty: false,
  });
  return { code, stdout, stderr };
}
