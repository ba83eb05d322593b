/** One spelling of an endpoint's base URL, so journals, manifests and error messages agree. */
import { ConfigError } from "../core/errors.ts";

/**
 * "http://h:8000", "http://h:8000/", "http://h:8000/v1" and "http://h:8000/v1/" all become
 * "http://h:8000/v1". A path prefix (a reverse proxy's "/vllm") is kept and gets "/v1" appended.
 */
export function normalizeBaseUrl(url: string): string {
  const parsed = URL.parse(url.trim());
  if (parsed === null || (parsed.protocol !== "http:" && parsed.protocol !== "https:")) {
    throw new ConfigError([`baseUrl: must be an http(s) URL (got ${JSON.stringify(url)})`]);
  }
  const path = parsed.pathname.replace(/\/+$/, "");
  parsed.pathname = path.endsWith("/v1") ? path : `${path}/v1`;
  parsed.search = "";
  parsed.hash = "";
  return parsed.href.replace(/\/+$/, "");
}

/** The URL as it may appear in messages and logs: any user:password@ removed. */
export function displayUrl(url: string): string {
  const parsed = URL.parse(url);
  if (parsed === null) return url;
  parsed.username = "";
  parsed.password = "";
  return parsed.href;
}

/**
 * The server's root for a normalized base URL: "http://h:8000/v1" → "http://h:8000", and behind a reverse proxy
 * "http://h/vllm/v1" → "http://h/vllm". vLLM serves /tokenize, /health and /version there, not under /v1.
 */
export function serverRootUrl(baseUrl: string): string {
  const normalized = normalizeBaseUrl(baseUrl);
  return normalized.slice(0, -"/v1".length);
}
