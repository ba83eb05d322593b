/**
 * The run config an lm-eval import records: the variant (named for the model unless --variant says), the model as
 * lm-eval named it, the server lm-eval asked when model_args says (else a stand-in), the tasks and the temperature.
 */
import { defaultVariantName, type RunConfig, RunConfigSchema } from "../config.ts";
import { ConfigError } from "../core/errors.ts";
import { isRecord } from "../core/is-record.ts";
import type { LmEvalOutput } from "./lm-eval-results.ts";

/** A stand-in endpoint for answers quanteval did not ask: `.invalid` never resolves (RFC 2606). */
const NO_ENDPOINT = "http://lm-eval.invalid/";

export function importConfig(
  output: LmEvalOutput,
  tasks: readonly string[],
  options: { variant?: string; runId?: string; artifacts: string },
): { config: RunConfig; model: string; variant: string; runId: string } {
  const { results } = output;
  const model = modelNameOf(output);
  const variant = options.variant ?? defaultVariantName(model);
  const runId = options.runId ?? `lm-eval-${variant}`;
  const config = parseConfig(
    { runId, variant, model, baseUrl: baseUrlOf(results.config?.model_args), tasks, artifacts: options.artifacts },
    sharedTemperature(tasks.map((t) => results.configs[t] ?? {})),
  );
  return { config, model, variant, runId };
}

function modelNameOf(output: LmEvalOutput): string {
  const { results } = output;
  return results.model_name || modelFromArgs(results.config?.model_args) || results.config?.model || "lm-eval";
}

/** lm-eval's own order (GeneralConfigTracker._get_model_name): peft, delta, pretrained, model, path, engine. */
function modelFromArgs(args: unknown): string | undefined {
  const keys = ["peft", "delta", "pretrained", "model", "path", "engine"];
  if (isRecord(args)) return keys.map((k) => args[k]).find((v): v is string => typeof v === "string");
  if (typeof args !== "string") return undefined;
  for (const key of keys) {
    const match = new RegExp(`(?:^|,)${key}=([^,]+)`).exec(args);
    if (match?.[1] !== undefined) return match[1];
  }
  return undefined;
}

/** model_args' base_url (local-completions, local-chat-completions), when it is a URL without credentials. */
function baseUrlOf(args: unknown): string {
  const raw = isRecord(args)
    ? args.base_url
    : typeof args === "string"
      ? /(?:^|,)base_url=([^,]+)/.exec(args)?.[1]
      : undefined;
  const url = typeof raw === "string" ? URL.parse(raw) : null;
  if (url === null || !/^https?:$/.test(url.protocol) || url.username !== "" || url.password !== "") return NO_ENDPOINT;
  return url.href;
}

function parseConfig(
  run: { runId: string; variant: string; model: string; baseUrl: string; tasks: readonly string[]; artifacts: string },
  temperature: number | undefined,
) {
  const parsed = RunConfigSchema.safeParse({
    variants: [{ name: run.variant, model: run.model, baseUrl: run.baseUrl }],
    tasks: run.tasks,
    runId: run.runId,
    output: { artifacts: run.artifacts },
    ...(temperature !== undefined ? { sampling: { temperature } } : {}),
  });
  if (parsed.success) return parsed.data;
  throw new ConfigError(
    parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`),
    "name the variant and run with --variant and --run-id (letters, digits, '.', '_' or '-')",
    "import options",
  );
}

/**
 * The temperature every generating task's generation_kwargs states, when they agree: lm-eval's is per task (and
 * compared per task by compare), the report's header shows one. Otherwise the header's default of 0 stands.
 */
function sharedTemperature(configs: readonly Record<string, unknown>[]): number | undefined {
  const stated = new Set(
    configs.flatMap((c) => {
      const t = isRecord(c.generation_kwargs) ? c.generation_kwargs.temperature : undefined;
      return typeof t === "number" && t >= 0 && t <= 2 ? [t] : [];
    }),
  );
  return stated.size === 1 ? [...stated][0] : undefined;
}
