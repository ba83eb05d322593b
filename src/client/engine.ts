/**
 * Which engine serves a variant, and its version, where the server says so (docs/engines.md, "Version" and
 * `GET /v1/models` rows), or else from the serve command: the program it starts, and the version in the tag of the
 * engine's container image (LMDeploy states its version nowhere else). Asked once per variant at check time; a
 * server that answers none of it leaves the engine unknown, never an error.
 */
import { z } from "zod";
import { serverRootUrl } from "./base-url.ts";

export const ENGINE_NAMES = ["vllm", "sglang", "lmdeploy", "trtllm", "llamacpp"] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];

export interface EngineInfo {
  name: EngineName;
  /** As the server states it (vLLM's `/version`, SGLang's `/get_server_info`, llama.cpp's `build_info`). */
  version?: string;
  /** "server": read from the server; "serve-command": only the command that started it says so. */
  source: "server" | "serve-command";
  /** Set when the version was read from the serve command's container image tag, not from the server. */
  versionFrom?: "image-tag";
  /** What it was read from, e.g. 'owned_by "sglang", GET /get_server_info'. */
  evidence: string;
}

/** `owned_by` in GET /v1/models, per engine (the vLLM simulator says what it is instead: read by /version). */
const OWNED_BY: Record<string, EngineName> = {
  vllm: "vllm",
  sglang: "sglang",
  lmdeploy: "lmdeploy",
  tensorrt_llm: "trtllm",
  llamacpp: "llamacpp",
};

/** Where each engine states its version, and the field. LMDeploy has no such route (none found). */
const VERSION_ROUTE: Record<EngineName, { path: string; field: string } | undefined> = {
  vllm: { path: "/version", field: "version" },
  sglang: { path: "/get_server_info", field: "version" },
  lmdeploy: undefined,
  trtllm: { path: "/version", field: "version" },
  llamacpp: { path: "/props", field: "build_info" },
};

/** Tried in this order when `owned_by` names no engine: each route is its engine's own (vLLM's /version last). */
const PROBES: readonly EngineName[] = ["sglang", "llamacpp", "vllm"];

const ModelsSchema = z.object({ data: z.array(z.object({ id: z.string(), owned_by: z.string().optional() })) });

export interface DetectOptions {
  baseUrl: string;
  model: string;
  apiKey?: string | undefined;
  fetch?: typeof fetch | undefined;
  signal?: AbortSignal | undefined;
  /** Per route; the routes are small and a server that hangs on them should not delay the run. */
  timeoutMs?: number;
  /** The variant's serve.command: what the engine is when the server does not say. */
  serveCommand?: readonly string[] | undefined;
}

/** The server's word, else the serve command's; undefined when neither names an engine. */
export async function detectEngine(options: DetectOptions): Promise<EngineInfo | undefined> {
  const said = await askServer(options);
  const command = options.serveCommand === undefined ? undefined : engineFromCommand(options.serveCommand);
  if (said === undefined) return command;
  // The server names the engine; an image tag of the same engine can still give the version the server keeps back.
  if (said.version !== undefined || command?.name !== said.name || command.version === undefined) return said;
  return {
    ...said,
    version: command.version,
    versionFrom: "image-tag",
    evidence: `${said.evidence}; ${command.evidence}`,
  };
}

async function askServer(options: DetectOptions): Promise<EngineInfo | undefined> {
  const get = getter(options);
  const root = serverRootUrl(options.baseUrl);
  const models = ModelsSchema.safeParse(await get(`${options.baseUrl}/models`));
  const card = models.success ? (models.data.data.find((m) => m.id === options.model) ?? models.data.data[0]) : null;
  const owned = card?.owned_by === undefined ? undefined : OWNED_BY[card.owned_by];
  if (owned !== undefined) {
    const version = await versionOf(owned, root, get);
    const route = version === undefined ? "" : `, GET ${VERSION_ROUTE[owned]?.path}`;
    const evidence = `owned_by "${card?.owned_by}"${route}`;
    return { name: owned, ...(version === undefined ? {} : { version }), source: "server", evidence };
  }
  for (const name of PROBES) {
    const version = await versionOf(name, root, get);
    if (version !== undefined) return { name, version, source: "server", evidence: `GET ${VERSION_ROUTE[name]?.path}` };
  }
  return undefined;
}

async function versionOf(
  name: EngineName,
  root: string,
  get: (url: string) => Promise<unknown>,
): Promise<string | undefined> {
  const route = VERSION_ROUTE[name];
  if (route === undefined) return undefined;
  const body = await get(`${root}${route.path}`);
  const value = typeof body === "object" && body !== null ? (body as Record<string, unknown>)[route.field] : undefined;
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** GET → parsed JSON, or undefined for anything else (refused, 404, not JSON, timed out); rethrows only an abort. */
function getter(options: DetectOptions): (url: string) => Promise<unknown> {
  const doFetch = options.fetch ?? fetch;
  const headers: Record<string, string> =
    options.apiKey === undefined ? {} : { authorization: `Bearer ${options.apiKey}` };
  return async (url) => {
    const timeout = AbortSignal.timeout(options.timeoutMs ?? 5000);
    const signal = options.signal === undefined ? timeout : AbortSignal.any([options.signal, timeout]);
    try {
      const response = await doFetch(url, { headers, signal });
      if (!response.ok) return undefined;
      return (await response.json()) as unknown;
    } catch {
      options.signal?.throwIfAborted();
      // Any failure of these optional routes means "the server does not say": detection falls back.
      return undefined;
    }
  };
}

/**
 * The engine a serve command starts (argv): the program it runs, else the engine's container image. The version comes
 * only from an image tag that names a release (`vllm/vllm-openai:v0.11.0`); a program names no release, and a floating
 * tag (`latest`, `nightly`, `server-cuda`) could be any.
 */
export function engineFromCommand(command: readonly string[]): EngineInfo | undefined {
  const text = command.join(" ");
  const image = engineImage(text.split(/\s+/));
  const rules: [RegExp, EngineName][] = [
    [/(^|[\s/])vllm\s+serve\b|vllm\.entrypoints/, "vllm"],
    [/sglang\.launch_server|(^|[\s/])sglang\s+serve\b/, "sglang"],
    [/(^|[\s/])lmdeploy\s+serve\s+api_server\b/, "lmdeploy"],
    [/(^|[\s/])trtllm-serve\b/, "trtllm"],
    [/(^|[\s/])llama-server\b/, "llamacpp"],
  ];
  const program = rules.find(([pattern]) => pattern.test(text))?.[1];
  if (image !== undefined && (program === undefined || program === image.name)) return image;
  if (program !== undefined) return { name: program, source: "serve-command", evidence: "serve.command" };
  // quanteval's own simulator, speaking an engine's dialect (vLLM's by default).
  const sim = /\bsim\b.*--dialect[\s=](\w+)/.exec(text);
  if (sim !== null && (ENGINE_NAMES as readonly string[]).includes(sim[1] ?? ""))
    return { name: sim[1] as EngineName, source: "serve-command", evidence: "serve.command (quanteval sim)" };
  return undefined;
}

/**
 * Each engine's published images (repository, any registry or mirror path in front) and how a release shows in
 * their tags: `v0.11.0`, `v0.5.3-cu126` (SGLang's and LMDeploy's CUDA builds), `1.1.0rc2` (NGC), `server-cuda-b6497`
 * (llama.cpp).
 */
const IMAGES: readonly { repository: RegExp; name: EngineName; release: RegExp }[] = [
  { repository: /(^|\/)vllm\/vllm-openai$/, name: "vllm", release: /^v?(\d+\.\d+[\w.+]*)$/ },
  { repository: /(^|\/)lmsysorg\/sglang$/, name: "sglang", release: /^v?(\d+\.\d+[\w.]*?)(-cu[\w.-]*)?$/ },
  { repository: /(^|\/)openmmlab\/lmdeploy$/, name: "lmdeploy", release: /^v?(\d+\.\d+[\w.]*?)(-cu[\w.-]*)?$/ },
  { repository: /(^|\/)nvidia\/tensorrt-llm\/release$/, name: "trtllm", release: /^v?(\d+\.\d+[\w.]*)$/ },
  { repository: /(^|\/)(ggml-org|ggerganov)\/llama\.cpp$/, name: "llamacpp", release: /^server(?:-\w+)*-(b\d+)$/ },
];

/** The first argv word that is an engine's image reference: [registry/]repository[:tag][@digest]. */
function engineImage(words: readonly string[]): EngineInfo | undefined {
  for (const word of words) {
    const { repository, tag } = imageReference(word);
    const known = IMAGES.find((image) => image.repository.test(repository));
    if (known === undefined) continue;
    const release = tag === undefined ? undefined : known.release.exec(tag)?.[1];
    const evidence = `serve.command image "${word}"`;
    return release === undefined
      ? { name: known.name, source: "serve-command", evidence: `${evidence} (no release in the tag)` }
      : { name: known.name, version: release, source: "serve-command", versionFrom: "image-tag", evidence };
  }
  return undefined;
}

/** "nvcr.io/nvidia/tensorrt-llm/release:1.0.0@sha256:…" → repository "nvidia/tensorrt-llm/release", tag "1.0.0". */
function imageReference(word: string): { repository: string; tag: string | undefined } {
  const [name = ""] = word.split("@");
  const slash = name.lastIndexOf("/");
  const colon = name.lastIndexOf(":");
  const path = colon > slash ? name.slice(0, colon) : name;
  const tag = colon > slash ? name.slice(colon + 1) : undefined;
  const [first = "", ...rest] = path.split("/");
  // Docker's rule: a first segment with a dot or a port, or "localhost", is a registry host.
  const repository = rest.length > 0 && (/[.:]/.test(first) || first === "localhost") ? rest.join("/") : path;
  return { repository, tag };
}

/** "SGLang 0.5.0", "vLLM (version not stated)": the engine as reports print it. */
export function engineLabel(engine: Pick<EngineInfo, "name" | "version"> | undefined): string | undefined {
  if (engine === undefined) return undefined;
  const names: Record<EngineName, string> = {
    vllm: "vLLM",
    sglang: "SGLang",
    lmdeploy: "LMDeploy",
    trtllm: "TensorRT-LLM",
    llamacpp: "llama.cpp",
  };
  return `${names[engine.name]} ${engine.version ?? "(version not stated)"}`;
}
