/** ReplicaPool: least outstanding first, round-robin on ties, down replicas probed on a doubling backoff. */
import { describe, expect, test } from "vitest";
import { ReplicaPool, type ReplicaPoolOptions } from "../../src/client/replicas.ts";

interface Rig {
  pool: ReplicaPool;
  clock: { t: number; reads: number };
  probes: number[];
  /** What the next probes answer, per replica (default false: still down). */
  answers: Map<number, boolean>;
  log: string[];
}

function rig(size: number, options: Partial<ReplicaPoolOptions> = {}): Rig {
  const clock = { t: 0, reads: 0 };
  const probes: number[] = [];
  const answers = new Map<number, boolean>();
  const log: string[] = [];
  const pool = new ReplicaPool(
    Array.from({ length: size }, (_, i) => `http://r${i}/v1`),
    {
      now: () => {
        clock.reads += 1;
        return clock.t;
      },
      probe: async (index) => {
        probes.push(index);
        return answers.get(index) ?? false;
      },
      log: (line) => log.push(line),
      ...options,
    },
  );
  return { pool, clock, probes, answers, log };
}

/** Acquires and releases at once `n` times: the sequence a server would see with one request at a time. */
function sequential(pool: ReplicaPool, n: number): number[] {
  return Array.from({ length: n }, () => {
    const index = pool.acquire();
    pool.release(index);
    return index;
  });
}

describe("routing", () => {
  test("one at a time, ties go round-robin", () => {
    const { pool } = rig(3);
    expect(sequential(pool, 7)).toStrictEqual([0, 1, 2, 0, 1, 2, 0]);
  });

  test("the replica with the fewest requests in flight takes the next one", () => {
    const { pool } = rig(3);
    expect([pool.acquire(), pool.acquire(), pool.acquire()]).toStrictEqual([0, 1, 2]);
    pool.release(1);
    expect(pool.acquire()).toBe(1);
    // 0 and 2 are free now, tied: the round-robin goes on after 1, so 2 first, then 0.
    pool.release(0);
    pool.release(2);
    expect(pool.acquire()).toBe(2);
    expect(pool.acquire()).toBe(0);
    expect(pool.status().map((s) => s.outstanding)).toStrictEqual([1, 1, 1]);
  });

  test("a slow replica gets fewer requests: 0 holds its requests, 1 answers at once", () => {
    const { pool } = rig(2);
    const taken: number[] = [];
    for (let i = 0; i < 10; i++) {
      const index = pool.acquire();
      taken.push(index);
      if (index === 1) pool.release(1);
    }
    // 0 takes one, then 1 takes every other while 0 has one outstanding.
    expect(taken.filter((i) => i === 0)).toHaveLength(1);
  });

  test("a retry avoids the replica that just failed, even when it has fewer in flight", () => {
    const { pool } = rig(2);
    const busy = pool.acquire(); // 0
    expect(busy).toBe(0);
    pool.release(busy);
    pool.acquire(); // 1 now has one in flight, 0 has none
    expect(pool.acquire(0)).toBe(1);
  });
});

describe("down and back", () => {
  test("a replica marked down takes nothing until a probe finds it serving, 5 s later", async () => {
    const { pool, clock, probes, answers, log } = rig(2);
    pool.markDown(1, "ECONNREFUSED");
    expect(pool.status()[1]).toMatchObject({ state: "down", reason: "ECONNREFUSED" });
    expect(log).toStrictEqual(["replica http://r1/v1 marked down (ECONNREFUSED); checking it again in 5 s"]);
    clock.t = 4_999;
    expect(sequential(pool, 3)).toStrictEqual([0, 0, 0]);
    expect(probes).toStrictEqual([]);
    clock.t = 5_000;
    answers.set(1, true);
    expect(pool.acquire()).toBe(0); // the probe starts now; this request does not wait for it
    await pool.probesSettled();
    expect(probes).toStrictEqual([1]);
    expect(pool.status()[1]).toStrictEqual({ url: "http://r1/v1", state: "up", outstanding: 0 });
    expect(log.at(-1)).toBe("replica http://r1/v1 is back (answers GET /v1/models and lists the model)");
    expect(pool.acquire()).toBe(1);
  });

  test("failed probes double the wait, up to 60 s", async () => {
    const { pool, clock, probes } = rig(2);
    pool.markDown(0, "timed out");
    const probeTimes: number[] = [];
    for (clock.t = 0; clock.t <= 200_000; clock.t += 1_000) {
      const before = probes.length;
      pool.release(pool.acquire());
      await pool.probesSettled();
      if (probes.length > before) probeTimes.push(clock.t);
    }
    // Down at 0: probes at 5, 5+10, 15+20, 35+40, 75+60, 135+60 s.
    expect(probeTimes).toStrictEqual([5_000, 15_000, 35_000, 75_000, 135_000, 195_000]);
  });

  test("only one probe at a time per replica, however many requests are routed meanwhile", async () => {
    let finishProbe: (serves: boolean) => void = () => {};
    let probes = 0;
    const clock = { t: 0 };
    const pool = new ReplicaPool(["http://a/v1", "http://b/v1"], {
      now: () => clock.t,
      probe: () => {
        probes += 1;
        return new Promise<boolean>((resolve) => {
          finishProbe = resolve;
        });
      },
    });
    pool.markDown(1, "reset");
    clock.t = 10_000;
    sequential(pool, 5);
    expect(probes).toBe(1);
    finishProbe(true);
    await pool.probesSettled();
    expect(pool.status()[1]?.state).toBe("up");
  });

  test("when every replica is down the requests still go out, and a reply brings the replica back", () => {
    const { pool, log } = rig(2);
    pool.markDown(0, "reset");
    pool.markDown(1, "reset");
    expect(sequential(pool, 4)).toStrictEqual([0, 1, 0, 1]);
    pool.succeeded(1);
    expect(pool.status().map((s) => s.state)).toStrictEqual(["down", "up"]);
    expect(log.at(-1)).toBe("replica http://r1/v1 is back (answered a request)");
    expect(sequential(pool, 2)).toStrictEqual([1, 1]);
  });

  test("a single replica is never marked down and the clock is never read", () => {
    const { pool, clock, log } = rig(1);
    pool.markDown(0, "reset");
    expect(sequential(pool, 3)).toStrictEqual([0, 0, 0]);
    expect(pool.status()).toStrictEqual([{ url: "http://r0/v1", state: "up", outstanding: 0 }]);
    expect(clock.reads).toBe(0);
    expect(log).toStrictEqual([]);
  });

  test("the clock is not read while every replica is up", () => {
    const { pool, clock } = rig(3);
    sequential(pool, 10);
    expect(clock.reads).toBe(0);
  });

  test("a left-out replica is never routed to, not even when the others are down, and never probed", async () => {
    const { pool, clock, probes, log } = rig(2);
    pool.exclude(1, 'does not serve model "m"');
    expect(log).toStrictEqual(['replica http://r1/v1 left out: does not serve model "m"']);
    pool.markDown(0, "reset");
    clock.t = 100_000;
    expect(sequential(pool, 3)).toStrictEqual([0, 0, 0]);
    await pool.probesSettled();
    expect(probes).toStrictEqual([0]);
    pool.markDown(1, "reset");
    expect(pool.status()[1]?.state).toBe("excluded");
  });
});
