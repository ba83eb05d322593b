/**
 * How a streamed chat request travels: undici's `request` on a keep-alive Agent, with undici's redirect interceptor
 * (a vLLM behind a proxy may answer 307/308). Chosen by measurement over the openai SDK's own stream on the same
 * Agent (BENCHMARKS.md, Performance): less client CPU per streamed token, with the same timing. The SDK still sends
 * every other request (model listing, /tokenize, non-streamed chat) and supplies the error classes.
 *
 * A test's `fetch` (EndpointConfig.fetch, the seam openai-node offers too) replaces undici here as it does in the
 * SDK, so a test can inject failures into every request.
 */
import { setImmediate } from "node:timers/promises";
import { APIConnectionError, APIUserAbortError } from "openai";
import { Agent, type Dispatcher, interceptors, request } from "undici";

/** A response whose status and headers are in; its body is read by sse.ts. */
export interface StreamResponse {
  status: number;
  headers: Headers;
  body: AsyncIterable<Uint8Array>;
  /** The whole body as text (for an error status). */
  text(): Promise<string>;
  /** Gives the reply up: its connection is closed rather than read to the end. */
  discard(): void;
  /** After the reply was read: the rest of the body is read off, so its connection is kept for the next request. */
  release(): Promise<void>;
}

export type PostStream = (
  url: string,
  headers: Record<string, string>,
  body: string,
  signal: AbortSignal,
) => Promise<StreamResponse>;

/**
 * An idle kept-alive socket is closed after this, before the server closes it (uvicorn, which serves vLLM, does
 * after 5 s): a request sent on a socket the server is closing fails. undici applies it to idle sockets only.
 */
const IDLE_SOCKET_MS = 4_000;
/** As fetch: at most 20 redirects; one more is a failure, not the 3xx as a reply. */
const MAX_REDIRECTS = 20;
/** How long the rest of a body may take to end after `[DONE]` before its connection is closed. */
const DRAIN_AFTER_DONE_MS = 10_000;
/** How long the reply waits for that end: a server ends the body with [DONE], and then its connection is free. */
const END_AFTER_DONE_MS = 200;

/** One keep-alive pool, and the same pool following redirects for `request` (fetch follows them itself). */
export interface HttpPool {
  agent: Agent;
  redirecting: Dispatcher;
}

/**
 * One keep-alive pool for a variant's servers. No connection limit: the runner's queue bounds requests in flight.
 * No undici header or body timeouts: the Endpoint's per-attempt deadline covers the whole reply (a reasoning model
 * may think for minutes before its first byte).
 */
export function createHttpPool(settings: { idleSocketMs?: number } = {}): HttpPool {
  const keepAliveTimeout = settings.idleSocketMs ?? IDLE_SOCKET_MS;
  const agent = new Agent({ keepAliveTimeout, headersTimeout: 0, bodyTimeout: 0 });
  const redirect = interceptors.redirect({ maxRedirections: MAX_REDIRECTS, throwOnMaxRedirect: true });
  return { agent, redirecting: agent.compose(redirect) };
}

/** POSTs over the pool; a failure before the response is the SDK's APIConnectionError (or its abort error). */
export function undiciPost(dispatcher: Dispatcher): PostStream {
  return async (url, headers, body, signal) => {
    let response: Dispatcher.ResponseData;
    try {
      response = await request(url, { method: "POST", headers, body, signal, dispatcher });
    } catch (error) {
      throw sendFailed(signal, error);
    }
    const { statusCode, body: stream } = response;
    // The reader sees errors through its iterator; this keeps a body nobody reads from crashing the process.
    stream.on("error", () => {});
    return {
      status: statusCode,
      headers: headersOf(response.headers),
      // Reading stops at [DONE] without destroying the body: release() reads off the rest.
      body: stream.iterator({ destroyOnReturn: false }),
      text: () => stream.text(),
      discard: () => {
        stream.destroy();
      },
      release: async () => {
        if (!stream.readableEnded && !stream.destroyed) {
          const limits = { limit: Number.MAX_SAFE_INTEGER, signal: AbortSignal.timeout(DRAIN_AFTER_DONE_MS) };
          const drained = stream.dump(limits).catch(() => {});
          let wait: NodeJS.Timeout | undefined;
          const waited = new Promise<void>((resolve) => {
            wait = setTimeout(resolve, END_AFTER_DONE_MS);
          });
          await Promise.race([drained, waited]);
          clearTimeout(wait);
        }
        // undici returns the connection to the pool a turn after the body ends: a request sent sooner opens another.
        await setImmediate();
      },
    };
  };
}

/** The same over a given fetch (a test's seam); a failure before the response as the SDK reports it. */
export function fetchPost(fetchImpl: typeof fetch): PostStream {
  return async (url, headers, body, signal) => {
    let response: Response;
    try {
      response = await fetchImpl(url, { method: "POST", headers, body, signal });
    } catch (error) {
      throw sendFailed(signal, error);
    }
    const stream = response.body;
    return {
      status: response.status,
      headers: response.headers,
      body: stream === null ? noBytes() : stream.values({ preventCancel: true }),
      text: () => response.text(),
      discard: () => {
        void stream?.cancel().catch(() => {});
      },
      release: async () => {
        await stream?.cancel().catch(() => {});
      },
    };
  };
}

/** A failure before any response, as the SDK reports it: its abort error, or APIConnectionError with the cause. */
function sendFailed(signal: AbortSignal, error: unknown): Error {
  if (signal.aborted) return new APIUserAbortError();
  return new APIConnectionError({ cause: error instanceof Error ? error : new Error(String(error)) });
}

async function* noBytes(): AsyncGenerator<Uint8Array> {}

function headersOf(raw: Record<string, string | string[] | undefined>): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else if (value !== undefined) headers.append(name, value);
  }
  return headers;
}
