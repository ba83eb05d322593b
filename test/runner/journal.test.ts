import { appendFileSync, mkdtempSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fc, test } from "@fast-check/vitest";
import { describe, expect } from "vitest";
import { JournalFormatError } from "../../src/errors.ts";
import { JournalWriter, readJournal } from "../../src/runner/journal.ts";
import { type JournalRecord, isFinished } from "../../src/runner/record.ts";

function record(itemId: string, overrides: Partial<JournalRecord> = {}, omit: readonly ("reply" | "grade")[] = []): JournalRecord {
  const full: JournalRecord = {
    v: 1, runId: "r1", session: "s1", variant: "bf16", task: "suite40", itemId, attempts: 1,
    request: { model: "m", messages: [{ role: "user", content: `question ${itemId} — ünïcödé` }], params: { temperature: 0, max_tokens: 64 } },
    gold: { answer: "42" }, labels: { category: "arithmetic" },
    reply: { text: "Answer: 42", finishReason: "stop", usage: { promptTokens: 10, completionTokens: 5 }, timing: { sentAt: 1000, firstTokenAt: 1100, doneAt: 1500 } },
    grade: { correct: true, answered: true, rule: "answer-line/integer-equal", extracted: "42" },
    recordedAt: 1500,
    ...overrides,
  };
  for (const key of omit) delete full[key];
  return full;
}

function tempJournal(): string {
  return join(mkdtempSync(join(tmpdir(), "qe-journal-")), "bf16", "suite40.jsonl");
}

describe("journal", () => {
  test("records written are read back equal", () => {
    const file = tempJournal();
    const writer = new JournalWriter(file);
    const written = [record("q1"), record("q2", { error: { code: "E_REQUEST_FAILED", message: "500", status: 500 } }, ["reply", "grade"])];
    for (const r of written) writer.append(r);
    writer.close();
    expect(readJournal(file)).toEqual({ records: written, tornBytes: 0 });
  });

  test("a journal of several read pieces (over 1 MiB, multi-byte text across the boundaries) reads back whole and in order", () => {
    const file = tempJournal();
    const writer = new JournalWriter(file);
    // ~2.5 KB a line of 2- and 3-byte characters: ~1,000 lines are 2.5 MB, so pieces end mid-line and mid-character.
    const written = Array.from({ length: 1000 }, (_, i) => record(`q${i}`, { reply: { ...record("x").reply!, text: `${"é€".repeat(500)} ${i}` } }));
    for (const r of written) writer.append(r);
    writer.close();
    appendFileSync(file, '{"v":1,"torn');
    const read = readJournal(file);
    expect(read.tornBytes).toBe(Buffer.byteLength('{"v":1,"torn'));
    expect(read.records).toEqual(written);
  });

  test("a missing file is an empty journal", () => {
    expect(readJournal(join(tmpdir(), "qe-nope", "x.jsonl"))).toEqual({ records: [], tornBytes: 0 });
  });

  test("a whole line that is not a record is an error naming file and line", () => {
    const file = tempJournal();
    const writer = new JournalWriter(file);
    writer.append(record("q1"));
    writer.close();
    appendFileSync(file, '{"v":1,"runId":"r1"}\n');
    expect(() => readJournal(file)).toThrow(JournalFormatError);
    expect(() => readJournal(file)).toThrow(/suite40\.jsonl:2: not a journal record/);
  });

  test("only a reply makes an item finished: a failed request is asked again", () => {
    expect(isFinished(record("q1"))).toBe(true);
    expect(isFinished(record("q1", { error: { code: "E_REQUEST_FAILED", message: "x" } }, ["reply", "grade"]))).toBe(false);
    expect(isFinished(record("q1", { error: { code: "E_GOLD_PARSE", message: "x" } }, ["grade"]))).toBe(true);
  });

  test.prop([fc.integer({ min: 1, max: 6 }), fc.nat()])("a journal cut at any byte resumes to the records wholly written, and appends cleanly", (count, cutSeed) => {
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
    expect(readJournal(file)).toEqual({ records: [...records.slice(0, wholeLines), record("late")], tornBytes: 0 });
  });

  test("a torn last line without any newline is dropped whole", () => {
    const file = tempJournal();
    new JournalWriter(file).close();
    writeFileSync(file, '{"v":1,"ru');
    expect(readJournal(file)).toEqual({ records: [], tornBytes: 10 });
    const writer = new JournalWriter(file);
    writer.append(record("q1"));
    writer.close();
    expect(readJournal(file).records.map((r) => r.itemId)).toEqual(["q1"]);
  });
});
