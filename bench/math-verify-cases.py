"""
Math-Verify's own test cases as JSON, for test/graders/math/math-verify-ported.test.ts and the math-agreement
bench (issue 14). Reads the `@pytest.mark.parametrize` tables of a huggingface/Math-Verify checkout's tests/ (at
5d148cf when the figures in BENCHMARKS.md were taken) and writes one case per entry: id (`file::function[index]`),
line, gold, pred, expected, the extraction targets the test function gives Math-Verify (`match_types`), and the
options a case sets. The cases stay outside this repository; point QUANTEVAL_MATH_VERIFY_CASES at the output:

    python3 bench/math-verify-cases.py <Math-Verify>/tests > /tmp/math-verify-cases.json

Entries are read as Python evaluates them (string literals, and the f-strings of test_float_precision, which need
`math`); nothing else of Math-Verify runs.
"""
import ast
import json
import math
import sys

FILES = ["test_all.py", "test_boxed.py", "test_numina_cases.py", "test_open_thoughts.py", "test_yujianll.py",
         "test_strict.py"]
DEFAULT_MATCH_TYPES = ["latex", "expr"]


def call_options(function):
    """match_types and literal keyword options of the test's compare_strings(...) call."""
    options = {"matchTypes": DEFAULT_MATCH_TYPES}
    for node in ast.walk(function):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "compare_strings":
            for keyword in node.keywords:
                if keyword.arg == "match_types":
                    options["matchTypes"] = ast.literal_eval(keyword.value)
                elif keyword.arg in ("precision", "strict") and isinstance(keyword.value, ast.Constant):
                    options[keyword.arg] = keyword.value.value
    return options


def cases(tests_dir):
    out = []
    for file in FILES:
        with open(f"{tests_dir}/{file}", encoding="utf8") as handle:
            tree = ast.parse(handle.read())
        for function in tree.body:
            if not isinstance(function, ast.FunctionDef):
                continue
            options = call_options(function)
            for decorator in function.decorator_list:
                if not (isinstance(decorator, ast.Call) and getattr(decorator.func, "attr", "") == "parametrize"):
                    continue
                names = [name.strip() for name in ast.literal_eval(decorator.args[0]).split(",")]
                for index, element in enumerate(decorator.args[1].elts):
                    values = eval(compile(ast.Expression(element), file, "eval"), {"math": math, "__builtins__": {}})
                    row = dict(zip(names, values))
                    case = {"id": f"{file[:-3]}::{function.name}[{index}]", "line": element.lineno,
                            "matchTypes": options["matchTypes"]}
                    for extra in ("precision", "strict"):
                        if extra in options:
                            case[extra] = options[extra]
                    for extra in ("precision", "strict", "allow_set_relation_comp"):
                        if extra in row:
                            case[extra] = row[extra]
                    case.update({"expected": bool(row.get("expected", row.get("result"))),
                                 "gold": row["gold"], "pred": row["pred"]})
                    out.append(case)
    return out


if __name__ == "__main__":
    json.dump(cases(sys.argv[1]), sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")
