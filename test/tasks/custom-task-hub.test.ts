/**
 * A custom task whose data is a hub dataset at a pinned revision: fetched through src/datasets into the HF cache
 * (from a fake hub on 127.0.0.1), its few-shot examples from another split's file, the files' revision and sha256
 * recorded, read again offline from the cache, and N/A with the fix when the dataset is gated.
 */
import { createHash } from "node:crypto";
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parquetWriteBuffer } from "hyparquet-writer";
import { afterAll, beforeAll, expect, test } from "vitest";
import { QuantevalError } from "../../src/core/errors.ts";
import { HubDatasetFiles } from "../../src/datasets/index.ts";
import { loadTasks } from "../../src/runner/load-tasks.ts";
import { CustomTaskSchema } from "../../src/tasks/index.ts";
import { tempDir } from "../e2e/harness.ts";
import { type FakeHub, startFakeHub } from "../helpers/hub-server.ts";
import { ROOT } from "../helpers/task-data.ts";

const REVISION = "0123456789abcdef0123456789abcdef01234567";
let hub: FakeHub;
let hubRoot: string;

beforeAll(async () => {
  hubRoot = tempDir("custom-hub");
  for (const id of ["me/quiz", "lab/secret-quiz"]) {
    mkdirSync(join(hubRoot, id, "data"), { recursive: true });
    const test = parquetWriteBuffer({
      columnData: [
        { name: "question", data: ["What is 6 times 7?", "What is 2 plus 2?"], type: "STRING" },
        { name: "answer", data: [42n, 4n], type: "INT64" },
      ],
    });
    writeFileSync(join(hubRoot, id, "data/test-00000-of-00001.parquet"), new Uint8Array(test));
    writeFileSync(join(hubRoot, id, "data/train.jsonl"), '{"question": "What is 1 plus 1?", "answer": 2}\n');
  }
  // me/broken: the quiz with line 2 of its train file cut short.
  mkdirSync(join(hubRoot, "me/broken"), { recursive: true });
  cpSync(join(hubRoot, "me/quiz/data"), join(hubRoot, "me/broken/data"), { recursive: true });
  writeFileSync(join(hubRoot, "me/broken/data/train.jsonl"), '{"question": "1+1?", "answer": 2}\n{"question": \n');
  hub = await startFakeHub({ root: hubRoot, gated: ["lab/secret-quiz"] });
});
afterAll(async () => {
  await hub.close();
});

function selection(id: string) {
  const file = (path: string) => ({ hub: id, revision: REVISION, file: path });
  const def = CustomTaskSchema.parse({
    name: "quiz",
    data: file("data/test-00000-of-00001.parquet"),
    fewShot: { data: file("data/train.jsonl"), count: 1 },
    prompt: "{question}",
    gold: "answer",
    answer: { type: "integer" },
  });
  return { tasks: ["quiz"], taskOptions: {}, sampling: { temperature: 0 }, customTasks: [def] };
}

test("hub data at a revision: items, few-shot turns from the train split, files with revision and sha256", async () => {
  const cacheDir = tempDir("custom-hub-cache");
  const access = { cacheDir, offline: false, endpoint: hub.url };
  const [online] = await loadTasks(selection("me/quiz"), ROOT, new HubDatasetFiles(new Map(), access), () => {});
  expect(online?.info.unavailable).toBeUndefined();
  expect(online?.items.map((i) => [i.id, i.gold, i.messages.map((m) => m.role)])).toStrictEqual([
    ["row-1", { answer: "42" }, ["user", "assistant", "user"]],
    ["row-2", { answer: "4" }, ["user", "assistant", "user"]],
  ]);
  expect(online?.items[0]?.messages[1]?.content).toBe("Answer: 2");
  const sha = (path: string) =>
    createHash("sha256")
      .update(readFileSync(join(hubRoot, "me/quiz", path)))
      .digest("hex");
  expect(online?.info.source).toStrictEqual({ kind: "hub", datasets: ["me/quiz"] });
  expect(online?.info.files.map((f) => [f.dataset, f.revision, f.path, f.sha256])).toStrictEqual([
    ["me/quiz", REVISION, "data/test-00000-of-00001.parquet", sha("data/test-00000-of-00001.parquet")],
    ["me/quiz", REVISION, "data/train.jsonl", sha("data/train.jsonl")],
  ]);
  // Offline, from the cache alone: the same items.
  const offline = new HubDatasetFiles(new Map(), { ...access, offline: true, endpoint: "http://127.0.0.1:9" });
  const [again] = await loadTasks(selection("me/quiz"), ROOT, offline, () => {});
  expect(again?.items).toStrictEqual(online?.items);
});

test("a bad row of a hub file is named as owner/name@revision:path, not by its cache path; exit 2", async () => {
  const access = { cacheDir: tempDir("custom-hub-cache"), offline: false, endpoint: hub.url };
  const failure = await loadTasks(selection("me/broken"), ROOT, new HubDatasetFiles(new Map(), access), () => {}).then(
    () => undefined,
    (error: unknown) => error,
  );
  const file = `me/broken@${REVISION}:data/train.jsonl`;
  expect(failure).toBeInstanceOf(QuantevalError);
  const { message, hint, exitCode } = failure as QuantevalError;
  expect([message.startsWith(`${file}:2: not JSON`), hint, exitCode]).toStrictEqual([
    true,
    `correct line 2 of ${file}, your task's data file, then run again`,
    2,
  ]);
});

test("a gated hub dataset without access makes the task N/A with the page to ask on", async () => {
  const access = { cacheDir: tempDir("custom-hub-cache"), offline: false, endpoint: hub.url };
  const [loaded] = await loadTasks(
    selection("lab/secret-quiz"),
    ROOT,
    new HubDatasetFiles(new Map(), access),
    () => {},
  );
  expect(loaded?.info.unavailable?.code).toBe("E_DATASET_GATED");
  expect(loaded?.info.unavailable?.hint).toContain("https://huggingface.co/datasets/lab/secret-quiz");
});
