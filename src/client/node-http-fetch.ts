/**
 * The `fetch` the openai SDK is given: node:http(s) with keep-alive instead of Node's built-in fetch (undici).
 * Why: in `npm run bench` (overhead) undici cost 1.15 ms of CPU per streamed request against node:http's
 * 0.54 ms, and at a few thousand replies a second the harness, not the server, became the limit.
 *
 * The SDK still builds the request (headers, auth, JSON body, timeout signal) and reads the status into its
 * errors. A streamed 2xx reply (text/event-stream) comes back as a NodeHttpResponse whose `nodeBody` is Node's
 * own stream, read by sse.ts without going through web streams; every other reply is read whole and given to
 * the SDK as an ordinary Response. Redirects are followed as fetch follows them (a vLLM behind a proxy may
 * answer 307/308). Failures look as they do with undici: a refused or broken connection
 * rejects with TypeError("fetch failed", { cause }) carrying the socket error's code; an aborted signal rejects
 * with an AbortError, and a body already streaming ends with that AbortError.
 */
import { Agent as HttpAgent, type IncomingMessage, type RequestOptions, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";

/** A streamed reply: `body` is null, and the bytes are read from `nodeBody`. */
export class NodeHttpResponse extends Response {
  readonly nodeBody: IncomingMessage;

  constructor(message: IncomingMessage, init: ResponseInit) {
    super(null, init);
    this.nodeBody = message;
  }
}

type Agents = { http: HttpAgent; https: HttpsAgent };

/** One request on the way to a reply: the first, or one a redirect led to. */
interface Hop {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
  /** Redirects followed so far. */
  redirects: number;
}

/**
 * An idle kept-alive socket is closed after this, before the server closes it (uvicorn, which serves vLLM, does
 * after 5 s): a request sent on a socket the server is closing fails. undici's default is the same 4 s. The
 * agent applies it only to idle sockets; a reply that pauses longer is not cut.
 */
const IDLE_SOCKET_MS = 4_000;
/** As fetch: at most 20 redirects. */
const MAX_REDIRECTS = 20;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Dropped when a redirect turns the request into a GET without a body (fetch's "request-body-header names"). */
const BODY_HEADERS = ["content-type", "content-length", "content-encoding", "content-language", "content-location"];
/** Not sent on to another origin (as undici). */
const CREDENTIAL_HEADERS = ["authorization", "proxy-authorization", "cookie"];

/** The SDK's fetch over node:http(s). One pair of keep-alive agents per instance, so per server. */
export function createNodeHttpFetch(settings: { idleSocketMs?: number } = {}): typeof fetch {
  // No socket limit: the runner's queue already bounds requests in flight. Idle sockets do not hold the process open.
  const options = { keepAlive: true, timeout: settings.idleSocketMs ?? IDLE_SOCKET_MS };
  const agents: Agents = { http: new HttpAgent(options), https: new HttpsAgent(options) };
  return (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const body = init?.body;
    // Only what the SDK sends for chat and model listing; anything else goes the standard way.
    const plain = !(input instanceof Request) && (body === undefined || body === null || typeof body === "string")
      && (url.protocol === "http:" || url.protocol === "https:") && (init?.redirect ?? "follow") === "follow";
    if (!plain) return fetch(input, init);
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((value, name) => { headers[name] = value; });
    return send({ url, method: (init?.method ?? "GET").toUpperCase(), headers, body: body ?? undefined, redirects: 0 }, init?.signal ?? undefined, agents);
  };
}

/** The request a redirect leads to, as fetch makes it; undefined when it is not one to follow. */
function redirected(hop: Hop, status: number, location: string | undefined): Hop | undefined {
  if (!REDIRECT_STATUSES.has(status) || location === undefined) return undefined;
  const url = new URL(location, hop.url);
  const headers = { ...hop.headers };
  let { method, body } = hop;
  if ((status === 303 && method !== "HEAD") || ((status === 301 || status === 302) && method === "POST")) {
    method = "GET";
    body = undefined;
    for (const name of BODY_HEADERS) delete headers[name];
  }
  if (url.origin !== hop.url.origin) for (const name of CREDENTIAL_HEADERS) delete headers[name];
  return { url, method, headers, body, redirects: hop.redirects + 1 };
}

function send(hop: Hop, signal: AbortSignal | undefined, agents: Agents): Promise<Response> {
  return new Promise<Response>((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(abortError());
      return;
    }
    if (hop.url.protocol !== "http:" && hop.url.protocol !== "https:") {
      reject(new TypeError("fetch failed", { cause: new Error(`a redirect to ${hop.url.protocol} is not followed`) }));
      return;
    }
    const headers = { ...hop.headers };
    if (hop.body !== undefined) headers["content-length"] = String(Buffer.byteLength(hop.body));
    const options: RequestOptions = { method: hop.method, headers, agent: hop.url.protocol === "https:" ? agents.https : agents.http };
    const request = (hop.url.protocol === "https:" ? httpsRequest : httpRequest)(hop.url, options);
    let settled = false;
    let reply: IncomingMessage | undefined;
    const onAbort = (): void => {
      const error = abortError();
      // Before the reply: the promise rejects. After: the body being read ends with the same error.
      if (reply === undefined) request.destroy(error);
      else reply.destroy(error);
      if (!settled) {
        settled = true;
        reject(error);
      }
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    const forget = (): void => signal?.removeEventListener("abort", onAbort);
    /** Rejects as undici does when the request cannot end in a Response; once, and only before it has settled. */
    const fail = (cause: unknown): void => {
      if (settled) return;
      settled = true;
      forget();
      reject(new TypeError("fetch failed", { cause }));
    };
    request.on("error", fail);
    request.on("response", (message) => {
      reply = message;
      message.once("close", forget);
      try {
        onResponse(message);
      } catch (error) {
        // A reply Response cannot carry (a Location that is not a URL, a reason phrase it refuses): failed, not thrown.
        message.destroy();
        fail(error);
      }
    });
    const onResponse = (message: IncomingMessage): void => {
      const status = message.statusCode ?? 0;
      if (status < 200 || status > 599) {
        // Response cannot carry it; undici fails the same way.
        message.destroy();
        fail(new Error(`the server answered with HTTP status ${status}`));
        return;
      }
      const next = redirected(hop, status, message.headers.location);
      if (next !== undefined) {
        // The redirect's own body is not wanted; reading it to the end keeps the connection for reuse.
        message.on("error", () => {});
        message.resume();
        if (next.redirects > MAX_REDIRECTS) {
          fail(new Error(`more than ${MAX_REDIRECTS} redirects`));
          return;
        }
        settled = true;
        forget();
        resolve(send(next, signal, agents));
        return;
      }
      const responseInit = { status, statusText: reasonPhrase(message.statusMessage), headers: headersOf(message) };
      const streamed = status >= 200 && status < 300 && (message.headers["content-type"] ?? "").startsWith("text/event-stream");
      if (streamed) {
        // The reader sees errors through its iterator; this keeps a body nobody reads from crashing the process.
        message.on("error", () => {});
        settled = true;
        resolve(new NodeHttpResponse(message, responseInit));
        return;
      }
      const pieces: Buffer[] = [];
      message.on("data", (piece: Buffer) => pieces.push(piece));
      message.on("error", fail);
      message.on("end", () => {
        if (settled) return;
        // A null-body status (204, 205, 304) may not carry a body in a Response; a HEAD reply has none.
        const bytes = NULL_BODY_STATUSES.has(status) || hop.method === "HEAD" ? null : Buffer.concat(pieces);
        let response: Response;
        try {
          response = new Response(bytes, responseInit);
        } catch (error) {
          fail(error);
          return;
        }
        settled = true;
        resolve(response);
      });
    };
    request.end(hop.body);
  });
}

const NULL_BODY_STATUSES = new Set([204, 205, 304]);

/** The reason phrase, when Response accepts it (undici drops one it would refuse, e.g. with control characters). */
function reasonPhrase(text: string | undefined): string {
  return text !== undefined && /^[\t\x20-\x7e\x80-\xff]*$/.test(text) ? text : "";
}

function headersOf(message: IncomingMessage): Headers {
  const headers = new Headers();
  const raw = message.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i] as string, raw[i + 1] as string);
  return headers;
}

function abortError(): DOMException {
  return new DOMException("This operation was aborted", "AbortError");
}
