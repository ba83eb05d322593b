/** What a command may touch of its process: passed in, so tests run `main(argv, io)` in-process. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
  isTty: boolean;
}

export { EXIT, type ExitCode } from "../core/exit-codes.ts";

/** What every command gets: the package root (for `evalsets/`) and its process I/O. */
export interface CommandContext {
  root: string;
  io: CliIo;
}
