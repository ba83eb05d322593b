import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { DatasetFormatError } from "../../src/core/errors.ts";
import { readCsvHeader, readCsvRecords } from "../../src/datasets/csv.ts";
import { type JsonlRowLocation, readJson, readJsonl, readJsonlRowAt, scanJsonl } from "../../src/datasets/jsonl.ts";
import {
  decodeLcbTests,
  type LcbTest,
  parseLcbMetadata,
  parseLcbPublicTests,
} from "../../src/datasets/livecodebench-tests.ts";
import { parquetRowCount, readParquetRows } from "../../src/datasets/parquet.ts";
import { lcbBlob } from "../fixtures/pickle-writer.ts";

const FIXTURES = join(import.meta.dirname, "..", "fixtures");
const hub = (...path: string[]): string => join(FIXTURES, "hub", ...path);
const edge = (name: string): string => join(FIXTURES, "edge", name);
/** Folder of real benchmark files (never copied into the project); the real-data tests skip without it. */
const REAL = process.env.QUANTEVAL_REAL_DATA;
const real = (...path: string[]): string => join(REAL ?? "", ...path);

const MMLU_KEYS = ["question_id", "question", "options", "answer", "answer_index", "cot_content", "category", "src"];
const LCB_KEYS = [
  "question_title",
  "question_content",
  "platform",
  "question_id",
  "contest_id",
  "contest_date",
  "starter_code",
  "difficulty",
  "public_test_cases",
  "private_test_cases",
  "metadata",
];

async function rejection(promise: Promise<unknown>): Promise<DatasetFormatError> {
  const error: unknown = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(DatasetFormatError);
  return error as DatasetFormatError;
}

function thrown(run: () => unknown): DatasetFormatError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(DatasetFormatError);
    return error as DatasetFormatError;
  }
  throw new Error("expected a DatasetFormatError, nothing was thrown");
}

function countBy<T>(items: readonly T[], key: (item: T) => string | number): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

function tempFile(name: string, content: string | Uint8Array): string {
  const file = join(mkdtempSync(join(tmpdir(), "qe-formats-")), name);
  writeFileSync(file, content);
  return file;
}

describe("readParquetRows: MMLU-Pro fixtures", () => {
  const testFile = hub("TIGER-Lab", "MMLU-Pro", "data", "test-00000-of-00001.parquet");
  const validationFile = hub("TIGER-Lab", "MMLU-Pro", "data", "validation-00000-of-00001.parquet");

  it("reads the test split with INT64 as numbers and the LIST column as string arrays", async () => {
    const rows = await readParquetRows(testFile);
    expect(rows).toHaveLength(20);
    for (const row of rows) {
      expect(Object.keys(row)).toEqual(MMLU_KEYS);
      expect(typeof row.question_id).toBe("number");
      expect(typeof row.answer_index).toBe("number");
      expect(Array.isArray(row.options)).toBe(true);
      expect((row.options as unknown[]).every((option) => typeof option === "string")).toBe(true);
      expect(row.cot_content).toBe("");
    }
    const optionCounts = new Set(rows.map((row) => (row.options as unknown[]).length));
    expect([...optionCounts].sort((a, b) => a - b)).toEqual([3, 4, 5, 6, 7, 8, 9, 10]);
    expect(countBy(rows, (row) => String(row.category))).toEqual({
      math: 6,
      physics: 5,
      chemistry: 5,
      "computer science": 4,
    });
    expect(await parquetRowCount(testFile)).toBe(20);
  });

  it("keeps the row whose answer letter disagrees with answer_index, as real qid 3983 does", async () => {
    const rows = await readParquetRows(testFile);
    const odd = rows.filter((row) => "ABCDEFGHIJ"[row.answer_index as number] !== row.answer);
    expect(odd.map((row) => [row.question_id, row.answer, row.answer_index])).toEqual([[91, "C", 1]]);
  });

  it("reads the validation split: 5 rows per category with chain-of-thought text", async () => {
    const rows = await readParquetRows(validationFile);
    expect(Object.values(countBy(rows, (row) => String(row.category)))).toEqual([5, 5, 5, 5]);
    for (const row of rows) {
      const cot = row.cot_content as string;
      expect(cot.startsWith("A: Let's think step by step.")).toBe(true);
      expect(cot.endsWith(`The answer is (${row.answer as string}).`)).toBe(true);
    }
  });

  it("reads only the columns asked for, and names a column the file lacks", async () => {
    const rows = await readParquetRows(testFile, { columns: ["question_id", "options"] });
    expect(Object.keys(rows[0] ?? {})).toEqual(["question_id", "options"]);
    const error = await rejection(readParquetRows(testFile, { columns: ["question_id", "nope"] }));
    expect(error.message).toContain('no column "nope"');
  });
});

describe("readParquetRows: AIME and HLE fixtures", () => {
  it("HuggingFaceH4/aime_2024: id is a number, answer a string that keeps its leading zeros", async () => {
    const rows = await readParquetRows(hub("HuggingFaceH4", "aime_2024", "data", "train-00000-of-00001.parquet"));
    expect(rows.map((row) => row.id)).toEqual([60, 61, 62, 63]);
    expect(rows.map((row) => row.answer)).toEqual(["016", "050", "014", "222"]);
    expect(rows.every((row) => row.year === "2024")).toBe(true);
    expect(Object.keys(rows[0] ?? {})).toEqual(["id", "problem", "solution", "answer", "url", "year"]);
  });

  it("Maxwell-Jia/AIME_2024: Answer is an INT64 read as a number", async () => {
    const rows = await readParquetRows(hub("Maxwell-Jia", "AIME_2024", "aime_2024_problems.parquet"));
    expect(rows.map((row) => [row.ID, row.Answer])).toEqual([
      ["2024-I-1", 16],
      ["2024-II-7", 50],
      ["2024-I-13", 222],
    ]);
  });

  it("cais/hle: image structs come back as {bytes: Uint8Array, path}, absent ones as null", async () => {
    const rows = await readParquetRows(hub("cais", "hle", "data", "test-00000-of-00001.parquet"));
    expect(rows).toHaveLength(8);
    expect(countBy(rows, (row) => String(row.answer_type))).toEqual({ multipleChoice: 4, exactMatch: 4 });
    for (const row of rows.filter((r) => r.answer_type === "multipleChoice"))
      expect(row.question).toMatch(/\n\nAnswer Choices:\nA\. .+\nB\. /);
    const withImage = rows.filter((row) => row.image !== "");
    expect(withImage).toHaveLength(2);
    for (const row of withImage) {
      const uri = row.image as string;
      expect(uri.startsWith("data:image/png;base64,")).toBe(true);
      const png = Buffer.from(uri.slice("data:image/png;base64,".length), "base64");
      expect([...png.subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
      const preview = row.image_preview as { bytes: unknown; path: unknown };
      expect(preview.bytes).toBeInstanceOf(Uint8Array);
      expect(Buffer.from(preview.bytes as Uint8Array).equals(png)).toBe(true);
    }
    expect(withImage.map((row) => (row.image_preview as { path: unknown }).path)).toEqual([null, "preview.png"]);
    const noImage = rows.filter((row) => row.image === "");
    expect(noImage.every((row) => row.image_preview === null && row.rationale_image === null)).toBe(true);
    expect(rows.filter((row) => row.rationale_image !== null)).toHaveLength(1);
  });
});

describe("readParquetRows: files that are not what they claim", () => {
  it("throws on an INT64 beyond Number.MAX_SAFE_INTEGER, naming the row and column", async () => {
    const error = await rejection(readParquetRows(edge("int64-beyond-safe.parquet")));
    expect(error.message).toContain("row 1 column big");
    expect(error.message).toContain("9007199254740993");
    expect(error.message).toContain("MAX_SAFE_INTEGER");
    // MAX_SAFE_INTEGER itself is exact and fine.
    expect(await readParquetRows(edge("int64-beyond-safe.parquet"), { columns: ["id"] })).toEqual([
      { id: 1 },
      { id: 2 },
    ]);
  });

  it("says a Git LFS pointer is one", async () => {
    const error = await rejection(readParquetRows(edge("lfs-pointer.parquet")));
    expect(error.message).toContain("looks like a Git LFS pointer");
    expect(error.code).toBe("E_DATASET_FORMAT");
    expect((await rejection(parquetRowCount(edge("lfs-pointer.parquet")))).message).toContain("Git LFS pointer");
  });

  it("rejects any other file without PAR1 magic", async () => {
    expect((await rejection(readParquetRows(edge("not-parquet.parquet")))).message).toContain("no PAR1 magic");
    expect((await rejection(readParquetRows(tempFile("empty.parquet", "")))).message).toContain("no PAR1 magic");
  });
});

describe("readCsvRecords / readCsvHeader", () => {
  const diamond = hub("Idavidrein", "gpqa", "gpqa_diamond.csv");

  it("GPQA: one record per row, not per line, with newlines, quotes and commas kept in fields", async () => {
    const records = await readCsvRecords(diamond);
    const physicalLines = readFileSync(diamond, "utf8").split("\n").length - 1;
    expect(records).toHaveLength(4);
    expect(physicalLines).toBeGreaterThan(records.length + 1);
    expect(Object.keys(records[0] ?? {})).toHaveLength(78);
    const first = records[0] ?? {};
    expect(first.Question).toBe(
      "A sealed, rigid container holds an ideal gas.\nIts absolute temperature is doubled.\n\nWhat happens to the pressure, assuming no gas escapes?",
    );
    expect(first.Explanation).toBe('At fixed volume, P/T is constant (Gay-Lussac\'s law), so "doubling T" doubles P.');
    expect(records[3]?.["Incorrect Answer 3"]).toBe('"unchanged", since h is constant');
    expect(first["Pre-Revision Question"]).toBe("");
    expect(records.map((record) => record["Record ID"])).toEqual([
      "recFIXTURE01",
      "recFIXTURE02",
      "recFIXTURE03",
      "recFIXTURE04",
    ]);
  });

  it("GPQA: diamond ⊂ main ⊂ extended, every Record ID unique", async () => {
    const ids = async (name: string): Promise<string[]> =>
      (await readCsvRecords(hub("Idavidrein", "gpqa", `gpqa_${name}.csv`))).map((r) => r["Record ID"] ?? "");
    const [d, m, e] = [await ids("diamond"), await ids("main"), await ids("extended")];
    expect([d.length, m.length, e.length]).toEqual([4, 5, 6]);
    expect(new Set(e).size).toBe(e.length);
    expect(d.every((id) => m.includes(id)) && m.every((id) => e.includes(id))).toBe(true);
  });

  it("reads the header alone", async () => {
    const header = await readCsvHeader(diamond);
    expect(header).toHaveLength(78);
    expect(header).toContain("Question");
    expect(header).toContain("Correct Answer");
    expect(header.at(-1)).toBe("Canary String");
  });

  it("tolerates a BOM and CRLF line ends, keeping a CRLF inside a quoted field", async () => {
    const records = await readCsvRecords(edge("bom-crlf.csv"));
    expect(records).toEqual([
      { id: "1", text: "quoted, with comma" },
      { id: "2", text: 'has "quotes" and\r\na CRLF newline' },
    ]);
    expect(await readCsvHeader(edge("bom-crlf.csv"))).toEqual(["id", "text"]);
  });

  it("a header-only file has no records; blank lines outside quotes are skipped", async () => {
    expect(await readCsvRecords(edge("header-only.csv"))).toEqual([]);
    expect(await readCsvRecords(tempFile("blank.csv", 'a,b\n\n1,"x\n\ny"\n\n'))).toEqual([{ a: "1", b: "x\n\ny" }]);
    expect(await readCsvHeader(edge("header-only.csv"))).toEqual(["id", "text"]);
  });

  it("names the record (not the line) that has the wrong number of fields", async () => {
    const error = await rejection(readCsvRecords(edge("ragged.csv")));
    expect(error.message).toContain("record 2 (ending at line 4)");
    expect(error.message).toContain("has 3 fields, the header has 2");
  });

  it("rejects an unclosed quote, a duplicate column and an empty file", async () => {
    expect((await rejection(readCsvRecords(tempFile("open.csv", 'a,b\n1,"never closed\n')))).message).toContain(
      "CSV does not parse",
    );
    expect((await rejection(readCsvRecords(tempFile("dup.csv", "a,b,a\n1,2,3\n")))).message).toContain(
      'column "a" appears twice',
    );
    expect((await rejection(readCsvRecords(tempFile("empty.csv", "")))).message).toContain("no header line");
    expect((await rejection(readCsvHeader(tempFile("empty.csv", "")))).message).toContain("no header line");
  });
});

describe("readJsonl / scanJsonl / readJsonlRowAt / readJson", () => {
  it("MATH-500: the real keys in the real order, level a number, LaTeX answers", async () => {
    const rows = (await readJsonl(hub("HuggingFaceH4", "MATH-500", "test.jsonl"))) as Record<string, unknown>[];
    expect(rows).toHaveLength(8);
    for (const row of rows) {
      expect(Object.keys(row)).toEqual(["problem", "solution", "answer", "subject", "level", "unique_id"]);
      expect(typeof row.level).toBe("number");
      expect(row.solution).toContain("\\boxed{");
      expect(row.unique_id).toMatch(/^test\/[a-z_]+\/\d+\.json$/);
    }
    expect(rows.map((row) => row.answer)).toEqual([
      "4",
      "\\frac{3}{4}",
      "(2,3)",
      "(3,6)",
      "3\\sqrt{2}",
      "2",
      "\\frac{1}{6}",
      "[3,\\infty)",
    ]);
  });

  it("AIME 2025: opencompass answers are strings (one with ^\\circ), math-ai answers are integers", async () => {
    const partOne = (await readJsonl(hub("opencompass", "AIME2025", "aime2025-I.jsonl"))) as Record<string, unknown>[];
    const partTwo = (await readJsonl(hub("opencompass", "AIME2025", "aime2025-II.jsonl"))) as Record<string, unknown>[];
    expect([partOne.length, partTwo.length]).toEqual([3, 3]);
    expect(Object.keys(partOne[0] ?? {})).toEqual(["question", "answer"]);
    expect(partTwo.map((row) => row.answer)).toContain("336^\\circ");
    const mathAi = (await readJsonl(hub("math-ai", "aime25", "test.jsonl"))) as Record<string, unknown>[];
    expect(mathAi.map((row) => row.id)).toEqual(["0", "1", "2", "3", "4", "5"]);
    expect(mathAi.map((row) => row.answer)).toEqual([4, 130, 170, 336, 19, 71]);
  });

  it("scanJsonl gives byte offsets that readJsonlRowAt turns back into the same row", async () => {
    const file = hub("livecodebench", "code_generation_lite", "test6.jsonl");
    const bytes = readFileSync(file);
    const seen: { row: unknown; at: JsonlRowLocation }[] = [];
    const count = await scanJsonl(file, (row, at) => {
      seen.push({ row, at });
    });
    expect(count).toBe(3);
    expect(seen.map(({ at }) => at.line)).toEqual([1, 2, 3]);
    expect(seen[0]?.at.offset).toBe(0);
    for (const { row, at } of seen) {
      expect(bytes[at.offset + at.length]).toBe(0x0a);
      expect(await readJsonlRowAt(file, at)).toEqual(row);
    }
  });

  it("splits lines across chunk boundaries, including multi-byte characters and lines of several MB", async () => {
    const rows = [
      { id: 0, text: "é".repeat(700_000) }, // 1.4 MB of two-byte characters: straddles the 1 MiB chunk edge
      { id: 1, text: "short ☃" },
      { id: 2, text: "x".repeat(2_500_000) },
      { id: 3, text: "last, with no newline after it" },
    ];
    const text = `${rows
      .slice(0, 3)
      .map((row) => JSON.stringify(row))
      .join("\n")}\n\n${JSON.stringify(rows[3])}`;
    const file = tempFile("big.jsonl", text);
    const locations: JsonlRowLocation[] = [];
    const order: number[] = [];
    const count = await scanJsonl(file, async (row, at) => {
      await new Promise((resolve) => setImmediate(resolve)); // an async visitor is awaited before the next row
      order.push((row as { id: number }).id);
      locations.push(at);
    });
    expect(count).toBe(4);
    expect(order).toEqual([0, 1, 2, 3]);
    expect(locations.map((at) => at.line)).toEqual([1, 2, 3, 5]);
    const bytes = readFileSync(file);
    for (const [index, at] of locations.entries()) {
      expect(JSON.parse(bytes.subarray(at.offset, at.offset + at.length).toString("utf8"))).toEqual(rows[index]);
      expect(await readJsonlRowAt(file, at)).toEqual(rows[index]);
    }
    expect(await readJsonl(file)).toEqual(rows);
  });

  it("skips blank lines, tolerates CRLF, and reads a last line without a newline", async () => {
    const lines: number[] = [];
    const rows: unknown[] = [];
    await scanJsonl(edge("no-final-newline.jsonl"), (row, at) => {
      rows.push(row);
      lines.push(at.line);
    });
    expect(rows).toEqual([{ a: 1 }, { a: "été" }, { a: 3 }]);
    expect(lines).toEqual([1, 3, 4]);
  });

  it("names the line number of a line that is not JSON", async () => {
    const error = await rejection(readJsonl(edge("bad-line.jsonl")));
    expect(error.message).toContain(`${edge("bad-line.jsonl")}:3: not JSON`);
  });

  it("rejects invalid UTF-8 and a stale row location", async () => {
    const file = tempFile("latin1.jsonl", Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xe9, 0x22, 0x7d, 0x0a]));
    expect((await rejection(readJsonl(file))).message).toContain(":1: line is not valid UTF-8");
    const small = tempFile("small.jsonl", '{"a": 1}\n{"a": 2}\n');
    expect((await rejection(readJsonlRowAt(small, { offset: 9, length: 100 }))).message).toContain("file ends after");
    expect((await rejection(readJsonlRowAt(small, { offset: 0, length: 12 }))).message).toContain("more than one line");
    expect((await rejection(readJsonlRowAt(small, { offset: -1, length: 2 }))).message).toContain(
      "invalid row location",
    );
  });

  it("readJson parses a whole file and names a file that is not JSON", async () => {
    expect(await readJson(tempFile("ok.json", '{"a": [1, 2]}'))).toEqual({ a: [1, 2] });
    expect((await rejection(readJson(tempFile("bad.json", "{oops")))).message).toContain("not JSON");
  });
});

describe("LiveCodeBench fixture rows", () => {
  async function lcbRows(file: string): Promise<Record<string, string>[]> {
    return (await readJsonl(hub("livecodebench", "code_generation_lite", file))) as Record<string, string>[];
  }

  it("have the 11 string fields in the documented order, all platforms, difficulties and 2023–2025 dates", async () => {
    const rows = [...(await lcbRows("test.jsonl")), ...(await lcbRows("test6.jsonl"))];
    expect(rows).toHaveLength(6);
    for (const row of rows) {
      expect(Object.keys(row)).toEqual(LCB_KEYS);
      expect(Object.values(row).every((value) => typeof value === "string")).toBe(true);
    }
    expect(new Set(rows.map((row) => row.platform))).toEqual(new Set(["atcoder", "codeforces", "leetcode"]));
    expect(new Set(rows.map((row) => row.difficulty))).toEqual(new Set(["easy", "medium", "hard"]));
    expect(new Set(rows.map((row) => row.contest_date?.slice(0, 4)))).toEqual(new Set(["2023", "2024", "2025"]));
  });

  it("decode their private tests from every storage form, consistent with metadata and starter code", async () => {
    const rows = [...(await lcbRows("test.jsonl")), ...(await lcbRows("test6.jsonl"))];
    const counts: Record<string, number> = {};
    for (const row of rows) {
      const id = row.question_id ?? "";
      const tests = [
        ...parseLcbPublicTests(row.public_test_cases ?? ""),
        ...decodeLcbTests(row.private_test_cases ?? "", id),
      ];
      const { funcName } = parseLcbMetadata(row.metadata ?? "");
      counts[id] = tests.length;
      if (funcName === undefined) {
        expect(row.starter_code).toBe("");
        expect(tests.every((test) => test.testtype === "stdin")).toBe(true);
      } else {
        expect(row.starter_code).toContain(`def ${funcName}(self`);
        expect(tests.every((test) => test.testtype === "functional")).toBe(true);
      }
    }
    expect(counts).toEqual({ abc900_a: 9, "9001_A": 3, "9101": 5, abc901_e: 3, "9102": 4, "9002_B": 6 });
  });

  it("have correct tests: stdin outputs follow from inputs, functional inputs are one JSON value per line", async () => {
    const rows = await lcbRows("test.jsonl");
    const addTwo = rows.find((row) => row.question_id === "abc900_a");
    for (const test of decodeLcbTests(addTwo?.private_test_cases ?? "", "abc900_a")) {
      const [a, b] = test.input.trim().split(" ").map(Number);
      expect(test.output).toBe(`${(a ?? NaN) + (b ?? NaN)}\n`);
    }
    const twoSum = rows.find((row) => row.question_id === "9101");
    expect(twoSum?.starter_code).toBe(
      "class Solution:\n    def twoSum(self, nums: List[int], target: int) -> List[int]:\n        ",
    );
    expect(parseLcbMetadata(twoSum?.metadata ?? "")).toEqual({ funcName: "twoSum" });
    for (const test of decodeLcbTests(twoSum?.private_test_cases ?? "", "9101")) {
      const [nums, target] = test.input.split("\n").map((line) => JSON.parse(line) as unknown) as [number[], number];
      const [i, j] = JSON.parse(test.output) as [number, number];
      expect((nums[i] ?? NaN) + (nums[j] ?? NaN)).toBe(target);
    }
  });
});

describe("decodeLcbTests / parseLcbPublicTests / parseLcbMetadata errors", () => {
  const good: LcbTest[] = [{ input: "1\n", output: "1\n", testtype: "stdin" }];

  it("accepts plain JSON and the base64(zlib(pickle)) form alike", () => {
    expect(decodeLcbTests(JSON.stringify(good), "row")).toEqual(good);
    expect(decodeLcbTests(lcbBlob(JSON.stringify(good)), "row")).toEqual(good);
  });

  it("rejects a field that is neither JSON nor base64, or base64 that is not zlib", () => {
    expect(thrown(() => decodeLcbTests("not base64 at all!", "row 7")).message).toContain(
      "row 7: private tests are neither JSON nor base64",
    );
    expect(thrown(() => decodeLcbTests(Buffer.from("plain bytes").toString("base64"), "row 7")).message).toContain(
      "neither JSON nor zlib data",
    );
  });

  it("rejects a zlib blob whose pickle does anything but hold a string, naming the opcode", () => {
    const hostile = Buffer.concat([Buffer.from([0x80, 0x02]), Buffer.from("cposix\nsystem\n.", "latin1")]); // PROTO 2, GLOBAL
    const error = thrown(() => decodeLcbTests(deflateSync(hostile).toString("base64"), "1873_A private_test_cases"));
    expect(error.message).toContain("1873_A private_test_cases: pickle opcode 0x63 (GLOBAL) at byte 2 is not allowed");
  });

  it("rejects tests of the wrong shape", () => {
    expect(thrown(() => decodeLcbTests('{"input": "1"}', "r")).message).toContain("not a JSON array");
    expect(thrown(() => decodeLcbTests('[{"input": 1, "output": "1", "testtype": "stdin"}]', "r")).message).toContain(
      'r test 0: "input" is not a string',
    );
    expect(thrown(() => parseLcbPublicTests('[{"input": "1", "output": "1", "testtype": "call"}]')).message).toContain(
      '"testtype" is not "stdin" or "functional"',
    );
    expect(thrown(() => parseLcbPublicTests("[")).message).toContain("public tests are not JSON");
    expect(thrown(() => decodeLcbTests(lcbBlob("[not json"), "r")).message).toContain(
      "unpickled private tests are not JSON",
    );
  });

  it("reads metadata as LiveCodeBench does: func_name or nothing", () => {
    expect(parseLcbMetadata("{}")).toEqual({});
    expect(parseLcbMetadata('{"func_name": null}')).toEqual({});
    expect(parseLcbMetadata('{"func_name": "maxSum", "other": 1}')).toEqual({ funcName: "maxSum" });
    expect(thrown(() => parseLcbMetadata("[]")).message).toContain("not a JSON object");
    expect(thrown(() => parseLcbMetadata('{"func_name": 3}')).message).toContain("func_name is not a non-empty string");
  });
});

describe.skipIf(REAL === undefined)("real benchmark files (QUANTEVAL_REAL_DATA)", () => {
  it("MMLU-Pro test: 12,032 rows with the documented category and option counts", async () => {
    const rows = await readParquetRows(real("TIGER-Lab", "MMLU-Pro", "data", "test-00000-of-00001.parquet"));
    expect(rows).toHaveLength(12_032);
    expect(countBy(rows, (row) => String(row.category))).toEqual({
      math: 1351,
      physics: 1299,
      chemistry: 1132,
      law: 1101,
      engineering: 969,
      other: 924,
      economics: 844,
      health: 818,
      psychology: 798,
      business: 789,
      biology: 717,
      philosophy: 499,
      "computer science": 410,
      history: 381,
    });
    expect(countBy(rows, (row) => (row.options as unknown[]).length)).toEqual({
      10: 9981,
      9: 801,
      8: 320,
      7: 159,
      6: 92,
      5: 52,
      4: 607,
      3: 20,
    });
    const ids = rows.map((row) => row.question_id as number);
    expect([Math.min(...ids), Math.max(...ids)]).toEqual([70, 12256]);
    expect(rows.every((row) => row.cot_content === "")).toBe(true);
    const quirk = rows.find((row) => row.question_id === 3983);
    expect([quirk?.category, quirk?.answer, quirk?.answer_index]).toEqual(["chemistry", "C", 1]);
    expect(await parquetRowCount(real("TIGER-Lab", "MMLU-Pro", "data", "test-00000-of-00001.parquet"))).toBe(12_032);
  });

  it("MMLU-Pro validation: 70 rows, 5 per category, with chain-of-thought text", async () => {
    const rows = await readParquetRows(real("TIGER-Lab", "MMLU-Pro", "data", "validation-00000-of-00001.parquet"));
    expect(rows).toHaveLength(70);
    expect(new Set(Object.values(countBy(rows, (row) => String(row.category))))).toEqual(new Set([5]));
    expect(rows.every((row) => (row.cot_content as string).startsWith("A: Let's think step by step."))).toBe(true);
  });

  it("HuggingFaceH4/aime_2024: 30 rows, ids 60..89, answers strings with leading zeros kept", async () => {
    const rows = await readParquetRows(real("HuggingFaceH4", "aime_2024", "data", "train-00000-of-00001.parquet"));
    expect(rows).toHaveLength(30);
    expect(rows.map((row) => row.id)).toEqual(Array.from({ length: 30 }, (_, i) => 60 + i));
    expect(rows.every((row) => typeof row.answer === "string" && row.year === "2024")).toBe(true);
    expect(rows.map((row) => row.answer)).toEqual(
      expect.arrayContaining(["025", "073", "023", "045", "033", "080", "055"]),
    );
  });

  it("Maxwell-Jia/AIME_2024: 30 rows, Answer a number", async () => {
    const rows = await readParquetRows(real("Maxwell-Jia", "AIME_2024", "aime_2024_problems.parquet"));
    expect(rows).toHaveLength(30);
    expect(rows.every((row) => typeof row.Answer === "number" && typeof row.ID === "string")).toBe(true);
  });

  it("MATH-500: 500 rows with the documented subject counts", async () => {
    const rows = (await readJsonl(real("HuggingFaceH4", "MATH-500", "test.jsonl"))) as Record<string, unknown>[];
    expect(rows).toHaveLength(500);
    expect(Object.keys(rows[0] ?? {})).toEqual(["problem", "solution", "answer", "subject", "level", "unique_id"]);
    expect(countBy(rows, (row) => String(row.subject))).toEqual({
      Algebra: 124,
      "Intermediate Algebra": 97,
      Prealgebra: 82,
      "Number Theory": 62,
      Precalculus: 56,
      Geometry: 41,
      "Counting & Probability": 38,
    });
  });

  it("AIME 2025: 15 + 15 opencompass rows (one answer 336^\\circ) and 30 math-ai rows", async () => {
    const partTwo = (await readJsonl(real("opencompass", "AIME2025", "aime2025-II.jsonl"))) as Record<
      string,
      unknown
    >[];
    expect(await readJsonl(real("opencompass", "AIME2025", "aime2025-I.jsonl"))).toHaveLength(15);
    expect(partTwo).toHaveLength(15);
    expect(partTwo.map((row) => row.answer)).toContain("336^\\circ");
    const mathAi = (await readJsonl(real("math-ai", "aime25", "test.jsonl"))) as Record<string, unknown>[];
    expect(mathAi).toHaveLength(30);
    expect(mathAi.every((row) => typeof row.answer === "number")).toBe(true);
  });

  it("GPQA header-only CSV: 0 records, and the same header as our fixtures", async () => {
    const file = real("Idavidrein", "gpqa", "gpqa_diamond.header-only.csv");
    expect(await readCsvRecords(file)).toEqual([]);
    const header = await readCsvHeader(file);
    expect(header).toContain("Question");
    expect(header).toContain("Correct Answer");
    expect(header).toEqual(await readCsvHeader(hub("Idavidrein", "gpqa", "gpqa_diamond.csv")));
  });

  it("LiveCodeBench sample row 1873_A: the real private blob decodes to 4 stdin tests", async () => {
    const file = real("livecodebench", "code_generation_lite", "test.sample.jsonl");
    const rows = (await readJsonl(file)) as Record<string, string>[];
    expect(rows).toHaveLength(1);
    const row = rows[0] ?? {};
    expect(Object.keys(row)).toEqual(LCB_KEYS);
    const tests = decodeLcbTests(row.private_test_cases ?? "", `${file}:1 private_test_cases`);
    expect(tests).toHaveLength(4);
    expect(tests.every((test) => test.testtype === "stdin")).toBe(true);
    expect(tests[0]).toEqual({ input: "1\nabc\n", output: "YES\n", testtype: "stdin" });
    expect(parseLcbPublicTests(row.public_test_cases ?? "")).toHaveLength(1);
    expect(parseLcbMetadata(row.metadata ?? "")).toEqual({});
  });
});
