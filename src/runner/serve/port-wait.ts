/**
 * Whether something accepts TCP connections where a variant's baseUrl points. A TCP connect, not an HTTP
 * request: a server that is still loading (or wedged) holds the port without answering HTTP, and it is the port
 * that decides whether the next server can bind it.
 */
import { connect } from "node:net";
import { setTimeout } from "node:timers/promises";

/** Sockets close with their process; something still listening after that is another server. */
export const PORT_WAIT_MS = 30_000;

export interface HostPort {
  host: string;
  port: number;
}

/** "http://127.0.0.1:8000/v1" → 127.0.0.1:8000; without a port, the scheme's (80, 443). */
export function hostPortOf(url: string): HostPort {
  const parsed = new URL(url);
  const port = parsed.port !== "" ? Number(parsed.port) : parsed.protocol === "https:" ? 443 : 80;
  // URL keeps an IPv6 literal's brackets ("[::1]"); net.connect wants the bare address.
  return { host: parsed.hostname.replace(/^\[(.*)\]$/, "$1"), port };
}

export function formatHostPort({ host, port }: HostPort): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** True when a connection is accepted within `timeoutMs`; refused, unreachable or silent all count as closed. */
export function portAccepts(target: HostPort, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolvePort) => {
    const socket = connect({ host: target.host, port: target.port });
    const done = (open: boolean): void => {
      socket.removeAllListeners();
      socket.on("error", () => {}); // a late error after destroy() must not become an unhandled 'error'
      socket.destroy();
      resolvePort(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

/** Polls until the port accepts no connections; false when it still does after `timeoutMs`. */
export async function waitPortClosed(
  target: HostPort,
  options: { timeoutMs: number; pollMs: number; now?: () => number },
): Promise<boolean> {
  const now = options.now ?? Date.now;
  const deadline = now() + options.timeoutMs;
  for (;;) {
    if (!(await portAccepts(target))) return true;
    if (now() >= deadline) return false;
    await setTimeout(options.pollMs);
  }
}
