/**
 * Routing over the data-parallel servers (replicas) of one variant: which one takes the next attempt, and which
 * are down. No HTTP here: the Endpoint does the requests and tells the pool how they went; the pool only asks
 * for a probe (GET /v1/models) through the function it was given.
 *
 * - Each attempt goes to the replica that is up with the fewest attempts outstanding; ties go round-robin.
 * - A replica whose attempt failed to connect, broke off or timed out is marked down, and the retry goes elsewhere.
 * - A down replica is probed again after a backoff (5 s, doubling to 60 s) and is up again once the probe finds
 *   it serving the model. Probes start lazily, when an attempt is routed, so an idle pool keeps no timers.
 * - When every replica is down the attempts still go out (to the down ones, least outstanding first): a variant
 *   with one server behaves as if there were no routing at all, and a pool never waits with nothing to do.
 * - A replica that answers but does not serve the model is left out for good (a configuration mistake).
 */

export type ReplicaState = "up" | "down" | "excluded";

export interface ReplicaStatus {
  url: string;
  state: ReplicaState;
  /** Attempts in flight on it now. */
  outstanding: number;
  /** Why it is down or left out. */
  reason?: string;
}

export interface ReplicaPoolOptions {
  /** Milliseconds; read only while some replica is down. */
  now: () => number;
  /** GET /v1/models on replica `index`: true when it answered and lists the model. Should not throw. */
  probe: (index: number) => Promise<boolean>;
  log?: ((line: string) => void) | undefined;
  probeDelayMs?: { initial: number; max: number } | undefined;
}

/** Wait before the first probe of a replica that went down, doubling per failed probe up to `max`. */
export const PROBE_DELAY_MS = { initial: 5_000, max: 60_000 } as const;

interface Entry {
  url: string;
  state: ReplicaState;
  outstanding: number;
  /** Failures (of attempts or probes) since it was last up: the probe delay doubles with each. */
  failures: number;
  nextProbeAt: number;
  probing: Promise<void> | undefined;
  reason: string | undefined;
}

export class ReplicaPool {
  readonly #entries: Entry[];
  readonly #now: () => number;
  readonly #probe: (index: number) => Promise<boolean>;
  readonly #log: (line: string) => void;
  readonly #delay: { initial: number; max: number };
  /** Where the round-robin among tied replicas starts next. */
  #cursor = 0;

  constructor(urls: readonly string[], options: ReplicaPoolOptions) {
    if (urls.length === 0) throw new Error("ReplicaPool: at least one replica");
    this.#entries = urls.map((url) => ({
      url,
      state: "up",
      outstanding: 0,
      failures: 0,
      nextProbeAt: 0,
      probing: undefined,
      reason: undefined,
    }));
    this.#now = options.now;
    this.#probe = options.probe;
    this.#log = options.log ?? (() => {});
    this.#delay = options.probeDelayMs ?? PROBE_DELAY_MS;
  }

  get size(): number {
    return this.#entries.length;
  }

  url(index: number): string {
    return this.#entry(index).url;
  }

  /**
   * Takes a replica for one attempt (release it when the attempt ends). `avoid`, the replica whose attempt just
   * failed, is passed over when another replica in the same state can take the retry.
   */
  acquire(avoid?: number): number {
    if (this.#entries.length === 1) {
      this.#entry(0).outstanding += 1;
      return 0;
    }
    this.#startDueProbes();
    const indexes = this.#entries.map((_, index) => index);
    const inState = (state: ReplicaState) => indexes.filter((i) => this.#entry(i).state === state);
    const preferOthers = (list: number[]) =>
      list.length > 1 && avoid !== undefined ? list.filter((i) => i !== avoid) : list;
    const up = inState("up");
    const down = inState("down");
    const candidates = preferOthers(up.length > 0 ? up : down.length > 0 ? down : indexes);
    const chosen = this.#leastOutstanding(candidates);
    this.#cursor = (chosen + 1) % this.#entries.length;
    this.#entry(chosen).outstanding += 1;
    return chosen;
  }

  release(index: number): void {
    const entry = this.#entry(index);
    entry.outstanding = Math.max(0, entry.outstanding - 1);
  }

  /** An attempt on it got a whole reply: a down replica is up again. */
  succeeded(index: number): void {
    if (this.#entry(index).state === "down") this.#markUp(index, "answered a request");
  }

  /** An attempt on it could not connect, broke off or timed out. No effect with a single replica. */
  markDown(index: number, reason: string): void {
    const entry = this.#entry(index);
    if (this.#entries.length === 1 || entry.state === "excluded") return;
    const wasUp = entry.state === "up";
    entry.state = "down";
    entry.reason = reason;
    entry.failures += 1;
    const delay = this.#probeDelay(entry.failures);
    entry.nextProbeAt = this.#now() + delay;
    if (wasUp) this.#log(`replica ${entry.url} marked down (${reason}); checking it again in ${formatSeconds(delay)}`);
  }

  /** It answers but does not serve the model: never routed to again. */
  exclude(index: number, reason: string): void {
    const entry = this.#entry(index);
    entry.state = "excluded";
    entry.reason = reason;
    this.#log(`replica ${entry.url} left out: ${reason}`);
  }

  status(): ReplicaStatus[] {
    return this.#entries.map((e) => ({
      url: e.url,
      state: e.state,
      outstanding: e.outstanding,
      ...(e.reason === undefined ? {} : { reason: e.reason }),
    }));
  }

  /** Whether a replica other than `index` is up (then a retry can go there at once). */
  hasUpOtherThan(index: number): boolean {
    return this.#entries.some((e, i) => i !== index && e.state === "up");
  }

  /** Resolves once the probes under way have finished (for tests, and for callers that want a settled status). */
  async probesSettled(): Promise<void> {
    await Promise.all(this.#entries.map((e) => e.probing));
  }

  #startDueProbes(): void {
    if (!this.#entries.some((e) => e.state === "down" && e.probing === undefined)) return;
    const now = this.#now();
    this.#entries.forEach((entry, index) => {
      if (entry.state !== "down" || entry.probing !== undefined || now < entry.nextProbeAt) return;
      entry.probing = this.#runProbe(index).finally(() => {
        entry.probing = undefined;
      });
    });
  }

  async #runProbe(index: number): Promise<void> {
    const entry = this.#entry(index);
    let serves = false;
    try {
      serves = await this.#probe(index);
    } catch {
      serves = false;
    }
    if (entry.state !== "down") return; // a request succeeded on it meanwhile, or it was left out
    if (serves) {
      this.#markUp(index, "answers GET /v1/models and lists the model");
      return;
    }
    entry.failures += 1;
    entry.nextProbeAt = this.#now() + this.#probeDelay(entry.failures);
  }

  #markUp(index: number, why: string): void {
    const entry = this.#entry(index);
    entry.state = "up";
    entry.failures = 0;
    entry.reason = undefined;
    this.#log(`replica ${entry.url} is back (${why})`);
  }

  #probeDelay(failures: number): number {
    const exponent = Math.min(Math.max(0, failures - 1), 30);
    return Math.min(this.#delay.max, this.#delay.initial * 2 ** exponent);
  }

  /** Fewest outstanding; among ties the first at or after the round-robin cursor. */
  #leastOutstanding(candidates: readonly number[]): number {
    const size = this.#entries.length;
    let best: number | undefined;
    let bestKey = Infinity;
    for (const index of candidates) {
      // Outstanding first, then distance from the cursor: ties rotate instead of always going to the first.
      const key = this.#entry(index).outstanding * size + ((index - this.#cursor + size) % size);
      if (key < bestKey) {
        best = index;
        bestKey = key;
      }
    }
    if (best === undefined) throw new Error("ReplicaPool: no candidate replica");
    return best;
  }

  #entry(index: number): Entry {
    const entry = this.#entries[index];
    if (entry === undefined) throw new Error(`ReplicaPool: no replica ${index}`);
    return entry;
  }
}

function formatSeconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}
