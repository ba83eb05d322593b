/** A started server is ready when its health URL answers 200 and GET <baseUrl>/models lists the variant's model. */
import { Endpoint } from "../../client/index.ts";
import type { ServeConfig, VariantConfig } from "../../config.ts";
import { ModelNotServedError, QuantevalError, RequestFailedError, ServerStartTimeoutError } from "../../core/errors.ts";
import { DEFAULT_POLL_MS, type ServerHandle, serverExitedError } from "./server-handle.ts";
import { settledWithin } from "./settled-within.ts";

/** One health or /models probe; a server that takes longer is not ready. */
const PROBE_TIMEOUT_MS = 10_000;
/** While a server loads its weights (minutes), a line now and then says quanteval is still waiting, and on what. */
const WAIT_NOTICE_MS = 60_000;

export interface ReadyOptions {
  /** For GET /models of a server started with --api-key. */
  apiKey?: string | undefined;
  /** Aborts the wait: the abort reason is thrown. */
  signal?: AbortSignal | undefined;
  log?: ((line: string) => void) | undefined;
  pollMs?: number | undefined;
  fetch?: typeof fetch | undefined;
  now?: (() => number) | undefined;
}

/**
 * Health 200, then the model listed by GET /models; fails at once when the process exits or the model is not the
 * one served.
 */
export async function waitReady(
  handle: ServerHandle,
  variant: VariantConfig,
  serve: ServeConfig,
  options: ReadyOptions,
  spawnedAt: number,
): Promise<void> {
  const now = options.now ?? Date.now;
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  const healthUrl = serve.healthUrl ?? `${new URL(variant.baseUrl).origin}/health`;
  const endpoint = new Endpoint({
    baseUrl: variant.baseUrl,
    model: variant.model,
    apiKey: options.apiKey,
    timeoutMs: PROBE_TIMEOUT_MS,
    fetch: options.fetch,
  });
  const deadline = spawnedAt + serve.startupTimeoutSec * 1000;
  let lastSeen = `${healthUrl}: no answer yet`;
  let nextNotice = spawnedAt + WAIT_NOTICE_MS;
  for (;;) {
    options.signal?.throwIfAborted();
    if (handle.exit !== undefined) throw serverExitedError(handle, "before it was ready", handle.exit);
    if (now() >= deadline) {
      throw new ServerStartTimeoutError(
        serve.startupTimeoutSec,
        `last seen: ${lastSeen}`,
        handle.logFile,
        handle.tail(),
      );
    }
    const health = await probeHealth(healthUrl, options);
    if (health.ok) {
      const listed = await listModels(endpoint, options.signal);
      // vLLM answers /health and /v1/models once the engine is up, with every served name: a list without ours
      // will not change by waiting (a --served-model-name that differs from variants[].model).
      if (listed.ok && listed.models.includes(variant.model)) return;
      if (listed.ok) throw new ModelNotServedError(endpoint.baseUrl, variant.model, listed.models);
      lastSeen = `${healthUrl} answered 200, but ${listed.detail}`;
    } else {
      lastSeen = `${healthUrl}: ${health.detail}`;
    }
    if (now() >= nextNotice) {
      options.log?.(
        `[${variant.name}] waiting for the server: ${Math.round((now() - spawnedAt) / 1000)}s so far ` +
          `(startupTimeoutSec ${serve.startupTimeoutSec}); ${lastSeen}; log: ${handle.logFile}`,
      );
      nextNotice += WAIT_NOTICE_MS;
    }
    // The server's exit ends the wait early, so a crash while loading is reported at once.
    await settledWithin(handle.exited, pollMs, options.signal);
  }
}

async function probeHealth(url: string, options: ReadyOptions): Promise<{ ok: true } | { ok: false; detail: string }> {
  const timeout = AbortSignal.timeout(PROBE_TIMEOUT_MS);
  const signal = options.signal === undefined ? timeout : AbortSignal.any([timeout, options.signal]);
  try {
    const response = await (options.fetch ?? fetch)(url, { signal });
    await response.body?.cancel();
    return response.status === 200 ? { ok: true } : { ok: false, detail: `HTTP ${response.status}` };
  } catch (error) {
    const cause: unknown = error instanceof Error ? error.cause : undefined;
    const code = typeof cause === "object" && cause !== null && "code" in cause ? String(cause.code) : undefined;
    return { ok: false, detail: code ?? (error instanceof Error ? error.message : String(error)) };
  }
}

async function listModels(
  endpoint: Endpoint,
  signal: AbortSignal | undefined,
): Promise<{ ok: true; models: string[] } | { ok: false; detail: string }> {
  try {
    return { ok: true, models: await endpoint.listModels(signal) };
  } catch (error) {
    signal?.throwIfAborted();
    // A key the server refuses will not be accepted by waiting.
    if (error instanceof RequestFailedError && (error.status === 401 || error.status === 403)) throw error;
    if (!(error instanceof QuantevalError)) throw error;
    return { ok: false, detail: error.message };
  }
}
