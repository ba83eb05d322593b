/** Left-aligned columns separated by two spaces, for terminal listings (the last column is not padded). */
export function renderPlainTable(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_c, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  return rows
    .map((row) => `${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join("  ")}\n`)
    .join("");
}
