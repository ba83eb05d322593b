/** bench/timed-sse-server.ts in a child process, so a bench's own CPU is the client's alone. */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";

export interface TimedServer {
  /** OpenAI-style base URL, e.g. http://127.0.0.1:41234/v1. */
  baseUrl: string;
  pid: number;
  stop(): Promise<void>;
}

/** Starts the timed server (first token after `ttftMs`, then `tokensPerSec` per stream); resolves once it listens. */
export async function startTimedServer(ttftMs: number, tokensPerSec: number): Promise<TimedServer> {
  const script = join(import.meta.dirname, "timed-sse-server.ts");
  const child: ChildProcess = spawn(process.execPath, [script, String(ttftMs), String(tokensPerSec)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const baseUrl = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (piece: Buffer) => {
      out += piece.toString("utf8");
      const match = /listening on (\S+)/.exec(out);
      if (match?.[1] !== undefined) resolve(match[1]);
    });
    child.once("exit", (code) => reject(new Error(`timed server exited (${code}) before listening`)));
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    baseUrl,
    pid: child.pid ?? -1,
    stop: async () => {
      child.kill("SIGTERM");
      await exited;
    },
  };
}
