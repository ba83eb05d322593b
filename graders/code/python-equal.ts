/**
 * LiveCodeBench's check of a functional Python test, `result == expected` with `expected = json.loads(output)`,
 * done on the host: the sandbox sends the returned value back as JSON (expected values never enter it).
 * Python's equality on JSON data: ints are exact (no 2^53 rounding), an int equals a float of the same value,
 * True == 1 and False == 0, lists and dicts compare element by element.
 */

/** A JSON number as Python's json module reads it: an int when written without a point or exponent. */
class PyFloat {
  readonly value: number;
  constructor(value: number) {
    this.value = value;
  }
}

type PyValue = null | boolean | bigint | PyFloat | string | PyValue[] | { [key: string]: PyValue };

/** JSON.parse's reviver gets the number's source text (Node 21+), which keeps big ints exact. */
type SourceReviver = (this: unknown, key: string, value: unknown, context: { source?: string }) => unknown;

function parsePython(json: string): PyValue {
  const reviver: SourceReviver = (_key, value, context) => {
    if (typeof value !== "number") return value;
    const source = context.source ?? String(value);
    return /^-?\d+$/u.test(source) ? BigInt(source) : new PyFloat(value);
  };
  return JSON.parse(json, reviver as (key: string, value: unknown) => unknown) as PyValue;
}

/** A number's value for comparison: bools are ints in Python. */
function numeric(value: PyValue): bigint | PyFloat | undefined {
  if (typeof value === "bigint" || value instanceof PyFloat) return value;
  if (typeof value === "boolean") return value ? 1n : 0n;
  return undefined;
}

function numbersEqual(a: bigint | PyFloat, b: bigint | PyFloat): boolean {
  if (typeof a === "bigint" && typeof b === "bigint") return a === b;
  if (a instanceof PyFloat && b instanceof PyFloat) return a.value === b.value;
  const [int, float] = (typeof a === "bigint" ? [a, b] : [b, a]) as [bigint, PyFloat];
  return Number.isInteger(float.value) && BigInt(float.value) === int;
}

function pyEqual(a: PyValue, b: PyValue): boolean {
  const x = numeric(a);
  const y = numeric(b);
  if (x !== undefined || y !== undefined) {
    if (typeof a === "boolean" && typeof b === "boolean") return a === b;
    return x !== undefined && y !== undefined && numbersEqual(x, y);
  }
  if (a === null || b === null || typeof a === "string" || typeof b === "string") return a === b;
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) &&
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((item, i) => pyEqual(item, b[i] as PyValue))
    );
  }
  const aRecord = a as { [key: string]: PyValue };
  const bRecord = b as { [key: string]: PyValue };
  const keys = Object.keys(aRecord);
  return (
    keys.length === Object.keys(bRecord).length &&
    keys.every((key) => Object.hasOwn(bRecord, key) && pyEqual(aRecord[key] as PyValue, bRecord[key] as PyValue))
  );
}

/** Whether the JSON a Python function returned equals the expected JSON as Python's `==` would say. */
export function pythonJsonEqual(resultJson: string, expectedJson: string): boolean {
  return pyEqual(parsePython(resultJson), parsePython(expectedJson));
}
