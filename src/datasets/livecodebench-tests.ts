/**
 * LiveCodeBench test fields, decoded as lcb_runner/benchmarks/code_generation.py does:
 *
 *   try:    private = json.loads(s)                      # some rows store plain JSON
 *   except: private = json.loads(pickle.loads(zlib.decompress(base64.b64decode(s))))
 *
 * with the pickle step done by the restricted `unpickleString` (it accepts one string and runs nothing).
 */
import { inflateSync } from "node:zlib";
import { DatasetFormatError } from "../core/errors.ts";
import { isRecord } from "../core/is-record.ts";
import { unpickleString } from "./pickle.ts";

export type LcbTestType = "stdin" | "functional";

export interface LcbTest {
  input: string;
  output: string;
  testtype: LcbTestType;
}

export interface LcbMetadata {
  /** Method of `class Solution` that functional tests call; absent for stdin problems. */
  funcName?: string;
}

/** Bound on the inflated pickle: a corrupt or hostile blob cannot make us allocate more than this. */
const MAX_INFLATED_BYTES = 1024 * 1024 * 1024;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** `private_test_cases`: plain JSON, or base64(zlib(pickle(JSON string))). */
export function decodeLcbTests(field: string, where: string): LcbTest[] {
  const plain = tryJson(field);
  if (plain.ok) return validateTests(plain.value, where);
  const compressed = decodeBase64(field, where);
  let pickled: Buffer;
  try {
    pickled = inflateSync(compressed, { maxOutputLength: MAX_INFLATED_BYTES });
  } catch (error) {
    throw new DatasetFormatError(
      where,
      `private tests are neither JSON nor zlib data after base64 (${messageOf(error)})`,
      { cause: error },
    );
  }
  const json = unpickleString(pickled, where);
  const parsed = tryJson(json);
  if (!parsed.ok)
    throw new DatasetFormatError(where, `the unpickled private tests are not JSON: ${messageOf(parsed.error)}`, {
      cause: parsed.error,
    });
  return validateTests(parsed.value, where);
}

/** `public_test_cases`: a JSON string of the same shape as the decoded private tests. */
export function parseLcbPublicTests(field: string, where = "public_test_cases"): LcbTest[] {
  const parsed = tryJson(field);
  if (!parsed.ok)
    throw new DatasetFormatError(where, `public tests are not JSON: ${messageOf(parsed.error)}`, {
      cause: parsed.error,
    });
  return validateTests(parsed.value, where);
}

/** `metadata`: a JSON object, `{}` for stdin problems and `{"func_name": "..."}` for LeetCode ones. */
export function parseLcbMetadata(field: string, where = "metadata"): LcbMetadata {
  const parsed = tryJson(field);
  if (!parsed.ok)
    throw new DatasetFormatError(where, `metadata is not JSON: ${messageOf(parsed.error)}`, { cause: parsed.error });
  return metadataOf(parsed.value, where);
}

/**
 * A test field as a row handed to us may hold it: the dataset's own string (public: JSON; private: JSON or
 * base64+zlib+pickle), or the list it encodes.
 */
export function lcbTestsFrom(field: string | readonly unknown[], kind: "public" | "private", where: string): LcbTest[] {
  if (typeof field !== "string") return validateTests(field, where);
  return kind === "public" ? parseLcbPublicTests(field, where) : decodeLcbTests(field, where);
}

/** `metadata` as the dataset's JSON string or as the object it encodes. */
export function lcbMetadataFrom(field: string | Record<string, unknown>, where: string): LcbMetadata {
  return typeof field === "string" ? parseLcbMetadata(field, where) : metadataOf(field, where);
}

function metadataOf(value: unknown, where: string): LcbMetadata {
  if (!isRecord(value))
    throw new DatasetFormatError(where, `metadata is not a JSON object (got ${describeValue(value)})`);
  const funcName = value.func_name;
  // Python's `.get("func_name")` treats a missing key and null alike.
  if (funcName === undefined || funcName === null) return {};
  if (typeof funcName !== "string" || funcName === "")
    throw new DatasetFormatError(
      where,
      `metadata.func_name is not a non-empty string (got ${describeValue(funcName)})`,
    );
  return { funcName };
}

function validateTests(value: unknown, where: string): LcbTest[] {
  if (!Array.isArray(value))
    throw new DatasetFormatError(where, `tests are not a JSON array (got ${describeValue(value)})`);
  return value.map((item, index) => validateTest(item, `${where} test ${index}`));
}

function validateTest(item: unknown, where: string): LcbTest {
  if (!isRecord(item)) throw new DatasetFormatError(where, `not an object (got ${describeValue(item)})`);
  const { input, output, testtype } = item;
  if (typeof input !== "string")
    throw new DatasetFormatError(where, `"input" is not a string (got ${describeValue(input)})`);
  if (typeof output !== "string")
    throw new DatasetFormatError(where, `"output" is not a string (got ${describeValue(output)})`);
  if (testtype !== "stdin" && testtype !== "functional") {
    throw new DatasetFormatError(where, `"testtype" is not "stdin" or "functional" (got ${describeValue(testtype)})`);
  }
  return { input, output, testtype };
}

function decodeBase64(field: string, where: string): Buffer {
  // Node's decoder skips characters it does not know; check first so garbage is an error, not empty data.
  if (field.length === 0 || field.length % 4 !== 0 || !BASE64.test(field)) {
    throw new DatasetFormatError(
      where,
      `private tests are neither JSON nor base64 (starts with ${JSON.stringify(field.slice(0, 24))})`,
    );
  }
  return Buffer.from(field, "base64");
}

type JsonResult = { ok: true; value: unknown } | { ok: false; error: unknown };

function tryJson(text: string): JsonResult {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, error };
  }
}

function describeValue(value: unknown): string {
  if (value === undefined) return "nothing"; // a missing key, in a row handed to `quanteval grade code`
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === "object") return "an object";
  return `${typeof value} ${String(value)}`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
