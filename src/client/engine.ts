/**
 * Which engine serves a variant, and its version, where the server says so (docs/engines.md, "Version" and
 * `GET /v1/models` rows), or else from the serve command. Asked once per variant at check time; a server that
 * answers none of it leaves the engine unknown, never an error.
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
  if (said !== undefined) return said;
  return options.serveCommand === undefined ? undefined : engineFromCommand(options.serveCommand);
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

/** The engine a serve command starts (argv), without a version: the command names the program, not its release. */
export function engineFromCommand(command: readonly string[]): EngineInfo | undefined {
  const text = command.join(" ");
  const rules: [RegExp, EngineName][] = [
    [/(^|[\s/])vllm\s+serve\b|vllm\.entrypoints/, "vllm"],
    [/sglang\.launch_server|(^|[\s/])sglang\s+serve\b/, "sglang"],
    [/(^|[\s/])lmdeploy\s+serve\s+api_server\b/, "lmdeploy"],
    [/(^|[\s/])trtllm-serve\b/, "trtllm"],
    [/(^|[\s/])llama-server\b/, "llamacpp"],
  ];
  for (const [pattern, name] of rules)
    if (pattern.test(text)) return { name, source: "serve-command", evidence: "serve.command" };
  // quanteval's own simulator, speaking an engine's dialect (vLLM's by default).
  const sim = /\bsim\b.*--dialect[\s=](\w+)/.exec(text);
  if (sim !== null && (ENGINE_NAMES as readonly string[]).includes(sim[1] ?? ""))
    return { name: sim[1] as EngineName, source: "serve-command", evidence: "serve.command (quanteval sim)" };
  return undefined;
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
