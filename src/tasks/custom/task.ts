/**
 * A user-defined task (definition.ts) as a Task like the built-in ones: rows from its file, `{field}` prompts with
 * an optional system message and few-shot turns, graded by its answer type. Items are numbered by row unless the
 * definition names an id field. Everything a regrade needs is in the definition, which the manifest stores.
 */
import { basename } from "node:path";
import { GoldParseError } from "../../core/errors.ts";
import type { Item, Message } from "../../core/types.ts";
import type { CustomAnswer, CustomTaskDefinition } from "../../custom-task-config.ts";
import type { Task } from "../types.ts";
import { correctText, customAnswerKey, defaultInstruction, goldFromRow, gradeCustom, optionLines } from "./answers.ts";
import { codeGoldFromRow } from "./code-gold.ts";
import { checkFieldsExist, requiredText } from "./fields.ts";
import { type CustomGold, CustomGoldSchema } from "./gold.ts";
import { CustomDataError, readDataRows, rowError, type SourcedRow, sourceName } from "./rows.ts";
import { fillTemplate, templateFields } from "./template.ts";

/** A row turned into its prompt and gold, before few-shot turns are put in front. */
interface Question {
  id: string;
  prompt: string;
  gold: CustomGold;
  meta: Record<string, unknown>;
}

export function customTask(def: CustomTaskDefinition): Task {
  const sources = [def.data, ...(def.fewShot !== undefined ? [def.fewShot.data] : [])];
  const files = sources.flatMap((s) => (s.hub === undefined ? [s.file] : []));
  const paths = def.definedIn === undefined ? files : [def.definedIn, ...files];
  const datasets = [...new Set(sources.flatMap((s) => (s.hub === undefined ? [] : [s.hub])))];
  return {
    name: def.name,
    family: def.name,
    description: def.description ?? `${def.answer.type} answers from ${basename(def.data.file)}`,
    // The manifest records the sha256 of local paths from `source` and of hub files as they are read.
    source: paths.length > 0 || datasets.length === 0 ? { kind: "local", paths } : { kind: "hub", datasets },
    defaults: { maxTokens: def.maxTokens },
    size: "-",
    files: () => [],
    breakdowns: def.breakdowns,
    load: async ({ data }) => {
      const questions = readQuestions(def, await readDataRows(def.data, data, def.name), sourceName(def.data));
      const shots =
        def.fewShot === undefined
          ? []
          : readShots(def, def.fewShot, await readDataRows(def.fewShot.data, data, def.name));
      const golds = [...new Set(questions.map((q) => q.gold.answer))];
      return questions.map((q) => toItem(def, q, shots, golds));
    },
    grade: async (item, reply, ctx) => gradeCustom(def.answer, goldOf(def, item), reply, ctx, where(def, item)),
    answerKey: (item, math) => {
      const gold = goldOf(def, item);
      const distractors = Array.isArray(item.meta.distractors) ? item.meta.distractors.map(String) : [];
      return customAnswerKey(def.answer, gold, math, distractors, where(def, item));
    },
  };
}

function readQuestions(def: CustomTaskDefinition, rows: readonly SourcedRow[], file: string): Question[] {
  const first = rows[0];
  if (first === undefined) throw new CustomDataError(file, file, "no rows");
  checkFieldsExist(def, first, file);
  const seen = new Set<string>();
  return rows.map((row, index) => {
    const question = toQuestion(def, row, index);
    if (seen.has(question.id)) throw rowError(row, `field "${def.id}": duplicate id "${question.id}"`);
    seen.add(question.id);
    return question;
  });
}

function readShots(
  def: CustomTaskDefinition,
  fewShot: NonNullable<CustomTaskDefinition["fewShot"]>,
  rows: readonly SourcedRow[],
) {
  const shots = readQuestions(def, rows, sourceName(fewShot.data));
  if (shots.length < fewShot.count)
    throw new CustomDataError(
      sourceName(fewShot.data),
      sourceName(fewShot.data),
      `fewShot.count is ${fewShot.count}, but the file has ${shots.length} rows`,
    );
  return shots.slice(0, fewShot.count);
}

function toQuestion(def: CustomTaskDefinition, row: SourcedRow, index: number): Question {
  const id = def.id === undefined ? `row-${index + 1}` : requiredText(row, def.id, "the id");
  const values: Record<string, string> = {};
  const gold =
    def.answer.type === "code"
      ? codeGoldFromRow(def.answer, row, functionNameOf(def.answer, row))
      : goldFromRow(def.answer, row, def.gold ?? "", { task: def.name, itemId: id });
  for (const field of [...templateFields(def.prompt), ...templateFields(def.system ?? "")]) {
    if (field === "options" && def.answer.type === "choice") values.options = optionLines(gold);
    else values[field] = requiredText(row, field, "named by the prompt");
  }
  let prompt = fillTemplate(def.prompt, values).trim();
  if (def.answer.type === "choice" && !templateFields(def.prompt).includes("options"))
    prompt = `${prompt}\n\n${optionLines(gold)}`;
  const instruction = instructionFor(def, gold, row);
  if (instruction !== "") prompt = `${prompt}\n\n${instruction}`;
  const meta: Record<string, unknown> = {};
  for (const field of def.breakdowns) meta[field] = requiredText(row, field, "a breakdown");
  if (def.system !== undefined) meta.system = fillTemplate(def.system, values);
  return { id, prompt, gold, meta };
}

function functionNameOf(answer: Extract<CustomAnswer, { type: "code" }>, row: SourcedRow): string | undefined {
  if (answer.functionName === undefined) return undefined;
  const values: Record<string, string> = {};
  for (const field of templateFields(answer.functionName))
    values[field] = requiredText(row, field, "the function name");
  return fillTemplate(answer.functionName, values);
}

function instructionFor(def: CustomTaskDefinition, gold: CustomGold, row: SourcedRow): string {
  if (def.instruction === undefined) return defaultInstruction(def.answer, gold);
  const values: Record<string, string> = { letters: [...optionLetters(gold)].join(", ") };
  for (const field of templateFields(def.instruction))
    if (field !== "letters") values[field] = requiredText(row, field, "named by the instruction");
  return fillTemplate(def.instruction, values).trim();
}

function optionLetters(gold: CustomGold): string {
  return "ABCDEFGHIJKLMNOPQRSTUVWXYZ".slice(0, gold.options?.length ?? 0);
}

function toItem(def: CustomTaskDefinition, q: Question, shots: readonly Question[], golds: readonly string[]): Item {
  const { system, ...meta } = q.meta;
  const messages: Message[] = [];
  if (typeof system === "string") messages.push({ role: "system", content: system });
  for (const shot of shots) {
    messages.push(
      { role: "user", content: shot.prompt },
      { role: "assistant", content: correctText(def.answer, shot.gold) },
    );
  }
  messages.push({ role: "user", content: q.prompt });
  if (def.answer.type === "exact") meta.distractors = nearbyGolds(golds, q.gold.answer);
  return { id: q.id, task: def.name, messages, gold: q.gold, meta };
}

/** Up to six other rows' golds, for the simulator's wrong answers to exact-string items. */
function nearbyGolds(golds: readonly string[], own: string): string[] {
  const at = golds.indexOf(own);
  return [...golds.slice(at + 1), ...golds.slice(0, at)].slice(0, 6);
}

function goldOf(def: CustomTaskDefinition, item: Item): CustomGold {
  const parsed = CustomGoldSchema.safeParse(item.gold);
  if (!parsed.success)
    throw new GoldParseError(
      def.name,
      item.id,
      JSON.stringify(item.gold),
      parsed.error.issues[0]?.message ?? "invalid",
    );
  return parsed.data;
}

function where(def: CustomTaskDefinition, item: Item): { task: string; itemId: string } {
  return { task: def.name, itemId: item.id };
}
