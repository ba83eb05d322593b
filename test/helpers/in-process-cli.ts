/** `quanteval <args>` in this process through main(argv, io): the CLI's own parsing and exit codes, without a spawn. */
import { main, type CliIo } from "../../src/cli/main.ts";

export interface InProcessResult { code: number; stdout: string; stderr: string }

export async function runInProcess(args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<InProcessResult> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    stdout: (text) => { stdout += text; }, stderr: (text) => { stderr += text; }, env: options.env ?? {}, cwd: options.cwd, isTty: false,
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}
