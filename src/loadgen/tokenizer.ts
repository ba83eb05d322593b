/**
 * A model's own tokenizer and chat template for `quanteval bench --tokenizer`, read from a model folder as the hub
 * lays it out: `tokenizer.json` (run by @huggingface/tokenizers, the JS port of the Rust crate) and the chat
 * template from `chat_template.jinja` when present (newer transformers save it there, and it wins there too), else
 * from `tokenizer_config.json`'s `chat_template` (rendered by @huggingface/jinja, the engine transformers.js uses).
 *
 * Counts are vLLM's for a chat request: the template rendered with add_generation_prompt and the variant's
 * chat_template_kwargs, then encoded with add_special_tokens false (vLLM's chat default; the template already
 * writes the special tokens it wants).
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Template } from "@huggingface/jinja";
import { Tokenizer } from "@huggingface/tokenizers";
import { z } from "zod";
import { ConfigError } from "../core/errors.ts";
import type { Message } from "../core/types.ts";

export interface ChatTokenizer {
  /** What bench.json records: the --tokenizer value, the folder read, and digests that pin the exact files. */
  readonly info: TokenizerInfo;
  /** Prompt tokens of a chat request with these messages, as vLLM counts them (see the header). */
  countChatTokens(messages: readonly Message[], templateKwargs?: Readonly<Record<string, unknown>>): number;
  /** Tokens of generated text as the model wrote it (no special tokens added; `<think>` is its one token). */
  countTextTokens(text: string): number;
}

export interface TokenizerInfo {
  ref: string;
  dir: string;
  /** The hub commit, when the folder is a hub cache snapshot. */
  revision?: string;
  tokenizer_json_sha256: string;
  chat_template_from: "chat_template.jinja" | "tokenizer_config.json";
  chat_template_sha256: string;
}

/** Where a tokenizer reference was given, for messages: bench's flag, or a run config's variants[i].tokenizer. */
export interface TokenizerField {
  /** "flags", or the config file's name. */
  source: string;
  /** "--tokenizer", or "variants[1].tokenizer". */
  name: string;
  /** How a fix is phrased: "pass --tokenizer", "set variants[1].tokenizer to". */
  fix: string;
  /** What needs the files, in the hub's messages: "bench --tokenizer", "run variants[1].tokenizer". */
  use: string;
}

export const TOKENIZER_FLAG: TokenizerField = {
  source: "flags",
  name: "--tokenizer",
  fix: "pass --tokenizer",
  use: "bench --tokenizer",
};

/** A config's `variants[index].tokenizer`, in the file `source`, as `command` reads it. */
export function variantTokenizerField(source: string, index: number, command: "run" | "bench"): TokenizerField {
  const name = `variants[${index}].tokenizer`;
  return { source, name, fix: `set ${name} to`, use: `${command} ${name}` };
}

const hint = (field: TokenizerField): string =>
  `${field.fix} a model folder holding tokenizer.json and tokenizer_config.json (a chat template in it or in ` +
  "chat_template.jinja), or a hub model id such as Qwen/Qwen3-8B";

// Only what is read here is checked; the tokenizer library reads the rest of tokenizer.json itself.
const TokenizerJsonSchema = z.looseObject({ model: z.looseObject({ type: z.string().optional() }) });
const SpecialTokenSchema = z.union([z.string(), z.looseObject({ content: z.string() })]).nullish();
const TokenizerConfigSchema = z.looseObject({
  chat_template: z.union([z.string(), z.array(z.looseObject({ name: z.string(), template: z.string() }))]).nullish(),
  bos_token: SpecialTokenSchema,
  eos_token: SpecialTokenSchema,
  unk_token: SpecialTokenSchema,
  pad_token: SpecialTokenSchema,
});

/**
 * Reads and checks the folder; throws ConfigError (exit 2) naming the file at fault. `ref` names it in messages,
 * with `field`, where it was given.
 */
export function loadChatTokenizer(
  dir: string,
  ref: string,
  revision?: string,
  field: TokenizerField = TOKENIZER_FLAG,
): ChatTokenizer {
  const problem = (file: string, detail: string): ConfigError =>
    new ConfigError([`${field.source}: ${field.name} ${ref}: ${join(dir, file)}: ${detail}`], hint(field), "tokenizer");
  const read = (file: string): string | undefined => {
    try {
      return readFileSync(join(dir, file), "utf8");
    } catch (error) {
      if (error instanceof Error && "code" in error && error.code === "ENOENT") return undefined;
      throw problem(file, `cannot read it (${error instanceof Error ? error.message : String(error)})`);
    }
  };
  const parseJson = <T>(file: string, text: string, schema: z.ZodType<T>): T => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw problem(file, `not JSON (${error instanceof Error ? error.message : String(error)})`);
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw problem(file, `not a tokenizer file: ${parsed.error.issues[0]?.message ?? "invalid"}`);
    return parsed.data;
  };

  const tokenizerText = read("tokenizer.json");
  if (tokenizerText === undefined) throw problem("tokenizer.json", "missing");
  const tokenizerJson = parseJson("tokenizer.json", tokenizerText, TokenizerJsonSchema);
  const configText = read("tokenizer_config.json");
  const config = configText === undefined ? {} : parseJson("tokenizer_config.json", configText, TokenizerConfigSchema);
  const jinjaFile = read("chat_template.jinja");
  const templateText = jinjaFile ?? defaultTemplate(config.chat_template);
  if (templateText === undefined)
    throw problem("tokenizer_config.json", "no chat_template (and no chat_template.jinja beside it)");

  let tokenizer: Tokenizer;
  let template: Template;
  try {
    tokenizer = new Tokenizer(tokenizerJson, config);
  } catch (error) {
    throw problem("tokenizer.json", `the tokenizer library cannot load it (${String(error)})`);
  }
  const templateFile = jinjaFile === undefined ? "tokenizer_config.json" : "chat_template.jinja";
  try {
    template = new Template(templateText);
  } catch (error) {
    throw problem(templateFile, `the chat template does not parse (${String(error)})`);
  }
  // What transformers passes a template besides the messages: the special tokens, as plain strings.
  const specials: Record<string, string> = {};
  for (const key of ["bos_token", "eos_token", "unk_token", "pad_token"] as const) {
    const token = config[key];
    if (token !== undefined && token !== null) specials[key] = typeof token === "string" ? token : token.content;
  }
  const info: TokenizerInfo = {
    ref,
    dir,
    ...(revision === undefined ? {} : { revision }),
    tokenizer_json_sha256: sha256(tokenizerText),
    chat_template_from: templateFile,
    chat_template_sha256: sha256(templateText),
  };
  return {
    info,
    countChatTokens(messages, templateKwargs = {}) {
      let prompt: string;
      try {
        prompt = template.render({
          ...specials,
          ...templateKwargs,
          messages: messages.map((m) => ({ role: m.role, content: m.content })),
          add_generation_prompt: true,
        });
      } catch (error) {
        throw problem(templateFile, `the chat template fails to render a chat (${String(error)})`);
      }
      return tokenizer.encode(prompt, { add_special_tokens: false }).ids.length;
    },
    countTextTokens(text) {
      return text === "" ? 0 : tokenizer.encode(text, { add_special_tokens: false }).ids.length;
    },
  };
}

/** A single template, or the one named "default" of a list (transformers' choice when none is named). */
function defaultTemplate(value: z.infer<typeof TokenizerConfigSchema>["chat_template"]): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value;
  return value.find((t) => t.name === "default")?.template;
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
