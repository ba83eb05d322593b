/** `quanteval tasks`: what can be run, with item counts and sources. */
import type { CliIo } from "../cli.ts";
import { TASKS } from "../tasks/index.ts";

export async function printTaskList(ctx: { root: string; io: CliIo }): Promise<void> {
  const rows = [["task", "family", "items", "max_tokens", "source", "description"]];
  for (const task of TASKS) {
    const items = await task.load({ root: ctx.root });
    const source = task.source.kind === "bundled" ? task.source.path : `${task.source.hub}@${task.source.revision.slice(0, 7)}`;
    rows.push([task.name, task.family, String(items.length), String(task.defaults.maxTokens), source, task.description]);
  }
  const widths = rows[0]?.map((_c, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  for (const row of rows) ctx.io.stdout(`${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join("  ")}\n`);
}
