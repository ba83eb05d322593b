import { execFileSync } from "node:child_process";
import { appendFileSync, mkdtempSync, readFileSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { fc, test } from "@fast-check/vitest";
import { describe, expect } from "vitest";
import { FormatTooNewError, OutputWriteError } from "../../src/core/errors.ts";
import { JournalWriter, quarantineLines, readJournal } from "../../src/journal/journal.ts";
import {
  awaitsGrading,
  type GradeRecord,
  isFinished,
  JOURNAL_VERSION,
  type JournalRecord,
} from "../../src/journal/record.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

function record(
  itemId: string,
  overrides: Partial<JournalRecord> = {},
  omit: readonly ("reply" | "grade")[] = [],
): JournalRecord {
  const full: JournalRecord = {
    v: 1,
    runId: "r1",
    session: "s1",
    variant: "bf16",
    task: "suite40",
    itemId,
    attempts: 1,
    request: {
      model: "m",
      messages: [{ role: "user", content: `question ${itemId} — ünïcödé` }],
      params: { temperature: 0, max_tokens: 64 },
    },
    gold: { answer: "42" },
    labels: { category: "arithmetic" },
    reply: {
      text: "Answer: 42",
      finishReason: "stop",
      usage: { promptTokens: 10, completionTokens: 5 },
      timing: { sentAt: 1000, firstTokenAt: 1100, doneAt: 1500 },
    },
    grade: { correct: true, answered: true, rule: "answer-line/integer-equal", extracted: "42" },
    recordedAt: 1500,
    ...overrides,
  };
  for (const key of omit) delete full[key];
  return full;
}

function gradeRecord(itemId: string, overrides: Partial<GradeRecord> = {}): GradeRecord {
  return {
    v: JOURNAL_VERSION,
    kind: "grade",
    session: "s1",
    itemId,
    recordedAt: 1600,
    ...(overrides.error === undefined
      ? { grade: { correct: true, answered: true, rule: "answer-line/integer-equal" } }
      : {}),
    ...overrides,
  };
}

function tempJournal(): string {
  return join(mkdtempSync(join(tmpdir(), "qe-journal-")), "bf16", "suite40.jsonl");
}

describe("journal", () => {
  test("records written are read back equal", () => {
    const file = tempJournal();
    const writer = new JournalWriter(file);
    const written = [
      record("q1"),
      record("q2", { error: { code: "E_REQUEST_FAILED", message: "500", status: 500 } }, ["reply", "grade"]),
    ];
    for (const r of written) writer.append(r);
    writer.close();
    expect(readJournal(file)).toEqual({ records: written, tornBytes: 0, unreadable: [] });
  });

  test("a journal of several read pieces (over 1 MiB, multi-byte text across the boundaries) reads back whole and in order", () => {
    const file = tempJournal();
    const writer = new JournalWriter(file);
    // ~2.5 KB a line of 2- and 3-byte characters: ~1,000 lines are 2.5 MB, so pieces end mid-line and mid-character.
    const written = Array.from({ length: 1000 }, (_, i) =>
      record(`q${i}`, { reply: { ...record("x").reply!, text: `${"é€".repeat(500)} ${i}` } }),
    );
    for (const r of written) writer.append(r);
    writer.close();
    appendFileSync(file, '{"v":1,"torn');
    const read = readJournal(file);
    expect(read.tornBytes).toBe(Buffer.byteLength('{"v":1,"torn'));
    expect(read.records).toEqual(written);
  });

  test("a missing file is an empty journal", () => {
    expect(readJournal(join(tmpdir(), "qe-nope", "x.jsonl"))).toEqual({ records: [], tornBytes: 0, unreadable: [] });
  });

  test("a whole line that is not a record is listed as unreadable with its number and why; the lines around it are read", () => {
    const file = tempJournal();
    const writer = new JournalWriter(file);
    writer.append(record("q1"));
    writer.close();
    appendFileSync(file, '{"v":1,"runId":"r1"}\nnot json at all\n');
    const after = new JournalWriter(file);
    after.append(record("q2"));
    after.close();
    const read = readJournal(file);
    expect(read.records.map((r) => r.itemId)).toEqual(["q1", "q2"]);
    expect(read.unreadable).toEqual([
      { line: 2, reason: expect.stringMatching(/^not a journal record: /), text: '{"v":1,"runId":"r1"}' },
      { line: 3, reason: expect.stringMatching(/^not JSON/), text: "not json at all" },
    ]);
  });

  test("a line of a newer journal format stops the read with the version, not a guess", () => {
    const file = tempJournal();
    const writer = new JournalWriter(file);
    writer.append(record("q1"));
    writer.close();
    appendFileSync(file, `${JSON.stringify({ ...record("q2"), v: JOURNAL_VERSION + 1, somethingNew: true })}\n`);
    expect(() => readJournal(file)).toThrow(FormatTooNewError);
    expect(() => readJournal(file)).toThrow(
      new RegExp(`journal format v${JOURNAL_VERSION + 1} .*reads up to v${JOURNAL_VERSION}`),
    );
  });

  test("a grade record gives the reply before it its verdict; a later grade replaces an earlier one", () => {
    const file = tempJournal();
    const writer = new JournalWriter(file);
    writer.append(record("q1", { v: JOURNAL_VERSION }, ["grade"]));
    writer.append(record("q2", { v: JOURNAL_VERSION }, ["grade"]));
    writer.append(gradeRecord("q1", { grade: { correct: false, answered: false, rule: "none/no-answer" } }));
    writer.append(gradeRecord("q1", { grade: { correct: true, answered: true, rule: "answer-line/integer-equal" } }));
    writer.close();
    const read = readJournal(file);
    expect(read.unreadable).toEqual([]);
    expect(read.records.map((r) => [r.itemId, r.grade?.correct])).toEqual([
      ["q1", true],
      ["q2", undefined],
    ]);
    expect(awaitsGrading(read.records[1]!)).toBe(true);
    expect(awaitsGrading(read.records[0]!)).toBe(false);
  });

  test("a grading failure is the reply's error; samples are graded apart", () => {
    const file = tempJournal();
    const writer = new JournalWriter(file);
    writer.append(record("q1", { v: JOURNAL_VERSION, sample: 0 }, ["grade"]));
    writer.append(record("q1", { v: JOURNAL_VERSION, sample: 1 }, ["grade"]));
    writer.append(gradeRecord("q1", { sample: 1, error: { code: "E_GOLD_PARSE", message: "bad gold" } }));
    writer.close();
    const [first, second] = readJournal(file).records;
    expect(first?.error).toBeUndefined();
    expect(second?.error?.code).toBe("E_GOLD_PARSE");
    expect(second?.grade).toBeUndefined();
  });

  test("a grade with no reply before it (or after a failed request) is unreadable, not a verdict on nothing", () => {
    const file = tempJournal();
    const writer = new JournalWriter(file);
    writer.append(
      record("q2", { v: JOURNAL_VERSION, error: { code: "E_REQUEST_FAILED", message: "500" } }, ["reply", "grade"]),
    );
    writer.append(gradeRecord("q1"));
    writer.append(gradeRecord("q2"));
    writer.close();
    const read = readJournal(file);
    expect(read.records.map((r) => r.grade)).toEqual([undefined]);
    expect(read.unreadable.map((u) => [u.line, u.reason])).toEqual([
      [2, "a grade for q1, with no reply before it"],
      [3, "a grade for q2, with no reply before it"],
    ]);
  });

  test("quarantine moves the unreadable lines to the side file and keeps every other byte of the journal", () => {
    const file = tempJournal();
    const writer = new JournalWriter(file);
    writer.append(record("q1"));
    writer.close();
    appendFileSync(file, "garbage one\n");
    const again = new JournalWriter(file);
    again.append(record("q2"));
    again.close();
    appendFileSync(file, "garbage two\n");
    const before = readJournal(file);
    const side = quarantineLines(file, before.unreadable, "resume");
    expect(side).toBe(file.replace(/\.jsonl$/, ".quarantine.jsonl"));
    const after = readJournal(file);
    expect(after).toEqual({ records: before.records, tornBytes: 0, unreadable: [] });
    const moved = readFileSync(side, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(moved.map((m) => [m.line, m.text])).toEqual([
      [2, "garbage one"],
      [4, "garbage two"],
    ]);
    expect(moved.every((m) => typeof m.reason === "string" && typeof m.quarantinedAt === "string")).toBe(true);
  });

  test("a write the disk refuses (ENOSPC) is a typed error naming the file, the space left and how to go on; later appends refuse too", () => {
    const dir = mkdtempSync(join(tmpdir(), "qe-journal-full-"));
    const file = join(dir, "suite40.jsonl");
    symlinkSync("/dev/full", file);
    const writer = new JournalWriter(file, "resume with `quanteval run --resume r1`");
    let thrown: unknown;
    try {
      writer.append(record("q1"));
    } catch (error) {
      thrown = error;
    }
    expect(() => writer.append(record("q2"))).toThrow(thrown as Error);
    writer.close();
    expect(thrown).toBeInstanceOf(OutputWriteError);
    const error = thrown as OutputWriteError;
    expect(error.code).toBe("E_OUTPUT_WRITE");
    expect(error.message).toContain(file);
    expect(error.message).toMatch(/no space left on the device/);
    expect(error.hint).toMatch(/free space .*then resume with `quanteval run --resume r1`/);
  });

  test("a short write (the file size limit reached mid-line) is cut back: the journal ends with its last whole line", () => {
    const file = tempJournal();
    const seeded = new JournalWriter(file);
    seeded.append(record("q0"));
    seeded.close();
    const before = readFileSync(file);
    // A real short write: the kernel writes up to RLIMIT_FSIZE and returns fewer bytes than asked (Node ignores SIGXFSZ).
    const limitKiB = Math.ceil((before.length + 200) / 1024);
    const script = `
      import { JournalWriter } from ${JSON.stringify(join(ROOT, "src/journal/journal.ts"))};
      const writer = new JournalWriter(${JSON.stringify(file)});
      const big = ${JSON.stringify(record("q1", { reply: { ...record("x").reply!, text: "y".repeat(4000) } }))};
      try { writer.append(big); console.log("appended"); } catch (e) { console.log(e.code, e.message); }`;
    const out = execFileSync(
      "bash",
      ["-c", `ulimit -f ${limitKiB}; exec "$0" --input-type=module -e "$1"`, process.execPath, script],
      { encoding: "utf8" },
    );
    expect(out).toMatch(/^E_OUTPUT_WRITE cannot write .*suite40\.jsonl: a short write/);
    expect(readFileSync(file)).toEqual(before);
    expect(readJournal(file)).toEqual({ records: [record("q0")], tornBytes: 0, unreadable: [] });
  });

  test("only a reply makes an item finished: a failed request is asked again", () => {
    expect(isFinished(record("q1"))).toBe(true);
    expect(isFinished(record("q1", { error: { code: "E_REQUEST_FAILED", message: "x" } }, ["reply", "grade"]))).toBe(
      false,
    );
    expect(isFinished(record("q1", { error: { code: "E_GOLD_PARSE", message: "x" } }, ["grade"]))).toBe(true);
  });

  test.prop([fc.integer({ min: 1, max: 6 }), fc.nat()])(
    "a journal cut at any byte resumes to the records wholly written, and appends cleanly",
    (count, cutSeed) => {
      const file = tempJournal();
      const writer = new JournalWriter(file);
      const records = Array.from({ length: count }, (_v, i) => record(`q${i}`));
      for (const r of records) writer.append(r);
      writer.close();
      const bytes = readFileSync(file);
      const cut = cutSeed % (bytes.length + 1);
      truncateSync(file, cut);
      const wholeLines = bytes.subarray(0, cut).toString("utf8").split("\n").length - 1;
      const { records: survived, tornBytes } = readJournal(file);
      expect(survived).toEqual(records.slice(0, wholeLines));
      expect(tornBytes).toBe(cut - (bytes.subarray(0, cut).lastIndexOf(0x0a) + 1));
      const resumed = new JournalWriter(file);
      resumed.append(record("late"));
      resumed.close();
      expect(readJournal(file)).toEqual({
        records: [...records.slice(0, wholeLines), record("late")],
        tornBytes: 0,
        unreadable: [],
      });
    },
  );

  test("a torn last line without any newline is dropped whole", () => {
    const file = tempJournal();
    new JournalWriter(file).close();
    writeFileSync(file, '{"v":1,"ru');
    expect(readJournal(file)).toEqual({ records: [], tornBytes: 10, unreadable: [] });
    const writer = new JournalWriter(file);
    writer.append(record("q1"));
    writer.close();
    expect(readJournal(file).records.map((r) => r.itemId)).toEqual(["q1"]);
  });
});

describe("a reply counted client-side (the server streamed no usage)", () => {
  const counted = (usage: { promptTokens: number | null; completionTokens: number }, by?: "tokenizer" | "chunks") => {
    const base = record("a");
    const reply =
      base.reply === undefined
        ? undefined
        : { ...base.reply, usage, ...(by === undefined ? {} : { usageCountedBy: by }) };
    return { ...base, ...(reply === undefined ? {} : { reply }) };
  };

  test("is read back with its counts and how they were made; an unknown prompt stays null", () => {
    const file = tempJournal();
    const writer = new JournalWriter(file);
    const written = [
      counted({ promptTokens: 31, completionTokens: 12 }, "tokenizer"),
      counted({ promptTokens: null, completionTokens: 9 }, "chunks"),
    ];
    for (const r of written) writer.append(r);
    writer.close();
    expect(readJournal(file)).toEqual({ records: written, tornBytes: 0, unreadable: [] });
  });

  test("a null prompt count is refused unless the reply says quanteval counted it", () => {
    const file = tempJournal();
    const writer = new JournalWriter(file);
    writer.append(counted({ promptTokens: 5, completionTokens: 9 }, "chunks"));
    writer.close();
    appendFileSync(file, `${JSON.stringify(counted({ promptTokens: null, completionTokens: 9 }))}\n`);
    // A tokenizer whose template could not render the prompt leaves it unknown (Endpoint keeps the reply).
    appendFileSync(file, `${JSON.stringify(counted({ promptTokens: null, completionTokens: 9 }, "tokenizer"))}\n`);
    const read = readJournal(file);
    expect(read.records).toHaveLength(2);
    expect(read.unreadable.map((u) => u.line)).toEqual([2]);
    expect(read.unreadable[0]?.reason).toContain("null (not known) only when usageCountedBy is set");
  });
});
