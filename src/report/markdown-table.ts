/**
 * GitHub-flavoured Markdown tables with padded columns, so the same text pastes cleanly into a GitHub issue or
 * README and stays readable as plain text in a terminal.
 */

export type Align = "left" | "right";
export interface Column {
  header: string;
  align: Align;
}

export function markdownTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const cells = rows.map((row) => columns.map((_, i) => escapeCell(row[i] ?? "")));
  const headers = columns.map((c) => escapeCell(c.header));
  // Width in code points: the en dash, arrows and "—" the report uses are one column wide in a terminal.
  const width = (text: string) => [...text].length;
  const widths = columns.map((_, i) =>
    Math.max(3, width(headers[i] ?? ""), ...cells.map((row) => width(row[i] ?? ""))),
  );
  const pad = (text: string, i: number) => {
    const fill = " ".repeat((widths[i] ?? 0) - width(text));
    return columns[i]?.align === "right" ? fill + text : text + fill;
  };
  const line = (row: readonly string[]) => `| ${row.map(pad).join(" | ")} |`;
  const rule = `|${columns.map((c, i) => (c.align === "right" ? `${"-".repeat((widths[i] ?? 3) + 1)}:` : "-".repeat((widths[i] ?? 3) + 2))).join("|")}|`;
  return [line(headers), rule, ...cells.map(line)].join("\n");
}

/** A pipe inside a cell would end it; a newline would end the row. */
function escapeCell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

/** Legend lines as a Markdown block quote, under the table they explain. */
export function quote(lines: readonly string[]): string {
  return lines.map((line) => `> ${line}`).join("\n");
}
