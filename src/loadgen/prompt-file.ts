/**
 * `quanteval bench --prompt-file`: where the prompts come from when they are not synthetic.
 * - `*.jsonl`: one request per non-blank line, either `{"prompt": "text"}` (sent as one user message) or
 *   `{"messages": [{"role": "system" | "user" | "assistant", "content": "..."}, ...]}`. Requests take the lines in
 *   turn, starting over when there are more requests than lines.
 * - any other file: the whole file is one prompt, sent as one user message by every request, as bench_openai.py's
 *   `--prompt-file` does (its 89-token prompt_tokens_mean is one file's worth).
 * A bad line fails the whole file, naming file:line, before anything is sent.
 */
import { readFileSync } from "node:fs";
import { extname, resolve } from "node:path";
import { z } from "zod";
import { ConfigError } from "../core/errors.ts";
import type { Message } from "../core/types.ts";
import { formatIssue } from "../zod-issues.ts";

const MessageSchema = z.strictObject({ role: z.enum(["system", "user", "assistant"]), content: z.string() });

const PromptLineSchema = z.strictObject({ prompt: z.string().min(1, "must not be empty") });
const MessagesLineSchema = z.strictObject({
  messages: z
    .array(MessageSchema)
    .min(1, "list at least one message")
    .refine((messages) => messages.some((m) => m.role === "user"), "needs a user message"),
});

const PROMPT_FILE_HINT =
  'write one JSON object per line, {"prompt": "..."} or {"messages": [{"role": "user", "content": "..."}]}, in a .jsonl file; any other file is sent whole as one prompt';

/** Reads and checks the file, a relative one from `cwd`; throws ConfigError (exit 2) naming file:line per bad line. */
export function readPromptFile(file: string, cwd: string): Message[][] {
  let text: string;
  try {
    text = readFileSync(resolve(cwd, file), "utf8");
  } catch (error) {
    throw new ConfigError(
      [
        `flags: --prompt-file ${file}: cannot read the file (${error instanceof Error ? error.message : String(error)})`,
      ],
      "pass an existing file, or drop --prompt-file to send synthetic prompts of --prompt-tokens tokens",
      "prompt file",
    );
  }
  return parsePromptFile(file, text);
}

/** Pure part of readPromptFile: `file` only names the source in messages and picks the format by extension. */
export function parsePromptFile(file: string, text: string): Message[][] {
  const body = text.startsWith("\uFEFF") ? text.slice(1) : text;
  if (extname(file).toLowerCase() !== ".jsonl") {
    const prompt = body.trim();
    if (prompt === "")
      throw new ConfigError([`${file}: the file is empty`], "put the prompt text in the file", "prompt file");
    return [[{ role: "user", content: prompt }]];
  }
  const prompts: Message[][] = [];
  const problems: string[] = [];
  body.split("\n").forEach((rawLine, index) => {
    const line = rawLine.replace(/\r$/, "");
    if (line.trim() === "") return;
    const where = `${file}:${index + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      problems.push(`${where}: not JSON (${error instanceof Error ? error.message : String(error)})`);
      return;
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      problems.push(
        `${where}: expected a JSON object, {"prompt": "..."} or {"messages": [...]} (got ${line.slice(0, 60)})`,
      );
      return;
    }
    // Chosen by key rather than a zod union, so a bad message is reported by its own path (messages[0].role).
    if ("messages" in value) {
      const parsed = MessagesLineSchema.safeParse(value);
      if (parsed.success) prompts.push(parsed.data.messages);
      else for (const issue of parsed.error.issues) problems.push(formatIssue(issue, value, where));
    } else {
      const parsed = PromptLineSchema.safeParse(value);
      if (parsed.success) prompts.push([{ role: "user", content: parsed.data.prompt }]);
      else for (const issue of parsed.error.issues) problems.push(formatIssue(issue, value, where));
    }
  });
  if (problems.length > 0) throw new ConfigError(problems, PROMPT_FILE_HINT, "prompt file");
  if (prompts.length === 0)
    throw new ConfigError([`${file}: no prompts (every line is blank)`], PROMPT_FILE_HINT, "prompt file");
  return prompts;
}
