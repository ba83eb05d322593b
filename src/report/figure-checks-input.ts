/**
 * The checks that protect every tokens/s figure (metrics/figure-checks.ts), over one variant's journal records of one
 * task: what each request asked for (ignore_eos, min_tokens and max_tokens as sent) and what the server counted.
 * Journals keep no streamed chunks, so a run has no completion-count check; `quanteval bench` has. Pure.
 */
import { type CheckedReply, checkFigures, type FigureChecks } from "../metrics/index.ts";
import type { ReportRecord } from "./report-record.ts";

type CheckedRecord = Pick<ReportRecord, "request" | "reply">;

/** Undefined when no check applies (no held output, too few replies to test growth): nothing to show. */
export function runFigureChecks(records: readonly CheckedRecord[]): FigureChecks | undefined {
  const replies = records.flatMap((r): CheckedReply[] =>
    r.reply === undefined
      ? []
      : [
          {
            finishReason: r.reply.finishReason,
            promptTokens: r.reply.usage.promptTokens,
            completionTokens: r.reply.usage.completionTokens,
            heldTo: heldLength(r.request.params),
            promptChars: r.request.promptChars ?? 0,
            countedByClient: r.reply.usageCountedBy !== undefined,
          },
        ],
  );
  const checks = checkFigures(replies);
  return checks.held_output === undefined && checks.prompt_growth === undefined ? undefined : checks;
}

/** min_tokens as sent, else max_tokens with ignore_eos; undefined when not held (or stop strings were sent). */
function heldLength(params: Readonly<Record<string, unknown>>): number | undefined {
  // ignore_eos does not lift stop strings: a reply that met one stopped as asked.
  const stop = params.stop;
  if ((typeof stop === "string" && stop !== "") || (Array.isArray(stop) && stop.length > 0)) return undefined;
  if (typeof params.min_tokens === "number" && params.min_tokens > 0) return params.min_tokens;
  if (params.ignore_eos === true && typeof params.max_tokens === "number") return params.max_tokens;
  return undefined;
}
