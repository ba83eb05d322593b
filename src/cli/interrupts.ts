/**
 * SIGINT/SIGTERM while a command asks servers (`run`, `bench`): the first signal aborts the signal the command was
 * given and says what happens next; a second exits 130 at once. A server quanteval started (variants[].serve) is
 * stopped by its `finally` after the first; process.exit skips that, so the second SIGKILLs the servers in the
 * command's registry before it exits.
 */

import type { ServerRegistry } from "../runner/serve/index.ts";
import type { CliIo } from "./io.ts";

export interface InterruptWords {
  /** After "SIGINT: stopping; ": what the first signal does; `servers` when quanteval has a server up. */
  first: (servers: boolean) => string;
  /** After the second signal's "exiting now…", e.g. "; the journal stays valid". */
  again?: string;
}

export async function whileInterruptible<T>(
  io: CliIo,
  servers: ServerRegistry,
  words: InterruptWords,
  body: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    const serving = servers.size > 0;
    if (controller.signal.aborted) {
      io.stderr(
        `\n${signal} again: exiting now${serving ? " and killing the server quanteval started (SIGKILL)" : ""}` +
          `${words.again ?? ""}\n`,
      );
      servers.killAll();
      process.exit(130);
    }
    io.stderr(`\n${signal}: stopping; ${words.first(serving)} (press again to exit now)\n`);
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
