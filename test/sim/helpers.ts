/** Shared fixtures for the simulator's server tests: synthetic items, raw SSE parsing, and servers closed after each test. */
import { afterEach } from "vitest";
import { type SimItem, type SimOptions, SimServer, type SimVariantProfile } from "../../src/sim/index.ts";

/** Items whose prompt is the question; the answer line is "Answer: <2i>", wrong ones are near misses. */
export function syntheticItems(n: number, task = "synthetic"): SimItem[] {
  return Array.from({ length: n }, (_, i) => ({
    promptKey: `Question ${i}: what is ${i} + ${i}? End with a line "Answer: <number>".`,
    itemId: String(i),
    task,
    answers: { correct: `Answer: ${2 * i}`, wrong: [`Answer: ${2 * i + 1}`, `Answer: ${2 * i - 1}`, `Answer: ${i}`] },
  }));
}

export function userMessages(item: SimItem | undefined): { role: "system" | "user"; content: string }[] {
  if (item === undefined) throw new Error("no such test item");
  return [
    { role: "system", content: "You are a careful assistant." },
    { role: "user", content: item.promptKey },
  ];
}

/** An always-right, instant profile with no reasoning, plus `extra`. */
export function simProfile(model: string, extra: Partial<SimVariantProfile> = {}): SimVariantProfile {
  return { model, accuracy: 1, unansweredRate: 0, reasoning: "none", reasoningTokens: 0, speed: "instant", ...extra };
}

const open: SimServer[] = [];

/** Starts a server that is closed after the current test. */
export async function startSim(options: SimOptions): Promise<SimServer> {
  const sim = await SimServer.start(options);
  open.push(sim);
  return sim;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((sim) => sim.close()));
});

/** Splits an SSE body into its `data:` payloads, checking the framing on the way. */
export function sseEvents(body: string): string[] {
  if (!body.endsWith("\n\n"))
    throw new Error(`SSE body does not end with a blank line: ${JSON.stringify(body.slice(-40))}`);
  return body
    .slice(0, -2)
    .split("\n\n")
    .map((event) => {
      if (!event.startsWith("data: ") || event.includes("\n"))
        throw new Error(`not a one-line data event: ${JSON.stringify(event)}`);
      return event.slice("data: ".length);
    });
}

export async function postChat(sim: SimServer, body: unknown): Promise<Response> {
  return fetch(`${sim.baseUrl}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** Reads a JSON object field by field without casting: undefined when any step is missing. */
export function dig(value: unknown, ...path: (string | number)[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== "object" || current === null) return undefined;
    current = Reflect.get(current, key);
  }
  return current;
}
