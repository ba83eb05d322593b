# Runs one model-written Python program in a fresh CPython process inside bubblewrap (native-sandbox.ts).
#
# The job comes as JSON on fd 3; fd 4 gets "ready" just before the program starts (the host's time limit
# counts from there, not from the sandbox's start-up) and, for a test, the outcome as one JSON line.
# Two modes:
# - "test": one LiveCodeBench test, judged as the Pyodide path judges it. The program is compiled, run and its
#   errors classified by python-harness.py's own functions (loaded from beside this file), so both executors
#   report the same outcomes; the host compares stdout and returned values, never this process.
# - "program": a script run as __main__ (runNativePython): its exit status and output are the result.
# The sandbox is thrown away after one run, so python-harness.py's restore between tests is not needed, and
# containment is the OS's (namespaces, read-only root, rlimits set here before any model code runs). A test still
# gets the Pyodide harness's rules (lock_down), only so that a program gets the same verdict from both executors.

import base64
import gc
import json
import os
import resource
import sys
import types
import _imp
from typing import Any

HARNESS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "python-harness.py")
MB = 1024 * 1024
PROGRAM_FILE = "main.py"


def read_job():
    chunks = []
    while True:
        chunk = os.read(3, 1 << 20)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(3)
    return json.loads(b"".join(chunks))


def address_space_bytes():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def set_limits(job):
    """rlimits, set here rather than by prlimit(1): the address-space cap is the interpreter's own size, measured
    now, plus memoryMb, as the Pyodide path counts memory on top of the interpreter's heap."""
    cpu = int(job["cpuSeconds"])
    limits = (
        (resource.RLIMIT_AS, address_space_bytes() + int(job["memoryMb"]) * MB),
        (resource.RLIMIT_CPU, cpu),
        (resource.RLIMIT_NPROC, int(job["processes"])),
        (resource.RLIMIT_NOFILE, int(job["openFiles"])),
        (resource.RLIMIT_FSIZE, int(job["fileSizeMb"]) * MB),
        (resource.RLIMIT_CORE, 0),
    )
    for which, value in limits:
        resource.setrlimit(which, (value, value))
    # Deep recursion (LiveCodeBench's prefix allows 50 000 frames) grows the main thread's stack: let it.
    stack = int(job["stackMb"]) * MB
    _soft, hard = resource.getrlimit(resource.RLIMIT_STACK)
    resource.setrlimit(resource.RLIMIT_STACK, (stack if hard == resource.RLIM_INFINITY else min(stack, hard), hard))


def write_files(job):
    for entry in job.get("files", []):
        with open(entry["name"], "wb") as file:
            file.write(base64.b64decode(entry["base64"]))


def signal_ready():
    os.write(4, b"ready\n")


def lock_down(harness, job):
    """The Pyodide harness's rules on what a test's program may reach (processes, sockets, ctypes, frames, tracing,
    the blocked modules, standard functions' code; the harness's own objects hidden from gc), so that a program
    both executors run gets the same verdict. They are not the boundary here: the OS sandbox is."""
    exposed = harness["_exposed_namespace"]()
    sys.meta_path.insert(0, exposed["SandboxImportBlocker"]())
    # Compiled-in modules only (a fresh posix or _socket); extension modules still load from lib-dynload.
    _imp.create_builtin = exposed["refuse_module_creation"]
    for name in harness["PROCESS_FUNCTIONS"]:
        if hasattr(os, name):
            setattr(os, name, exposed["refuse_process"])
    get_objects = gc.get_objects
    functions = [o for o in get_objects() if type(o) is types.FunctionType]
    ours = (globals(), harness, exposed)
    hidden = {id(d) for d in ours} | {id(job)}
    hidden.update(id(f) for f in functions if any(f.__globals__ is d for d in ours))
    protected = frozenset(map(id, functions)) | frozenset(map(id, sys.modules.values()))
    secrets = (get_objects, hidden, types.FrameType)
    gc.get_objects = exposed["gc_get_objects"]
    gc.get_objects.__defaults__ = (None, secrets, id, type)
    hook = harness["_make_audit_hook"](protected, frozenset(hidden))
    hidden.update((id(secrets), id(hidden), id(gc.get_objects.__defaults__), id(hook)))
    sys.addaudithook(hook)


def run_test(job):
    harness: dict[str, Any] = {"__name__": "harness"}
    with open(HARNESS, encoding="utf-8") as source:
        exec(compile(source.read(), HARNESS, "exec"), harness)
    for name in harness["WARM_MODULES"]:
        __import__(name)
    exec(harness["_prefix_code"], harness["_fresh_namespace"]())  # typing's lazily made names, made now
    lock_down(harness, job)
    set_limits(job)
    signal_ready()
    program, failure = harness["_compile"](job["code"])
    if failure is not None:
        outcome = failure
    else:
        namespace = harness["_fresh_namespace"]()
        if job["kind"] == "functional":
            outcome = harness["_run_functional"](program, namespace, job["funcName"], job["input"])
        else:
            outcome = harness["_run_stdin"](program, namespace)
        if type(outcome) is tuple:
            outcome = harness["_classify"](*outcome)
    os.write(4, harness["_encode_outcome"](outcome).encode() + b"\n")
    # No interpreter shutdown: a program's atexit hooks and finalizers have nothing more to say.
    os._exit(0)


def run_program(job):
    source = job["code"]
    with open(PROGRAM_FILE, "w", encoding="utf-8") as file:
        file.write(source)  # so that tracebacks show the program's lines
    main = types.ModuleType("__main__")
    main.__file__ = PROGRAM_FILE
    sys.modules["__main__"] = main
    sys.argv = [PROGRAM_FILE]
    set_limits(job)
    signal_ready()
    os.close(4)
    code = compile(source, PROGRAM_FILE, "exec")
    # Exceptions and SystemExit leave through the interpreter's own handling: traceback, exit status.
    exec(code, main.__dict__)


def main():
    job = read_job()
    write_files(job)
    if job["mode"] == "test":
        run_test(job)
    else:
        run_program(job)


main()
