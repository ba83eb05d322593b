/** Replies whose server sent no usage, counted by quanteval: counted per variant and task, and said in the report. */
import { describe, expect, test } from "vitest";
import type { JournalRecord } from "../../src/journal/record.ts";
import { clientCounted, clientCountedNotes } from "../../src/report/client-counts.ts";
import { renderMarkdown } from "../../src/report/markdown.ts";
import { renderJson } from "../../src/report/scores-json.ts";
import { buildReport } from "../../src/report/summary.ts";
import { renderTerminalSummary } from "../../src/report/terminal-summary.ts";
import { RECORDS, reportInput } from "./fixture.ts";

/** fp8's suite40 replies counted by chunks (prompt unknown), its mini replies with the tokenizer but m3. */
function countedRecord(r: JournalRecord): JournalRecord {
  if (r.variant !== "fp8" || r.reply === undefined) return r;
  if (r.task === "suite40")
    return { ...r, reply: { ...r.reply, usage: { ...r.reply.usage, promptTokens: null }, usageCountedBy: "chunks" } };
  if (r.task === "mini" && r.itemId !== "m3") return { ...r, reply: { ...r.reply, usageCountedBy: "tokenizer" } };
  return r;
}

const counted = buildReport(reportInput({ records: RECORDS.map(countedRecord) }));
const plain = buildReport(reportInput());

const row = (task: string, variant: string) =>
  counted.tasks.find((t) => t.name === task)?.throughput.find((t) => t.variant === variant);

describe("client-counted replies in the report", () => {
  test("are counted per variant and task, by how; a variant the server counted has none", () => {
    // q1 twice (failed, then answered on resume), q2, q3, q5: the four replies of every request recorded.
    expect(row("suite40", "fp8")?.clientCounted).toEqual({ tokenizer: 0, chunks: 4 });
    expect(row("mini", "fp8")?.clientCounted).toEqual({ tokenizer: 2, chunks: 0 });
    expect(row("suite40", "bf16")?.clientCounted).toBeUndefined();
    expect(clientCounted([{}, {}])).toBeUndefined();
  });

  test("prompt figures of replies whose prompt is unknown are not given; the others are", () => {
    expect(row("suite40", "fp8")?.summary.derived.prompt_tps).toBeNull();
    expect(row("mini", "fp8")?.summary.derived.prompt_tps).toBeGreaterThan(0);
  });

  test("one note per row with client counts, saying how many of the replies and how", () => {
    expect(clientCountedNotes(counted)).toEqual([
      "† suite40, fp8: token counts of 4 of 4 replies are client-side, not the server's (it sent no usage): 4 by the " +
        "streamed chunks that carried a token, their prompt tokens unknown, so no prompt tok/s is given (set " +
        "variants[].tokenizer to count them).",
      "† mini, fp8: token counts of 2 of 3 replies are client-side, not the server's (it sent no usage): 2 with the " +
        "model's tokenizer (variants[].tokenizer: the prompt through its chat template, the completion from the " +
        "streamed text).",
    ]);
    expect(clientCountedNotes(plain)).toEqual([]);
  });

  test("report.md marks the tok/s cells and prints the notes under the table; the terminal prints them too", () => {
    const markdown = renderMarkdown(counted);
    const throughput = markdown.slice(markdown.indexOf("## Throughput"));
    const fp8 = throughput.split("\n").find((line) => /^\| suite40 +\| fp8 /.test(line)) ?? "";
    expect(fp8.split("|").map((c) => c.trim())[7]).toBe("† —");
    expect(fp8.split("|").map((c) => c.trim())[8]).toMatch(/^† [\d.]+$/);
    expect(markdown).toContain("\n† suite40, fp8: token counts of 4 of 4 replies are client-side");
    expect(renderTerminalSummary(counted)).toContain("† mini, fp8: token counts of 2 of 3 replies");
  });

  test("speed × accuracy marks the token figures of rows resting on client counts, and says so once", () => {
    const markdown = renderMarkdown(counted);
    const speed = markdown.slice(markdown.indexOf("## Speed"), markdown.indexOf("\n## ", markdown.indexOf("## Speed")));
    const lines = speed.split("\n");
    const section = (task: string) => lines.slice(lines.indexOf(`### ${task}`));
    const cells = (task: string, variant: string) =>
      (section(task).find((line) => line.startsWith(`| ${variant} `)) ?? "").split("|").map((c) => c.trim());
    // fp8's rows (decode ×, Δ tokens, Δ tokens %, tokens/correct); bf16, the reference, only where fp8 is not beside
    // it: a row rests on its own variant's counts and the reference's.
    for (const task of ["suite40", "mini"]) {
      const fp8 = cells(task, "fp8");
      for (const column of [2, 6, 7, 10]) expect(fp8[column]).toMatch(/^† /);
      for (const column of [3, 4, 8, 9, 11]) expect(fp8[column]).not.toContain("†");
    }
    expect(cells("suite40", "bf16 (ref)")[2]).not.toContain("†");
    expect(speed).toContain("† decode ×, Δ tokens and tokens/correct rest on token counts quanteval made itself");
    expect(renderMarkdown(plain)).not.toContain("rest on token counts");
  });

  test("a report without client counts has no mark, no note and no field (as before)", () => {
    expect(renderMarkdown(plain)).not.toContain("†");
    expect(renderJson(plain)).not.toContain("clientCounted");
    expect(renderJson(counted)).toContain('"clientCounted"');
  });
});
