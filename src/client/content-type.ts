/**
 * A 200 whose content-type says it is no OpenAI answer: a proxy's login page, a web UI on the wrong port. Read as
 * a stream it has no chunks and looks like a reply cut short, which is asked again; it is a protocol failure,
 * since the same page comes back every time.
 *
 * vLLM streams as text/event-stream and answers application/json, but some proxies drop the header or put a
 * generic one: a missing or unfamiliar type is let through and judged by the body. Only types that are clearly
 * pages or media are refused.
 */
import type { ReplyProblem } from "./reply-builder.ts";

const NOT_AN_ANSWER = /^(text\/html|application\/xhtml\+xml|text\/xml|application\/xml|image\/|audio\/|video\/|font\/)/;

/** The media type ("text/html"), lowercased, without parameters; "" when the header is missing. */
export function mediaType(headers: Headers): string {
  return (headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

/** Why the response cannot be an OpenAI answer, or undefined when it may be one. */
export function notAnAnswer(headers: Headers): ReplyProblem | undefined {
  const type = mediaType(headers);
  if (!NOT_AN_ANSWER.test(type)) return undefined;
  return {
    kind: "protocol",
    detail:
      `not an OpenAI-compatible endpoint (got ${type}): a login page or another ` +
      "program answered; check baseUrl's host, port and path, and any proxy in front of the server",
  };
}
