/**
 * Whether the native Python executor can run here: bubblewrap is installed, CPython is on the PATH, and a trial
 * sandbox really starts (user namespaces may be disabled, e.g. by a container's seccomp profile or Ubuntu's
 * AppArmor restriction). When not, the reason says which and what to do.
 */
import { execFile } from "node:child_process";
import { existsSync, realpathSync } from "node:fs";
import { promisify } from "node:util";
import { type NativePython, runInSandbox, type SystemDir, systemDirs } from "./native-sandbox.ts";

export type NativeAvailability =
  | {
      available: true;
      python: NativePython;
      dirs: SystemDir[];
      /** A limit this machine's sandbox cannot apply, said plainly (see NativePython.hostUser). */
      caveat?: string;
    }
  | { available: false; reason: string };

export interface DetectOptions {
  /** bubblewrap (default /usr/bin/bwrap, where Debian's `bubblewrap` puts it). */
  bwrap?: string;
  /** The interpreter to run, found on the PATH (default python3). */
  python?: string;
}

const PROBE =
  "import json, os, sys; print(json.dumps({'executable': os.path.realpath(sys.executable), " +
  "'prefixes': [sys.prefix, sys.base_prefix], 'version': sys.version.split()[0]}))";

/** The host's nobody (uid = gid), which bubblewrap runs as when quanteval runs as root. */
const NOBODY = 65534;

const USERNS_HINT =
  "user namespaces may be disabled (sysctl kernel.unprivileged_userns_clone, " +
  "kernel.apparmor_restrict_unprivileged_userns, or a container's seccomp profile)";

export async function detectNativePython(options: DetectOptions = {}): Promise<NativeAvailability> {
  const bwrap = options.bwrap ?? "/usr/bin/bwrap";
  if (!existsSync(bwrap)) {
    return {
      available: false,
      reason: `bubblewrap is not installed (no ${bwrap}; Debian: apt-get install bubblewrap)`,
    };
  }
  const pythonName = options.python ?? "python3";
  let probe: { executable: string; prefixes: string[]; version: string };
  try {
    const { stdout } = await promisify(execFile)(pythonName, ["-I", "-c", PROBE], { timeout: 30_000 });
    probe = JSON.parse(stdout) as typeof probe;
  } catch (error) {
    const message = error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error);
    return { available: false, reason: `CPython did not run (${pythonName}: ${message})` };
  }
  const dirs = await systemDirs();
  const python: NativePython = {
    bwrap,
    python: probe.executable,
    pythonPaths: pathsOutside(dirs, [probe.executable, ...probe.prefixes]),
    version: probe.version,
  };
  // As root, bubblewrap runs as nobody where nobody can reach the interpreter and the harness (see hostUser).
  if (process.getuid?.() === 0) {
    const asNobody: NativePython = { ...python, hostUser: NOBODY };
    if ((await trialRun(asNobody, dirs)) === "ok") return { available: true, python: asNobody, dirs };
    const rootTrial = await trialRun(python, dirs);
    if (rootTrial !== "ok") return { available: false, reason: rootTrial };
    return {
      available: true,
      python,
      dirs,
      caveat:
        "quanteval runs as root and nobody cannot reach the interpreter or the project, so the sandbox's user is " +
        "root's: the kernel does not apply RLIMIT_NPROC to it (a fork bomb is bounded by the time limit alone)",
    };
  }
  const trial = await trialRun(python, dirs);
  return trial === "ok" ? { available: true, python, dirs } : { available: false, reason: trial };
}

/** "ok", or why a sandbox printing 42 did not. */
async function trialRun(python: NativePython, dirs: readonly SystemDir[]): Promise<string> {
  let trial: Awaited<ReturnType<typeof runInSandbox>>;
  try {
    trial = await runInSandbox(python, dirs, { mode: "program", code: "print(6 * 7)" }, "", {
      timeoutMs: 30_000,
      memoryMb: 256,
    });
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  if (trial.exitCode === 0 && trial.stdout.toString("utf8").trim() === "42") return "ok";
  const said = trial.stderr.trim().split("\n").at(-1) ?? "";
  return (
    `a trial sandbox did not start (bubblewrap exit ${trial.exitCode ?? trial.signal}` +
    `${said === "" ? "" : `: ${said}`}); ${USERNS_HINT}`
  );
}

/**
 * The interpreter's paths that the system binds do not already cover, outermost only. A prefix of /usr (a
 * distribution's Python) is not bound whole: its libraries are under /usr/lib, and the executable is bound alone.
 */
function pathsOutside(system: readonly SystemDir[], candidates: readonly string[]): string[] {
  const covered = (path: string, root: string) => path === root || path.startsWith(`${root}/`);
  const real = [...new Set(candidates.filter(existsSync).map((p) => realpathSync(p)))].filter((p) => p !== "/usr");
  const outside = real.filter((p) => !system.some((d) => d.symlinkTo === undefined && covered(p, d.path)));
  return outside.filter((p) => !outside.some((q) => q !== p && covered(p, q))).sort();
}
