/**
 * Does the client distort what it measures at the heaviest load a real server produces (issue 15)? A timed server
 * (bench/timed-sse-server.ts, a child process) streams one token per chunk at a fixed rate per stream, about 20,500
 * chunks/s in all, at c = 64 and c = 512. On the same requests, one wave of c a round, in alternating order, each
 * client kept (with its warm connections) across a warm-up wave and the rounds as a long run keeps its own:
 * - "raw": bench/raw-client.ts over node:http, the minimal client every ratio is taken against;
 * - "quanteval": the Endpoint (src/client) as the runner calls it: chat() per request, Reply timing and usage;
 * - with QUANTEVAL_PERF_CLIENTS=raw,quanteval,undici-sse,sdk-stream, also the two candidate transports of
 *   bench/candidate-clients.ts: the record of why the Endpoint sends streamed requests as it does (BENCHMARKS.md).
 * Per client: mean TTFT (first reasoning or answer token), mean TPOT ((done − first token) / (tokens − 1)), decode
 * tok/s (completion tokens / wall time), and client CPU per request (process.cpuUsage over the run / requests); the
 * ratios are medians over rounds of each round's ratio, since the shared machine's load drifts between rounds.
 * Goals: quanteval within 2% of raw on TTFT, TPOT and decode tok/s; CPU under 1.5 ms per request on the c = 64
 * reasoning-length replies (3,000 tokens, 2,980 of them reasoning).
 */
import { Agent } from "node:http";
import { availableParallelism, loadavg } from "node:os";
import { buildRequestParams, Endpoint } from "../src/client/index.ts";
import type { Message } from "../src/core/types.ts";
import { type Candidate, candidateClient } from "./candidate-clients.ts";
import type { Bench, Figure } from "./figures.ts";
import { type RawReply, runRawClient } from "./raw-client.ts";
import { processCpuMs } from "./sim-child.ts";
import { startTimedServer, type TimedServer } from "./timed-server-child.ts";

interface Plan {
  concurrency: number;
  requests: number;
  /** Completion tokens per reply (max_tokens; the server always sends them all) and how many are reasoning. */
  tokens: number;
  reasoning: number;
  /** Per stream: c × this ≈ 20,500 chunks/s in all. */
  tokensPerSec: number;
}

const TTFT_MS = 50;
const PLANS: readonly Plan[] = [
  { concurrency: 64, requests: 64, tokens: 3000, reasoning: 2980, tokensPerSec: 320 },
  { concurrency: 512, requests: 512, tokens: 200, reasoning: 150, tokensPerSec: 40 },
];
const ROUNDS = 4;
type ClientName = "raw" | "quanteval" | Candidate;
const ALL_CLIENTS: readonly ClientName[] = ["raw", "quanteval", "undici-sse", "sdk-stream"];
const DEFAULT_CLIENTS: readonly ClientName[] = ["raw", "quanteval"];

interface Run {
  ttftMs: number;
  tpotMs: number;
  decodeTokensPerSec: number;
  cpuMsPerRequest: number;
  serverBusy: number;
}

const epochMs = (): number => performance.timeOrigin + performance.now();
const mean = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0) / values.length;

/** The same bodies for every client: vLLM-like fields, and the server's own `reasoning_tokens`. */
function requestBodies(plan: Plan): { messages: Message[]; bodies: string[] } {
  const content = `${"Think about this question carefully. ".repeat(40)}Answer with a letter.`;
  const messages: Message[] = [{ role: "user", content }];
  const fields = buildRequestParams({ temperature: 0, maxTokens: plan.tokens }, { reasoning_tokens: plan.reasoning });
  const body = JSON.stringify({
    ...fields,
    model: "m",
    messages,
    stream: true,
    stream_options: { include_usage: true },
  });
  return { messages, bodies: Array.from({ length: plan.requests }, () => body) };
}

async function runPool(
  concurrency: number,
  count: number,
  send: (index: number) => Promise<RawReply>,
): Promise<RawReply[]> {
  const replies: RawReply[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) replies.push(await send(next++));
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return replies;
}

/** One client for a whole plan, so its connections stay warm from run to run as in a long `quanteval run`. */
interface Client {
  send(requests: number): Promise<RawReply[]>;
  close(): Promise<void>;
}

function openClient(name: ClientName, plan: Plan, server: TimedServer): Client {
  const { tokens, reasoning } = plan;
  const { messages, bodies } = requestBodies(plan);
  if (name === "raw") {
    const agent = new Agent({ keepAlive: true, maxSockets: plan.concurrency });
    return {
      send: async (requests) => {
        const run = await runRawClient({
          baseUrl: server.baseUrl,
          bodies: bodies.slice(0, requests),
          concurrency: plan.concurrency,
          agent,
        });
        return run.replies;
      },
      close: async () => agent.destroy(),
    };
  }
  if (name === "quanteval") {
    const endpoint = new Endpoint({
      baseUrl: server.baseUrl,
      model: "m",
      extraBody: { reasoning_tokens: reasoning },
      now: epochMs,
    });
    return {
      send: (requests) =>
        runPool(plan.concurrency, requests, async () => {
          const { reply } = await endpoint.chat(messages, { temperature: 0, maxTokens: tokens });
          const { timing } = reply;
          return {
            status: 200,
            sentAt: timing.sentAt,
            doneAt: timing.doneAt,
            completionTokens: reply.usage.completionTokens,
            finishReason: reply.finishReason,
            ...(timing.firstTokenAt === undefined ? {} : { firstTokenAt: timing.firstTokenAt }),
          };
        }),
      close: async () => {},
    };
  }
  const client = candidateClient(name, server.baseUrl, plan.concurrency);
  return {
    send: (requests) => runPool(plan.concurrency, requests, async (index) => client.send(bodies[index] ?? "")),
    close: () => client.close(),
  };
}

async function measure(name: ClientName, client: Client, plan: Plan, server: TimedServer): Promise<Run> {
  const serverBefore = processCpuMs(server.pid) ?? Number.NaN;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const replies = await client.send(plan.requests);
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const serverMs = (processCpuMs(server.pid) ?? Number.NaN) - serverBefore;
  const bad = replies.filter(
    (r) => r.error !== undefined || r.completionTokens !== plan.tokens || r.firstTokenAt === undefined,
  );
  if (bad.length > 0) {
    throw new Error(`performance bench: ${name}: ${bad.length} incomplete replies, e.g. ${JSON.stringify(bad[0])}`);
  }
  return {
    ttftMs: mean(replies.map((r) => (r.firstTokenAt ?? 0) - r.sentAt)),
    tpotMs: mean(replies.map((r) => (r.doneAt - (r.firstTokenAt ?? 0)) / (plan.tokens - 1))),
    decodeTokensPerSec: (plan.tokens * plan.requests) / (wallMs / 1000),
    cpuMsPerRequest: (cpu.user + cpu.system) / 1000 / plan.requests,
    serverBusy: serverMs / wallMs,
  };
}

const fixed = (value: number, digits = 3): string => value.toFixed(digits);

function median(values: readonly number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length % 2 === 1) return sorted[middle] ?? Number.NaN;
  return ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

function planFigures(plan: Plan, runs: Map<ClientName, Run[]>, load: string): Figure[] {
  const figures: Figure[] = [];
  const of = (name: ClientName, key: keyof Run): number[] => (runs.get(name) ?? []).map((r) => r[key]);
  /** Per round, this client's figure against the raw client's in the same round: the machine's load drifts. */
  const perRound = (name: ClientName, key: keyof Run, combine: (value: number, raw: number) => number): number[] =>
    of(name, key).map((value, i) => combine(value, of("raw", key)[i] ?? Number.NaN));
  const c = plan.concurrency;
  const setup =
    `c=${c}, ${plan.requests} requests a round of ${plan.tokens} tokens (${plan.reasoning} reasoning) at ` +
    `${plan.tokensPerSec} tok/s per stream (${(c * plan.tokensPerSec).toLocaleString("en-US")} chunks/s in all), ` +
    `TTFT ${TTFT_MS} ms; ` +
    `medians of ${ROUNDS} rounds; 1-min load ${load} on ${availableParallelism()} cores`;
  for (const name of runs.keys()) {
    const cpu = median(of(name, "cpuMsPerRequest"));
    figures.push({
      name: `${name}, c=${c}`,
      n: plan.requests,
      value: { value: cpu, unit: "ms CPU/request" },
      ...(name === "quanteval" && c === PLANS[0]?.concurrency ? { target: "< 1.5 ms" } : {}),
      measures:
        `TTFT ${fixed(median(of(name, "ttftMs")), 1)} ms, TPOT ${fixed(median(of(name, "tpotMs")))} ms, ` +
        `${Math.round(median(of(name, "decodeTokensPerSec")))} decode tok/s; ` +
        `server busy ${Math.round(median(of(name, "serverBusy")) * 100)}%; ${setup}`,
    });
    if (name === "raw") continue;
    figures.push({
      name: `${name} − raw CPU, c=${c}`,
      n: plan.requests,
      value: { value: median(perRound(name, "cpuMsPerRequest", (value, raw) => value - raw)), unit: "ms CPU/request" },
      measures: `per round, ${name}'s CPU per request minus the raw client's: what it costs beyond a minimal client`,
    });
    const keys = [
      ["ttftMs", "TTFT"],
      ["tpotMs", "TPOT"],
      ["decodeTokensPerSec", "decode tok/s"],
    ] as const;
    for (const [key, label] of keys) {
      const ratios = perRound(name, key, (value, raw) => value / raw);
      figures.push({
        name: `${name} ${label} ÷ raw, c=${c}`,
        n: plan.requests,
        value: { value: median(ratios), unit: "×" },
        ...(name === "quanteval" ? { target: "0.98–1.02" } : {}),
        measures:
          `median over rounds of ${name}'s mean ${label} ÷ the raw client's in the same round ` +
          `(${ratios.map((r) => fixed(r)).join(", ")})`,
      });
    }
  }
  return figures;
}

export const bench: Bench = async () => {
  const wanted = (process.env.QUANTEVAL_PERF_CLIENTS ?? "").split(",").filter((name) => name !== "");
  const clients = wanted.length === 0 ? DEFAULT_CLIENTS : ALL_CLIENTS.filter((name) => wanted.includes(name));
  const loads: number[] = [];
  const figures: Figure[] = [];
  for (const plan of PLANS) {
    const server = await startTimedServer(TTFT_MS, plan.tokensPerSec);
    const opened = new Map(clients.map((name) => [name, openClient(name, plan, server)]));
    try {
      // Warm-up (JIT, one connection per stream): a wave per client, not measured.
      for (const client of opened.values()) await client.send(plan.concurrency);
      const runs = new Map<ClientName, Run[]>(clients.map((name) => [name, []]));
      for (let round = 0; round < ROUNDS; round++) {
        loads.push(loadavg()[0] ?? 0);
        for (const name of round % 2 === 0 ? clients : [...clients].reverse()) {
          const client = opened.get(name);
          if (client === undefined) continue;
          const run = await measure(name, client, plan, server);
          runs.get(name)?.push(run);
          process.stderr.write(
            `  performance: c=${plan.concurrency} round ${round + 1}: ${name} ` +
              `TTFT ${fixed(run.ttftMs, 1)} ms, TPOT ${fixed(run.tpotMs)} ms, ` +
              `${Math.round(run.decodeTokensPerSec)} tok/s, ` +
              `${fixed(run.cpuMsPerRequest)} ms CPU/request\n`,
          );
        }
      }
      figures.push(...planFigures(plan, runs, `${fixed(Math.min(...loads), 1)}–${fixed(Math.max(...loads), 1)}`));
    } finally {
      for (const client of opened.values()) await client.close();
      await server.stop();
    }
  }
  return figures;
};
