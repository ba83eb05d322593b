/** The divergence journals of a run, read and paired by item for the report (issue 18). */
import { appendFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { TokenizationMismatchError } from "../../src/core/errors.ts";
import { forcedJournalPath } from "../../src/journal/index.ts";
import { readRunDivergence } from "../../src/report/divergence-input.ts";
import {
  divergenceManifest,
  forced,
  type PositionSpec,
  REFERENCE,
  RUN_ID,
  SHIFTED,
  withFigures,
  writeForced,
} from "./divergence-fixture.ts";

const shouldHaveFigures = (): never => {
  throw new Error("withFigures sets divergence");
};

const artifacts = () => mkdtempSync(join(tmpdir(), "quanteval-divergence-"));

describe("readRunDivergence", () => {
  test("a run without divergence journals has none: the report shows nothing", () => {
    const dir = artifacts();
    expect(readRunDivergence(dir, divergenceManifest())).toBeUndefined();
    // The reference's journal alone pairs nothing either.
    writeForced(dir, [forced("bf16", "q1", REFERENCE)]);
    expect(readRunDivergence(dir, divergenceManifest())).toBeUndefined();
  });

  test("a variant identical to the reference: exactly 0 KL, agreement 1, ln PPL ratio 0, figures or positions", () => {
    const reference = forced("bf16", "q1", REFERENCE);
    for (const twin of [withFigures(forced("nvfp4", "q1", REFERENCE), reference), forced("nvfp4", "q1", REFERENCE)]) {
      const dir = artifacts();
      writeForced(dir, [reference, twin]);
      const run = readRunDivergence(dir, divergenceManifest());
      expect(run?.pairs.map((p) => [p.task, p.variant])).toEqual([["suite40", "nvfp4"]]);
      expect(run?.pairs[0]?.items).toEqual([
        {
          itemId: "q1",
          divergence: { meanKl: 0, maxKl: 0, top1Agreement: 1, firstDivergence: null, positions: 2 },
          lnPplRatio: 0,
          replyTokens: 2,
        },
      ]);
      expect(Object.is(run?.pairs[0]?.items[0]?.lnPplRatio, 0)).toBe(true); // not −0
    }
  });

  test("pairs by item; the figures are those of the positions worked by hand, from the record or its positions", () => {
    const reference = forced("bf16", "q1", REFERENCE);
    for (const shifted of [withFigures(forced("fp8", "q1", SHIFTED), reference), forced("fp8", "q1", SHIFTED)]) {
      const dir = artifacts();
      writeForced(dir, [reference, shifted]);
      const item = readRunDivergence(dir, divergenceManifest())?.pairs[0]?.items[0];
      // Position 0: 0.5·ln(0.5/0.35) + 0.3·ln(0.3/0.45) + 0.2·ln(0.2/0.2) = 0.0566979; position 1: 0 (same).
      expect(item?.divergence.meanKl).toBeCloseTo(0.0566979 / 2, 6);
      expect(item?.divergence.maxKl).toBeCloseTo(0.0566979, 6);
      expect(item?.divergence.top1Agreement).toBe(0.5);
      expect(item?.divergence.firstDivergence).toBe(0);
      // ln(PPL(fp8)/PPL(bf16)) = mean of ln p − ln q of tokens 5, 6: (ln(0.5/0.35) + 0) / 2 = 0.178337.
      expect(item?.lnPplRatio).toBeCloseTo(Math.log(0.5 / 0.35) / 2, 12);
    }
  });

  test("a record's own figures are read from its head; figures older than the reference's record are not", () => {
    const reference = forced("bf16", "q1", REFERENCE);
    const twin = withFigures(forced("fp8", "q1", REFERENCE), reference);
    const claimed = { ...twin, divergence: { ...(twin.divergence ?? shouldHaveFigures()), meanKl: 0.5 } };
    const dir = artifacts();
    writeForced(dir, [reference, claimed]);
    expect(readRunDivergence(dir, divergenceManifest())?.pairs[0]?.items[0]?.divergence.meanKl).toBe(0.5);
    // The reference's record was replaced after the variant's was scored: its figures are recomputed from positions.
    const stale = artifacts();
    writeForced(stale, [{ ...reference, recordedAt: claimed.recordedAt + 1 }, claimed]);
    expect(readRunDivergence(stale, divergenceManifest())?.pairs[0]?.items[0]?.divergence.meanKl).toBe(0);
  });

  test("items without a pair are counted by why, and the latest record of an item wins", () => {
    const dir = artifacts();
    writeForced(dir, [
      ...["q1", "q2", "q3", "q4", "q6"].map((id) => forced("bf16", id, REFERENCE)),
      forced("bf16", "q5", { error: "reference server down" }),
      forced("bf16", "q8", { error: "reference server down" }), // so fp8 was never asked q8
      forced("bf16", "q7", []), // an empty reply: nothing to compare
      forced("fp8", "q1", { error: "timed out" }),
      forced("fp8", "q1", SHIFTED), // asked again on resume: this one counts
      forced("fp8", "q2", { error: "HTTP 500" }),
      // q3: never asked of fp8
      forced("fp8", "q4", REFERENCE),
      forced("fp8", "q5", REFERENCE), // the reference's record of q5 is an error
      forced("fp8", "q6", REFERENCE),
      forced("fp8", "q7", []),
      forced("fp8", "q9", REFERENCE), // the reference has no record of q9
    ]);
    const pair = readRunDivergence(dir, divergenceManifest())?.pairs[0];
    expect(pair?.items.map((i) => i.itemId)).toEqual(["q1", "q4", "q6"]);
    expect(pair?.unpaired).toEqual({
      noReference: 1,
      referenceErrors: 2,
      noVariant: 1,
      variantErrors: 1,
      emptyReplies: 1,
    });
    expect(pair?.topK).toEqual([3]);
  });

  test("an unreadable line is listed with its journal, and its item counts as having no record", () => {
    const dir = artifacts();
    writeForced(dir, [forced("bf16", "q1", REFERENCE), forced("bf16", "q2", REFERENCE), forced("fp8", "q1", SHIFTED)]);
    const file = forcedJournalPath(dir, RUN_ID, "fp8", "suite40");
    appendFileSync(file, '{"v":1,"kind":"forced","itemId":"q2"}\nnot json\n');
    const run = readRunDivergence(dir, divergenceManifest());
    expect(run?.unreadable.map((u) => [u.variant, u.task, u.file, u.lines.map((l) => l.line)])).toEqual([
      ["fp8", "suite40", file, [2, 3]],
    ]);
    expect(run?.unreadable[0]?.lines[1]?.reason).toMatch(/^not JSON/);
    expect(run?.pairs[0]?.unpaired.noVariant).toBe(1);
  });

  test("refuses a pair whose token ids differ, naming the item and the first differing position", () => {
    const dir = artifacts();
    const other: PositionSpec[] = [
      { token: 5, top: { 5: 0.5, 6: 0.3 } },
      { token: 4, top: { 4: 0.6, 6: 0.2 } },
    ];
    writeForced(dir, [forced("bf16", "q1", REFERENCE), forced("fp8", "q1", other)]);
    const read = () => readRunDivergence(dir, divergenceManifest());
    expect(read).toThrow(TokenizationMismatchError);
    expect(read).toThrow(
      "suite40 item q1: fp8 at http://127.0.0.1/fp8/v1/completions against the reference " +
        "http://127.0.0.1/bf16/v1/completions: the token ids differ first at position 4 (reference id 6, variant id 4)",
    );
  });

  test("refuses a pair scored on fewer positions on one side, from the heads alone", () => {
    const dir = artifacts();
    const reference = forced("bf16", "q1", REFERENCE);
    const one = forced("fp8", "q1", SHIFTED.slice(0, 1));
    writeForced(dir, [reference, withFigures({ ...one, ids: reference.ids ?? [] }, reference)]);
    expect(() => readRunDivergence(dir, divergenceManifest())).toThrow(
      "suite40 item q1: fp8 at http://127.0.0.1/fp8/v1/completions against the reference " +
        "http://127.0.0.1/bf16/v1/completions: the token ids differ first at position 4 " +
        "(2 reply positions scored for the reference, 1 for the variant)",
    );
  });

  test("refuses a pair whose reply starts elsewhere, and a record whose positions are not its reply's", () => {
    const dir = artifacts();
    // The same ids, but the variant took the prompt's last token as the reply's first (and scored it).
    const early = forced("fp8", "q1", [{ token: 8, top: { 8: 0.9 } }, ...SHIFTED], { replyStart: 2 });
    writeForced(dir, [forced("bf16", "q1", REFERENCE), { ...early, ids: [101, 7, 8, 5, 6] }]);
    expect(() => readRunDivergence(dir, divergenceManifest())).toThrow(
      "the reply starts at 3 for the reference, at 2 for the variant",
    );
    const short = artifacts();
    const cut = forced("fp8", "q1", SHIFTED);
    writeForced(short, [forced("bf16", "q1", REFERENCE), { ...cut, positions: cut.positions?.slice(0, 1) ?? [] }]);
    expect(() => readRunDivergence(short, divergenceManifest())).toThrow(
      "suite40 item q1: the record of fp8 at http://127.0.0.1/fp8/v1/completions: the token ids differ first at " +
        "position 4 (2 reply tokens, 1 positions scored)",
    );
  });
});
