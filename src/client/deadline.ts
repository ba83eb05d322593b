/** One request's time limit, joined to the caller's abort. */

/**
 * A per-attempt signal that aborts when the caller's does or when `ms` pass. A listener removed in dispose()
 * rather than AbortSignal.any, so the run-long SIGINT signal collects nothing across thousands of requests.
 */
export function startDeadline(
  signal: AbortSignal | undefined,
  ms: number,
): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(signal?.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  const timer = setTimeout(() => controller.abort(), ms);
  return {
    signal: controller.signal,
    dispose: () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    },
  };
}
