/**
 * A sum or product of written-out matrices ("The sum is $A + B$", "$I \cdot I$"), reduced to one matrix whose cells
 * are LaTeX sums and products of the original cells, so they compare with the gold cell by cell. Only one kind of
 * operation per answer (all "+"/"-", or all products): mixing them would need precedence for no real reply.
 */
import { MAX_ITEMS } from "./limits.ts";

type Cells = string[][];

// One matrix with an optional bracket around it ("[\begin{array}{cc}…\end{array}]" once \left and \right are gone).
const ONE_MATRIX = /[([]?\\begin\{([pbvBV]?matrix|array)\}(?:\{[^{}]*\})?(.*?)\\end\{\1\}[)\]]?/g;

/** The cells of a matrix body ("1 & 2 \\ 3 & 4"), rows as written; a trailing row separator adds no row. */
export function matrixCells(body: string): Cells {
  const rows = body
    .replace(/\\hline/g, "")
    .split("\\\\")
    .map((r) => r.trim());
  while (rows.length > 0 && rows[rows.length - 1] === "") rows.pop();
  return rows.map((r) => r.split("&").map((c) => c.trim()));
}

/** The cells of a rectangular matrix body with no matrix inside it. */
function cellsOf(body: string): Cells | undefined {
  if (body.includes("\\begin")) return undefined;
  const cells = matrixCells(body);
  const width = cells[0]?.length ?? 0;
  return cells.every((r) => r.length === width) && width > 0 ? cells : undefined;
}

function add(a: Cells, b: Cells, sign: "+" | "-"): Cells | undefined {
  if (a.length !== b.length || a[0]?.length !== b[0]?.length) return undefined;
  return a.map((row, i) => row.map((x, j) => `{${x}}${sign}{${b[i]?.[j] ?? ""}}`));
}

function multiply(a: Cells, b: Cells): Cells | undefined {
  const inner = b.length;
  if (a[0]?.length !== inner) return undefined;
  const width = b[0]?.length ?? 0;
  return a.map((row) =>
    Array.from({ length: width }, (_, j) => row.map((x, k) => `{${x}}\\cdot{${b[k]?.[j] ?? ""}}`).join("+")),
  );
}

/** The cells of the matrix `s` computes, or `undefined` when `s` is not a sum or product of two or more matrices. */
export function matrixArithmetic(s: string): Cells | undefined {
  const matches = [...s.matchAll(ONE_MATRIX)];
  if (matches.length < 2 || matches.length > 4) return undefined;
  const operators: string[] = [];
  let last = 0;
  const operands: Cells[] = [];
  for (const m of matches) {
    operators.push(s.slice(last, m.index).trim());
    last = m.index + m[0].length;
    const cells = cellsOf(m[2] ?? "");
    if (!cells) return undefined;
    operands.push(cells);
  }
  const [lead = "", ...between] = operators;
  if (lead !== "" || s.slice(last).trim() !== "") return undefined;
  const sum = between.every((op) => op === "+" || op === "-");
  const product = between.every((op) => op === "" || op === "\\cdot" || op === "\\times");
  if (!sum && !product) return undefined;
  let result: Cells | undefined = operands[0];
  operands.slice(1).forEach((next, k) => {
    if (result === undefined) return;
    result = sum ? add(result, next, between[k] === "-" ? "-" : "+") : multiply(result, next);
  });
  const count = result?.reduce((n, row) => n + row.length, 0) ?? 0;
  return count > 0 && count <= MAX_ITEMS ? result : undefined;
}
