/**
 * `--tokenizer <model dir | hub id>`: a local folder is read as it is; anything else that reads as a hub model id
 * (`owner/name`, optionally `@revision`) is fetched like a dataset file, with the same cache (huggingface_hub's
 * layout, `models--owner--name`), HF token and offline rules (src/datasets/hub.ts): from the cache when there,
 * else downloaded into it, unless offline. Only the tokenizer files are fetched, never weights.
 */
import { statSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { ConfigError, DatasetNotFoundError, DatasetUnavailableError, QuantevalError } from "../core/errors.ts";
import { type DataAccessOptions, HubDatasetFiles } from "../datasets/index.ts";
import { type ChatTokenizer, loadChatTokenizer, TOKENIZER_FLAG, type TokenizerField } from "./tokenizer.ts";

/** `owner/name` or `owner/name@revision`, as the hub spells repo ids. */
const HUB_ID = /^([A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*)(?:@([A-Za-z0-9][A-Za-z0-9._/-]*))?$/;
const REQUIRED_FILES = ["tokenizer.json", "tokenizer_config.json"] as const;
const OPTIONAL_FILE = "chat_template.jinja";

/** `field` says where `ref` was given (bench's --tokenizer by default), for messages. */
export async function resolveTokenizer(
  ref: string,
  cwd: string,
  access: DataAccessOptions,
  field: TokenizerField = TOKENIZER_FLAG,
): Promise<ChatTokenizer> {
  const local = resolve(cwd, ref);
  const kind = pathKind(local);
  const at = `${field.source}: ${field.name} ${ref}`;
  if (kind === "dir") return loadChatTokenizer(local, ref, undefined, field);
  if (kind === "file")
    throw new ConfigError(
      [`${at}: is a file`],
      "pass the model folder that holds tokenizer.json and tokenizer_config.json, not a file in it",
      "tokenizer",
    );
  const match = HUB_ID.exec(ref);
  if (match === null || match[1] === undefined)
    throw new ConfigError(
      [`${at}: no such folder (${local}), and not a hub model id (owner/name[@revision])`],
      "pass a local model folder with tokenizer.json, or a hub id such as Qwen/Qwen3-8B",
      "tokenizer",
    );
  const id = match[1];
  const revision = match[2] ?? "main";
  const files = new HubDatasetFiles(new Map(), access);
  const pin = { revision, type: "model" as const };
  let tokenizerJson = "";
  try {
    for (const file of REQUIRED_FILES) {
      const path = await files.path(id, file, field.use, pin);
      if (file === "tokenizer.json") tokenizerJson = path;
    }
    await files.path(id, OPTIONAL_FILE, field.use, pin).catch((error: unknown) => {
      // Most models keep their template in tokenizer_config.json; offline, a file never fetched is not known either.
      if (!(error instanceof DatasetUnavailableError) || error instanceof DatasetNotFoundError || access.offline)
        return;
      throw error;
    });
  } catch (error) {
    if (error instanceof DatasetUnavailableError) throw new TokenizerUnavailableError(ref, id, access, error, field);
    throw error;
  }
  const dir = dirname(tokenizerJson);
  return loadChatTokenizer(dir, ref, basename(dir), field);
}

function pathKind(path: string): "dir" | "file" | undefined {
  try {
    return statSync(path).isDirectory() ? "dir" : "file";
  } catch {
    return undefined; // not on disk: perhaps a hub id
  }
}

/** The hub's tokenizer files cannot be had: not cached while offline, gated, missing, or the hub unreachable. */
export class TokenizerUnavailableError extends QuantevalError {
  constructor(
    ref: string,
    id: string,
    access: DataAccessOptions,
    cause: DatasetUnavailableError,
    field: TokenizerField = TOKENIZER_FLAG,
  ) {
    const fetchHint = `\`hf download ${id} tokenizer.json tokenizer_config.json --cache-dir ${access.cacheDir}\``;
    super(
      "E_TOKENIZER_UNAVAILABLE",
      `${field.name} ${ref}: ${cause.message}`,
      cause.code === "E_DATASET_NOT_CACHED"
        ? "run once without --offline / HF_HUB_OFFLINE to cache the tokenizer files, or fill the cache with " +
            `${fetchHint}, or pass a local model folder`
        : cause.code === "E_DATASET_GATED"
          ? `request access at https://huggingface.co/${id}, then set HF_TOKEN to a token of that account; ` +
            "or pass a local model folder"
          : `check the model id (a model repo, e.g. Qwen/Qwen3-8B) and the network, or pass a local model folder`,
      { cause },
    );
  }
}
