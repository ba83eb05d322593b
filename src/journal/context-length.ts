/** A variant's context length and where it was read: what the console, the manifest and the report say of it. */

export interface ContextLength {
  tokens: number;
  source: "server" | "config" | "server-error";
}

/** "GET /v1/models max_model_len", "variants[].maxModelLen" or "the server's 400". */
export function describeSource(context: ContextLength): string {
  return context.source === "server"
    ? "GET /v1/models max_model_len"
    : context.source === "config"
      ? "variants[].maxModelLen"
      : "the server's 400";
}
