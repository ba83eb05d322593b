/**
 * The divergence journal: a record's head (everything but ids and positions) is read without parsing the rest, a
 * whole record is read back from where its head was found, the latest record of an item wins, unreadable lines are
 * listed, and a newer format is refused.
 */
import { appendFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { FormatTooNewError } from "../../src/core/errors.ts";
import {
  type ForcedRecord,
  JournalWriter,
  readForcedHeads,
  readForcedJournal,
  readForcedRecordAt,
} from "../../src/journal/index.ts";

function record(itemId: string, overrides: Partial<ForcedRecord> = {}): ForcedRecord {
  return {
    v: 1,
    kind: "forced",
    runId: "r",
    session: "s",
    variant: "nvfp4",
    task: "suite40",
    itemId,
    sample: 0,
    replyFrom: "bf16",
    topK: 2,
    url: "http://127.0.0.1:1/v1/completions",
    model: "m",
    replyStart: 2,
    replyTokens: 2,
    scored: 2,
    divergence: {
      meanKl: 0.5,
      maxKl: 1,
      top1Agreement: 0.5,
      firstDivergence: 1,
      positions: 2,
      lnPplRatio: 0.25,
    },
    attempts: 1,
    recordedAt: 1,
    ids: [7, 8, 9, 10],
    positions: [
      { lp: -0.1, top: { "9": -0.1, "3": -2.5 } },
      { lp: -0.7, top: { "4": -0.3, "10": -0.7 } },
    ],
    ...overrides,
  };
}

function journalWith(records: ForcedRecord[]): string {
  const file = join(mkdtempSync(join(tmpdir(), "forced-")), "suite40.jsonl");
  const writer = new JournalWriter<ForcedRecord>(file);
  for (const r of records) writer.append(r);
  writer.close();
  return file;
}

describe("the divergence journal", () => {
  test("heads leave ids and positions out; the whole record is read back from its line", () => {
    // An item id that spells the cut inside a string: a quote in a JSON string is escaped, so it is not the cut.
    const tricky = 'q,"ids":[1]';
    const file = journalWith([record("q1"), record(tricky)]);
    const { records, unreadable } = readForcedHeads(file);
    expect(unreadable).toStrictEqual([]);
    const head = records.get(tricky);
    expect(head).not.toHaveProperty("ids");
    expect(head).not.toHaveProperty("positions");
    expect(head?.divergence?.meanKl).toBe(0.5);
    if (head === undefined) throw new Error("no head");
    expect(readForcedRecordAt(file, head.at)).toStrictEqual(record(tricky));
    expect(readForcedJournal(file).records.get("q1")).toStrictEqual(record("q1"));
  });

  test("the latest record of an item wins: a success after a failure", () => {
    const failed = record("q1", { error: { code: "E_REQUEST_FAILED", message: "500" }, attempts: 4 });
    for (const key of ["replyStart", "replyTokens", "scored", "divergence", "ids", "positions"] as const)
      delete failed[key];
    const file = journalWith([failed, record("q1")]);
    expect(readForcedHeads(file).records.get("q1")?.error).toBeUndefined();
    expect(readForcedHeads(journalWith([failed])).records.get("q1")?.error?.code).toBe("E_REQUEST_FAILED");
  });

  test("an unreadable line is listed, not fatal; a record with neither scores nor an error is unreadable", () => {
    const file = journalWith([record("q1")]);
    appendFileSync(file, "not json\n");
    const { ids: _, ...noIds } = record("q2");
    appendFileSync(file, `${JSON.stringify(noIds)}\n`);
    const { records, unreadable } = readForcedJournal(file);
    expect([...records.keys()]).toStrictEqual(["q1"]);
    expect(unreadable.map((u) => u.line)).toStrictEqual([2, 3]);
    expect(unreadable[1]?.reason).toContain("either ids, replyStart, scored and positions, or an error");
  });

  test("a newer format is refused rather than guessed", () => {
    const file = journalWith([record("q1")]);
    appendFileSync(file, `${JSON.stringify({ ...record("q2"), v: 2 })}\n`);
    expect(() => readForcedHeads(file)).toThrow(FormatTooNewError);
  });
});
