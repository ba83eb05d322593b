/**
 * The LaTeX per-precision table compiles: pdflatex (TeX Live, with booktabs) on the hand-built report, whose names
 * need escaping and whose intervals run to \infty. Skipped, saying so, where no pdflatex is installed
 * (`apt-get install texlive-latex-base texlive-latex-recommended`).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { renderPrecisionTable } from "../../src/report/precision-table-format.ts";
import { precisionReport } from "./precision-fixture.ts";

const hasPdflatex = spawnSync("pdflatex", ["--version"], { stdio: "ignore" }).status === 0;

test.skipIf(!hasPdflatex)("the tabular compiles with pdflatex (run only where pdflatex is on PATH)", () => {
  const dir = mkdtempSync(join(tmpdir(), "qe-latex-"));
  writeFileSync(join(dir, "table.tex"), renderPrecisionTable(precisionReport(), "latex"));
  const document = ["\\documentclass{article}", "\\usepackage{booktabs,graphicx}", "\\begin{document}"];
  document.push("\\resizebox{\\linewidth}{!}{\\input{table}}", "\\end{document}", "");
  writeFileSync(join(dir, "doc.tex"), document.join("\n"));
  // -halt-on-error: an unescaped special or a bad \multicolumn is an error and a non-zero exit, which throws here.
  const log = execFileSync("pdflatex", ["-interaction=nonstopmode", "-halt-on-error", "doc.tex"], {
    cwd: dir,
    encoding: "utf8",
  });
  expect(log).toMatch(/Output written on doc\.pdf \(1 page/);
  expect(log).not.toMatch(/^! /m);
});
