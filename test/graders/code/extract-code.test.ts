import { describe, expect, test } from "vitest";
import { extractCode } from "../../../graders/code/extract-code.ts";

describe("extractCode", () => {
  test("the last complete block labelled for the language", () => {
    const reply = "First try:\n```python\nprint(1)\n```\nBetter:\n```python\nprint(2)\n```\nDone.";
    expect(extractCode(reply, "python")).toBe("print(2)");
  });

  test("py, python3 and an unlabelled block count as Python", () => {
    expect(extractCode("```py\nx = 1\n```", "python")).toBe("x = 1");
    expect(extractCode("```Python3\nx = 1\n```", "python")).toBe("x = 1");
    expect(extractCode("```\nx = 1\n```", "python")).toBe("x = 1");
  });

  test("js, javascript and unlabelled count as JavaScript; other languages do not", () => {
    expect(extractCode("```js\nlet a = 1;\n```", "javascript")).toBe("let a = 1;");
    expect(extractCode("```javascript\nlet a = 1;\n```\n```bash\nnode a.js\n```", "javascript")).toBe("let a = 1;");
    expect(extractCode("```python\nx = 1\n```", "javascript")).toBeUndefined();
    expect(extractCode("```text\nsample output\n```", "python")).toBeUndefined();
  });

  test("a fence left open at the end is ignored", () => {
    const reply = "```python\nprint('done')\n```\nLet me also try\n```python\nprint('cut off";
    expect(extractCode(reply, "python")).toBe("print('done')");
    expect(extractCode("```python\nprint('cut off", "python")).toBeUndefined();
  });

  test("no block at all", () => {
    expect(extractCode("The answer is print(1).", "python")).toBeUndefined();
    expect(extractCode("", "javascript")).toBeUndefined();
  });

  test("keeps indentation and blank lines inside the block", () => {
    const code = "def f(x):\n    if x:\n\n        return 1\n    return 0";
    expect(extractCode(`Here:\n\n\`\`\`python\n${code}\n\`\`\`\n`, "python")).toBe(code);
  });

  test("a block inside a list item loses the item's indentation", () => {
    const reply = "1. Code:\n   ```python\n   def f():\n       return 1\n   ```";
    expect(extractCode(reply, "python")).toBe("def f():\n    return 1");
  });

  test("longer fences and tildes; a shorter fence inside does not close it", () => {
    expect(extractCode("````python\ns = '```'\n```\nprint(s)\n````", "python")).toBe("s = '```'\n```\nprint(s)");
    expect(extractCode("~~~python\nprint(3)\n~~~", "python")).toBe("print(3)");
  });

  test("CRLF replies", () => {
    expect(extractCode("```python\r\nprint(1)\r\nprint(2)\r\n```\r\n", "python")).toBe("print(1)\nprint(2)");
  });
});
