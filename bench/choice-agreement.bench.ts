/**
 * Agreement with MMLU-Pro's own extraction (issue 14), on the model outputs TIGER-AI-Lab/MMLU-Pro keeps
 * (bench/mmlu-pro-results.ts says where they are read from). Each stored reply is scored three ways: by the
 * official script (its own Python functions, run with python3 on every reply up to PYTHON_MAX_CHARS; longer ones,
 * where its last regex is quadratic, by our port, which is checked against python3 on the rest), and by the
 * mmlu_pro task with `scoring: official` and with the default strict reader. Agreement is of verdicts (right,
 * wrong, no letter), per official extraction level and per model; the strict reader's disagreements are counted by
 * kind (bench/choice-agreement.ts), with how often each side was right and examples.
 * QUANTEVAL_MMLU_PRO_MODELS: a comma-separated list of models, or "all"; default the ten of DEFAULT_MODELS.
 * Target: official mode >= 99.5% per model.
 */
import { extractMmluProOfficial } from "../graders/official-choice.ts";
import {
  type Compared,
  compareStored,
  DISAGREEMENT_KINDS,
  type DisagreementKind,
  OFFICIAL_LEVELS,
  type OfficialLevel,
} from "./choice-agreement.ts";
import type { Bench, Figure } from "./figures.ts";
import { officialPredictions, openResults, readReplies, type StoredReply } from "./mmlu-pro-results.ts";

/** Ten models of seven families, 3.8B to 72B and API models, chat and base. */
const DEFAULT_MODELS = [
  "gemini-1.5-pro-002",
  "jamba-1.5-large",
  "DeepSeek-Coder-V2",
  "Meta-Llama-3_1-70B-Instruct",
  "Meta-Llama-3_1-8B-Instruct",
  "Qwen1.5-72B-Chat",
  "Mixtral-8x7B-Instruct-v0.1",
  "Mistral-7B-Instruct-v0.2",
  "Phi-3-mini-4k-instruct",
  "gemma-7b",
];
/** The official `\b[A-J]\b(?!.*\b[A-J]\b)` rescans the rest of the reply at every letter: seconds for a long one. */
const PYTHON_MAX_CHARS = 3_000;
const TARGET = 0.995;

interface Tally {
  n: number;
  official: number;
  strict: number;
}
interface KindTally {
  n: number;
  officialRight: number;
  strictRight: number;
  examples: string[];
}
interface ModelTally {
  total: Tally;
  levels: Map<OfficialLevel, Tally>;
  cut: number;
  skipped: number;
}
/** How often our port of the official extraction gave python3's letter, where python3 ran. */
interface PythonCheck {
  checked: number;
  agreed: number;
  available: boolean;
}

function tally(): Tally {
  return { n: 0, official: 0, strict: 0 };
}

function add(t: Tally, c: Compared): void {
  t.n += 1;
  if (c.officialMode.verdict === c.official.verdict) t.official += 1;
  if (c.strict.verdict === c.official.verdict) t.strict += 1;
}

function share(part: number, whole: number): string {
  return whole === 0 ? "—" : `${((100 * part) / whole).toFixed(whole - part > 0 && part / whole > 0.999 ? 2 : 1)}%`;
}

function count(n: number): string {
  return n.toLocaleString("en-US");
}

function cell(t: Tally): string {
  return t.n === 0 ? "—" : `${count(t.n)}: ${share(t.official, t.n)} / ${share(t.strict, t.n)}`;
}

function example(reply: StoredReply, c: Compared): string {
  const end = reply.reply.trimEnd().slice(-160).replace(/\s+/g, " ");
  const letters = `official ${c.official.letter ?? "none"}, strict ${c.strict.letter ?? "none"} (${c.strict.rule})`;
  return `${reply.model} #${reply.questionId}: ${letters}, gold ${reply.answer}: "…${end}"`;
}

export const bench: Bench = async () => {
  const source = openResults();
  if ("missing" in source) {
    console.log(`  skipped: MMLU-Pro's stored outputs are not here: ${source.missing}`);
    return [];
  }
  const wanted = process.env.QUANTEVAL_MMLU_PRO_MODELS;
  const named = wanted?.split(",").map((m) => m.trim());
  const models = wanted === "all" ? [...source.models.keys()] : (named ?? DEFAULT_MODELS);
  const missing = models.filter((m) => !source.models.has(m));
  if (missing.length > 0) console.log(`  not in ${source.where}: ${missing.join(", ")}`);
  const python: PythonCheck = { checked: 0, agreed: 0, available: source.officialScript !== undefined };

  const byModel = new Map<string, ModelTally>();
  const byLevel = new Map<OfficialLevel, Tally>(OFFICIAL_LEVELS.map((level) => [level, tally()]));
  const kinds = new Map<DisagreementKind, KindTally>();
  for (const model of models) {
    const file = source.models.get(model);
    if (file === undefined) continue;
    const { replies, skipped } = readReplies(model, file());
    const official = officialLetters(replies, source.officialScript, python);
    const levels = new Map(OFFICIAL_LEVELS.map((l) => [l, tally()]));
    const entry: ModelTally = { total: tally(), levels, cut: 0, skipped };
    byModel.set(model, entry);
    for (const [i, reply] of replies.entries()) {
      const c = await compareStored(reply, official[i]);
      if (reply.cut) entry.cut += 1;
      for (const t of [entry.total, entry.levels.get(c.level), byLevel.get(c.level)]) if (t !== undefined) add(t, c);
      if (c.kind === undefined) continue;
      const k = kinds.get(c.kind) ?? { n: 0, officialRight: 0, strictRight: 0, examples: [] };
      k.n += 1;
      if (c.official.verdict === "right") k.officialRight += 1;
      if (c.strict.verdict === "right") k.strictRight += 1;
      if (k.examples.length < 2) k.examples.push(example(reply, c));
      kinds.set(c.kind, k);
    }
  }
  printTables(byModel, byLevel, kinds, python);
  return figures(byModel, byLevel, kinds, python);
};

/**
 * The official letters: from python3 running the official functions on every reply up to PYTHON_MAX_CHARS, our port
 * for longer ones (or all, without python3 or the script); counts how often the port agreed where python3 ran.
 */
function officialLetters(
  replies: readonly StoredReply[],
  script: string | undefined,
  python: PythonCheck,
): (string | undefined)[] {
  const port = replies.map((r) => extractMmluProOfficial(r.reply)?.letter);
  const short = replies.flatMap((r, i) => (r.reply.length <= PYTHON_MAX_CHARS ? [i] : []));
  const texts = short.map((i) => replies[i]?.reply ?? "");
  const predictions = script === undefined ? undefined : officialPredictions(script, texts);
  if (predictions === undefined) {
    python.available = false;
    return port;
  }
  const letters = [...port];
  short.forEach((replyIndex, k) => {
    const letter = predictions[k] ?? undefined;
    python.checked += 1;
    if (letter === port[replyIndex]) python.agreed += 1;
    letters[replyIndex] = letter;
  });
  return letters;
}

function markdown(rows: readonly (readonly string[])[]): string {
  const [header = []] = rows;
  return [header, header.map(() => "---"), ...rows.slice(1)].map((r) => `| ${r.join(" | ")} |`).join("\n");
}

function printTables(
  byModel: Map<string, ModelTally>,
  byLevel: Map<OfficialLevel, Tally>,
  kinds: Map<DisagreementKind, KindTally>,
  python: PythonCheck,
): void {
  const levels = OFFICIAL_LEVELS.map((l) => `${l}: n: official / strict`);
  const rows = [...byModel].map(([model, m]) => [
    `${model}${m.cut > 0 ? ` (${count(m.cut)} cut)` : ""}`,
    count(m.total.n),
    ...OFFICIAL_LEVELS.map((l) => cell(m.levels.get(l) ?? tally())),
    share(m.total.official, m.total.n),
    share(m.total.strict, m.total.n),
  ]);
  const all = tally();
  for (const t of byLevel.values()) {
    all.n += t.n;
    all.official += t.official;
    all.strict += t.strict;
  }
  rows.push([
    "all",
    count(all.n),
    ...OFFICIAL_LEVELS.map((l) => cell(byLevel.get(l) ?? tally())),
    share(all.official, all.n),
    share(all.strict, all.n),
  ]);
  console.log(`\n${markdown([["Model", "replies", ...levels, "all: official", "all: strict"], ...rows])}\n`);
  console.log(`  official port vs python3's official functions: ${python.agreed} of ${python.checked} agree\n`);
  const kindRows = DISAGREEMENT_KINDS.flatMap((kind) => {
    const k = kinds.get(kind);
    if (k === undefined) return [];
    return [[kind, String(k.n), String(k.officialRight), String(k.strictRight), k.examples.join("<br>")]];
  });
  const kindHeader = ["Strict disagreement", "replies", "official right", "strict right", "examples"];
  console.log(`${markdown([kindHeader, ...kindRows])}\n`);
}

function agreement(name: string, t: Tally, side: "official" | "strict", measures: string, target?: string): Figure {
  const value = { value: t[side] / t.n, unit: "agree" };
  return { name, n: t.n, value, measures, ...(target !== undefined ? { target } : {}) };
}

function figures(
  byModel: Map<string, ModelTally>,
  byLevel: Map<OfficialLevel, Tally>,
  kinds: Map<DisagreementKind, KindTally>,
  python: PythonCheck,
): Figure[] {
  const out: Figure[] = [];
  if (python.checked > 0) {
    const value = { value: python.agreed / python.checked, unit: "agree" };
    out.push({
      name: "official port = python3",
      n: python.checked,
      value,
      target: "= 1",
      measures:
        "extractMmluProOfficial against evaluate_from_api.py's own extract_answer run by python3, " +
        `replies up to ${PYTHON_MAX_CHARS} chars`,
    });
  }
  const reference = python.available
    ? "python3 running evaluate_from_api.py's functions (longer replies: our port)"
    : "our port (no python3)";
  for (const [model, { total }] of byModel) {
    const verdict = "verdict (right, wrong, no letter)";
    out.push(
      agreement(
        `official mode, ${model}`,
        total,
        "official",
        `${verdict} of mmlu_pro scoring: official = the official script's; reference: ${reference}`,
        `>= ${TARGET}`,
      ),
    );
    out.push(
      agreement(
        `strict mode, ${model}`,
        total,
        "strict",
        `${verdict} of the default strict reader = the official script's`,
      ),
    );
  }
  for (const [level, t] of byLevel) {
    if (t.n === 0) continue;
    const measures = `replies whose official letter came from ${level}, all models`;
    out.push(agreement(`official mode, level ${level}`, t, "official", measures));
    out.push(agreement(`strict mode, level ${level}`, t, "strict", measures));
  }
  for (const kind of DISAGREEMENT_KINDS) {
    const k = kinds.get(kind);
    if (k === undefined) continue;
    out.push({
      name: `strict ≠ official: ${kind}`,
      n: k.n,
      value: { value: k.n, unit: "replies" },
      measures: `official right on ${k.officialRight}, strict right on ${k.strictRight}`,
    });
  }
  return out;
}
