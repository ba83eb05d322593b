/**
 * aime24, aime25 (family `aime`): the 30 problems of each year's AIME I and II; answers are integers 0–999.
 * Sources: aime24 — HuggingFaceH4/aime_2024 (split train; answers are strings, some with leading zeros such as
 * "025") or `source: Maxwell-Jia/AIME_2024`; aime25 — opencompass/AIME2025 (configs AIME2025-I and AIME2025-II;
 * one gold is written "336^\circ") or `source: math-ai/aime25`. Item ids are the same whichever source:
 * `2024-I-1` … `2024-II-15`, so runs on different sources can be compared.
 * Prompt: the problem, then "Please reason step by step, and put your final answer within \boxed{}."
 * Grading: the last `\boxed{}` (else an `Answer:` line) read as an integer 0–999, equal to the gold.
 * With 30 items a single problem is 3.3 points: compare precisions with `repeats`, not one run.
 */
import { z } from "zod";
import { parseAimeInteger } from "../../graders/math/index.ts";
import { GoldParseError } from "../core/errors.ts";
import type { Item } from "../core/types.ts";
import { parseRow, readJsonl, readParquetRows } from "../datasets/index.ts";
import { boxedPrompt, gradeAimeAnswer } from "./math-answer.ts";
import type { DataFileRef, LoadOptions, Task } from "./types.ts";

interface Problem {
  id: string;
  problem: string;
  answer: string;
}

interface AimeSource {
  dataset: string;
  files: string[];
  read(opts: LoadOptions, task: string): Promise<Problem[]>;
}

/** "https://artofproblemsolving.com/wiki/index.php/2024_AIME_I_Problems/Problem_1" → "2024-I-1". */
export function aimeIdFromUrl(url: string): string | undefined {
  const m = /(\d{4})_AIME_(I{1,2})_Problems\/Problem_(\d+)/.exec(url);
  return m === null ? undefined : `${m[1]}-${m[2]}-${m[3]}`;
}

const H4_2024: AimeSource = {
  dataset: "HuggingFaceH4/aime_2024",
  files: ["data/train-00000-of-00001.parquet"],
  async read(opts, task) {
    const file = await opts.data.path(this.dataset, "data/train-00000-of-00001.parquet", task);
    const Row = z.object({
      id: z.number().int(),
      problem: z.string().min(1),
      answer: z.string().min(1),
      url: z.string(),
    });
    return (await readParquetRows(file)).map((raw, i) => {
      const row = parseRow(Row, raw, `${this.dataset} row ${i}`);
      return { id: aimeIdFromUrl(row.url) ?? String(row.id), problem: row.problem, answer: row.answer };
    });
  },
};

const MAXWELL_2024: AimeSource = {
  dataset: "Maxwell-Jia/AIME_2024",
  files: ["aime_2024_problems.parquet"],
  async read(opts, task) {
    const file = await opts.data.path(this.dataset, "aime_2024_problems.parquet", task);
    const Row = z.object({ ID: z.string().min(1), Problem: z.string().min(1), Answer: z.number().int() });
    return (await readParquetRows(file)).map((raw, i) => {
      const row = parseRow(Row, raw, `${this.dataset} row ${i}`);
      return { id: row.ID, problem: row.Problem, answer: String(row.Answer) };
    });
  },
};

const OPENCOMPASS_2025: AimeSource = {
  dataset: "opencompass/AIME2025",
  files: ["aime2025-I.jsonl", "aime2025-II.jsonl"],
  async read(opts, task) {
    const Row = z.object({ question: z.string().min(1), answer: z.string().min(1) });
    const out: Problem[] = [];
    for (const part of ["I", "II"] as const) {
      const name = `aime2025-${part}.jsonl`;
      const rows = await readJsonl(await opts.data.path(this.dataset, name, task));
      rows.forEach((raw, i) => {
        const row = parseRow(Row, raw, `${this.dataset}/${name} line ${i + 1}`);
        out.push({ id: `2025-${part}-${i + 1}`, problem: row.question, answer: row.answer });
      });
    }
    return out;
  },
};

const MATH_AI_2025: AimeSource = {
  dataset: "math-ai/aime25",
  files: ["test.jsonl"],
  async read(opts, task) {
    const Row = z.object({
      problem: z.string().min(1),
      answer: z.union([z.number().int(), z.string()]),
      id: z.union([z.string(), z.number()]),
    });
    const rows = await readJsonl(await opts.data.path(this.dataset, "test.jsonl", task));
    return rows.map((raw, i) => {
      const row = parseRow(Row, raw, `${this.dataset}/test.jsonl line ${i + 1}`);
      // Rows 0–14 are AIME 2025 I, 15–29 are II, in problem order.
      const n = Number(row.id);
      const id =
        Number.isInteger(n) && n >= 0 && n < 30 ? `2025-${n < 15 ? "I" : "II"}-${(n % 15) + 1}` : String(row.id);
      return { id, problem: row.problem, answer: String(row.answer) };
    });
  },
};

function aimeTask(name: "aime24" | "aime25", sources: readonly AimeSource[]): Task {
  const [defaultSource] = sources;
  if (defaultSource === undefined) throw new Error(`${name}: no source`);
  const OptionsSchema = z.strictObject({
    /** Which hub copy to read; all give the same 30 problems with the same item ids. */
    source: z.enum(sources.map((s) => s.dataset) as [string, ...string[]]).default(defaultSource.dataset),
  });
  const sourceOf = (options: Record<string, unknown>): AimeSource => {
    const { source } = OptionsSchema.parse(options);
    return sources.find((s) => s.dataset === source) ?? defaultSource;
  };
  const year = name === "aime24" ? "2024" : "2025";
  return {
    name,
    family: "aime",
    description: `AIME ${year}: 30 problems (I and II), integer answers 0–999 (sources: ${sources.map((s) => s.dataset).join(", ")})`,
    source: { kind: "hub", datasets: sources.map((s) => s.dataset) },
    // Qwen3's card recommends 38,912 output tokens for AIME-level problems.
    defaults: { maxTokens: 38912 },
    size: "30",
    options: OptionsSchema,
    files: (_subset, options): DataFileRef[] => {
      const source = sourceOf(options);
      return source.files.map((path) => ({ dataset: source.dataset, path }));
    },
    breakdowns: [],
    load: async (opts) => {
      const source = sourceOf(opts.options);
      const problems = await source.read(opts, name);
      if (problems.length !== 30) opts.notice(`${source.dataset} has ${problems.length} problems, not 30`);
      return problems.map(
        (p): Item => ({
          id: p.id,
          task: name,
          messages: [{ role: "user", content: boxedPrompt(p.problem) }],
          gold: p.answer,
          meta: { source: source.dataset },
        }),
      );
    },
    grade: async (item, reply) => gradeAimeAnswer(reply, goldInteger(name, item)),
    answerKey: (item) => {
      const gold = goldInteger(name, item);
      const wrong = [...new Set([(gold + 1) % 1000, (gold + 999) % 1000, (gold * 2 + 7) % 1000])].filter(
        (w) => w !== gold,
      );
      return { correct: `\\boxed{${gold}}`, wrong: wrong.map((w) => `\\boxed{${w}}`) };
    },
  };
}

function goldInteger(task: string, item: Item): number {
  const raw = String(item.gold);
  const value = parseAimeInteger(raw);
  if (value === undefined) throw new GoldParseError(task, item.id, raw, "not an integer 0–999");
  return value;
}

export const aime24 = aimeTask("aime24", [H4_2024, MAXWELL_2024]);
export const aime25 = aimeTask("aime25", [OPENCOMPASS_2025, MATH_AI_2025]);
