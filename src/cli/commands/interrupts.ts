/**
 * SIGINT/SIGTERM while a command asks servers (`run`, `bench`): the first signal aborts the signal the command was
 * given and says what happens next; a second exits 130 at once. A server quanteval started (variants[].serve) is
 * stopped by its `finally` after the first; process.exit skips that, so serve.ts's 'exit' handler SIGKILLs it.
 */
import type { CliIo } from "../io.ts";
import { runningServerCount } from "../../runner/serve.ts";

export interface InterruptWords {
  /** After "SIGINT: stopping; ": what the first signal does; `servers` when quanteval has a server up. */
  first: (servers: boolean) => string;
  /** After the second signal's "exiting now…", e.g. "; the journal stays valid". */
  again?: string;
}

export async function whileInterruptible<T>(io: CliIo, words: InterruptWords, body: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    const servers = runningServerCount() > 0;
    if (controller.signal.aborted) {
      io.stderr(`\n${signal} again: exiting now${servers ? " and killing the server quanteval started (SIGKILL)" : ""}${words.again ?? ""}\n`);
      process.exit(130);
    }
    io.stderr(`\n${signal}: stopping; ${words.first(servers)} (press again to exit now)\n`);
    controller.abort(new Error(signal));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    return await body(controller.signal);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}
