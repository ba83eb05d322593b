/**
 * The standard benchmarks end to end: the real CLI, the simulator answering from the loaded items' answer keys,
 * the fixture datasets read from --data-dir or downloaded from a fake hub on 127.0.0.1 (gated, offline, pull).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { SimServer } from "../../src/sim/index.ts";
import { SimServer as Sim } from "../../src/sim/index.ts";
import { type FakeHub, startFakeHub } from "../helpers/hub-server.ts";
import { runMain } from "../helpers/run-main.ts";
import { FIXTURE_HUB } from "../helpers/task-data.ts";
import { journal, profile, simItemsFor, tempDir } from "./harness.ts";

/** Every file under `dir`, as text (to look for secrets). */
function allText(dir: string): string {
  let out = "";
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    out += statSync(path).isDirectory() ? allText(path) : readFileSync(path, "utf8");
  }
  return out;
}

const STANDARD = ["mmlu_pro", "gpqa", "math500", "aime", "livecodebench:release_v1", "hle"];
const TASK_NAMES = [
  "mmlu_pro",
  "gpqa_diamond",
  "gpqa_main",
  "gpqa_extended",
  "math500",
  "aime24",
  "aime25",
  "livecodebench:release_v1",
  "hle",
];

describe("every standard task, end to end against the simulator", () => {
  let sim: SimServer;
  beforeAll(async () => {
    const items = await simItemsFor(STANDARD);
    sim = await Sim.start({
      seed: 3,
      variants: [profile("m-bf16", { accuracy: 0.8 }), profile("m-fp8", { accuracy: 0.7 })],
      items,
    });
  });
  afterAll(async () => {
    await sim.close();
  });

  test("two variants × nine tasks: every item asked once and graded as its answer key says", async () => {
    const cwd = tempDir("bench-e2e");
    const result = await runMain(
      [
        "run",
        "--variant",
        "bf16",
        "--base-url",
        sim.baseUrl,
        "--model",
        "m-bf16",
        "--variant",
        "fp8",
        "--base-url",
        sim.baseUrl,
        "--model",
        "m-fp8",
        "--tasks",
        STANDARD.join(","),
        "--data-dir",
        FIXTURE_HUB,
        "--run-id",
        "std",
        "--concurrency",
        "4",
        // The simulator's wrong code answers include an endless loop: a short time limit keeps the test quick.
        "--set",
        "taskOptions.livecodebench.timeoutSec=1",
      ],
      { cwd },
    );
    expect(result.stderr).not.toMatch(/error\[/);
    expect(result.code).toBe(0);
    const answers = new Map((await simItemsFor(STANDARD)).map((i) => [`${i.task}/${i.itemId}`, i.answers]));
    for (const variant of ["bf16", "fp8"]) {
      for (const task of TASK_NAMES) {
        const records = journal(join(cwd, "artifacts"), "std", variant, task);
        expect(records.length, `${variant}/${task}`).toBeGreaterThan(0);
        expect(new Set(records.map((r) => r.itemId)).size).toBe(records.length);
        for (const record of records) {
          const key = answers.get(`${task}/${record.itemId}`);
          expect(record.grade, `${variant}/${task}/${record.itemId}: ${record.error?.message ?? ""}`).toBeDefined();
          const saidCorrect = record.reply?.text.includes(key?.correct ?? "\u0000") ?? false;
          expect(record.grade?.correct, `${variant}/${task}/${record.itemId}: ${record.reply?.text.slice(-200)}`).toBe(
            saidCorrect,
          );
        }
      }
    }
    const report = readFileSync(join(cwd, "reports", "std", "report.md"), "utf8");
    for (const task of TASK_NAMES) expect(report).toMatch(new RegExp(`\\| ${task.replace(/[:]/g, ":")} +\\| +\\d`));
    expect(report).toMatch(/## Tasks and data/);
    expect(report).toMatch(/TIGER-Lab\/MMLU-Pro@b189ec7 data\/test-00000-of-00001\.parquet [0-9a-f]{12}/);
    expect(report).toMatch(/answer letter that disagrees with answer_index/);
    const manifest = JSON.parse(readFileSync(join(cwd, "artifacts", "std", "manifest.json"), "utf8")) as {
      tasks: { name: string; maxTokens: number; files: { sha256: string }[] }[];
    };
    expect(manifest.tasks.find((t) => t.name === "aime24")?.maxTokens).toBe(38912);
    expect(manifest.tasks.every((t) => t.files.every((f) => /^[0-9a-f]{64}$/.test(f.sha256)))).toBe(true);
  });
});

describe("hub access from the CLI: gated, offline, pull", () => {
  let hub: FakeHub;
  let sim: SimServer;
  const TOKEN = "hf_approvedAccountToken123";
  beforeAll(async () => {
    hub = await startFakeHub({ root: FIXTURE_HUB, gated: ["Idavidrein/gpqa", "cais/hle"], tokens: [TOKEN] });
    sim = await Sim.start({
      seed: 1,
      variants: [profile("m-bf16")],
      items: await simItemsFor(["math500", "gpqa_diamond", "hle"]),
    });
  });
  afterAll(async () => {
    await sim.close();
    await hub.close();
  });

  const runArgs = (runId: string) => [
    "run",
    "--base-url",
    sim.baseUrl,
    "--model",
    "m-bf16",
    "--variant",
    "bf16",
    "--tasks",
    "math500,gpqa_diamond,hle",
    "--run-id",
    runId,
  ];

  test("without access the gated tasks are N/A with the dataset, the access page and HF_TOKEN; the rest runs; exit 3; a token later completes the run", async () => {
    const cwd = tempDir("gated");
    // HF_HOME points at an empty folder so a token saved by `hf auth login` on this machine cannot be picked up.
    const env = { HF_ENDPOINT: hub.url, HF_HUB_CACHE: join(cwd, "hf-cache"), HF_HOME: join(cwd, "hf-home") };
    const first = await runMain(runArgs("g1"), { cwd, env });
    expect(first.code).toBe(3);
    expect(first.stderr).toMatch(/N\/A: task gpqa_diamond: error\[E_DATASET_GATED\]: Idavidrein\/gpqa is gated/);
    expect(first.stderr).toMatch(/https:\/\/huggingface\.co\/datasets\/Idavidrein\/gpqa/);
    expect(first.stderr).toMatch(/HF_TOKEN/);
    expect(first.stderr).toMatch(/N\/A: task hle: error\[E_DATASET_GATED\]/);
    expect(journal(join(cwd, "artifacts"), "g1", "bf16", "math500").length).toBe(8);
    const report = readFileSync(join(cwd, "reports", "g1", "report.md"), "utf8");
    expect(report).toMatch(/\| gpqa_diamond +\| +N\/A \|/);
    expect(report).toMatch(/N\/A gpqa_diamond: error\[E_DATASET_GATED\]/);

    const second = await runMain(["run", "--resume", "g1"], { cwd, env: { ...env, HF_TOKEN: TOKEN } });
    expect(second.stderr).not.toMatch(/N\/A/);
    expect(second.code).toBe(0);
    expect(journal(join(cwd, "artifacts"), "g1", "bf16", "gpqa_diamond").length).toBe(4);
    expect(journal(join(cwd, "artifacts"), "g1", "bf16", "math500").length).toBe(8); // nothing asked twice
    expect(
      allText(join(cwd, "artifacts")) + allText(join(cwd, "reports")) + second.stdout + second.stderr,
    ).not.toContain(TOKEN);
  });

  test("a wrong token is refused (403) with the same fix; the token never appears in the message", async () => {
    const cwd = tempDir("gated403");
    const result = await runMain(["data", "pull", "gpqa_diamond"], {
      cwd,
      env: {
        HF_ENDPOINT: hub.url,
        HF_HUB_CACHE: join(cwd, "c"),
        HF_HOME: join(cwd, "hf-home"),
        HF_TOKEN: "hf_notApprovedToken999",
      },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/E_DATASET_GATED.*HTTP 403/);
    expect(result.stderr).toMatch(/request access at https:\/\/huggingface\.co\/datasets\/Idavidrein\/gpqa/);
    expect(result.stderr).not.toContain("hf_notApprovedToken999");
  });

  test("offline with an empty cache: N/A naming `quanteval data pull`; after a pull, offline runs with no request to the hub", async () => {
    const cwd = tempDir("offline");
    const env = { HF_ENDPOINT: hub.url, HF_HUB_CACHE: join(cwd, "hf-cache"), HF_TOKEN: TOKEN };
    const empty = await runMain([...runArgs("o1"), "--offline"], { cwd, env });
    expect(empty.code).toBe(3);
    expect(empty.stderr).toMatch(/N\/A: task math500: error\[E_DATASET_NOT_CACHED\].*downloads are off/);
    expect(empty.stderr).toMatch(/quanteval data pull math500/);

    const pull = await runMain(["data", "pull", "math500", "gpqa_diamond", "hle"], { cwd, env });
    expect(pull.code, pull.stderr).toBe(0);
    expect(pull.stdout).toMatch(/pulled +HuggingFaceH4\/MATH-500@ff5b20257d81 +test\.jsonl/);
    expect(pull.stderr).toMatch(/downloaded HuggingFaceH4\/MATH-500\/test\.jsonl/);

    const status = await runMain(["data", "status"], { cwd, env });
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/HuggingFaceH4\/MATH-500 +test\.jsonl +ff5b20257d81 +yes/);
    expect(status.stdout).toMatch(/livecodebench\/code_generation_lite +test6\.jsonl .* no /);

    const before = hub.requests.length;
    const offline = await runMain([...runArgs("o2"), "--offline"], {
      cwd,
      env: { HF_HUB_CACHE: env.HF_HUB_CACHE, HF_ENDPOINT: "http://127.0.0.1:9" },
    });
    expect(offline.stderr).not.toMatch(/N\/A/);
    expect(offline.code).toBe(0);
    expect(hub.requests.length).toBe(before);

    const tasks = await runMain(["tasks"], { cwd, env: { HF_HUB_CACHE: env.HF_HUB_CACHE } });
    expect(tasks.stdout).toMatch(/^math500 +math500 +500 +32768 +HuggingFaceH4\/MATH-500@ff5b202 +yes/m);
    expect(tasks.stdout).toMatch(/^gpqa_diamond +gpqa +198 .* yes +gated/m);
    expect(tasks.stdout).toMatch(/^mmlu_pro .* no /m);
    // Issue 20: scicode is supported (its targets file is named with --scicode-h5).
    expect(tasks.stdout).toMatch(/^scicode +scicode +50 sub-steps \(15 problems\) +32768 +SciCode1\/SciCode@4510f6a /m);
    expect(tasks.stdout).not.toMatch(/not supported yet/);
  });
});

describe("several samples per item (pass@k)", () => {
  test("each sample is asked with its own seed, journalled apart, resumed per sample, and reported as pass@k", async () => {
    const items = await simItemsFor(["livecodebench:v6"]);
    const sim = await Sim.start({ seed: 5, variants: [profile("m-bf16", { accuracy: 0.5 })], items });
    try {
      const cwd = tempDir("samples");
      const args = [
        "run",
        "--base-url",
        sim.baseUrl,
        "--model",
        "m-bf16",
        "--variant",
        "bf16",
        "--tasks",
        "livecodebench:v6",
        "--data-dir",
        FIXTURE_HUB,
        "--run-id",
        "pk",
        "--temperature",
        "0.8",
        "--seed",
        "7",
        "--set",
        "taskOptions.livecodebench.samples=4",
        "--set",
        "taskOptions.livecodebench.timeoutSec=1",
      ];
      const first = await runMain(args, { cwd });
      expect(first.code, first.stderr).toBe(0);
      const records = journal(join(cwd, "artifacts"), "pk", "bf16", "livecodebench:v6");
      expect(records.length).toBe(12);
      for (const item of new Set(records.map((r) => r.itemId))) {
        const mine = records.filter((r) => r.itemId === item);
        expect(mine.map((r) => r.sample).sort()).toEqual([0, 1, 2, 3]);
        expect(mine.map((r) => Number(r.request.params.seed)).sort((a, b) => a - b)).toEqual([7, 8, 9, 10]);
      }
      const correct = records.filter((r) => r.grade?.correct === true).length;
      const report = readFileSync(join(cwd, "reports", "pk", "report.md"), "utf8");
      expect(report).toMatch(/## pass@k \(several samples per item\)/);
      const row = report.split("\n").find((l) => /^\| livecodebench:v6 +\| bf16 +\| +3 \| +4 \|/.test(l));
      expect(row, report).toBeDefined();
      const cells = (row ?? "")
        .split("|")
        .map((c) => c.trim())
        .filter((c) => c !== "");
      expect(cells[4]).toBe(`${((100 * correct) / 12).toFixed(1)}%`); // pass@1 = mean over all samples
      const again = await runMain(args, { cwd });
      expect(again.code).toBe(0);
      expect(journal(join(cwd, "artifacts"), "pk", "bf16", "livecodebench:v6").length).toBe(12); // nothing asked twice
    } finally {
      await sim.close();
    }
  });
});
