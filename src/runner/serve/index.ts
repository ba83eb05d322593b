/**
 * Variant servers that quanteval starts itself (variants[].serve): one vLLM per precision, one after another on
 * one GPU, so a whole matrix runs unattended. The one entry to this folder:
 *
 * - start-server.ts: spawn in a process group of its own, log to server.log, pid to server.pid, wait until ready;
 * - stop-server.ts: SIGTERM the group, SIGKILL after stopGraceSec, wait for the port and the GPU to be free;
 * - server-registry.ts: the servers a command started, SIGKILLed by an 'exit' handler if `finally` is skipped;
 * - left-running.ts: a server a SIGKILLed session left behind, stopped by the next session of the run.
 */
export { type GpuApps, queryGpuApps } from "./gpu-wait.ts";
export { stopServerLeftRunning } from "./left-running.ts";
export { portAccepts } from "./port-wait.ts";
export { ServerHandle } from "./server-handle.ts";
export { ServerRegistry } from "./server-registry.ts";
export { startServer } from "./start-server.ts";
export { stopServer, whileServerUp } from "./stop-server.ts";
