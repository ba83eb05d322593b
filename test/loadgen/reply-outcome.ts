/** A finished request as the load generators record it, numbered by its index: for tests that drive a loop by hand. */
import type { RequestOutcome } from "../../src/loadgen/closed-loop.ts";

export const reply = (index: number): RequestOutcome => ({
  ok: true,
  usage: { promptTokens: index, completionTokens: 1 },
  timing: { sentAt: index, doneAt: index + 1 },
  finishReason: "stop",
  attempts: 1,
});
