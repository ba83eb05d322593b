# Runs one test of a model-written Python program inside Pyodide (loaded by python-worker.ts).
#
# The worker calls lockdown() once, then run_test() per test. Standard input and output go through the
# Emscripten file descriptors 0 and 1, which the worker feeds from and captures into bounded JS buffers, so
# input(), sys.stdin.buffer, open(0), os.read(0, n), print() and sys.stdout.buffer all behave as in CPython.

import builtins
import gc
import io
import json
import os
import sys
import time
import traceback

# LiveCodeBench's own prefix (lcb_runner/evaluation/testing_util.py, import_string): it is put in front of
# every program, stdin and functional alike, so solutions may use these names without importing them.
IMPORT_PREFIX = (
    "from string import *\nfrom re import *\nfrom datetime import *\nfrom collections import *\n"
    "from heapq import *\nfrom bisect import *\nfrom copy import *\nfrom math import *\nfrom random import *\n"
    "from statistics import *\nfrom itertools import *\nfrom functools import *\nfrom operator import *\n"
    "from io import *\nfrom sys import *\nfrom json import *\nfrom builtins import *\nfrom typing import *\n"
    "import string\nimport re\nimport datetime\nimport collections\nimport heapq\nimport bisect\nimport copy\n"
    "import math\nimport random\nimport statistics\nimport itertools\nimport functools\nimport operator\n"
    "import io\nimport sys\nimport json\nsys.setrecursionlimit(50000)\n"
)

# Modules solutions often import beyond the prefix; importing them once keeps them out of per-test cost.
WARM_MODULES = (
    "string", "re", "datetime", "collections", "heapq", "bisect", "copy", "math", "random", "statistics",
    "itertools", "functools", "operator", "io", "json", "typing", "decimal", "fractions", "array", "dataclasses",
    "enum", "queue", "numbers", "textwrap", "cmath", "struct", "abc", "contextlib", "types", "unicodedata",
)

# Module names whose import would reach the JS host, spawn processes or open sockets.
BLOCKED_ROOTS = frozenset({
    "js", "pyodide_js", "pyodide", "_pyodide", "_pyodide_core", "micropip",
    "subprocess", "_posixsubprocess", "multiprocessing", "socket", "_socket", "ssl", "_ssl", "select", "selectors",
    "ctypes", "_ctypes", "_testcapi", "_testinternalcapi", "_testlimitedcapi", "_testbuffer", "_remote_debugging",
})

# os/posix functions that start or signal processes; they fail in Pyodide anyway, this makes it explicit.
PROCESS_FUNCTIONS = (
    "system", "popen", "fork", "forkpty", "kill", "killpg", "spawnl", "spawnle", "spawnlp", "spawnlpe", "spawnv",
    "spawnve", "spawnvp", "spawnvpe", "execl", "execle", "execlp", "execlpe", "execv", "execve", "execvp", "execvpe",
    "posix_spawn", "posix_spawnp", "startfile",
)

HOME = "/home/pyodide"
CLEAN_ENVIRON = {"HOME": HOME, "PATH": "/", "LANG": "en_US.UTF-8", "USER": "web_user"}
SOLUTION_FILE = "<solution>"
COLLECT_EVERY = 20
DETAIL_CHARS = 300


class SandboxImportBlocker:
    """Meta path finder that refuses the blocked modules before any other finder sees them."""

    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in BLOCKED_ROOTS:
            raise ImportError(f"import of {name!r} is not allowed in the sandbox", name=name)
        return None


def _refuse(*_args, **_kwargs):
    raise PermissionError("starting or signalling processes is not allowed in the sandbox")


def _install_compat_shims():
    """Common competitive-programming idioms that need an OS Pyodide does not have."""
    import threading
    import types

    # `threading.stack_size(big); Thread(target=main).start()` is the usual way to allow deep recursion. There
    # are no threads here, but the stack is already large: run the target inline, as a thread would (its
    # exceptions do not reach the caller), except that the time-limit interrupt must still stop everything.
    def start(self):
        self._sandbox_ran = True
        try:
            self.run()
        except SystemExit:
            pass
        except Exception:
            traceback.print_exc()

    def join(self, timeout=None):
        if not getattr(self, "_sandbox_ran", False):
            raise RuntimeError("cannot join thread before it is started")

    threading.Thread.start = start
    threading.Thread.join = join
    threading.Thread.is_alive = lambda self: False
    threading.stack_size = lambda size=0: 0

    # `resource.setrlimit(RLIMIT_STACK, ...)`: accepted and ignored (limits are the sandbox's business).
    resource = types.ModuleType("resource", "Stand-in: limits are set by the sandbox.")
    for number, name in enumerate(("RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_STACK", "RLIMIT_CORE",
                                   "RLIMIT_RSS", "RLIMIT_NPROC", "RLIMIT_NOFILE", "RLIMIT_MEMLOCK", "RLIMIT_AS")):
        setattr(resource, name, number)
    resource.RLIM_INFINITY = -1
    resource.error = OSError
    resource.getrlimit = lambda which: (-1, -1)
    resource.setrlimit = lambda which, limits: None
    sys.modules["resource"] = resource


_baseline = None
_tests_since_collect = 0
_MISSING = object()
_builtins_dict = builtins.__dict__
_saved_builtins = dict(_builtins_dict)
_perf_counter = time.perf_counter
_dumps = json.dumps
_loads = json.loads
_prefix_code = compile(IMPORT_PREFIX, "<prefix>", "exec")


def lockdown():
    """Cuts the interpreter off from the JS host and records the state every test starts from."""
    global _baseline
    for name in WARM_MODULES:
        __import__(name)
    _install_compat_shims()
    for finder in list(sys.meta_path):
        if type(finder).__name__ == "JsFinder":
            getattr(finder, "jsproxies", {}).clear()
            sys.meta_path.remove(finder)
    sys.meta_path.insert(0, SandboxImportBlocker())
    for name in list(sys.modules):
        if name.partition(".")[0] in BLOCKED_ROOTS:
            del sys.modules[name]
    posix = sys.modules.get("posix")
    for name in PROCESS_FUNCTIONS:
        for module in (os, posix):
            if module is not None and hasattr(module, name):
                setattr(module, name, _refuse)
    # Pyodide copies the host program's path into "_"; nothing of the host environment stays.
    os.environ.clear()
    os.environ.update(CLEAN_ENVIRON)
    os.chdir(HOME)
    gc.collect()
    _baseline = {
        "modules": {name: (module, dict(module.__dict__)) for name, module in list(sys.modules.items())
                    if module is not None and hasattr(module, "__dict__")},
        "meta_path": list(sys.meta_path),
        "path": list(sys.path),
        "path_hooks": list(sys.path_hooks),
        "recursion_limit": sys.getrecursionlimit(),
        "int_max_str_digits": sys.get_int_max_str_digits(),
    }


def _restore_dict(current, saved):
    """Puts back every binding of `saved` and drops added ones, comparing by identity (user objects may
    define __eq__) and touching only what changed."""
    missing = _MISSING
    for key, value in saved.items():
        if current.get(key, missing) is not value:
            current[key] = value
    if len(current) != len(saved):
        for key in [key for key in current if key not in saved]:
            del current[key]


def _restore():
    """Undoes what a program may have changed in the shared interpreter, so the next test starts clean."""
    # Builtins first, with no name lookups that a patched builtins module could answer.
    _builtins_dict.clear()
    _builtins_dict.update(_saved_builtins)
    base = _baseline
    sys.settrace(None)
    sys.setprofile(None)
    saved_modules = base["modules"]
    for name in list(sys.modules):
        if name not in saved_modules:
            del sys.modules[name]
    for name, (module, saved) in saved_modules.items():
        if sys.modules.get(name) is not module:
            sys.modules[name] = module
        _restore_dict(module.__dict__, saved)
    sys.meta_path[:] = base["meta_path"]
    sys.path[:] = base["path"]
    sys.path_hooks[:] = base["path_hooks"]
    sys.setrecursionlimit(base["recursion_limit"])
    sys.set_int_max_str_digits(base["int_max_str_digits"])
    gc.enable()
    os.environ.clear()
    os.environ.update(CLEAN_ENVIRON)
    try:
        os.chdir(HOME)
    except OSError:
        pass


STD_DEVICES = ((0, "/dev/stdin", os.O_RDONLY), (1, "/dev/stdout", os.O_WRONLY), (2, "/dev/stderr", os.O_WRONLY))


def _open_std_streams():
    # Fresh fds 0-2 and wrappers each test: a program may have closed (open(0) does on exit), redirected or
    # half-read the old ones.
    for fd, device, flags in STD_DEVICES:
        opened = os.open(device, flags)
        if opened != fd:
            os.dup2(opened, fd)
            os.close(opened)
    sys.stdin = io.TextIOWrapper(io.BufferedReader(io.FileIO(0, "r", closefd=False)), encoding="utf-8")
    sys.stdout = io.TextIOWrapper(io.BufferedWriter(io.FileIO(1, "w", closefd=False)), encoding="utf-8",
                                  errors="backslashreplace")
    sys.stderr = io.TextIOWrapper(io.BufferedWriter(io.FileIO(2, "w", closefd=False)), encoding="utf-8",
                                  errors="backslashreplace", write_through=True)
    sys.__stdin__, sys.__stdout__, sys.__stderr__ = sys.stdin, sys.stdout, sys.stderr


def _flush_stdout():
    for stream in (sys.stdout, sys.__stdout__):
        try:
            stream.flush()
        except BaseException:
            pass


def _short(text):
    text = text.strip()
    return text if len(text) <= DETAIL_CHARS else text[: DETAIL_CHARS - 1] + "…"


def _describe(error):
    """'ErrorClass: message (line N)', the line being the deepest frame in the solution."""
    line = None
    for frame, lineno in traceback.walk_tb(error.__traceback__):
        if frame.f_code.co_filename == SOLUTION_FILE:
            line = lineno
    message = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    return _short(message + (f" (line {line})" if line is not None else ""))


def _is_size_overflow(error):
    # wasm32 has 32-bit sizes: `[0] * 10**10` is an OverflowError here where 64-bit CPython raises MemoryError.
    return isinstance(error, OverflowError) and (
        "index-sized integer" in str(error) or "C ssize_t" in str(error) or "too long" in str(error)
    )


def _classify(error, ms):
    if isinstance(error, KeyboardInterrupt):
        # The worker only ever interrupts when the time limit (or the output cap) is reached.
        return {"status": "time_limit", "ms": ms}
    if isinstance(error, MemoryError) or _is_size_overflow(error):
        return {"status": "memory_limit", "detail": _describe(error), "ms": ms}
    return {"status": "runtime_error", "detail": _describe(error), "ms": ms}


class Failed:
    """A program's exception, kept until the interpreter is restored (user code may have patched builtins)."""

    def __init__(self, error, ms):
        self.error = error
        self.ms = ms


def _compile(code):
    try:
        return compile(code, SOLUTION_FILE, "exec"), None
    except (SyntaxError, ValueError, OverflowError, MemoryError, RecursionError) as error:
        if isinstance(error, SyntaxError):
            where = f" (line {error.lineno})" if error.lineno else ""
            detail = f"{type(error).__name__}: {error.msg}{where}"
        else:
            detail = f"{type(error).__name__}: {error}"
        return None, {"status": "compile_error", "detail": _short(detail)}


def _release(namespace):
    # The program's functions refer back to its namespace, a cycle only a full collection would free; clearing
    # it frees the program's data now, so it cannot count against the next test's memory.
    try:
        namespace.clear()
    except BaseException:
        pass


def _fresh_namespace():
    return {"__name__": "__main__", "__builtins__": builtins, "__file__": SOLUTION_FILE}


def _run_stdin(program):
    namespace = _fresh_namespace()
    start = _perf_counter()
    try:
        exec(_prefix_code, namespace)
        exec(program, namespace)
    except SystemExit:
        pass  # LiveCodeBench counts exit() as a normal end of the program.
    except BaseException as error:
        return Failed(error, (_perf_counter() - start) * 1000)
    finally:
        _flush_stdout()
        _release(namespace)
    return {"status": "completed", "ms": (_perf_counter() - start) * 1000}


def _find_function(namespace, func_name):
    solution = namespace.get("Solution")
    if isinstance(solution, type):
        method = getattr(solution(), func_name, None)
        if callable(method):
            return method
    function = namespace.get(func_name)
    return function if callable(function) else None


def _equal(result, expected):
    if isinstance(result, tuple):
        result = list(result)  # LiveCodeBench: tuples are not penalised.
    if result == expected:
        return True
    try:
        return _loads(_dumps(result)) == expected
    except (TypeError, ValueError, RecursionError):
        return False


def _run_functional(program, func_name, test_input, expected_json):
    try:
        args = [_loads(line) for line in test_input.split("\n")]
        expected = _loads(expected_json)
    except ValueError as error:
        return {"status": "runtime_error", "detail": _short(f"test data is not JSON: {error}")}
    namespace = _fresh_namespace()
    start = _perf_counter()
    try:
        exec(_prefix_code, namespace)
        exec(program, namespace)
        function = _find_function(namespace, func_name)
        if function is None:
            return {"status": "runtime_error", "detail": _short(f"no function or Solution method named {func_name!r}")}
        start = _perf_counter()
        result = function(*args)
        ms = (_perf_counter() - start) * 1000
        if _equal(result, expected):
            return {"status": "passed", "ms": ms}
        shown = _short(f"got {result!r:.400}, expected {expected_json:.400}")
        return {"status": "wrong_answer", "detail": shown, "ms": ms}
    except BaseException as error:
        return Failed(error, (_perf_counter() - start) * 1000)
    finally:
        _flush_stdout()
        _release(namespace)


def run_test(kind, code, test_input, func_name, expected_json):
    """One test; returns a JSON string {status: completed|passed|wrong_answer|runtime_error|..., detail?, ms?}."""
    outcome = {"status": "runtime_error", "detail": "harness error"}
    try:
        program, failure = _compile(code)
        if failure is not None:
            return _dumps(failure)
        _open_std_streams()
        if kind == "functional":
            outcome = _run_functional(program, func_name, test_input, expected_json)
        else:
            outcome = _run_stdin(program)
        del program
    except BaseException as error:  # e.g. the interrupt landing in the harness itself
        outcome = Failed(error, 0)
    # An interrupt still pending when the program ended (time limit or output cap reached at its last
    # instruction) may land here; the outcome is decided, so finishing is simply tried again.
    for _attempt in range(3):
        try:
            return _finish(outcome)
        except KeyboardInterrupt:
            pass
    return _finish(outcome)


def _finish(outcome):
    global _tests_since_collect
    _restore()
    if isinstance(outcome, Failed):
        try:
            outcome = _classify(outcome.error, outcome.ms)
        except KeyboardInterrupt:
            raise
        except BaseException as error:  # a hostile __str__ on the exception
            outcome = {"status": "runtime_error", "detail": _short(type(error).__name__), "ms": outcome.ms}
    _tests_since_collect += 1
    if _tests_since_collect >= COLLECT_EVERY or outcome.get("status") == "memory_limit":
        gc.collect()  # ~10 ms, so not after every test
        _tests_since_collect = 0
    return _dumps(outcome)
