/**
 * MMLU-Pro's stored model outputs (TIGER-AI-Lab/MMLU-Pro, eval_results/model_outputs_<model>_5shots.zip, Apache-2.0:
 * one JSON array per model of the test rows with the model's reply), and the official extraction run on them.
 * QUANTEVAL_MMLU_PRO_RESULTS names either a git directory of the repository (what `fetch` mirrors; files are read
 * with `git cat-file`, and large ones may be absent) or a folder holding the .zip or .json files (a checkout's
 * eval_results/, or the files unpacked). Default: the mirror beside the checkout,
 * ../.mirror/TIGER-AI-Lab+MMLU-Pro/repo.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { inflateRawSync } from "node:zlib";
import { z } from "zod";

const ROOT = resolve(import.meta.dirname, "..");
const RESULTS_ENV = "QUANTEVAL_MMLU_PRO_RESULTS";
export const RESULTS_DIR =
  process.env[RESULTS_ENV] === undefined || process.env[RESULTS_ENV] === ""
    ? resolve(ROOT, "../.mirror/TIGER-AI-Lab+MMLU-Pro/repo")
    : resolve(process.env[RESULTS_ENV]);
const FILE_NAME = /^model_outputs_(.+?)_5shots(?:\.json)?\.(?:zip|json)$/;

/** A stored row, with what grading needs. API runs keep the reply as `model_outputs`, local ones `generated_text`. */
const StoredRowSchema = z.object({
  question_id: z.number().int(),
  options: z.array(z.string()),
  answer: z.string(),
  model_outputs: z.string().optional(),
  generated_text: z.string().optional(),
});
export interface StoredReply {
  model: string;
  questionId: number;
  options: string[];
  answer: string;
  reply: string;
  /** The stored text went on past "Question:" and was cut there (see `readReplies`). */
  cut: boolean;
}

/** evaluate_from_local.py's stop string: vLLM ends the reply before it, so the script never sees what follows. */
const LOCAL_STOP = "Question:";

export interface ResultsSource {
  /** Where the files were found, for messages. */
  where: string;
  /** Model name → how to read its file; a model whose file is absent from a mirror is not listed. */
  models: Map<string, () => Buffer>;
  /** The official script's source, when the source has it. */
  officialScript: string | undefined;
}

/** The stored outputs, or why they cannot be read (the bench then says so and measures nothing). */
export function openResults(dir: string = RESULTS_DIR): ResultsSource | { missing: string } {
  if (!existsSync(dir)) {
    return { missing: `${dir} does not exist (set ${RESULTS_ENV} to the MMLU-Pro repository or its eval_results/)` };
  }
  return existsSync(join(dir, "objects")) && existsSync(join(dir, "HEAD")) ? gitSource(dir) : folderSource(dir);
}

function gitSource(gitDir: string): ResultsSource {
  const git = (...args: string[]) => execFileSync("git", ["--git-dir", gitDir, ...args], { maxBuffer: 1 << 30 });
  const models = new Map<string, () => Buffer>();
  for (const line of git("ls-tree", "-r", "HEAD", "eval_results").toString("utf8").split("\n")) {
    const [, sha, path] = /^\d+ blob ([0-9a-f]+)\t(.+)$/.exec(line) ?? [];
    const model = path === undefined ? undefined : FILE_NAME.exec(basename(path))?.[1];
    if (sha === undefined || model === undefined) continue;
    // A partial mirror lists its largest files without their contents.
    const present = spawnSync("git", ["--git-dir", gitDir, "cat-file", "-e", sha]).status === 0;
    if (present) models.set(model, () => git("cat-file", "blob", sha));
  }
  const script = spawnSync("git", ["--git-dir", gitDir, "show", "HEAD:evaluate_from_api.py"], { encoding: "utf8" });
  return { where: gitDir, models, officialScript: script.status === 0 ? script.stdout : undefined };
}

function folderSource(dir: string): ResultsSource {
  const folder = existsSync(join(dir, "eval_results")) ? join(dir, "eval_results") : dir;
  const models = new Map<string, () => Buffer>();
  for (const name of readdirSync(folder).sort()) {
    const model = FILE_NAME.exec(name)?.[1];
    if (model !== undefined && !models.has(model)) models.set(model, () => readFileSync(join(folder, name)));
  }
  const script = [join(folder, "evaluate_from_api.py"), join(dirname(folder), "evaluate_from_api.py")].find(existsSync);
  return { where: folder, models, officialScript: script === undefined ? undefined : readFileSync(script, "utf8") };
}

/**
 * The replies of one model; rows that are not test rows with a reply (a few files hold stray strings) are counted.
 * A local run's reply (`generated_text`, evaluate_from_local.py) is cut before its first "Question:", the stop
 * string that script passes to vLLM: some stored base-model runs were made without it and go on to invent the next
 * few-shot question and answer it, which the official pipeline would not have seen. API replies (`model_outputs`,
 * evaluate_from_api.py, which sets no stop) are kept whole.
 */
export function readReplies(model: string, file: Buffer): { replies: StoredReply[]; skipped: number } {
  const rows: unknown = JSON.parse((isZip(file) ? onlyZipEntry(file) : file).toString("utf8"));
  if (!Array.isArray(rows)) throw new Error(`${model}: expected a JSON array of rows`);
  const replies: StoredReply[] = [];
  for (const raw of rows) {
    const row = StoredRowSchema.safeParse(raw);
    if (!row.success) continue;
    const { question_id: questionId, options, answer, model_outputs: api, generated_text: local } = row.data;
    const stop = local?.indexOf(LOCAL_STOP) ?? -1;
    const reply = api ?? (stop >= 0 ? local?.slice(0, stop) : local);
    const cut = api === undefined && stop >= 0;
    if (reply !== undefined) replies.push({ model, questionId, options, answer, reply, cut });
  }
  return { replies, skipped: rows.length - replies.length };
}

function isZip(file: Buffer): boolean {
  return file.length > 4 && file.readUInt32LE(0) === 0x04034b50;
}

/**
 * The one file inside a zip archive (each of MMLU-Pro's holds one JSON file). Read from the central directory,
 * whose sizes are exact even when the local header defers them; stored or deflated entries, no zip64.
 */
function onlyZipEntry(zip: Buffer): Buffer {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0) throw new Error("not a zip archive: no end of central directory");
  const central = zip.readUInt32LE(end + 16);
  if (zip.readUInt32LE(central) !== 0x02014b50) throw new Error("zip: central directory not found");
  const method = zip.readUInt16LE(central + 10);
  const size = zip.readUInt32LE(central + 20);
  const local = zip.readUInt32LE(central + 42);
  if (size === 0xffffffff || local === 0xffffffff) throw new Error("zip64 archives are not supported");
  const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
  const data = zip.subarray(start, start + size);
  if (method === 0) return data;
  if (method === 8) return inflateRawSync(data);
  throw new Error(`zip: compression method ${method} is not supported`);
}

// Runs the official functions themselves: extract_answer, extract_again and extract_final are taken from the
// script's source with `ast` (nothing else in it runs; their progress print is silenced), and each reply first has
// "**" removed, as single_request does before extract_answer.
const PYTHON_HARNESS = `
import ast, json, re, sys
source = sys.stdin.readline()
tree = ast.parse(json.loads(source))
wanted = ("extract_answer", "extract_again", "extract_final")
funcs = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name in wanted]
ns = {"re": re, "print": lambda *a, **k: None}
exec(compile(ast.Module(body=funcs, type_ignores=[]), "evaluate_from_api.py", "exec"), ns)
texts = json.loads(sys.stdin.read())
json.dump([ns["extract_answer"](t.replace("**", "")) for t in texts], sys.stdout)
`;

/**
 * The letters the official script extracts from `replies` (null: none), by running its own Python functions with
 * python3; `undefined` when python3 is not there.
 */
export function officialPredictions(script: string, replies: readonly string[]): (string | null)[] | undefined {
  const run = spawnSync("python3", ["-c", PYTHON_HARNESS], {
    input: `${JSON.stringify(script)}\n${JSON.stringify(replies)}`,
    encoding: "utf8",
    maxBuffer: 1 << 28,
  });
  if (run.error !== undefined) return undefined;
  if (run.status !== 0) throw new Error(`python3 failed running the official extraction: ${run.stderr.slice(-2000)}`);
  const predictions = z.array(z.string().nullable()).parse(JSON.parse(run.stdout));
  if (predictions.length !== replies.length) throw new Error("python3 returned a different number of predictions");
  return predictions;
}
