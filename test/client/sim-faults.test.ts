/**
 * The client against each simulator fault: what is retried, after how long, and how what still fails is counted
 * (RequestFailedError kind: "http", "connection", "timeout", or "protocol" for a reply that came but is unusable).
 */
import { describe, expect, test } from "vitest";
import { Endpoint, type EndpointConfig } from "../../src/client/index.ts";
import { RequestFailedError } from "../../src/core/errors.ts";
import type { SimFaults, SimServer, SimVariantProfile } from "../../src/sim/index.ts";
import { startSim, syntheticItems, userMessages } from "../sim/helpers.ts";

const ITEMS = syntheticItems(8);
const PROFILE: SimVariantProfile = {
  model: "m",
  accuracy: 1,
  unansweredRate: 0,
  reasoning: "none",
  reasoningTokens: 20,
  speed: "instant",
};
const PARAMS = { temperature: 0, maxTokens: 512 };

interface Rig {
  sim: SimServer;
  endpoint: Endpoint;
  sleeps: number[];
}

async function rig(faults: SimFaults, config: Partial<EndpointConfig> = {}): Promise<Rig> {
  const sim = await startSim({ seed: 4, variants: [PROFILE], items: ITEMS, faults });
  const sleeps: number[] = [];
  const endpoint = new Endpoint({
    baseUrl: sim.baseUrl,
    model: "m",
    random: () => 0.5,
    retry: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 60_000 },
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...config,
  });
  return { sim, endpoint, sleeps };
}

const ask = (endpoint: Endpoint, i: number) => endpoint.chat(userMessages(ITEMS[i]), PARAMS);
const failure = (endpoint: Endpoint, i: number) => ask(endpoint, i).catch((caught: unknown) => caught);

describe.each([{ stream: true }, { stream: false }])("stream: $stream", ({ stream }) => {
  test("429 and 503 are retried after the server's Retry-After", async () => {
    const { endpoint, sleeps } = await rig(
      { statusRates: { "429": 0.5, "503": 0.5 }, retryAfterSec: 3, onAttempts: [1] },
      { stream },
    );
    for (const i of [0, 1, 2]) expect((await ask(endpoint, i)).attempts).toBe(2);
    expect(sleeps).toStrictEqual([3000, 3000, 3000]);
  });

  test("a 502 is retried after the jittered backoff; a 400 is not retried", async () => {
    const retried = await rig({ statusRates: { "502": 1 }, onAttempts: [1] }, { stream });
    expect((await ask(retried.endpoint, 0)).attempts).toBe(2);
    expect(retried.sleeps).toStrictEqual([50]);
    const refused = await rig({ statusRates: { "400": 1 } }, { stream });
    expect(await failure(refused.endpoint, 0)).toMatchObject({
      kind: "http",
      status: 400,
      attempts: 1,
      retryable: false,
    });
    expect(refused.sim.requestCount("m", "0")).toBe(1);
  });

  test("a dropped connection is retried; when it keeps happening it is a connection failure", async () => {
    const once = await rig({ dropRate: 1, onAttempts: [1] }, { stream });
    expect((await ask(once.endpoint, 0)).attempts).toBe(2);
    const always = await rig({ dropRate: 1 }, { stream });
    expect(await failure(always.endpoint, 0)).toMatchObject({ kind: "connection", attempts: 3, retryable: true });
  });

  test("a truncated reply is retried; when it keeps happening it is an unusable reply, not a dead server", async () => {
    const once = await rig({ truncateRate: 1, onAttempts: [1] }, { stream });
    const { reply, attempts } = await ask(once.endpoint, 0);
    expect(attempts).toBe(2);
    expect(reply.finishReason).toBe("stop");
    const always = await rig({ truncateRate: 1 }, { stream });
    const error = await failure(always.endpoint, 0);
    expect(error).toBeInstanceOf(RequestFailedError);
    expect(error).toMatchObject({ kind: "protocol", attempts: 3, retryable: true });
    expect(String(error)).toContain(stream ? "the stream ended before a finish_reason" : "malformed JSON");
    expect(String(error)).toContain("the reply was cut short or garbled; out of attempts");
  });

  test("a malformed JSON chunk or body is retried; when it keeps happening it is an unusable reply", async () => {
    const once = await rig({ malformedRate: 1, onAttempts: [1] }, { stream });
    expect((await ask(once.endpoint, 0)).attempts).toBe(2);
    const always = await rig({ malformedRate: 1 }, { stream });
    const error = await failure(always.endpoint, 0);
    expect(error).toMatchObject({ kind: "protocol", attempts: 3, retryable: true });
    expect(String(error)).toContain("malformed JSON from the server");
  });

  test("a reply without usage fails at once (a server that ignores include_usage would do it again)", async () => {
    const { endpoint, sim, sleeps } = await rig({ missingUsageRate: 1, onAttempts: [1] }, { stream });
    const error = await failure(endpoint, 0);
    expect(error).toMatchObject({ kind: "protocol", attempts: 1, retryable: false });
    expect(String(error)).toContain("stream_options.include_usage");
    expect(sim.requestCount("m", "0")).toBe(1);
    expect(sleeps).toStrictEqual([]);
  });
});

describe("slow start and a dying server", () => {
  test("checkServed waits out a slow start by the server's Retry-After, and so does chat", async () => {
    let simNow = 0;
    const sim = await startSim({
      seed: 4,
      variants: [PROFILE],
      items: ITEMS,
      faults: { slowStartSec: 20 },
      now: () => simNow,
    });
    const sleeps: number[] = [];
    const endpoint = new Endpoint({
      baseUrl: sim.baseUrl,
      model: "m",
      random: () => 0.5,
      retry: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 15_000 },
      // Waiting moves the simulator's clock: the slow start passes while the client waits.
      sleep: async (ms) => {
        sleeps.push(ms);
        simNow += ms;
      },
    });
    await expect(endpoint.checkServed()).resolves.toMatchObject([{ state: "up" }]);
    // Retry-After 20 s is capped at maxDelayMs (15 s), then 5 s are left.
    expect(sleeps).toStrictEqual([15_000, 5_000]);
    simNow = 0;
    sleeps.length = 0;
    expect((await ask(endpoint, 0)).attempts).toBe(3);
    expect(sleeps).toStrictEqual([15_000, 5_000]);
  });

  test("checkServed gives up on a server that stays loading, as a retryable HTTP failure", async () => {
    const { endpoint, sleeps } = await rig({ slowStartSec: 600 }, { retry: { maxAttempts: 2, maxDelayMs: 1_000 } });
    const error = await endpoint.checkServed().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RequestFailedError);
    expect(error).toMatchObject({ status: 503, attempts: 2, retryable: true, kind: "http" });
    expect(String(error)).toContain("503 server error; out of attempts");
    expect(sleeps).toStrictEqual([1_000]);
  });

  test("a server that dies: alone, its requests fail as connection errors; with a replica, they go there", async () => {
    const { endpoint, sim } = await rig({ dieAfterRequests: 2 });
    expect((await ask(endpoint, 0)).attempts).toBe(1);
    expect((await ask(endpoint, 1)).attempts).toBe(1);
    expect(await failure(endpoint, 2)).toMatchObject({ kind: "connection", attempts: 3 });
    expect(sim.dead).toBe(true);

    const dying = await startSim({ seed: 4, variants: [PROFILE], items: ITEMS, faults: { dieAfterRequests: 3 } });
    const healthy = await startSim({ seed: 4, variants: [PROFILE], items: ITEMS });
    const sleeps: number[] = [];
    const pair = new Endpoint({
      baseUrl: dying.baseUrl,
      replicas: [healthy.baseUrl],
      model: "m",
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    for (let i = 0; i < 8; i++) expect((await ask(pair, i)).reply.finishReason).toBe("stop");
    expect(dying.dead).toBe(true);
    expect(pair.replicaStatus().map((s) => s.state)).toStrictEqual(["down", "up"]);
    expect(sleeps).toStrictEqual([]);
  });
});
