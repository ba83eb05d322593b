/**
 * The serve lifecycle against small fake servers (node scripts written to a temp dir): ready only when healthy
 * and serving the model, early failure with the log's end when the process exits, SIGKILL for a server that
 * ignores SIGTERM, a timeout for one that never gets healthy, and no process left behind in any case.
 * Nothing here depends on speed: a slow start is a server that sleeps, asserted by the order of its log lines.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { setTimeout } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { parseRunConfig, type VariantConfig, VariantSchema } from "../../src/config.ts";
import {
  ConfigError,
  ModelNotServedError,
  ServerExitedError,
  ServerPortBusyError,
  ServerSpawnError,
  ServerStartTimeoutError,
} from "../../src/core/errors.ts";
import {
  type GpuApps,
  portAccepts,
  queryGpuApps,
  ServerRegistry,
  startServer,
  stopServer,
} from "../../src/runner/serve/index.ts";
import { freePort } from "../helpers/free-port.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
/** The servers these tests start, as a command would hold them. */
const servers = new ServerRegistry();

const FAKE_SERVER = String.raw`
import { createServer } from "node:http";
import { spawn } from "node:child_process";
const [port, mode, model] = process.argv.slice(2);
const say = (line) => process.stdout.write(line + "\n");
if (mode === "oom") {
  for (let i = 1; i <= 30; i++) say("loading shard " + i + "/30");
  console.error("torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB");
  process.exit(1);
}
if (mode === "engine") {
  // vLLM's shape: the API server and an engine-core child that ends on SIGTERM like its parent.
  const engine = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
  say("engine pid " + engine.pid);
}
if (mode === "stubborn") {
  process.on("SIGTERM", () => say("ignoring SIGTERM"));
  // Like vLLM's engine core: a child in the server's process group, the one that would hold the GPU.
  const engine = spawn(process.execPath, ["-e", "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)"], { stdio: "ignore" });
  say("engine pid " + engine.pid);
}
const start = () => {
  const server = createServer((req, res) => {
    say(req.method + " " + req.url);
    if (req.url === "/health") return void res.writeHead(mode === "unhealthy" ? 503 : 200).end();
    if (req.url === "/v1/models") {
      const id = mode === "wrong-model" ? "some-other-model" : model;
      return void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ object: "list", data: [{ id, object: "model" }] }));
    }
    res.writeHead(404).end();
  });
  server.listen(Number(port), "127.0.0.1", () => say("listening"));
};
if (mode === "slow") { say("loading weights"); setTimeout(start, 1500); } else start();
`;

/** A stand-in for quanteval: starts a server through serve/, prints its pid, then exits or waits to be killed. */
const QUANTEVAL_STANDIN = String.raw`
import { ServerRegistry, startServer } from ${JSON.stringify(join(ROOT, "src/runner/serve/index.ts"))};
const [variant, logFile, runDir, then] = process.argv.slice(2);
const servers = new ServerRegistry();
const handle = await startServer(JSON.parse(variant), { servers, logFile, runDir, cwd: process.cwd(), pollMs: 50 });
process.stdout.write(JSON.stringify({ pid: handle.pid }) + "\n");
if (then === "exit") process.exit(130);
setInterval(() => {}, 1000);
`;

function setup(): { dir: string; fake: string; standin: string } {
  const dir = mkdtempSync(join(tmpdir(), "qe-serve-"));
  const fake = join(dir, "fake-server.mjs");
  writeFileSync(fake, FAKE_SERVER);
  const standin = join(dir, "standin.mjs");
  writeFileSync(standin, QUANTEVAL_STANDIN);
  return { dir, fake, standin };
}

function variant(port: number, command: string[], serve: Record<string, unknown> = {}): VariantConfig {
  return VariantSchema.parse({
    name: "v1",
    baseUrl: `http://127.0.0.1:${port}/v1`,
    model: "m-test",
    serve: { command, startupTimeoutSec: 60, waitGpuFree: false, ...serve },
  });
}

/**
 * Whether a process still runs. kill(pid, 0) throws ESRCH once it is gone and reaped; a dead orphan whose new
 * parent (PID 1 in some containers) never reaps it stays a zombie, which holds no port, memory or GPU: gone too.
 */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if (error instanceof Error && "code" in error && error.code === "ESRCH") return false;
    throw error;
  }
  try {
    return !/^\d+ \(.*\) [ZX] /s.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

function expectReaped(pid: number): void {
  expect(() => process.kill(pid, 0)).toThrow(expect.objectContaining({ code: "ESRCH" }));
}

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error("condition not reached in time");
    await setTimeout(20);
  }
}

function logLines(file: string): string[] {
  return readFileSync(file, "utf8").split("\n");
}

/** Runs the stand-in and resolves with the server pid it printed. */
async function runStandin(
  standin: string,
  v: VariantConfig,
  logFile: string,
  runDir: string,
  then: "exit" | "wait",
): Promise<{ child: ChildProcess; pid: number; closed: Promise<unknown> }> {
  const child = spawn(process.execPath, [standin, JSON.stringify(v), logFile, runDir, then], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const closed = new Promise((r) => child.on("close", r));
  let out = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    out += chunk.toString("utf8");
  });
  await waitFor(() => /\{"pid":\d+\}/.test(out) || child.exitCode !== null);
  const match = /\{"pid":(\d+)\}/.exec(out);
  if (match?.[1] === undefined) throw new Error(`the stand-in printed no pid: ${out}`);
  return { child, pid: Number(match[1]), closed };
}

describe("startServer / stopServer", () => {
  test("a slow start is waited for: ready only after the server listens, is healthy and lists the model; stopped, nothing is left", async () => {
    const { dir, fake } = setup();
    const port = await freePort();
    const logFile = join(dir, "run", "v1", "server.log");
    const lines: string[] = [];
    const handle = await startServer(variant(port, [process.execPath, fake, String(port), "slow", "m-test"]), {
      servers,
      logFile,
      cwd: dir,
      pollMs: 50,
      log: (l) => lines.push(l),
    });
    const log = logLines(logFile);
    const at = (text: string) => log.findIndex((l) => l.includes(text));
    expect(log[0]).toMatch(
      /^=== \d{4}-\d\d-\d\dT.* quanteval: starting the server of variant v1 in .*: .*fake-server\.mjs \d+ slow m-test$/,
    );
    expect(at("loading weights")).toBeGreaterThan(0);
    expect(at("listening")).toBeGreaterThan(at("loading weights"));
    expect(at("GET /health")).toBeGreaterThan(at("listening"));
    expect(at("GET /v1/models")).toBeGreaterThan(at("GET /health"));
    expect(at("quanteval: ready after")).toBeGreaterThan(at("GET /v1/models"));
    expect(handle.startupSec).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(join(dir, "run", "v1", "server.pid"), "utf8"))).toMatchObject({ pid: handle.pid });
    expect(await portAccepts({ host: "127.0.0.1", port })).toBe(true);

    const result = await stopServer(handle, { pollMs: 50 });
    expect(result).toMatchObject({ killed: false, portFree: true, gpu: "skipped", exit: { signal: "SIGTERM" } });
    expectReaped(handle.pid);
    expect(await portAccepts({ host: "127.0.0.1", port })).toBe(false);
    expect(existsSync(join(dir, "run", "v1", "server.pid"))).toBe(false);
    expect(logLines(logFile).at(-2)).toMatch(/quanteval: server stopped \(on signal SIGTERM\)$/);
    expect(lines.some((l) => l.startsWith("[v1] server ready after"))).toBe(true);
    // A second stop is the first one's result, not a second attempt.
    expect(await stopServer(handle)).toBe(result);
  });

  test("a server that exits before it is ready (CUDA out of memory) fails at once, naming the exit code with the log's last 20 lines", async () => {
    const { dir, fake } = setup();
    const port = await freePort();
    const logFile = join(dir, "server.log");
    writeFileSync(logFile, "an earlier session's line\n");
    const error = await startServer(variant(port, [process.execPath, fake, String(port), "oom"]), {
      servers,
      logFile,
      cwd: dir,
      pollMs: 50,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerExitedError);
    const message = (error as ServerExitedError).message;
    expect(message).toMatch(/^the server exited with code 1 before it was ready; last lines of .*server\.log:\n/);
    expect(message).toContain("    | torch.OutOfMemoryError: CUDA out of memory");
    const quoted = message.split("\n").filter((l) => l.startsWith("    | "));
    expect(quoted).toHaveLength(20);
    expect(quoted[0]).toBe("    | loading shard 12/30");
    expect(message).not.toContain("an earlier session's line");
    expect(message).not.toContain("=== ");
    expect((error as ServerExitedError).hint).toMatch(/gpu-memory-utilization/);
    // The log keeps the earlier session's line: it is appended to, never truncated.
    expect(logLines(logFile)[0]).toBe("an earlier session's line");
    expect(await portAccepts({ host: "127.0.0.1", port })).toBe(false);
    expect(existsSync(join(dir, "server.pid"))).toBe(false);
  });

  test("SIGTERM goes to the whole process group: the engine child stops with its server, no SIGKILL needed", async () => {
    const { dir, fake } = setup();
    const port = await freePort();
    const logFile = join(dir, "server.log");
    // A grace no healthy machine needs, under the test's own timeout: leader-only SIGTERM ends in SIGKILL, and fails here.
    const handle = await startServer(
      variant(port, [process.execPath, fake, String(port), "engine", "m-test"], { stopGraceSec: 30 }),
      { servers, logFile, cwd: dir, pollMs: 50 },
    );
    const engine = Number(/engine pid (\d+)/.exec(readFileSync(logFile, "utf8"))?.[1]);
    expect(alive(engine)).toBe(true);
    const result = await stopServer(handle, { pollMs: 50 });
    expect(result.killed).toBe(false);
    expect(alive(engine)).toBe(false);
    expectReaped(handle.pid);
  });

  test("a server that ignores SIGTERM gets SIGKILL after stopGraceSec, with its whole process group", async () => {
    const { dir, fake } = setup();
    const port = await freePort();
    const logFile = join(dir, "server.log");
    const handle = await startServer(
      variant(port, [process.execPath, fake, String(port), "stubborn", "m-test"], { stopGraceSec: 0.3 }),
      { servers, logFile, cwd: dir, pollMs: 50 },
    );
    const engine = Number(/engine pid (\d+)/.exec(readFileSync(logFile, "utf8"))?.[1]);
    expect(alive(engine)).toBe(true);
    const lines: string[] = [];
    const result = await stopServer(handle, { pollMs: 50, log: (l) => lines.push(l) });
    expect(result.killed).toBe(true);
    expect(result.exit.signal).toBe("SIGKILL");
    expect(lines[0]).toMatch(/did not exit within 0\.3s of SIGTERM \(stopGraceSec\): SIGKILL/);
    expect(readFileSync(logFile, "utf8")).toContain("ignoring SIGTERM");
    expectReaped(handle.pid);
    expect(alive(engine)).toBe(false);
    expect(result.portFree).toBe(true);
  });

  test("a server that never gets healthy times out after startupTimeoutSec, saying what it last saw, and is stopped", async () => {
    const { dir, fake } = setup();
    const port = await freePort();
    const logFile = join(dir, "server.log");
    // 5 s, not 1: on a loaded machine Node alone can take a second to start, and the server must be seen answering 503.
    const error = await startServer(
      variant(port, [process.execPath, fake, String(port), "unhealthy", "m-test"], { startupTimeoutSec: 5 }),
      { servers, logFile, cwd: dir, pollMs: 50 },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerStartTimeoutError);
    expect((error as Error).message).toMatch(
      new RegExp(
        `^the server was not ready after 5s \\(last seen: http://127\\.0\\.0\\.1:${port}/health: HTTP 503\\); it was stopped`,
      ),
    );
    expect((error as Error).message).toContain("    | GET /health");
    expect(readFileSync(logFile, "utf8")).toContain("listening"); // up, but never healthy
    expect(await portAccepts({ host: "127.0.0.1", port })).toBe(false);
  });

  test("a server that lists other models fails at once (waiting would not change the list)", async () => {
    const { dir, fake } = setup();
    const port = await freePort();
    const error = await startServer(variant(port, [process.execPath, fake, String(port), "wrong-model", "m-test"]), {
      servers,
      logFile: join(dir, "server.log"),
      cwd: dir,
      pollMs: 50,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelNotServedError);
    expect((error as Error).message).toMatch(/does not serve model "m-test" \(it serves: some-other-model\)/);
    expect(await portAccepts({ host: "127.0.0.1", port })).toBe(false);
  });

  test("a port that already answers is refused before anything is started", async () => {
    const { dir } = setup();
    const port = await freePort();
    const squatter: Server = createServer((socket) => socket.end());
    await new Promise<void>((r) => squatter.listen(port, "127.0.0.1", r));
    try {
      const marker = join(dir, "started");
      const command = [process.execPath, "-e", `require("fs").writeFileSync(${JSON.stringify(marker)}, "x")`];
      const error = await startServer(variant(port, command), {
        servers,
        logFile: join(dir, "server.log"),
        cwd: dir,
        pollMs: 50,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ServerPortBusyError);
      expect((error as Error).message).toContain(`127.0.0.1:${port} already accepts connections`);
      expect((error as ServerPortBusyError).hint).toMatch(
        new RegExp(`stop the server on port ${port} .*or drop the serve block of variant v1`),
      );
      expect(existsSync(marker)).toBe(false);
      expect(existsSync(join(dir, "server.log"))).toBe(false);
    } finally {
      await new Promise<void>((r) => squatter.close(() => r()));
    }
  });

  test("a command that cannot be spawned is a spawn error naming it", async () => {
    const { dir } = setup();
    const port = await freePort();
    const error = await startServer(variant(port, ["no-such-vllm-binary-here", "serve", "x"]), {
      servers,
      logFile: join(dir, "server.log"),
      cwd: dir,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerSpawnError);
    expect((error as Error).message).toMatch(/^cannot start `no-such-vllm-binary-here serve x`: .*ENOENT/);
    const badCwd = await startServer(variant(port, [process.execPath, "-v"], { cwd: "no/such/folder" }), {
      servers,
      logFile: join(dir, "server.log"),
      cwd: dir,
    }).catch((e: unknown) => e);
    expect((badCwd as Error).message).toMatch(/serve\.cwd .*no\/such\/folder is not a folder/);
  });

  test("an abort while the server loads stops it and rejects with the abort's reason", async () => {
    const { dir, fake } = setup();
    const port = await freePort();
    const logFile = join(dir, "server.log");
    const controller = new AbortController();
    const starting = startServer(variant(port, [process.execPath, fake, String(port), "slow", "m-test"]), {
      servers,
      logFile,
      cwd: dir,
      pollMs: 50,
      signal: controller.signal,
    }).catch((e: unknown) => e);
    await waitFor(() => existsSync(logFile) && readFileSync(logFile, "utf8").includes("loading weights"));
    const pid = Number(JSON.parse(readFileSync(join(dir, "server.pid"), "utf8")).pid);
    controller.abort(new Error("SIGINT"));
    expect(await starting).toMatchObject({ message: "SIGINT" });
    expectReaped(pid);
    expect(readFileSync(logFile, "utf8")).not.toContain("ready after");
  });

  test("a server that exits on its own after it was ready settles `exited`; stopping it afterwards still cleans up", async () => {
    const { dir, fake } = setup();
    const port = await freePort();
    const handle = await startServer(variant(port, [process.execPath, fake, String(port), "ok", "m-test"]), {
      servers,
      logFile: join(dir, "server.log"),
      cwd: dir,
      pollMs: 50,
    });
    process.kill(handle.pid, "SIGKILL");
    expect(await handle.exited).toEqual({ code: null, signal: "SIGKILL" });
    expect(handle.stopping).toBe(false); // the runner tells a crash from a stop by this
    const result = await stopServer(handle, { pollMs: 50 });
    expect(result).toMatchObject({ killed: false, portFree: true, exit: { signal: "SIGKILL" } });
    expect(readFileSync(join(dir, "server.log"), "utf8")).toMatch(
      /quanteval: server had already exited \(on signal SIGKILL\)/,
    );
  });

  test("after stopping, nvidia-smi is polled until it no longer lists the server's processes", async () => {
    const { dir, fake } = setup();
    const port = await freePort();
    const handle = await startServer(
      variant(port, [process.execPath, fake, String(port), "ok", "m-test"], { waitGpuFree: true }),
      { servers, logFile: join(dir, "server.log"), cwd: dir, pollMs: 50 },
    );
    const answers: GpuApps[] = [
      { kind: "pids", pids: [1, handle.pid] },
      { kind: "pids", pids: [handle.pid] },
      { kind: "pids", pids: [1] },
    ];
    let asked = 0;
    const result = await stopServer(handle, {
      pollMs: 10,
      gpuApps: async () => answers[Math.min(asked++, answers.length - 1)] ?? { kind: "absent" },
    });
    expect(result.gpu).toBe("free");
    expect(asked).toBe(3);

    // No nvidia-smi (no GPU on this machine): skipped without a word.
    const again = await startServer(
      variant(port, [process.execPath, fake, String(port), "ok", "m-test"], { waitGpuFree: true }),
      { servers, logFile: join(dir, "server.log"), cwd: dir, pollMs: 50 },
    );
    const lines: string[] = [];
    const skipped = await stopServer(again, {
      pollMs: 10,
      log: (l) => lines.push(l),
      gpuApps: () => queryGpuApps("no-such-nvidia-smi"),
    });
    expect(skipped.gpu).toBe("skipped");
    expect(lines.join("\n")).not.toMatch(/nvidia/i);
  });

  test("queryGpuApps reads nvidia-smi's pid list", async () => {
    const { dir } = setup();
    const smi = join(dir, "nvidia-smi");
    writeFileSync(
      smi,
      '#!/bin/sh\n[ "$1" = --query-compute-apps=pid ] && [ "$2" = --format=csv,noheader ] || exit 9\necho 1234\necho 5678\n',
    );
    chmodSync(smi, 0o755);
    expect(await queryGpuApps(smi)).toEqual({ kind: "pids", pids: [1234, 5678] });
    const failing = join(dir, "broken-smi");
    writeFileSync(
      failing,
      "#!/bin/sh\necho 'NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver' >&2\nexit 9\n",
    );
    chmodSync(failing, 0o755);
    expect(await queryGpuApps(failing)).toMatchObject({ kind: "failed" });
    expect(await queryGpuApps("no-such-nvidia-smi")).toEqual({ kind: "absent" });
  });
});

describe("ServerRegistry", () => {
  test("holds a started server until it is stopped, with an 'exit' handler only while it holds one", async () => {
    const { dir, fake } = setup();
    const port = await freePort();
    const own = new ServerRegistry();
    const exitHandlers = process.listenerCount("exit");
    const options = { servers: own, logFile: join(dir, "server.log"), cwd: dir, pollMs: 50 };
    const handle = await startServer(variant(port, [process.execPath, fake, String(port), "ok", "m-test"]), options);
    expect(own.size).toBe(1);
    expect(process.listenerCount("exit")).toBe(exitHandlers + 1);
    await stopServer(handle, { pollMs: 50 });
    expect(own.size).toBe(0);
    expect(process.listenerCount("exit")).toBe(exitHandlers);
  });

  test("killAll SIGKILLs every server it holds, its whole group, and removes server.pid", async () => {
    const { dir, fake } = setup();
    const port = await freePort();
    const own = new ServerRegistry();
    const exitHandlers = process.listenerCount("exit");
    const logFile = join(dir, "server.log");
    const stubborn = variant(port, [process.execPath, fake, String(port), "stubborn", "m-test"]);
    const handle = await startServer(stubborn, { servers: own, logFile, cwd: dir, pollMs: 50 });
    const engine = Number(/engine pid (\d+)/.exec(readFileSync(logFile, "utf8"))?.[1]);
    expect(own.killAll()).toBe(1);
    expect(own.size).toBe(0);
    expect(process.listenerCount("exit")).toBe(exitHandlers);
    expect(existsSync(join(dir, "server.pid"))).toBe(false);
    await waitFor(() => !alive(handle.pid) && !alive(engine));
    // Stopping afterwards finds the group gone and only cleans up.
    expect(await stopServer(handle, { pollMs: 50 })).toMatchObject({ killed: false, exit: { signal: "SIGKILL" } });
  });
});

describe("servers outliving quanteval", () => {
  test("process.exit (a second Ctrl-C) kills the started server's process group from the 'exit' handler", async () => {
    const { dir, fake, standin } = setup();
    const port = await freePort();
    const v = variant(port, [process.execPath, fake, String(port), "stubborn", "m-test"]);
    const logFile = join(dir, "run", "v1", "server.log");
    const { pid, closed } = await runStandin(standin, v, logFile, join(dir, "run"), "exit");
    await closed;
    const engine = Number(/engine pid (\d+)/.exec(readFileSync(logFile, "utf8"))?.[1]);
    // SIGKILL from the handler: even this server, which ignores SIGTERM, and its engine child are gone.
    await waitFor(() => !alive(pid) && !alive(engine));
    await waitFor(async () => !(await portAccepts({ host: "127.0.0.1", port })));
    expect(existsSync(join(dir, "run", "v1", "server.pid"))).toBe(false);
  });

  test("after quanteval is SIGKILLed (no handler runs), the next session stops the server left running, its whole group, then starts its own", async () => {
    const { dir, fake, standin } = setup();
    const port = await freePort();
    const runDir = join(dir, "run");
    // A server that ignores SIGTERM, with an engine child: only SIGKILL of the whole group ends it.
    const v = variant(port, [process.execPath, fake, String(port), "stubborn", "m-test"], { stopGraceSec: 0.5 });
    const { child, pid, closed } = await runStandin(standin, v, join(runDir, "v1", "server.log"), runDir, "wait");
    child.kill("SIGKILL");
    await closed;
    expect(alive(pid)).toBe(true);
    const engine = Number(/engine pid (\d+)/.exec(readFileSync(join(runDir, "v1", "server.log"), "utf8"))?.[1]);
    expect(alive(engine)).toBe(true);

    // Another variant of the same run, on another port: the GPU is taken, so the orphan is stopped first.
    const otherPort = await freePort();
    // The grace before SIGKILL is the starting variant's stopGraceSec (the orphan's own config is not at hand).
    const other = variant(otherPort, [process.execPath, fake, String(otherPort), "ok", "m-test"], {
      stopGraceSec: 0.5,
    });
    other.name = "v2";
    const lines: string[] = [];
    const handle = await startServer(other, {
      servers,
      logFile: join(runDir, "v2", "server.log"),
      runDir,
      cwd: dir,
      pollMs: 50,
      log: (line) => lines.push(line),
    });
    try {
      expect(alive(pid)).toBe(false);
      expect(alive(engine)).toBe(false);
      expect(await portAccepts({ host: "127.0.0.1", port })).toBe(false);
      expect(existsSync(join(runDir, "v1", "server.pid"))).toBe(false);
      expect(lines.join("\n")).toContain(`still running (pid ${pid}: `);
      expect(lines.join("\n")).toContain(`the server left running (pid ${pid}) killed with SIGKILL after stopGraceSec`);
      expect(readFileSync(join(runDir, "v1", "server.log"), "utf8")).toMatch(
        /quanteval: server left running by a killed session killed with SIGKILL after stopGraceSec\n$/,
      );
    } finally {
      await stopServer(handle, { pollMs: 50 });
    }
    expectReaped(handle.pid);
  });
});

describe("config: serve and warmup", () => {
  const base = {
    variants: [{ name: "fp8", baseUrl: "http://127.0.0.1:8000/v1", model: "Qwen/Qwen3-32B-FP8" }],
    tasks: ["suite40"],
  };
  const withServe = (serve: Record<string, unknown>) => ({ ...base, variants: [{ ...base.variants[0], serve }] });
  const issuesOf = (raw: unknown): readonly string[] => {
    try {
      parseRunConfig(raw, "run.yaml");
    } catch (error) {
      if (error instanceof ConfigError) return error.issues;
      throw error;
    }
    return [];
  };

  test("defaults: 30 min to start, 30 s to stop, wait for the GPU; warm-up off", () => {
    const config = parseRunConfig(
      withServe({
        command: ["vllm", "serve", "Qwen/Qwen3-32B-FP8", "--port", 8000],
        env: { CUDA_VISIBLE_DEVICES: 0, VLLM_USE_V1: true },
      }),
      "run.yaml",
    );
    expect(config.variants[0]?.serve).toEqual({
      command: ["vllm", "serve", "Qwen/Qwen3-32B-FP8", "--port", "8000"],
      env: { CUDA_VISIBLE_DEVICES: "0", VLLM_USE_V1: "true" },
      startupTimeoutSec: 1800,
      stopGraceSec: 30,
      waitGpuFree: true,
    });
    expect(config.warmup).toEqual({ requests: 0 });
    expect(parseRunConfig({ ...base, warmup: { requests: 2 } }, "run.yaml").warmup.requests).toBe(2);
    expect(parseRunConfig(base, "run.yaml").variants[0]?.serve).toBeUndefined();
  });

  test("an env entry that looks like a secret is refused, its value never echoed", () => {
    for (const name of ["HF_TOKEN", "VLLM_API_KEY", "AWS_SECRET_ACCESS_KEY", "DB_PASSWORD"]) {
      const issues = issuesOf(withServe({ command: ["vllm", "serve", "m"], env: { [name]: "hunter2-secret-value" } }));
      expect(issues).toHaveLength(1);
      expect(issues[0]).toContain(`run.yaml: variants[0].serve.env: ${name} looks like a secret`);
      expect(issues[0]).toContain(`export ${name}=...`);
      expect(issues[0]).not.toContain("hunter2");
    }
    expect(
      issuesOf(
        withServe({ command: ["vllm", "serve", "m"], env: { HF_HOME: "/data/hf", TOKENIZERS_PARALLELISM: "false" } }),
      ),
    ).toEqual([]);
  });

  test("a key passed on the serve command line is refused; a --port that differs from baseUrl's is caught", () => {
    const key = issuesOf(withServe({ command: ["vllm", "serve", "m", "--api-key=sk-abc123"] }));
    expect(key[0]).toMatch(
      /variants\[0\]\.serve\.command: argument 3 \(--api-key\) passes a secret.*export VLLM_API_KEY=.*apiKeyEnv: VLLM_API_KEY/,
    );
    expect(key.join("\n")).not.toContain("sk-abc123");
    const port = issuesOf(withServe({ command: ["vllm", "serve", "m", "--port", "8001"] }));
    expect(port[0]).toMatch(/serve\.command: --port 8001 but baseUrl http:\/\/127\.0\.0\.1:8000\/v1 is on port 8000/);
  });

  test("typos in a serve block are named with a suggestion", () => {
    expect(issuesOf(withServe({ command: ["vllm"], startup_timeout_sec: 60 }))[0]).toContain(
      'unknown field "startup_timeout_sec" (did you mean "startupTimeoutSec"?)',
    );
    expect(issuesOf(withServe({ command: [] }))[0]).toMatch(/serve\.command: give the program and its arguments/);
  });
});
