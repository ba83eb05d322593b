/** The pool mechanism behind both sandboxes: places handed out in arrival order, sandboxes started on demand. */
import { describe, expect, test } from "vitest";
import { type PoolSlot, SandboxHolder, SandboxPool } from "../../../graders/code/sandbox-pool.ts";

class FakeSlot implements PoolSlot {
  readonly starts = 0;
  closed = false;
  close(): void {
    this.closed = true;
  }
}

/** A promise with its resolve exposed, to hold a job on its place until the test lets go. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = (): void => {};
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

describe("SandboxPool", () => {
  test("jobs wait for a free place and get it in arrival order", async () => {
    const pool = new SandboxPool("Test", () => new FakeSlot(), 1);
    const order: string[] = [];
    const first = gate();
    const a = pool.use(async () => {
      order.push("a");
      await first.promise;
    });
    const b = pool.use(async () => {
      order.push("b");
    });
    const c = pool.use(async () => {
      order.push("c");
    });
    await Promise.resolve();
    expect(order).toEqual(["a"]);
    first.open();
    await Promise.all([a, b, c]);
    expect(order).toEqual(["a", "b", "c"]);
  });

  test("a job that throws gives its place back", async () => {
    const pool = new SandboxPool("Test", () => new FakeSlot(), 1);
    await expect(
      pool.use(async () => {
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(await pool.use(async () => "next")).toBe("next");
  });

  test("closing rejects waiting jobs and later ones, and closes every place", async () => {
    const pool = new SandboxPool("Test", () => new FakeSlot(), 2);
    const held = gate();
    const running = [pool.use(() => held.promise), pool.use(() => held.promise)];
    const waiting = pool.use(async () => "never");
    await pool.close();
    await expect(waiting).rejects.toThrow("the Test pool is closed");
    await expect(pool.use(async () => "late")).rejects.toThrow("the Test pool is closed");
    expect(pool.slots.map((slot) => slot.closed)).toEqual([true, true]);
    held.open();
    await Promise.all(running);
  });
});

describe("SandboxHolder", () => {
  const starter = () => {
    const stopped: number[] = [];
    let next = 0;
    let failNext = false;
    return {
      stopped,
      failOnce: () => {
        failNext = true;
      },
      start: () => {
        const handle = ++next;
        const ready = failNext ? Promise.reject(new Error(`start ${handle} failed`)) : Promise.resolve();
        failNext = false;
        return { handle, ready };
      },
      stop: (handle: number) => {
        stopped.push(handle);
      },
    };
  };

  test("starts on the first job, keeps the sandbox, and starts afresh after a discard", async () => {
    const kind = starter();
    const holder = new SandboxHolder("Test", kind);
    expect(holder.starts).toBe(0);
    expect(await holder.get()).toBe(1);
    expect(await holder.get()).toBe(1);
    holder.discard(1);
    expect(kind.stopped).toEqual([1]);
    expect(holder.holds(1)).toBe(false);
    expect(await holder.get()).toBe(2);
    expect(holder.starts).toBe(2);
  });

  test("a failed start is stopped, and the next job tries again", async () => {
    const kind = starter();
    const holder = new SandboxHolder("Test", kind);
    kind.failOnce();
    await expect(holder.get()).rejects.toThrow("start 1 failed");
    expect(kind.stopped).toEqual([1]);
    expect(await holder.get()).toBe(2);
  });

  test("closing stops the sandbox and refuses new jobs", async () => {
    const kind = starter();
    const holder = new SandboxHolder("Test", kind);
    await holder.get();
    await holder.close();
    expect(kind.stopped).toEqual([1]);
    expect(holder.closed).toBe(true);
    await expect(holder.get()).rejects.toThrow("the Test pool is closed");
  });
});
