/**
 * SciCode's numeric targets: `test_data.h5` (from the authors' Google Drive, not the hub), read with h5wasm, the
 * HDF5 C library compiled to WebAssembly. Its Node build reads the file in place (no copy into memory), which
 * matters for a file of this size; jsfive would need the whole file as one buffer.
 *
 * The layout is what SciCode's `process_hdf5_to_tuple` (src/scicode/parse/parse.py) reads: `<step>/test<k>/` holds
 * one dataset or group per variable; one variable is the target itself, several are a tuple in name order. A group
 * is a list (first key "list"), a sparse matrix (first key "sparse_matrix"), or a dict. Each target is turned into
 * a JSON tree (TargetNode) that the Python harness (graders/code/scicode-harness.py) rebuilds into the same numpy,
 * scipy and str values, because the sandbox's Python need not have h5py.
 */
import { existsSync } from "node:fs";
import h5wasm from "h5wasm/node";
import { DatasetFormatError } from "../core/errors.ts";

/** A float that JSON cannot hold (nan, inf, -inf) travels as its Python spelling; a big int64 as its digits. */
type JsonScalar = number | string | boolean;

export type TargetNode =
  | { kind: "str"; value: string }
  | { kind: "array"; dtype: string; shape: number[]; data: (JsonScalar | [JsonScalar, JsonScalar])[] }
  | { kind: "list"; items: TargetNode[] }
  /** `floatKey`: SciCode turns the key into a float when it parses as one (plain datasets only). */
  | { kind: "dict"; entries: { key: string; floatKey: boolean; value: TargetNode }[] }
  | { kind: "sparse"; parts: Record<string, TargetNode> }
  | { kind: "tuple"; items: TargetNode[] };

// HDF5's type classes (H5T_class_t), as h5wasm reports them in Metadata.type.
const H5T_INTEGER = 0;
const H5T_FLOAT = 1;
const H5T_STRING = 3;
const H5T_COMPOUND = 6;
const H5T_ENUM = 8;

type H5File = InstanceType<typeof h5wasm.File>;
type H5Group = InstanceType<typeof h5wasm.Group>;
type H5Dataset = InstanceType<typeof h5wasm.Dataset>;

/** The targets of one sub-step's tests, `<step>/test1` … `<step>/test<count>`, as JSON for the harness. */
export async function readScicodeTargets(file: string, stepId: string, count: number): Promise<TargetNode[]> {
  if (!existsSync(file)) throw new DatasetFormatError(file, "the SciCode targets file is gone since loading");
  await h5wasm.ready;
  let h5: H5File | undefined;
  try {
    h5 = new h5wasm.File(file, "r");
    const opened = h5;
    return Array.from({ length: count }, (_v, index) => {
      const path = `${stepId}/test${index + 1}`;
      // Looked up level by level: h5wasm's get() of a missing path prints HDF5's error stack on stderr.
      const step = opened.keys().includes(stepId) ? opened.get(stepId) : null;
      const test = `test${index + 1}`;
      const group = step instanceof h5wasm.Group && step.keys().includes(test) ? step.get(test) : null;
      if (!(group instanceof h5wasm.Group))
        throw new DatasetFormatError(`${file}: ${path}`, "no such group (is this SciCode's test_data.h5?)");
      const keys = sortedKeys(group);
      const values = keys.map((key) => nodeOf(group, key, `${file}: ${path}/${key}`));
      const [only] = values;
      return values.length === 1 && only !== undefined ? only : { kind: "tuple", items: values };
    });
  } catch (error) {
    if (error instanceof DatasetFormatError) throw error;
    // h5wasm opens a file that is not HDF5 without complaint and fails on the first read, with a bare message.
    throw new DatasetFormatError(file, `not an HDF5 file h5wasm can read (${messageOf(error)})`, { cause: error });
  } finally {
    h5?.close();
  }
}

/**
 * h5py iterates a group in name order (SciCode's file does not track creation order); sorting here makes that
 * explicit whatever order h5wasm lists links in.
 */
function sortedKeys(group: H5Group): string[] {
  return [...group.keys()].sort();
}

function nodeOf(parent: H5Group, key: string, where: string): TargetNode {
  const entity = parent.get(key);
  if (entity instanceof h5wasm.Dataset) return datasetNode(entity, where);
  if (entity instanceof h5wasm.Group) return groupNode(entity, where);
  throw new DatasetFormatError(where, "neither a dataset nor a group");
}

/** process_hdf5_datagroup: only the first key decides. */
function groupNode(group: H5Group, where: string): TargetNode {
  const keys = sortedKeys(group);
  if (keys[0] === "list") {
    const list = group.get("list");
    if (!(list instanceof h5wasm.Group)) throw new DatasetFormatError(`${where}/list`, "not a group");
    return { kind: "list", items: sortedKeys(list).map((k) => nodeOf(list, k, `${where}/list/${k}`)) };
  }
  if (keys[0] === "sparse_matrix") return sparseNode(group, where);
  return {
    kind: "dict",
    entries: keys.map((key) => {
      const entity = group.get(key);
      if (entity instanceof h5wasm.Group) return { key, floatKey: false, value: sparseNode(entity, `${where}/${key}`) };
      const value = nodeOf(group, key, `${where}/${key}`);
      return { key, floatKey: value.kind !== "str", value };
    }),
  };
}

function sparseNode(group: H5Group, where: string): TargetNode {
  const matrix = group.get("sparse_matrix");
  if (!(matrix instanceof h5wasm.Group)) throw new DatasetFormatError(`${where}/sparse_matrix`, "not a group");
  const parts: Record<string, TargetNode> = {};
  for (const key of sortedKeys(matrix)) parts[key] = nodeOf(matrix, key, `${where}/sparse_matrix/${key}`);
  return { kind: "sparse", parts };
}

function datasetNode(dataset: H5Dataset, where: string): TargetNode {
  const { metadata } = dataset;
  const shape = dataset.shape ?? [];
  const value = dataset.value;
  if (metadata.type === H5T_STRING) {
    if (typeof value === "string") return { kind: "str", value };
    if (Array.isArray(value) && value.every((v) => typeof v === "string"))
      return { kind: "array", dtype: "str", shape, data: value };
    throw new DatasetFormatError(where, "a string dataset that h5wasm did not read as strings");
  }
  const dtype = dtypeOf(metadata, where);
  // A scalar is one value (a compound scalar, too: its [r, i]); anything else comes as a flat array.
  const flat: unknown[] = shape.length === 0 ? [value] : isArrayLike(value) ? Array.from(value) : [];
  return { kind: "array", dtype, shape, data: flat.map((v) => scalarOf(v, dtype, where)) };
}

/** The numpy dtype h5py would give the dataset. */
function dtypeOf(metadata: H5Dataset["metadata"], where: string): string {
  const bits = metadata.size * 8;
  if (metadata.type === H5T_INTEGER) return `${metadata.signed ? "int" : "uint"}${bits}`;
  if (metadata.type === H5T_FLOAT) return `float${bits}`;
  if (metadata.type === H5T_ENUM) {
    // h5py stores numpy booleans as an enum {FALSE: 0, TRUE: 1}.
    const members = Object.keys(metadata.enum_type?.members ?? {}).sort();
    return members.join(",") === "FALSE,TRUE" ? "bool" : "int64";
  }
  if (metadata.type === H5T_COMPOUND) {
    // h5py stores complex numbers as a compound {r, i} of two floats.
    const names = (metadata.compound_type?.members ?? []).map((m) => m.name);
    if (names.join(",") === "r,i") return `complex${bits}`;
  }
  throw new DatasetFormatError(where, `an HDF5 type SciCode's targets do not use (class ${metadata.type})`);
}

function scalarOf(value: unknown, dtype: string, where: string): JsonScalar | [JsonScalar, JsonScalar] {
  if (dtype.startsWith("complex")) {
    if (Array.isArray(value) && value.length === 2)
      return [scalarOf(value[0], "float64", where) as JsonScalar, scalarOf(value[1], "float64", where) as JsonScalar];
    throw new DatasetFormatError(where, "a complex value that is not a (r, i) pair");
  }
  if (typeof value === "bigint") return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (typeof value === "boolean") return value;
  if (typeof value !== "number") throw new DatasetFormatError(where, `a ${typeof value} where a number was expected`);
  if (Number.isFinite(value)) return value;
  return Number.isNaN(value) ? "nan" : value > 0 ? "inf" : "-inf";
}

function isArrayLike(value: unknown): value is ArrayLike<unknown> {
  return Array.isArray(value) || ArrayBuffer.isView(value);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
