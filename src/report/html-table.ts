/** The HTML tables of index.html: cells arrive escaped; rows and cells carry the data-task / data-variant the filters use. */
import { escapeHtml } from "./html-escape.ts";

/** A cell is escaped HTML, or escaped HTML with attributes of its own (the variant filter hides accuracy columns). */
export type Cell = string | { html: string; attributes: string };
export interface Row {
  attributes?: string;
  className?: string;
  cells: Cell[];
}
export type Header = string | { html: string; attributes: string; numeric: boolean };

/** A table from already-escaped cells; a string header starting with "#" marks a numeric (right-aligned) column. */
export function table(headers: readonly Header[], rows: readonly Row[]): string {
  const numeric = headers.map((h) => (typeof h === "string" ? h.startsWith("#") : h.numeric));
  const numClass = (i: number) => (numeric[i] === true ? ` class="num"` : "");
  const head = headers
    .map((h, i) =>
      typeof h === "string"
        ? `<th${numClass(i)}>${escapeHtml(h.replace(/^#/, ""))}</th>`
        : `<th ${h.attributes}${numClass(i)}>${h.html}</th>`,
    )
    .join("");
  const body = rows
    .map(
      (r) =>
        `<tr${r.attributes !== undefined && r.attributes !== "" ? ` ${r.attributes}` : ""}${r.className !== undefined && r.className !== "" ? ` class="${r.className}"` : ""}>` +
        r.cells
          .map((c, i) =>
            typeof c === "string" ? `<td${numClass(i)}>${c}</td>` : `<td ${c.attributes}${numClass(i)}>${c.html}</td>`,
          )
          .join("") +
        "</tr>",
    )
    .join("\n");
  return `<div class="table-wrap"><table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

/** A table's legend: plain sentences, escaped here. */
export function legend(lines: readonly string[]): string {
  return `<p class="legend">${lines.map(escapeHtml).join(" ")}</p>`;
}
