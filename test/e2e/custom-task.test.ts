/**
 * Tasks from the user's own files (customTasks): one JSONL task per answer type, a CSV task with A–D columns, a
 * parquet task, a task in its own YAML file with a system message and few-shot turns. The simulator learns their
 * answer keys from the run config (the `quanteval sim -c` path), then `run`, `--resume`, `regrade`, `report` and
 * `tasks -c` treat them as built-in tasks. In-process.
 */
import { createHash } from "node:crypto";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parquetWriteBuffer } from "hyparquet-writer";
import { afterAll, beforeAll, expect, test } from "vitest";
import { loadSimTasks } from "../../src/cli/commands/sim.ts";
import { readJournal } from "../../src/journal/journal.ts";
import { SimServer, simItemsFromTasks } from "../../src/sim/index.ts";
import { runMain } from "../helpers/run-main.ts";
import { journal, profile, ROOT, tempDir } from "./harness.ts";

const FIXTURES = join(ROOT, "test/fixtures/custom-tasks");

const TASK_LINES = [
  "customTasks:",
  "  - name: planets",
  "    data: { file: data/planets.jsonl }",
  "    id: id",
  '    prompt: "{question}"',
  "    gold: answer",
  "    answer: { type: choice, options: choices }",
  "    breakdowns: [subject]",
  "  - name: products",
  "    data: { file: data/products.jsonl }",
  '    prompt: "{problem}"',
  "    gold: answer",
  "    answer: { type: integer }",
  "    breakdowns: [level]",
  "  - name: constants",
  "    data: { file: data/constants.jsonl }",
  '    prompt: "{question}"',
  "    gold: value",
  "    answer: { type: number, tolerance: 0.0005 }",
  "  - name: algebra",
  "    data: { file: data/algebra.jsonl }",
  '    prompt: "{problem}"',
  "    gold: solution",
  "    answer: { type: math }",
  "  - name: elements",
  "    data: { file: data/elements.csv }",
  '    prompt: "{question}"',
  "    gold: answer",
  "    answer: { type: choice, options: [A, B, C, D] }",
  "    breakdowns: [subject]",
  "  - name: moons",
  "    data: { file: data/moons.parquet }",
  '    prompt: "How many moons does {planet} have?"',
  "    gold: moons",
  "    answer: { type: integer }",
  "  - data/capitals-task.yaml",
  "  - name: sums",
  "    data: { file: data/sums.jsonl }",
  '    prompt: "{problem}"',
  "    answer: { type: code, tests: tests, timeoutSec: 2 }",
  "  - name: functions",
  "    data: { file: data/functions.jsonl }",
  '    prompt: "{problem}"',
  '    answer: { type: code, tests: tests, mode: functional, functionName: "{entry_point}", language: javascript, timeoutSec: 2 }',
];
const TASKS = ["planets", "products", "constants", "algebra", "elements", "moons", "capitals", "sums", "functions"];

let sim: SimServer;
let dir: string;

function writeConfig(baseUrl: string): string {
  const file = join(dir, "run.yaml");
  const variants = [
    `  - { name: bf16, model: m-bf16, baseUrl: "${baseUrl}" }`,
    `  - { name: fp8, model: m-fp8, baseUrl: "${baseUrl}" }`,
  ];
  const lines = ["variants:", ...variants, `tasks: [${TASKS.join(", ")}]`, ...TASK_LINES];
  writeFileSync(file, [...lines, "output: { artifacts: out/a, reports: out/r }", ""].join("\n"));
  return file;
}

beforeAll(async () => {
  dir = tempDir("custom-task");
  cpSync(FIXTURES, join(dir, "data"), { recursive: true });
  const moons = parquetWriteBuffer({
    columnData: [
      { name: "planet", data: ["Mars", "Earth", "Neptune"], type: "STRING" },
      { name: "moons", data: [2n, 1n, 16n], type: "INT64" },
    ],
  });
  writeFileSync(join(dir, "data/moons.parquet"), new Uint8Array(moons));
  // The simulator reads the same config the run will (`quanteval sim -c run.yaml`), before any server exists.
  const config = writeConfig("http://127.0.0.1:9/v1");
  const io = { stdout: () => {}, stderr: () => {}, env: {}, cwd: dir, isTty: false };
  const loaded = await loadSimTasks({ config, tasks: "", tokenize: true }, { root: ROOT, io });
  sim = await SimServer.start({
    seed: 0,
    variants: [profile("m-bf16", { accuracy: 1 }), profile("m-fp8", { accuracy: 0 })],
    items: simItemsFromTasks(loaded),
  });
  writeConfig(sim.baseUrl);
});
afterAll(async () => {
  await sim.close();
});

const ITEM_COUNTS: Record<string, number> = {
  planets: 4,
  products: 3,
  constants: 3,
  algebra: 3,
  elements: 3,
  moons: 3,
  capitals: 4,
  sums: 2,
  functions: 2,
};

/** One rule per answer type when the simulator answers right: the grader read what the prompt asked for. */
const RIGHT_RULES: Record<string, string> = {
  planets: "answer-line/letter-equal",
  products: "answer-line/integer-equal",
  constants: "answer-line/number-within-tolerance",
  algebra: "boxed/",
  elements: "answer-line/letter-equal",
  moons: "answer-line/integer-equal",
  capitals: "answer-line/string-equal",
  sums: "code-block/all-tests-passed",
  functions: "code-block/all-tests-passed",
};

test("every answer type runs against the simulator: right answers graded right, wrong ones wrong", async () => {
  const result = await runMain(["run", "-c", "run.yaml", "--run-id", "c1"], { cwd: dir });
  expect(result.stderr).not.toMatch(/error\[/);
  expect(result.code).toBe(0);
  const artifacts = join(dir, "out/a");
  for (const task of TASKS) {
    const right = journal(artifacts, "c1", "bf16", task).filter((r) => r.grade !== undefined);
    expect(right.map((r) => r.grade?.correct)).toStrictEqual(Array(ITEM_COUNTS[task]).fill(true));
    for (const r of right) expect(r.grade?.rule.startsWith(RIGHT_RULES[task] ?? "?")).toBe(true);
    const wrong = journal(artifacts, "c1", "fp8", task).filter((r) => r.grade !== undefined);
    expect(wrong).toHaveLength(ITEM_COUNTS[task] ?? 0);
    expect(wrong.some((r) => r.grade?.correct === true)).toBe(false);
  }
  const report = readFileSync(join(dir, "out/r/c1/report.md"), "utf8");
  for (const task of TASKS) expect(report).toContain(task);
  // Breakdown rows: the definition's breakdowns fields, by value.
  expect(report).toMatch(/\| └ planets \/ astronomy +\| 100\.0% \(2\/2\)/);
  expect(report).toMatch(/\| └ capitals \/ Europe +\| 100\.0% \(1\/1\)/);
});

test("the manifest holds each definition and the sha256 of the definition file and every data file", () => {
  const manifest = JSON.parse(readFileSync(join(dir, "out/a/c1/manifest.json"), "utf8")) as {
    tasks: { name: string; source: unknown; files: { path: string; sha256: string }[] }[];
    config: { customTasks: { name: string; definedIn?: string; data: { file: string } }[] };
  };
  const sha = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");
  const capitals = manifest.tasks.find((t) => t.name === "capitals");
  const files = ["capitals-task.yaml", "capitals.jsonl", "capitals-shots.jsonl"].map((f) => join(dir, "data", f));
  expect(capitals?.source).toStrictEqual({ kind: "local", paths: files });
  expect(capitals?.files).toStrictEqual(files.map((path) => ({ path, sha256: sha(path) })));
  const moons = manifest.tasks.find((t) => t.name === "moons");
  expect(moons?.files).toStrictEqual([
    { path: join(dir, "data/moons.parquet"), sha256: sha(join(dir, "data/moons.parquet")) },
  ]);
  const defined = manifest.config.customTasks.find((t) => t.name === "capitals");
  expect(defined?.definedIn).toBe(join(dir, "data/capitals-task.yaml"));
  expect(defined?.data.file).toBe(join(dir, "data/capitals.jsonl"));
});

test("the prompt: system message, few-shot turns answered in the asked format, then the question", () => {
  const records = journal(join(dir, "out/a"), "c1", "bf16", "capitals");
  const first = records.find((r) => r.itemId === "row-1" && r.request !== undefined);
  const messages = first?.request?.messages;
  expect(messages?.map((m) => m.role)).toStrictEqual(["system", "user", "assistant", "user", "assistant", "user"]);
  expect(messages?.[0]?.content).toBe("You are a geography tutor.");
  expect(messages?.[2]?.content).toBe("Answer: Rome");
  expect(messages?.[5]?.content).toBe(
    'What is the capital of France?\n\nThink step by step, then end your reply with a final line of the form "Answer: <answer>", where <answer> is only the final answer, exactly as asked.',
  );
});

test("a resumed run asks only the items whose replies were lost, and regrade and tasks -c know the tasks", async () => {
  // In every task's bf16 journal, keep the first item's reply and grade: the others were never asked.
  const idsOf = new Map<string, string[]>();
  for (const task of TASKS) {
    const file = join(dir, `out/a/c1/bf16/${task}.jsonl`);
    const lines = readFileSync(file, "utf8")
      .split("\n")
      .filter((l) => l !== "");
    const ids = [...new Set(readJournal(file).records.map((r) => r.itemId))];
    idsOf.set(task, ids);
    writeFileSync(file, `${lines.filter((l) => (JSON.parse(l) as { itemId: string }).itemId === ids[0]).join("\n")}\n`);
  }
  // Item ids repeat across tasks (row-1, …): the simulator counts per id, so compare totals.
  const allIds = [...new Set([...idsOf.values()].flat())];
  const asked = () => allIds.reduce((sum, id) => sum + sim.requestCount("m-bf16", id), 0);
  const before = asked();
  const resumed = await runMain(["run", "--resume", "c1", "--artifacts", "out/a"], { cwd: dir });
  expect(resumed.stderr).not.toMatch(/error\[/);
  expect(resumed.code).toBe(0);
  const lost = [...idsOf.values()].reduce((sum, ids) => sum + ids.length - 1, 0);
  expect(asked() - before).toBe(lost);
  for (const task of TASKS) {
    const records = journal(join(dir, "out/a"), "c1", "bf16", task);
    const graded = records.filter((r) => r.grade !== undefined);
    expect(graded.map((r) => [r.itemId, r.grade?.correct])).toStrictEqual(
      (idsOf.get(task) ?? []).map((id) => [id, true]),
    );
    expect(records.filter((r) => r.request !== undefined)).toHaveLength(idsOf.get(task)?.length ?? -1);
  }

  const regraded = await runMain(["regrade", "c1", "--artifacts", "out/a", "--reports", "out/r"], { cwd: dir });
  expect(regraded.stderr).not.toMatch(/error\[/);
  expect(regraded.code).toBe(0);

  const listed = await runMain(["tasks", "-c", "run.yaml"], { cwd: dir });
  expect(listed.code).toBe(0);
  expect(listed.stdout).toMatch(/^capitals +capitals +- +4096 +data\/capitals-task\.yaml \| data\/capitals\.jsonl/m);
  expect(listed.stdout).toMatch(/^moons +moons .* data\/moons\.parquet +local /m);
});
