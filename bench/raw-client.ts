/**
 * The baseline a benchmark compares quanteval with: the same chat requests, byte for byte, POSTed at the same
 * concurrency by the least code that can still read a reply (node:http with keep-alive; SSE split on
 * blank lines and each `data:` line JSON-parsed). No SDK, retries, grading or journal. Each reply keeps its
 * timing and usage, so a bench can also compare the throughput quanteval measured with what a plain client saw.
 */
import { Agent, request } from "node:http";
import { buildRequestParams, type SamplingParams } from "../src/client/index.ts";
import type { RunConfig } from "../src/config.ts";
import type { LoadedTask } from "../src/runner/load-tasks.ts";

export interface RawReply {
  /** HTTP status; 0 when the connection failed. */
  status: number;
  /** Epoch ms (sub-ms precision) when the request was sent, the first token arrived, the reply ended. */
  sentAt: number;
  firstTokenAt?: number;
  doneAt: number;
  promptTokens?: number;
  completionTokens?: number;
  finishReason?: string;
  /** Content and reasoning text, only with `keepText` (2,000 replies of text are memory a bench may not want). */
  text?: string;
  /** Why a request failed (connection error, non-200 status). */
  error?: string;
}

export interface RawRunOptions {
  /** OpenAI-style base URL (…/v1). */
  baseUrl: string;
  /** Request bodies as JSON text (chatRequestBodies). */
  bodies: readonly string[];
  concurrency: number;
  keepText?: boolean;
  /** A keep-alive agent kept across runs (its connections warm); without it, one is made and destroyed per run. */
  agent?: Agent;
}

export interface RawRun {
  replies: RawReply[];
  /** Requests that did not end in a 200 with a complete body. */
  errors: number;
  wallMs: number;
  /** This process's CPU (user + system) over the run: the client's, when the server runs elsewhere. */
  cpuMs: number;
}

/**
 * The bodies quanteval's Endpoint sends for these tasks (runner: one per item and sample, seed + sample when a
 * seed is set; Endpoint: sampling fields, extraBody, then model, messages, stream and usage), in run order.
 */
export function chatRequestBodies(
  tasks: readonly LoadedTask[],
  options: { model: string; sampling: RunConfig["sampling"]; extraBody?: Record<string, unknown>; stream?: boolean },
): string[] {
  const stream = options.stream ?? true;
  const bodies: string[] = [];
  for (const { items, info } of tasks) {
    if (info.unavailable !== undefined) continue;
    for (const item of items) {
      for (let sample = 0; sample < info.samples; sample++) {
        const params: SamplingParams = {
          temperature: options.sampling.temperature,
          maxTokens: info.maxTokens,
          ...(options.sampling.topP !== undefined ? { topP: options.sampling.topP } : {}),
          ...(options.sampling.seed !== undefined ? { seed: options.sampling.seed + sample } : {}),
        };
        const fields = buildRequestParams(params, options.extraBody);
        bodies.push(
          JSON.stringify(
            stream
              ? {
                  ...fields,
                  model: options.model,
                  messages: item.messages,
                  stream: true,
                  stream_options: { include_usage: true },
                }
              : { ...fields, model: options.model, messages: item.messages, stream: false },
          ),
        );
      }
    }
  }
  return bodies;
}

/** Sends every body, `concurrency` at a time, and waits for every reply. */
export async function runRawClient(options: RawRunOptions): Promise<RawRun> {
  const url = new URL(`${options.baseUrl.replace(/\/+$/, "")}/chat/completions`);
  const agent = options.agent ?? new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const send = (body: string): Promise<RawReply> => postWithHttp(url, agent, body, options.keepText === true);
  const replies: RawReply[] = new Array<RawReply>(options.bodies.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < options.bodies.length) {
      const index = next++;
      replies[index] = await send(options.bodies[index] as string);
    }
  };
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(options.concurrency, options.bodies.length) }, worker));
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  if (options.agent === undefined) agent.destroy();
  return {
    replies,
    errors: replies.filter((r) => r.error !== undefined).length,
    wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
}

const epochMs = (): number => performance.timeOrigin + performance.now();

/** Reads a reply body piece by piece: SSE events as they complete, or one JSON body at the end. */
class ReplyReader {
  readonly reply: RawReply;
  readonly #keepText: boolean;
  #buffer = "";
  #text = "";
  #sse = false;

  constructor(status: number, contentType: string, sentAt: number, keepText: boolean) {
    this.reply = { status, sentAt, doneAt: sentAt };
    this.#sse = contentType.startsWith("text/event-stream");
    this.#keepText = keepText;
  }

  push(piece: string): void {
    this.#buffer += piece;
    if (!this.#sse) return;
    // One slice per piece, not per event: an instant reply arrives as one piece of hundreds of events.
    let start = 0;
    let end = this.#buffer.indexOf("\n\n");
    while (end !== -1) {
      this.#event(this.#buffer.slice(start, end));
      start = end + 2;
      end = this.#buffer.indexOf("\n\n", start);
    }
    if (start > 0) this.#buffer = this.#buffer.slice(start);
  }

  finish(): RawReply {
    const reply = this.reply;
    reply.doneAt = epochMs();
    if (reply.status !== 200) reply.error = `HTTP ${reply.status}: ${this.#buffer.slice(0, 200)}`;
    else if (!this.#sse) this.#body();
    else if (reply.finishReason === undefined) reply.error ??= "stream ended without finish_reason";
    if (this.#keepText) reply.text = this.#text;
    return reply;
  }

  #event(event: string): void {
    if (!event.startsWith("data: ")) return;
    const data = event.slice(6);
    if (data === "[DONE]") return;
    let chunk: WireChunk;
    try {
      chunk = JSON.parse(data) as WireChunk;
    } catch {
      this.reply.error ??= `malformed SSE data line: ${data.slice(0, 80)}`;
      return;
    }
    const choice = chunk.choices[0];
    const piece = (choice?.delta?.content ?? "") + (choice?.delta?.reasoning_content ?? "");
    if (piece !== "") {
      this.reply.firstTokenAt ??= epochMs();
      if (this.#keepText) this.#text += piece;
    }
    if (choice?.finish_reason) this.reply.finishReason = choice.finish_reason;
    if (chunk.usage) this.#usage(chunk.usage);
  }

  #body(): void {
    let body: WireBody;
    try {
      body = JSON.parse(this.#buffer) as WireBody;
    } catch {
      this.reply.error = `body is not JSON: ${this.#buffer.slice(0, 80)}`;
      return;
    }
    const choice = body.choices[0];
    if (choice !== undefined) {
      this.reply.finishReason = choice.finish_reason;
      if (this.#keepText) this.#text = (choice.message.reasoning_content ?? "") + (choice.message.content ?? "");
    }
    if (body.usage) this.#usage(body.usage);
  }

  #usage(usage: WireUsage): void {
    this.reply.promptTokens = usage.prompt_tokens;
    this.reply.completionTokens = usage.completion_tokens;
  }
}

// Our own simulator's wire shapes: a minimal client trusts them (casts, no schema) as a hand-written script would.
interface WireUsage {
  prompt_tokens: number;
  completion_tokens: number;
}
interface WireBody {
  choices: { message: { content: string | null; reasoning_content?: string | null }; finish_reason: string }[];
  usage?: WireUsage | null;
}
interface WireChunk {
  choices: { delta?: { content?: string; reasoning_content?: string }; finish_reason?: string | null }[];
  usage?: WireUsage | null;
}

/** One POST over node:http, its reply read as it streams; never rejects (a failure is the reply's `error`). */
export function postWithHttp(url: URL, agent: Agent, body: string, keepText: boolean): Promise<RawReply> {
  return new Promise((resolveReply) => {
    const sentAt = epochMs();
    const req = request(
      url,
      {
        method: "POST",
        agent,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      },
      (res) => {
        const reader = new ReplyReader(res.statusCode ?? 0, res.headers["content-type"] ?? "", sentAt, keepText);
        res.setEncoding("utf8");
        res.on("data", (piece: string) => reader.push(piece));
        res.on("end", () => resolveReply(reader.finish()));
        res.on("error", (error) => resolveReply({ ...reader.reply, doneAt: epochMs(), error: error.message }));
      },
    );
    req.on("error", (error) => resolveReply({ status: 0, sentAt, doneAt: epochMs(), error: error.message }));
    req.end(body);
  });
}
