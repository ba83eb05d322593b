/**
 * One run of native-python-harness.py in a fresh CPython process inside bubblewrap: a new user, PID, IPC, UTS,
 * network and cgroup namespace (no network), a root built from read-only binds of what CPython needs (the system's
 * libraries, the interpreter and its prefix; no /usr/bin, no host home, no /etc, no project files; the sandbox's
 * init process, /proc/1, masked), a private size-capped tmpfs at /tmp as the only writable place and working
 * folder, an environment cleared down to PATH, LANG and HOME, and rlimits the harness sets before any model code
 * runs. The wall clock is the host's: at the limit, the whole process group is killed (SIGKILL).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { lstat, readlink } from "node:fs/promises";
import { fileURLToPath } from "node:url";

/** Where the sandbox finds CPython and bubblewrap (native-detect.ts finds them). */
export interface NativePython {
  /** Absolute path of bubblewrap. */
  bwrap: string;
  /** Absolute path of the interpreter (its sys.executable). */
  python: string;
  /** Host paths the interpreter needs beyond the system's libraries: itself, and its prefixes outside /usr. */
  pythonPaths: string[];
  /** "3.11.7". */
  version: string;
  /**
   * The host user (uid = gid) bubblewrap runs as, when quanteval runs as root: the kernel exempts uid 0 from
   * RLIMIT_NPROC, so a sandbox whose user maps to root would have no process limit. Absent: quanteval's own user.
   */
  hostUser?: number;
}

/** A system folder bound into the sandbox, or a symlink recreated there (merged-/usr systems). */
export interface SystemDir {
  path: string;
  symlinkTo?: string;
}

export interface SandboxLimits {
  /** Wall-clock limit, counted from the harness's "ready" (after the sandbox and interpreter have started). */
  timeoutMs: number;
  /** Address space the program may add to the interpreter's own (RLIMIT_AS = interpreter + this). */
  memoryMb: number;
  /** RLIMIT_CPU (default: the time limit rounded up, plus one second; the wall clock usually decides first). */
  cpuSeconds?: number;
  /** RLIMIT_NPROC: processes and threads of the sandbox's user (default 16). */
  processes?: number;
  /** RLIMIT_NOFILE (default 256). */
  openFiles?: number;
  /** RLIMIT_FSIZE: largest file the program may write (default 64 MB). */
  fileSizeMb?: number;
  /** Size of the writable tmpfs (default 256 MB). */
  tmpfsMb?: number;
  /** Main-thread stack (default 512 MB: LiveCodeBench allows 50 000 recursion levels, as Pyodide's workers do). */
  stackMb?: number;
  /** Standard output kept; beyond it the run is killed and flagged (default 16 MB). */
  outputLimitBytes?: number;
  /** Standard error kept; the rest is dropped (default 1 MB). */
  stderrLimitBytes?: number;
}

/** What the harness is asked to do (see native-python-harness.py). */
export type SandboxJob =
  | { mode: "test"; code: string; kind: "stdin" | "functional"; input: string; funcName: string }
  | { mode: "program"; code: string; files?: readonly SandboxFile[] };

export interface SandboxFile {
  /** A plain file name (no folders): written into the working folder before the program starts. */
  name: string;
  bytes: Uint8Array;
}

export interface SandboxResult {
  /** The harness got as far as starting the program (false: the sandbox or the interpreter failed to start). */
  started: boolean;
  exitCode: number | null;
  /** The signal that ended bubblewrap itself (SIGKILL after a time limit or output overflow). */
  signal: NodeJS.Signals | null;
  /** The wall-clock limit was reached and the sandbox killed. */
  timedOut: boolean;
  stdout: Buffer;
  stderr: string;
  /** Standard output passed outputLimitBytes: the sandbox was killed and stdout is cut. */
  outputOverflow: boolean;
  /** What the harness wrote on fd 4 after "ready" (a test's outcome line). */
  report: string;
  /** From "ready" to exit, by the host's clock. */
  ms: number;
}

const HARNESS_DIR = fileURLToPath(new URL(".", import.meta.url));
const SANDBOX_HARNESS_DIR = "/opt/quanteval";
const HARNESS_FILES = ["native-python-harness.py", "python-harness.py"] as const;
/** How long the sandbox and interpreter may take to start before the run counts as a sandbox failure. */
const START_TIMEOUT_MS = 30_000;
const MB = 1024 * 1024;
/** The sandbox's user: nobody, so that no file keeps owner rights it should not (the root is read-only anyway). */
const NOBODY = "65534";
/**
 * System folders bound read-only when present (symlinks, as on merged-/usr systems, are recreated as symlinks):
 * the shared libraries and time zones CPython may load, not the system's programs.
 */
const SYSTEM_DIRS = [
  "/usr/lib",
  "/usr/lib64",
  "/usr/lib32",
  "/usr/libx32",
  "/usr/share/zoneinfo",
  "/lib",
  "/lib64",
  "/lib32",
  "/libx32",
] as const;

/** bubblewrap's arguments, then the interpreter's: everything the sandbox is, in one list. */
export function sandboxArgs(
  python: NativePython,
  limits: Required<Pick<SandboxLimits, "tmpfsMb">>,
  systemDirs: readonly SystemDir[],
): string[] {
  const args = ["--unshare-all", "--die-with-parent", "--new-session", "--uid", NOBODY, "--gid", NOBODY];
  args.push("--clearenv", "--setenv", "PATH", "/usr/bin:/bin", "--setenv", "LANG", "C.UTF-8");
  args.push("--setenv", "HOME", "/tmp", "--setenv", "PYTHONDONTWRITEBYTECODE", "1");
  // One BLAS/OpenMP thread: threads count against RLIMIT_NPROC and each reserves address space.
  for (const name of ["OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"]) args.push("--setenv", name, "1");
  for (const dir of systemDirs) {
    if (dir.symlinkTo !== undefined) args.push("--symlink", dir.symlinkTo, dir.path);
    else args.push("--ro-bind", dir.path, dir.path);
  }
  args.push("--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache");
  for (const path of python.pythonPaths) args.push("--ro-bind", path, path);
  for (const file of HARNESS_FILES) {
    args.push("--ro-bind", `${HARNESS_DIR}${file}`, `${SANDBOX_HARNESS_DIR}/${file}`);
  }
  // /proc/1 is bubblewrap's init, whose environment is not the program's business (an empty tmpfs hides it).
  args.push(
    "--proc",
    "/proc",
    "--tmpfs",
    "/proc/1",
    "--remount-ro",
    "/proc/1",
    "--dev",
    "/dev",
    "--remount-ro",
    "/dev",
  );
  args.push("--size", String(limits.tmpfsMb * MB), "--tmpfs", "/tmp", "--chdir", "/tmp", "--remount-ro", "/");
  args.push("--", python.python, "-I", "-B", `${SANDBOX_HARNESS_DIR}/${HARNESS_FILES[0]}`);
  return args;
}

/** The host's system folders as sandboxArgs binds them. */
export async function systemDirs(): Promise<SystemDir[]> {
  const found: SystemDir[] = [];
  for (const path of SYSTEM_DIRS) {
    const stat = await lstat(path).catch(() => undefined);
    if (stat === undefined) continue;
    if (stat.isSymbolicLink()) found.push({ path, symlinkTo: await readlink(path) });
    else if (stat.isDirectory()) found.push({ path });
  }
  return found;
}

function jobJson(job: SandboxJob, limits: SandboxLimits): string {
  const files =
    job.mode === "program"
      ? (job.files ?? []).map((f) => ({ name: f.name, base64: Buffer.from(f.bytes).toString("base64") }))
      : [];
  return JSON.stringify({
    ...job,
    files,
    memoryMb: limits.memoryMb,
    cpuSeconds: limits.cpuSeconds ?? Math.ceil(limits.timeoutMs / 1000) + 1,
    processes: limits.processes ?? 16,
    openFiles: limits.openFiles ?? 256,
    fileSizeMb: limits.fileSizeMb ?? 64,
    stackMb: limits.stackMb ?? 512,
  });
}

/** Kills bubblewrap's whole process group; --die-with-parent and the PID namespace take the sandbox with it. */
function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

/** Runs one job; resolves however the program ends, rejects only when bubblewrap cannot be spawned at all. */
export function runInSandbox(
  python: NativePython,
  dirs: readonly SystemDir[],
  job: SandboxJob,
  stdin: string | Uint8Array,
  limits: SandboxLimits,
): Promise<SandboxResult> {
  const outputLimit = limits.outputLimitBytes ?? 16 * MB;
  const stderrLimit = limits.stderrLimitBytes ?? MB;
  const args = sandboxArgs(python, { tmpfsMb: limits.tmpfsMb ?? 256 }, dirs);
  return new Promise<SandboxResult>((resolve, reject) => {
    const child = spawn(python.bwrap, args, {
      stdio: ["pipe", "pipe", "pipe", "pipe", "pipe"],
      detached: true, // its own process group, killed as one
      env: {},
      cwd: "/",
      ...(python.hostUser === undefined ? {} : { uid: python.hostUser, gid: python.hostUser }),
    });
    const stdout: Buffer[] = [];
    let stdoutBytes = 0;
    let stderr = "";
    let control = "";
    let readyAt: number | undefined;
    let timedOut = false;
    let outputOverflow = false;
    let timer = setTimeout(() => killGroup(child), START_TIMEOUT_MS);
    child.stdout?.on("data", (chunk: Buffer) => {
      if (outputOverflow) return;
      if (stdoutBytes + chunk.length > outputLimit) {
        outputOverflow = true;
        killGroup(child);
        return;
      }
      stdout.push(chunk);
      stdoutBytes += chunk.length;
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      if (stderr.length < stderrLimit) stderr += chunk.toString("utf8").slice(0, stderrLimit - stderr.length);
    });
    const controlStream = child.stdio[4];
    controlStream?.on("data", (chunk: Buffer) => {
      control += chunk.toString("utf8");
      if (readyAt === undefined && control.startsWith("ready\n")) {
        readyAt = performance.now();
        clearTimeout(timer);
        timer = setTimeout(() => {
          timedOut = true;
          killGroup(child);
        }, limits.timeoutMs);
      }
    });
    // A program that never reads its input, or dies first, closes these pipes early: not an error of ours.
    for (const stream of [child.stdin, child.stdio[3], controlStream]) stream?.on("error", () => {});
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot start bubblewrap (${python.bwrap}): ${error.message}`, { cause: error }));
    });
    child.on("close", (exitCode, signal) => {
      clearTimeout(timer);
      const endedAt = performance.now();
      resolve({
        started: readyAt !== undefined,
        exitCode,
        signal,
        timedOut,
        stdout: Buffer.concat(stdout),
        stderr,
        outputOverflow,
        report: readyAt === undefined ? "" : control.slice("ready\n".length),
        ms: readyAt === undefined ? 0 : endedAt - readyAt,
      });
    });
    const jobStream = child.stdio[3];
    if (jobStream !== null && jobStream !== undefined && "end" in jobStream) jobStream.end(jobJson(job, limits));
    child.stdin?.end(stdin);
  });
}
