# Runs one test of a model-written Python program inside Pyodide (loaded by python-worker.ts).
#
# The worker calls lockdown() once, then run_test() per test. Standard input and output go through the
# Emscripten file descriptors 0 and 1, which the worker feeds from and captures into bounded JS buffers, so
# input(), sys.stdin.buffer, open(0), os.read(0, n), print() and sys.stdout.buffer all behave as in CPython.
#
# Programs share this interpreter with the harness and with the programs after them, so:
# - nothing a program could use to pass lives here: expected outputs never enter the sandbox, the host compares
#   a stdin program's output and a function's returned value (sent back as JSON), and the host keeps the time;
# - an audit hook refuses what would reach the harness or the host (frames, gc referents, tracing, changing a
#   standard function's code, processes, sockets), and gc.get_objects() leaves the harness's own objects out;
# - compiled-in modules can no longer be created once the allowed ones are loaded (a fresh `posix` would run
#   host shell commands, `_ctypes`/`_socket`/`_pyodide_core` reach the JS runtime);
# - before every test, what a program may have changed is put back: builtins, every module's bindings, and for
#   the modules solutions use (WATCHED_MODULES) their classes' attributes and top-level containers and objects,
#   sys settings, the decimal context (built-in types cannot be changed: their own dicts are hidden from gc);
#   after it, files it left behind are removed, and a worker whose own files, or whose other modules'
#   containers, were changed is replaced.

import builtins
import gc
import io
import itertools
import json
import operator
import os
import signal
import sys
import time
import types
import _imp

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
    "_testclinic", "_testclinic_limited", "_xxtestfuzz", "xxsubtype",
})

# os/posix functions that start or signal processes. In Node, Emscripten's system() really runs a host shell.
PROCESS_FUNCTIONS = (
    "system", "popen", "fork", "forkpty", "kill", "killpg", "spawnl", "spawnle", "spawnlp", "spawnlpe", "spawnv",
    "spawnve", "spawnvp", "spawnvpe", "execl", "execle", "execlp", "execlpe", "execv", "execve", "execvp", "execvpe",
    "posix_spawn", "posix_spawnp", "startfile",
)

# Audit events refused outright: they reach other objects' internals, trace the harness, or leave the sandbox.
REFUSED_EVENTS = frozenset({
    "gc.get_referrers", "gc.get_referents", "sys.settrace", "sys.setprofile", "sys._settraceallthreads",
    "sys._setprofileallthreads", "sys.monitoring.register_callback", "sys.addaudithook", "sys.remote_exec",
    "os.system", "os.exec", "os.fork", "os.forkpty", "os.posix_spawn", "os.spawn", "os.kill", "os.killpg",
    "os.startfile", "subprocess.Popen", "ctypes.dlopen", "ctypes.dlsym", "ctypes.call_function", "ctypes.cdata",
    "socket.__new__", "socket.connect", "socket.bind", "socket.getaddrinfo", "socket.sendto", "socket.sendmsg",
    "webbrowser.open",
})
# Audit events that hand out a frame (from which the harness's frames and their locals are one f_back away).
FRAME_EVENTS = frozenset({"sys._getframe", "sys._current_frames", "sys._current_exceptions"})
FRAME_ATTRIBUTES = frozenset({"tb_frame", "gi_frame", "cr_frame", "ag_frame"})
FUNCTION_ATTRIBUTE_EVENTS = frozenset({"object.__setattr__", "object.__delattr__"})

HOME = "/home/pyodide"
CLEAN_ENVIRON = {"HOME": HOME, "PATH": "/", "LANG": "en_US.UTF-8", "USER": "web_user"}
SOLUTION_FILE = "<solution>"
# The solution's code objects are shifted this many lines down, so a traceback's own line numbers tell the
# solution's frames apart without reading tb_frame (which the audit hook refuses).
LINE_OFFSET = 10_000_000
COLLECT_EVERY = 20
DETAIL_CHARS = 300
MAX_JSON_DEPTH = 100
# Modules whose classes and top-level containers are checked binding by binding before every test: those
# solutions use (a program that rewires another one can make later tests in its worker fail, never pass).
WATCHED_MODULES = frozenset(WARM_MODULES) | {
    "sys", "builtins", "os", "posixpath", "copyreg", "threading", "gc", "time", "signal", "importlib", "warnings",
    "_frozen_importlib", "_frozen_importlib_external", "_collections_abc", "codecs", "encodings", "keyword",
    "weakref", "_weakrefset", "reprlib", "locale", "_io", "_json", "_decimal", "_pydecimal", "sandbox",
}
# Walked for files a program left behind (the rest are Emscripten's devices).
FILE_TREE_ROOT = "/"
FILE_TREE_SKIPPED = frozenset({"/dev", "/proc"})

# Functions a program can reach (through sys.meta_path, os.system, threading.Thread, gc, resource) are compiled
# into their own namespace, so none of them leads to this module's globals; what they need is bound as defaults
# (whose reading and replacement the audit hook refuses).
EXPOSED_SOURCE = r'''
def refuse_process(*_args, **_kwargs):
    raise PermissionError("starting or signalling processes is not allowed in the sandbox")

def refuse_js_object(*_args, **_kwargs):
    raise TypeError("JS objects cannot be made in the sandbox")

def refuse_module_creation(*_args, **_kwargs):
    raise ImportError("creating compiled-in or binary modules is not allowed in the sandbox")

class SandboxImportBlocker:
    """Meta path finder that refuses the blocked modules before any other finder sees them."""

    def find_spec(self, name, path=None, target=None, _blocked=BLOCKED_ROOTS, _ImportError=ImportError):
        if name.partition(".")[0] in _blocked:
            raise _ImportError(f"import of {name!r} is not allowed in the sandbox", name=name)
        return None

def gc_get_objects(generation=None, _secrets=None, _id=id, _type=type):
    """gc.get_objects without the harness's own objects and without frames. `_secrets` holds the real function
    and what to leave out; a caller passing its own gains nothing."""
    get_objects, hidden, frame_type = _secrets
    objects = get_objects() if generation is None else get_objects(generation)
    return [o for o in objects if _id(o) not in hidden and _type(o) is not frame_type]

# `threading.stack_size(big); Thread(target=main).start()` is the usual way to allow deep recursion. There are
# no threads here, but the stack is already large: run the target inline, as a thread would (its exceptions do
# not reach the caller), except that the time-limit interrupt must still stop everything.
def thread_start(self):
    self._sandbox_ran = True
    try:
        self.run()
    except SystemExit:
        pass
    except Exception:
        pass  # a thread's error is printed to stderr, which is discarded anyway

def thread_join(self, timeout=None):
    if not getattr(self, "_sandbox_ran", False):
        raise RuntimeError("cannot join thread before it is started")

def thread_is_alive(self):
    return False

def thread_stack_size(size=0):
    return 0

def sleep(seconds, _clock=__import__("time").monotonic):
    """time.sleep without Pyodide's event loop (gone with its modules): waits busily, interruptibly."""
    if seconds < 0:
        raise ValueError("sleep length must be non-negative")
    end = _clock() + seconds
    while _clock() < end:
        pass

def getrlimit(which):
    return (-1, -1)

def setrlimit(which, limits):
    return None
'''


def _exposed_namespace():
    namespace = {"__name__": "sandbox", "__builtins__": builtins, "BLOCKED_ROOTS": BLOCKED_ROOTS}
    exec(compile(EXPOSED_SOURCE, "<sandbox>", "exec"), namespace)
    return namespace


def _install_compat_shims(exposed):
    """Common competitive-programming idioms that need an OS Pyodide does not have."""
    import threading

    threading.Thread.start = exposed["thread_start"]
    threading.Thread.join = exposed["thread_join"]
    threading.Thread.is_alive = exposed["thread_is_alive"]
    threading.stack_size = exposed["thread_stack_size"]

    time.sleep = exposed["sleep"]

    # `resource.setrlimit(RLIMIT_STACK, ...)`: accepted and ignored (limits are the sandbox's business).
    resource = types.ModuleType("resource", "Stand-in: limits are set by the sandbox.")
    for number, name in enumerate(("RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_STACK", "RLIMIT_CORE",
                                   "RLIMIT_RSS", "RLIMIT_NPROC", "RLIMIT_NOFILE", "RLIMIT_MEMLOCK", "RLIMIT_AS")):
        setattr(resource, name, number)
    resource.__dict__.update(RLIM_INFINITY=-1, error=OSError, getrlimit=exposed["getrlimit"],
                             setrlimit=exposed["setrlimit"])
    sys.modules["resource"] = resource


# Captured before any program runs: the harness never looks these up where a program could have replaced them.
_is = operator.is_
_len = len
_type = type
_id = id
_issubclass = issubclass
_isinstance = isinstance
_str = str
_chain = itertools.chain.from_iterable
_dict_values = dict.values
_dict_items = dict.items
_dict_clear = dict.clear
_dict_update = dict.update
_list_iter = list.__iter__
_tuple_iter = tuple.__iter__
_int_repr = int.__repr__
_float_repr = float.__repr__
_isfinite = __import__("math").isfinite
# The C encoder is None where _json is missing (and undeclared in typeshed, hence getattr).
_encode_str = getattr(json.encoder, "c_encode_basestring_ascii", None) or json.encoder.py_encode_basestring_ascii
_type_name = type.__dict__["__name__"].__get__
_type_setattr = type.__setattr__
_type_flags = type.__dict__["__flags__"].__get__
_type_delattr = type.__delattr__
# Deprecated since 3.13 (it warns; sys._clear_internal_caches also drops specialisation caches): kept as is.
_clear_type_cache = sys._clear_type_cache  # pyright: ignore[reportDeprecated]
_perf_counter = time.perf_counter
# What the end-of-test checks use: they run before the next restore, when os and builtins may still be the
# program's, so they touch only these (a replaced os.stat or all() could otherwise hide a planted file).
_os_stat = os.stat
_os_scandir = os.scandir
_os_listdir = os.listdir
_os_rmdir = os.rmdir
_os_unlink = os.unlink
_os_close = os.close
_S_ISDIR = __import__("stat").S_ISDIR
_all = all
_map = map
_tuple = tuple
_list = list
_sorted = sorted
_int = int
_frozenset = frozenset
_setattr = setattr
_OSError = OSError
_ValueError = ValueError
_setrecursionlimit = sys.setrecursionlimit
_set_int_max_str_digits = sys.set_int_max_str_digits
_gc_enable = gc.enable
_gc_collect = gc.collect
_gc_set_threshold = gc.set_threshold
_getsignal = signal.getsignal
_signal = signal.signal
_default_int_handler = signal.default_int_handler
_SIGINT = signal.SIGINT
_builtins_dict = builtins.__dict__
_saved_builtins = tuple(_builtins_dict.items())
_prefix_code = compile(IMPORT_PREFIX, "<prefix>", "exec")
_CodeType = types.CodeType
_FunctionType = types.FunctionType
_ModuleType = types.ModuleType
_Py_TPFLAGS_IMMUTABLETYPE = 1 << 8
_Py_TPFLAGS_HEAPTYPE = 1 << 9

_baseline = {}  # filled once by lockdown()
_tests_since_collect = [0]
# Each original path's (mode, size, mtime) as last seen: a folder's mtime changes with what is created in it.
_file_marks = {}
# Objects removed by the last restore: kept until the next one, so that their finalizers run before it (and their
# effects are undone) rather than after it.
_graveyard = []


# A snapshot is (dicts, owners, sizes, keys, values): some dicts and, flattened, their keys and values at one
# moment, so that one C-speed pass over the values (by identity: user objects may define __eq__) and their sizes
# tells whether any binding changed (a renamed key shifts the values after it). Plain tuples: a class's methods
# would lead a program to this module's globals.


def _snapshot(dicts, owners=()):
    dicts = tuple(dicts)
    return (
        dicts, tuple(owners), tuple(map(_len, dicts)), tuple(_chain(dicts)), tuple(_chain(map(_dict_values, dicts)))
    )


def _list_snapshot(lists):
    lists = tuple(lists)
    return (lists, tuple(map(_len, lists)), tuple(_chain(lists)))


def _unchanged(snapshot):
    dicts, _owners, sizes, _keys, values = snapshot
    return tuple(map(_len, dicts)) == sizes and all(map(_is, _chain(map(_dict_values, dicts)), values))


def _changed(snapshot):
    """(owner, dict, saved pairs) of each dict that differs from the snapshot."""
    dicts, owners, sizes, keys, values = snapshot
    start = 0
    for index, current in enumerate(dicts):
        size = sizes[index]
        saved_keys = keys[start:start + size]
        saved_values = values[start:start + size]
        start += size
        if (_len(current) != size or not all(map(_is, current, saved_keys))
                or not all(map(_is, _dict_values(current), saved_values))):
            yield (owners[index] if owners else None), current, tuple(zip(saved_keys, saved_values))


def _restore_dict(current, saved_pairs, setter=None, deleter=None):
    """Puts back every binding of `saved_pairs` and drops added ones, comparing by identity."""
    if not all(_type(key) is str for key in current):
        # A key that is not a plain string could run the program's code when hashed: start the dict over.
        _graveyard.extend(list(current))
        _graveyard.extend(list(_dict_values(current)))
        _dict_clear(current)
        _dict_update(current, saved_pairs)
        return
    saved = dict(saved_pairs)
    for key in [key for key in current if key not in saved]:
        _graveyard.append(current[key])
        if deleter is None:
            del current[key]
        else:
            deleter(key)
    for key, value in saved_pairs:
        if current.get(key, _graveyard) is not value:
            if key in current:
                _graveyard.append(current[key])
            if setter is None:
                current[key] = value
            else:
                setter(key, value)


def _real_dict(cls):
    """The dict behind a class's mappingproxy (gc.get_referents is refused to programs, not to the harness)."""
    referents = gc.get_referents(cls.__dict__)
    return referents[0] if referents and _type(referents[0]) is dict else None


def _all_classes():
    seen = set()
    found = []
    stack = [object]
    while stack:
        cls = stack.pop()
        if _id(cls) in seen:
            continue
        seen.add(_id(cls))
        found.append(cls)
        try:
            stack.extend(type.__subclasses__(cls))
        except TypeError:
            pass
    return found


def _instance_dict(value):
    try:
        found = object.__getattribute__(value, "__dict__")
    except Exception:
        return None
    return found if _type(found) is dict else None


def _file_tree():
    """{path: (mode, size, mtime)} of every file and folder outside /dev and /proc."""
    tree = {}
    stack = [FILE_TREE_ROOT]
    while stack:
        folder = stack.pop()
        try:
            entries = _list(_os_scandir(folder))
        except _OSError:
            continue
        for entry in entries:
            path = entry.path if folder != "/" else "/" + entry.name
            if path in FILE_TREE_SKIPPED:
                continue
            try:
                stat = entry.stat(follow_symlinks=False)
            except _OSError:
                continue
            tree[path] = (stat.st_mode, stat.st_size, stat.st_mtime_ns)
            if _S_ISDIR(stat.st_mode):
                stack.append(path)
    return tree


def _open_fds():
    try:
        return _frozenset(_os_listdir("/proc/self/fd"))
    except _OSError:
        return _frozenset()


def _clear_pyodide_internals():
    """Empties Pyodide's own Python modules (off sys.modules already, still alive): their functions make JS
    objects (to_js, create_proxy) or hold some (scheduleCallback). trigger_fatal_error stays: it only ends this
    interpreter, whose worker is then replaced, and the test suite uses it to check that recovery."""
    for module in [o for o in gc.get_objects() if _type(o) is _ModuleType]:
        name = getattr(module, "__name__", "")
        if _type(name) is str and name.partition(".")[0] in (
            "pyodide", "_pyodide", "_pyodide_core", "js", "pyodide_js"
        ):
            kept = {key: module.__dict__[key] for key in ("__name__", "trigger_fatal_error") if key in module.__dict__}
            module.__dict__.clear()
            module.__dict__.update(kept)


def _refuse_js_construction(refuse):
    """JsException(name, message) builds a real JS error in the worker's realm: a JS object, and the way to its
    built-ins. Pyodide makes its own from C, without calling the class."""
    for cls in _all_classes():
        module = getattr(cls, "__module__", "")
        if _type(module) is str and module.partition(".")[0] in ("pyodide", "_pyodide") and "Js" in cls.__name__:
            try:
                cls.__new__ = refuse
            except (TypeError, AttributeError):
                pass


def _make_audit_hook(protected, secret):
    """The audit hook (it cannot be removed). `protected`: ids of the functions, modules and module-level
    objects that existed at lockdown, whose code, defaults and class a program may not replace; `secret`: ids of
    the functions whose defaults hold the harness's secrets."""

    def audit(event, args, _protected=protected, _secret=secret, _frame_events=FRAME_EVENTS,
              _frame_attributes=FRAME_ATTRIBUTES, _refused=REFUSED_EVENTS, _attribute_events=FUNCTION_ATTRIBUTE_EVENTS,
              _id=id, _len=len, _AttributeError=AttributeError, _PermissionError=PermissionError):
        if event == "builtins.id":
            return  # the commonest event by far, and one this hook raises itself
        if event == "object.__getattr__":
            if _len(args) > 1 and args[1] in _frame_attributes:
                raise _AttributeError(f"{args[1]} is not available in the sandbox")
            if _len(args) > 1 and args[1] == "__defaults__" and _id(args[0]) in _secret:
                raise _AttributeError("the sandbox's own functions cannot be inspected")
            return
        if event in _attribute_events:
            if _id(args[0]) in _protected:
                raise _PermissionError("the standard library cannot be changed that way in the sandbox")
            return
        if event in _frame_events:
            # AttributeError, as on a Python without frames: typing and collections fall back quietly.
            raise _AttributeError(f"{event} is not available in the sandbox")
        if event in _refused or event.startswith("socket.") or event.startswith("ctypes."):
            raise _PermissionError(f"{event} is not allowed in the sandbox")

    return audit


def lockdown():
    """Cuts the interpreter off from the JS host and records the state every test starts from."""
    global _baseline
    for name in WARM_MODULES:
        __import__(name)
    exposed = _exposed_namespace()
    _install_compat_shims(exposed)
    # Every allowed compiled-in module is created now; afterwards _imp cannot create any (see the top comment).
    for name in sys.builtin_module_names:
        if name.partition(".")[0] not in BLOCKED_ROOTS and name not in sys.modules:
            try:
                __import__(name)
            except ImportError:
                pass
    _imp.create_builtin = exposed["refuse_module_creation"]
    _imp.create_dynamic = exposed["refuse_module_creation"]
    # Pyodide's own finders (JsFinder, which imports JS objects, and a path fixer) go with its modules below.
    for finder in list(sys.meta_path):
        owner = getattr(finder, "__module__", None) or getattr(type(finder), "__module__", "")
        if _type(owner) is str and owner.partition(".")[0] in ("_pyodide", "pyodide"):
            getattr(finder, "jsproxies", {}).clear()
            sys.meta_path.remove(finder)
    sys.meta_path.insert(0, exposed["SandboxImportBlocker"]())
    for name in list(sys.modules):
        if name.partition(".")[0] in BLOCKED_ROOTS:
            del sys.modules[name]
    posix = sys.modules.get("posix")
    for name in PROCESS_FUNCTIONS:
        for module in (os, posix):
            if module is not None and hasattr(module, name):
                setattr(module, name, exposed["refuse_process"])
    _clear_pyodide_internals()
    _refuse_js_construction(exposed["refuse_js_object"])
    # Pyodide copies the host program's path into "_"; nothing of the host environment stays.
    os.environ.clear()
    os.environ.update(CLEAN_ENVIRON)
    os.chdir(HOME)
    # The prefix's `from typing import *` makes some of typing's names on first use: make them now, so they are
    # part of the baseline rather than changes that every test would have to undo.
    exec(_prefix_code, _fresh_namespace())
    original_get_objects = gc.get_objects
    gc.get_objects = exposed["gc_get_objects"]
    gc.collect()

    # Built-in and immutable types can only be changed through their real dict, which gc.get_objects hides
    # (below); classes written in Python take plain assignments, so theirs are checked before every test.
    all_class_dicts = [(cls, _real_dict(cls)) for cls in _all_classes()]
    all_class_dicts = [(cls, d) for cls, d in all_class_dicts if d is not None]
    class_dicts = [
        (cls, d) for cls, d in all_class_dicts
        if _type_flags(cls) & _Py_TPFLAGS_HEAPTYPE and not _type_flags(cls) & _Py_TPFLAGS_IMMUTABLETYPE
        and _watched(getattr(cls, "__module__", None))
    ]
    modules = [m for m in sys.modules.values() if m is not None and _type(getattr(m, "__dict__", None)) is dict]
    module_dicts = [m.__dict__ for m in modules]
    # Containers and objects that modules and classes keep at top level (sys.path, copyreg.dispatch_table, re's
    # cache, json's default decoder...), the keyword defaults of functions and the exposed functions' globals:
    # put back one level deep.
    containers = {_id(exposed): exposed}
    unwatched = {}
    instances = {}
    watched_dicts = {_id(m.__dict__) for m in modules if _watched(m.__name__)} | {_id(d) for _, d in class_dicts}
    for d in module_dicts + [d for _, d in all_class_dicts]:
        found = containers if _id(d) in watched_dicts else unwatched
        for value in list(d.values()):
            kind = _type(value)
            if kind is dict or kind is list or kind is set:
                found[_id(value)] = value
            elif kind is _FunctionType:
                if _type(value.__kwdefaults__) is dict:
                    found[_id(value.__kwdefaults__)] = value.__kwdefaults__
            elif kind is not _ModuleType and not _isinstance(value, type):
                inner = _instance_dict(value)
                if inner is not None:
                    found[_id(inner)] = inner
                    instances[_id(value)] = value
    for found in (containers, unwatched):
        found.pop(_id(_builtins_dict), None)
        found.pop(_id(getattr(os.environ, "_data", None)), None)  # os.environ is reset on its own
        for d in module_dicts:
            found.pop(_id(d), None)
    for key in containers:
        unwatched.pop(key, None)
    container_values = list(containers.values())
    functions = tuple(o for o in original_get_objects() if _type(o) is _FunctionType)
    harness_globals = globals()
    secret = frozenset(
        _id(f) for f in functions if f.__globals__ is harness_globals or f.__globals__ is exposed
    )
    protected = frozenset(map(_id, functions)) | frozenset(map(_id, modules)) | frozenset(instances)
    decimal = sys.modules["decimal"]
    hook = _make_audit_hook(protected, secret)

    _baseline = {
        "modules": _snapshot(module_dicts, modules),
        "classes": _snapshot([d for _, d in class_dicts], [cls for cls, _ in class_dicts]),
        "dicts": _snapshot([c for c in container_values if _type(c) is dict]),
        # Containers of other modules: only their sizes are compared (cheap, and catches most tampering).
        "unwatched": tuple(unwatched.values()),
        "unwatched_sizes": tuple(map(_len, unwatched.values())),
        "lists": _list_snapshot([c for c in container_values if _type(c) is list]),
        "sets": tuple((c, tuple(c), frozenset(map(_id, c))) for c in container_values if _type(c) is set),
        "recursion_limit": sys.getrecursionlimit(),
        "int_max_str_digits": sys.get_int_max_str_digits(),
        "gc_threshold": gc.get_threshold(),
        "files": _file_tree(),
        "fds": _open_fds(),
        "umask": os.umask(0o022),
        "streams": tuple((name, getattr(sys, name)) for name in STREAM_NAMES),
        "decimal": (decimal, decimal.Context(), decimal.DefaultContext.copy()),
        # Kept alive so that their ids stay theirs, and hidden: harness functions lead to this module's globals.
        "functions": functions + (hook,),
    }
    os.umask(_baseline["umask"])
    _file_marks.update((path, _fingerprint(path)) for path in _baseline["files"])

    # gc.get_objects stays (solutions call gc functions; the test suite digs up _pyodide_core with it) but leaves
    # out this module's globals, functions and state, which would otherwise let a program rewire the harness.
    hidden = {_id(harness_globals), _id(_baseline), _id(_graveyard), _id(original_get_objects), _id(hook)}
    hidden.update(_id(value) for value in _baseline.values())
    hidden.update(_id(value) for value in harness_globals.values() if _type(value) in (dict, list, set))
    hidden.update(
        _id(o) for o in original_get_objects() if _type(o) is _FunctionType and o.__globals__ is harness_globals
    )
    hidden.update(_id(c) for c in _baseline["decimal"][1:])
    # The interned-strings table (names only, but clearing it would unsettle every later test).
    hidden.update(
        _id(o) for o in original_get_objects()
        if _type(o) is dict and _len(o) > 1000 and all(k is v for k, v in itertools.islice(o.items(), 50))
    )
    checked = {_id(d) for _, d in class_dicts}
    hidden.update(_id(d) for _, d in all_class_dicts if _id(d) not in checked)
    secrets = (original_get_objects, hidden, types.FrameType)
    hidden.update((_id(secrets), _id(hidden)))
    gc.get_objects.__defaults__ = (None, secrets, id, type)
    hidden.add(_id(gc.get_objects.__defaults__))
    sys.addaudithook(hook)


def _watched(module_name):
    return _type(module_name) is str and (
        module_name in WATCHED_MODULES or module_name.partition(".")[0] in WATCHED_MODULES
    )


def _restore_class(cls, current, saved):
    flags = _type_flags(cls)
    if flags & _Py_TPFLAGS_HEAPTYPE and not flags & _Py_TPFLAGS_IMMUTABLETYPE:
        def put(key, value):
            try:
                _type_setattr(cls, key, value)  # keeps the C slots (__eq__, __hash__...) in step with the dict
            except (TypeError, AttributeError):
                current[key] = value

        def drop(key):
            try:
                _type_delattr(cls, key)
            except (TypeError, AttributeError):
                del current[key]

        _restore_dict(current, saved, put, drop)
    else:
        _restore_dict(current, saved)


def _restore_decimal(decimal, pristine, default):
    # The decimal context is per-thread C state: a program's `getcontext().prec = 50` would outlive it.
    decimal.setcontext(pristine.copy())
    template = decimal.DefaultContext
    for name in ("prec", "rounding", "Emin", "Emax", "capitals", "clamp"):
        if getattr(template, name) != getattr(default, name):
            setattr(template, name, getattr(default, name))


def _restore():
    """Undoes what earlier programs may have changed in the shared interpreter, so the next test starts clean.
    What it takes out goes to the graveyard: nothing a program made is freed (and finalized) while it works."""
    # Builtins first, with no name lookups that a patched builtins module could answer.
    _graveyard.extend(_dict_values(_builtins_dict))
    _dict_clear(_builtins_dict)
    _dict_update(_builtins_dict, _saved_builtins)
    base = _baseline
    # sys.modules, sys.path and the like are among the watched containers below.
    if not _unchanged(base["modules"]):
        for _owner, current, saved in _changed(base["modules"]):
            _restore_dict(current, saved)
    if not _unchanged(base["classes"]):
        for cls, current, saved in _changed(base["classes"]):
            _restore_class(cls, current, saved)
        _clear_type_cache()  # pyright: ignore[reportDeprecated]
    if not _unchanged(base["dicts"]):
        for _owner, current, saved in _changed(base["dicts"]):
            _restore_dict(current, saved)
    lists, sizes, items = base["lists"]
    if tuple(map(_len, lists)) != sizes or not all(map(_is, _chain(lists), items)):
        start = 0
        for current, size in zip(lists, sizes):
            saved = items[start:start + size]
            start += size
            if _len(current) != size or not all(map(_is, current, saved)):
                _graveyard.extend(current)
                current[:] = saved
    for current, saved, saved_ids in base["sets"]:
        if _len(current) != _len(saved) or frozenset(map(_id, current)) != saved_ids:
            _graveyard.extend(current)
            current.clear()
            current.update(saved)
    _setrecursionlimit(base["recursion_limit"])
    _set_int_max_str_digits(base["int_max_str_digits"])
    _gc_enable()
    _gc_set_threshold(*base["gc_threshold"])
    gc.set_debug(0)
    if _getsignal(_SIGINT) is not _default_int_handler:
        _signal(_SIGINT, _default_int_handler)
    for tool in range(6):
        if sys.monitoring.get_tool(tool) is not None:
            sys.monitoring.clear_tool_id(tool)
            sys.monitoring.free_tool_id(tool)
    _restore_decimal(*base["decimal"])
    if dict(os.environ) != CLEAN_ENVIRON:
        os.environ.clear()
        os.environ.update(CLEAN_ENVIRON)
    os.umask(base["umask"])
    try:
        os.chdir(HOME)
    except OSError:
        pass


def _fingerprint(path):
    try:
        stat = _os_stat(path, follow_symlinks=False)
    except _OSError:
        return None
    return (stat.st_mode, stat.st_size, stat.st_mtime_ns)


def _tidy_files():
    """Removes files and folders a program created; True when it changed or removed ones that were there.
    Creating anything changes its folder's mtime, so a stat of each original path usually settles it."""
    base = _baseline
    marks = _file_marks
    for fd in _open_fds() - base["fds"]:
        try:
            if _int(fd) > 2:
                _os_close(_int(fd))
        except (_OSError, _ValueError):
            pass
    if _all(_fingerprint(path) == mark for path, mark in _dict_items(marks)):
        return False
    now = _file_tree()
    originals = base["files"]
    damaged = False
    for path in _sorted([p for p in now if p not in originals], key=_len, reverse=True):
        try:
            if _S_ISDIR(now[path][0]):
                _os_rmdir(path)  # deepest first, so folders are empty by now
            else:
                _os_unlink(path)
        except _OSError:
            damaged = True
    for path, (mode, size, mtime) in _dict_items(originals):
        current = _fingerprint(path)
        if current is None or current[0] != mode or (not _S_ISDIR(mode) and current[1:] != (size, mtime)):
            damaged = True
    _dict_clear(marks)
    for path in originals:
        marks[path] = _fingerprint(path)
    return damaged


STREAM_NAMES = ("stdin", "stdout", "stderr", "__stdin__", "__stdout__", "__stderr__")
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
            if stream is not None:
                stream.flush()
        except BaseException:
            pass


def _short(text):
    text = text.strip()
    return text if _len(text) <= DETAIL_CHARS else text[: DETAIL_CHARS - 1] + "…"


def _solution_line(error):
    """The line of the deepest solution frame in the traceback (solution lines are offset by LINE_OFFSET)."""
    line = None
    tb = error.__traceback__
    while tb is not None:
        lineno = tb.tb_lineno
        if _type(lineno) is int and lineno > LINE_OFFSET:
            line = lineno - LINE_OFFSET
        tb = tb.tb_next
    return line


def _describe(error):
    """'ErrorClass: message (line N)', the line being the deepest frame in the solution."""
    line = _solution_line(error)
    name = _type_name(_type(error))
    try:
        text = _str(error)
    except BaseException:
        text = ""
    if _type(text) is not str:
        text = ""
    message = f"{name}: {text}" if text else name
    return _short(message + (f" (line {line})" if line is not None else ""))


def _is_size_overflow(error):
    # wasm32 has 32-bit sizes: `[0] * 10**10` is an OverflowError here where 64-bit CPython raises MemoryError.
    return _type(error) is OverflowError and any(
        phrase in _str(error) for phrase in ("index-sized integer", "C ssize_t", "too long")
    )


def _classify(error, ms):
    kind = _type(error)
    if _issubclass(kind, KeyboardInterrupt):
        # The worker only ever interrupts when the time limit (or the output cap) is reached.
        return {"status": "time_limit", "ms": ms}
    if _issubclass(kind, MemoryError) or _is_size_overflow(error):
        return {"status": "memory_limit", "detail": _describe(error), "ms": ms}
    return {"status": "runtime_error", "detail": _describe(error), "ms": ms}


def _shift_lines(code):
    consts = tuple(_shift_lines(c) if _type(c) is _CodeType else c for c in code.co_consts)
    return code.replace(co_firstlineno=code.co_firstlineno + LINE_OFFSET, co_consts=consts)


def _compile(code):
    try:
        return _shift_lines(compile(code, SOLUTION_FILE, "exec")), None
    except (SyntaxError, ValueError, OverflowError, MemoryError, RecursionError) as error:
        if _isinstance(error, SyntaxError):
            where = f" (line {error.lineno})" if error.lineno else ""
            detail = f"{_type_name(_type(error))}: {error.msg}{where}"
        else:
            detail = f"{_type_name(_type(error))}: {error}"
        return None, {"status": "compile_error", "detail": _short(detail)}


def _fresh_namespace():
    return {"__name__": "__main__", "__builtins__": builtins, "__file__": SOLUTION_FILE}


class _NotPlain(Exception):
    pass


def _plain_json(value, depth=0):
    """The JSON text of a value made only of JSON's types (tuples count as lists), read through the base types'
    own methods so that none of the program's methods runs; raises _NotPlain for anything else."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if depth > MAX_JSON_DEPTH:
        raise _NotPlain("nested too deeply")
    kind = _type(value)
    if _issubclass(kind, int):
        return _int_repr(value)
    if _issubclass(kind, float):
        if not _isfinite(value):
            raise _NotPlain("not a finite number")
        return _float_repr(value)
    if _issubclass(kind, str):
        return _encode_str(value)
    if _issubclass(kind, list) or _issubclass(kind, tuple):
        items = _list_iter(value) if _issubclass(kind, list) else _tuple_iter(value)
        return "[" + ", ".join([_plain_json(item, depth + 1) for item in items]) + "]"
    if _issubclass(kind, dict):
        parts = []
        for key, item in _dict_items(value):
            parts.append(_plain_key(key) + ": " + _plain_json(item, depth + 1))
        return "{" + ", ".join(parts) + "}"
    raise _NotPlain(_type_name(kind))


def _plain_key(key):
    # As json.dumps does: numbers, booleans and None become strings.
    if key is None or key is True or key is False or _issubclass(_type(key), (int, float)):
        text = _plain_json(key)
        return _encode_str(text)
    if _issubclass(_type(key), str):
        return _encode_str(key)
    raise _NotPlain("a dict key that is not a string")


def _run_stdin(program, namespace):
    start = _perf_counter()
    try:
        exec(_prefix_code, namespace)
        exec(program, namespace)
    except SystemExit:
        pass  # LiveCodeBench counts exit() as a normal end of the program.
    except BaseException as error:
        return (error, (_perf_counter() - start) * 1000)
    finally:
        _flush_stdout()
    return {"status": "completed", "ms": (_perf_counter() - start) * 1000}


def _find_function(namespace, func_name):
    solution = namespace.get("Solution")
    if _isinstance(solution, type):
        method = getattr(solution(), func_name, None)
        if callable(method):
            return method
    function = namespace.get(func_name)
    return function if callable(function) else None


def _run_functional(program, namespace, func_name, test_input):
    try:
        args = [json.loads(line) for line in test_input.split("\n")]
    except ValueError as error:
        return {"status": "runtime_error", "detail": _short(f"test data is not JSON: {error}")}
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
    except BaseException as error:
        return (error, (_perf_counter() - start) * 1000)
    finally:
        _flush_stdout()
    try:
        return {"status": "returned", "value": _plain_json(result), "ms": ms}
    except _NotPlain as reason:
        detail = _short(f"returned a value JSON cannot hold ({reason.args[0]})")
        return {"status": "wrong_answer", "detail": detail, "ms": ms}
    except RecursionError:
        return {"status": "wrong_answer", "detail": "returned a value JSON cannot hold (nested too deeply)", "ms": ms}


def _encode_outcome(outcome):
    """The outcome as JSON, written here rather than by the json module (which a program may have changed)."""
    parts = []
    for key, value in _dict_items(outcome):
        if _type(value) is str:
            text = _encode_str(value)
        elif _type(value) is bool:
            text = "true" if value else "false"
        elif _type(value) is float and _isfinite(value):
            text = _float_repr(value)
        elif _type(value) is int:
            text = _int_repr(value)
        else:
            continue
        parts.append(_encode_str(key) + ":" + text)
    return "{" + ",".join(parts) + "}"


def run_test(kind, code, test_input, func_name):
    """One test; returns a JSON string {status: completed|returned|runtime_error|..., detail?, value?, ms?}."""
    outcome = {"status": "runtime_error", "detail": "harness error"}
    try:
        # Leftovers of the previous program go now, so whatever their finalizers do is undone just below.
        del _graveyard[:]
        _restore()
        _tests_since_collect[0] += 1
        if _tests_since_collect[0] >= COLLECT_EVERY:
            _gc_collect()  # ~10 ms, so not before every test
            _tests_since_collect[0] = 0
            _restore()
        program, failure = _compile(code)
        if failure is not None:
            return _encode_outcome(failure)
        _open_std_streams()
        namespace = _fresh_namespace()
        try:
            if kind == "functional":
                outcome = _run_functional(program, namespace, func_name, test_input)
            else:
                outcome = _run_stdin(program, namespace)
        finally:
            _release(namespace)
        del program
    except BaseException as error:  # e.g. the interrupt landing in the harness itself
        outcome = (error, 0.0)
    # An interrupt still pending when the program ended (time limit or output cap reached at its last
    # instruction) may land here; the outcome is decided, so finishing is simply tried again.
    for _attempt in range(3):
        try:
            return _finish(outcome)
        except KeyboardInterrupt:
            pass
    return _finish(outcome)


def _release(namespace):
    # The program's functions refer back to its namespace, a cycle only a full collection would free; clearing
    # it frees the program's data now, so that the harness has memory to report a memory limit, and so that it
    # cannot count against the next test's.
    try:
        namespace.clear()
    except BaseException:
        pass


def _finish(outcome):
    if _type(outcome) is _tuple:
        error, ms = outcome
        try:
            outcome = _classify(error, ms)
        except KeyboardInterrupt:
            raise
        except BaseException as failure:  # a hostile exception
            outcome = {"status": "runtime_error", "detail": _short(_type_name(_type(failure))), "ms": ms}
    # The baseline's streams go back now, so that the next restore finds sys as it left it.
    for name, stream in _baseline["streams"]:
        _setattr(sys, name, stream)
    if outcome.get("status") == "memory_limit":
        _gc_collect()
    # Damage the restore cannot undo (files the sandbox needs; containers of modules it does not watch, which
    # only a program with no business there changes): the worker is replaced.
    if _tidy_files() or _tuple(_map(_len, _baseline["unwatched"])) != _baseline["unwatched_sizes"]:
        outcome["recycle"] = True
    return _encode_outcome(outcome)
