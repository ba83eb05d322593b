/** SciCode's code extraction and test script (graders/code/scicode-program.ts), as its own scripts do them. */
import { describe, expect, test } from "vitest";
import { extractScicodeCode, scicodeProgram, scicodeRunRule } from "../../graders/code/scicode-program.ts";

describe("extractScicodeCode (SciCode's extract_python_script)", () => {
  test.each([
    {
      name: "the first python block, not the last",
      reply: "Background: x\n```python\ndef f():\n    return 1\n```\nthen\n```python\ndef f():\n    return 2\n```",
      code: "\ndef f():\n    return 1\n",
      rule: "python-fence",
    },
    {
      name: "an unlabelled block when no python block",
      reply: "Here:\n```\ndef g():\n    return 3\n```",
      code: "\ndef g():\n    return 3\n",
      rule: "fence",
    },
    {
      name: "no fence: the whole reply",
      reply: "def h():\n    return 4",
      code: "def h():\n    return 4",
      rule: "whole-reply",
    },
    {
      name: "import lines go, indented ones too; a name that merely contains 'import' stays",
      reply: "```python\nimport numpy as np\nfrom scipy import linalg\ndef f():\n    import os\n    important = 1\n```",
      // Python's `^\s*` spans line ends, so the lines the imports stood on stay as blank lines.
      code: "\n\ndef f():\n\n    important = 1\n",
      rule: "python-fence",
    },
  ])("$name", ({ reply, code, rule }) => {
    expect(extractScicodeCode(reply)).toEqual({ code, rule });
  });
});

describe("scicodeProgram", () => {
  test("dependencies, earlier code, the code, then the targets and each test after target = targets[i]", () => {
    const program = scicodeProgram({
      stepId: "7.2",
      dependencies: "import numpy as np",
      previousCode: ["def a():\n    return 1", "def b():\n    return 2"],
      code: "def c():\n    return a() + b()",
      tests: ["assert c() == target", "assert c() + 1 == target + 1"],
      targetsJson: '[{"kind":"str","value":"é\\"\\n"}]',
    });
    expect(program.startsWith("import numpy as np\ndef a():\n    return 1\ndef b():\n    return 2\n\ndef c():")).toBe(
      true,
    );
    expect(program).toContain("from scicode.parse.parse import process_hdf5_to_tuple\n");
    expect(program).toContain(
      `targets = process_hdf5_to_tuple("7.2", 2)\ntarget = targets[0]\n\nassert c() == target\n`,
    );
    expect(program).toContain("target = targets[1]\n\nassert c() + 1 == target + 1\n");
    // The targets travel as a Python string literal with the same value as the JSON text.
    expect(program).toContain(String.raw`"[{\"kind\":\"str\",\"value\":\"é\\\"\\n\"}]"`);
  });

  test("verdicts: exit 0 passes; a failed assert, any other error and the time limit fail, each by name", () => {
    const base = { stdout: "", timedOut: false };
    expect(scicodeRunRule({ ...base, exitCode: 0, stderr: "" })).toBe("passed");
    expect(scicodeRunRule({ ...base, exitCode: 1, stderr: "Traceback …\nAssertionError\n" })).toBe("assertion-failed");
    expect(scicodeRunRule({ ...base, exitCode: 1, stderr: "Traceback …\nNameError: name 'x'\n" })).toBe(
      "runtime-error",
    );
    expect(scicodeRunRule({ ...base, exitCode: null, stderr: "", timedOut: true })).toBe("time-limit");
    // Exit 0 after a time-out kill is still a time-out.
    expect(scicodeRunRule({ ...base, exitCode: 0, stderr: "", timedOut: true })).toBe("time-limit");
  });
});
