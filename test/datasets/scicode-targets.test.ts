/**
 * SciCode's targets from an HDF5 file in test_data.h5's layout (written by our fixture script with h5wasm): each
 * node kind that process_hdf5_to_tuple returns, and the files and paths it cannot read.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { DatasetFormatError } from "../../src/core/errors.ts";
import { readScicodeTargets } from "../../src/datasets/scicode-targets.ts";
import { writeScicodeTargets } from "../fixtures/make-scicode-fixtures.ts";

const dir = mkdtempSync(join(tmpdir(), "qe-scicode-h5-"));
const H5 = join(dir, "test_data.h5");
beforeAll(() => writeScicodeTargets(H5));

describe("readScicodeTargets", () => {
  test("one variable is the target itself: arrays keep dtype and shape, scalars have shape []", async () => {
    expect(await readScicodeTargets(H5, "1.1", 2)).toEqual([
      { kind: "array", dtype: "float64", shape: [2], data: [1, 9] },
      { kind: "array", dtype: "float64", shape: [2, 2], data: [1, 4, 0, 0.25] },
    ]);
    expect(await readScicodeTargets(H5, "1.3", 1)).toEqual([{ kind: "array", dtype: "int64", shape: [], data: [2] }]);
  });

  test("several variables are a tuple in name order", async () => {
    const [first] = await readScicodeTargets(H5, "1.2", 1);
    expect(first).toEqual({
      kind: "tuple",
      items: [
        { kind: "array", dtype: "float64", shape: [1], data: [1] },
        { kind: "array", dtype: "float64", shape: [], data: [196.2] },
      ],
    });
  });

  test("strings, dicts (numeric values get float keys), sparse matrices, complex numbers and lists", async () => {
    expect(await readScicodeTargets(H5, "2.1", 2)).toEqual([
      { kind: "str", value: "solid" },
      { kind: "str", value: "liquid" },
    ]);
    expect(await readScicodeTargets(H5, "2.2", 1)).toEqual([
      {
        kind: "dict",
        entries: [
          { key: "300.0", floatKey: true, value: { kind: "array", dtype: "float64", shape: [], data: [73.15] } },
          { key: "350.0", floatKey: true, value: { kind: "array", dtype: "float64", shape: [], data: [23.15] } },
        ],
      },
    ]);
    const [sparse] = await readScicodeTargets(H5, "2.3", 1);
    expect(sparse).toMatchObject({
      kind: "sparse",
      parts: {
        data: { dtype: "float64", data: [-2, 1, 1, -2, 1, 1, -2] },
        indices: { dtype: "int32", data: [0, 1, 0, 1, 2, 1, 2] },
        indptr: { dtype: "int32", data: [0, 2, 5, 7] },
        shape: { dtype: "int64", data: [3, 3] },
      },
    });
    expect(await readScicodeTargets(H5, "2.4", 2)).toEqual([
      { kind: "array", dtype: "complex128", shape: [], data: [[0, 2]] },
      {
        kind: "list",
        items: [
          { kind: "array", dtype: "complex128", shape: [], data: [[1, 0]] },
          { kind: "array", dtype: "float64", shape: [2], data: [1, 2] },
        ],
      },
    ]);
  });

  test("a step or test the file lacks, and a file that is not HDF5, are format errors naming the place", async () => {
    await expect(readScicodeTargets(H5, "9.9", 1)).rejects.toThrow(/9\.9\/test1: no such group/);
    await expect(readScicodeTargets(H5, "1.3", 2)).rejects.toThrow(/1\.3\/test2: no such group/);
    const notH5 = join(dir, "not.h5");
    writeFileSync(notH5, "PAR1 this is not an HDF5 file");
    await expect(readScicodeTargets(notH5, "1.1", 1)).rejects.toThrow(DatasetFormatError);
    await expect(readScicodeTargets(join(dir, "gone.h5"), "1.1", 1)).rejects.toThrow(/gone since loading/);
  });
});
