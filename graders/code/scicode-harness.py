"""SciCode's test helpers, for a generated program run in the native sandbox (graders/code/scicode-program.ts).

SciCode's test scripts import `process_hdf5_to_tuple` from `scicode.parse.parse` and, in some test cases,
`cmp_tuple_or_list` / `are_dicts_close` from `scicode.compare.cmp`. `install(targets_json)` registers modules of
those names whose functions behave as SciCode's do (github.com/scicode-bench/SciCode, src/scicode/), except that
the targets come from JSON made by src/datasets/scicode-targets.ts out of test_data.h5, so no h5py is needed.
"""

import json
import sys
import types

import numpy as np


def _scalar(value, dtype):
    if dtype.kind == "c":
        return complex(float(value[0]), float(value[1]))
    if dtype.kind == "f":
        return float(value)  # "nan", "inf" and "-inf" arrive as strings
    if dtype.kind == "b":
        return bool(value)
    if dtype.kind in "iu":
        return int(value)  # int64 beyond 2**53 arrives as its digits
    return value


def _array(node):
    if node["dtype"] == "str":
        values = np.array(node["data"])
    else:
        dtype = np.dtype(node["dtype"])
        values = np.array([_scalar(v, dtype) for v in node["data"]], dtype=dtype)
    values = values.reshape(node["shape"])
    # h5py's dataset[()] gives a numpy scalar for a scalar dataset, an array otherwise.
    return values[()] if node["shape"] == [] else values


def _sparse(parts):
    import scipy.sparse  # here, not at the top: most steps have no sparse target and scipy takes a second to load

    data = _value(parts["data"])
    shape = tuple(_value(parts["shape"]))
    if "row" in parts and "col" in parts:
        return scipy.sparse.coo_matrix((data, (_value(parts["row"]), _value(parts["col"]))), shape=shape)
    if "blocksize" in parts:
        return scipy.sparse.bsr_matrix(
            (data, _value(parts["indices"]), _value(parts["indptr"])),
            shape=shape,
            blocksize=tuple(_value(parts["blocksize"])),
        )
    return scipy.sparse.csr_matrix((data, _value(parts["indices"]), _value(parts["indptr"])), shape=shape)


def _dict(entries):
    out = {}
    for entry in entries:
        value = _value(entry["value"])
        key = entry["key"]
        if entry["floatKey"]:
            try:
                key = float(key)
            except ValueError:
                pass
        out[key] = value
    return out


def _value(node):
    kind = node["kind"]
    if kind == "str":
        return node["value"]
    if kind == "array":
        return _array(node)
    if kind == "list":
        return [_value(item) for item in node["items"]]
    if kind == "dict":
        return _dict(node["entries"])
    if kind == "sparse":
        return _sparse(node["parts"])
    if kind == "tuple":
        return tuple(_value(item) for item in node["items"])
    raise ValueError(f"unknown target node {kind!r}")


def _dicts_close(dict1, dict2, atol=1e-8, rtol=1e-5):
    """scicode.compare.cmp.are_dicts_close: same keys; strings and symbols equal; the rest np.allclose."""
    dict1 = _symbols_as_strings(dict1)
    dict2 = _symbols_as_strings(dict2)
    if dict1.keys() != dict2.keys():
        return False
    for key in dict1:
        value1, value2 = dict1[key], dict2[key]
        if isinstance(value1, str) or _is_symbol(value1):
            if not value1 == value2:
                return False
        elif _is_sparse(value1, ("csr_matrix", "csc_matrix", "bsr_matrix", "coo_matrix")):
            if not np.allclose(value1.toarray(), value2.toarray(), atol=atol, rtol=rtol):
                return False
        else:
            try:
                if not np.allclose(value1, value2, atol=atol, rtol=rtol):
                    return False
            except ValueError:
                if not value1 == value2:
                    return False
    return True


def _is_sparse(value, kinds):
    """A scipy sparse matrix of these kinds; without scipy.sparse loaded, nothing can be one."""
    sparse = sys.modules.get("scipy.sparse")
    return sparse is not None and isinstance(value, tuple(getattr(sparse, kind) for kind in kinds))


def _is_symbol(value):
    sympy = sys.modules.get("sympy")
    return sympy is not None and isinstance(value, sympy.Symbol)


def _symbols_as_strings(mapping):
    out = {}
    for key, value in mapping.items():
        out[str(key) if _is_symbol(key) else key] = str(value) if _is_symbol(value) else value
    return out


def _tuples_close(var1, var2):
    """scicode.compare.cmp.cmp_tuple_or_list: element by element, np.allclose with numpy's default tolerances."""
    if len(var1) != len(var2):
        return False
    for v1, v2 in zip(var1, var2):
        if isinstance(v1, dict):
            if not _dicts_close(v1, v2):
                return False
        elif _is_sparse(v1, ("csr_matrix", "csc_matrix")):
            if not np.allclose(v1.toarray(), v2.toarray()):
                return False
        elif isinstance(v1, bool):
            if not v1 == v2:
                return False
        else:
            try:
                if not np.allclose(v1, v2):
                    return False
            except ValueError:
                if not v1 == v2:
                    return False
    return True


def install(targets_json, step_id):
    targets = [_value(node) for node in json.loads(targets_json)]

    def process_hdf5_to_tuple(wanted_step, test_num, h5py_file=None):
        if wanted_step != step_id or test_num > len(targets):
            raise KeyError(f"targets for {wanted_step} test1..{test_num} were not provided")
        return targets[:test_num]

    def module(name, **functions):
        mod = types.ModuleType(name)
        mod.__dict__.update(functions)
        sys.modules[name] = mod
        return mod

    root = module("scicode")
    root.parse = module("scicode.parse")
    root.parse.parse = module("scicode.parse.parse", process_hdf5_to_tuple=process_hdf5_to_tuple)
    root.compare = module("scicode.compare")
    root.compare.cmp = module(
        "scicode.compare.cmp",
        are_dicts_close=_dicts_close,
        cmp_tuple_or_list=_tuples_close,
        are_csc_matrix_close=lambda m1, m2: np.allclose(m1.toarray(), m2.toarray()),
        process_symbol_in_dict=_symbols_as_strings,
    )
