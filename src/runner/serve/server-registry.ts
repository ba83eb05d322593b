/**
 * The servers one command started and has not stopped yet. Whoever starts servers (the `run` and `bench`
 * commands, or the runner when it is called without one) creates the registry and passes it in; startServer puts
 * each server in, stopServer takes it out.
 *
 * While it holds a server, the registry has an 'exit' handler of its own that SIGKILLs them, for the ways out that
 * skip `finally` (a second Ctrl-C, process.exit, a crash), where nothing can wait for a graceful stop. The handler
 * is removed once the registry is empty again, so a registry that is done with leaves nothing on `process`.
 */
import { removePidFile } from "./pid-file.ts";
import { signalGroup } from "./process-group.ts";
import type { ServerHandle } from "./server-handle.ts";

export class ServerRegistry {
  readonly #servers = new Set<ServerHandle>();
  readonly #onExit = (): void => {
    this.killAll();
  };

  /** How many servers were started and not stopped yet. */
  get size(): number {
    return this.#servers.size;
  }

  add(handle: ServerHandle): void {
    if (this.#servers.size === 0) process.on("exit", this.#onExit);
    this.#servers.add(handle);
  }

  delete(handle: ServerHandle): void {
    if (this.#servers.delete(handle) && this.#servers.size === 0) process.off("exit", this.#onExit);
  }

  /** SIGKILLs the process group of every server still running, and forgets them; returns how many there were. */
  killAll(): number {
    const count = this.#servers.size;
    for (const handle of this.#servers) {
      // Inside an 'exit' handler a throw would hide the reason quanteval is exiting: each server is tried, whatever.
      try {
        signalGroup(handle.pid, "SIGKILL");
        removePidFile(handle.pidFile);
      } catch {
        // EPERM (the group changed owner) or an unwritable folder: nothing more can be done on the way out.
      }
    }
    this.#servers.clear();
    process.off("exit", this.#onExit);
    return count;
  }
}
