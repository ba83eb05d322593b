/**
 * The report's divergence figures (issue 18): per task and variant, the paired items' divergence summarized with
 * percentile bootstrap intervals over items, set against the flips the accuracy tables found. Pure: the journals
 * were read by divergence-input.ts.
 */
import { summarizeDivergence } from "../metrics/index.ts";
import type { DivergenceReport, DivergenceRow, RunDivergence } from "./divergence-types.ts";
import type { BootstrapSettings, Flip } from "./report-types.ts";

/** A flipped item, as a key of the set the rows look flips up in. */
const flipKey = (task: string, variant: string, itemId: string) => JSON.stringify([task, variant, itemId]);

export function divergenceReport(
  run: RunDivergence,
  flips: readonly Flip[],
  bootstrap: BootstrapSettings,
): DivergenceReport {
  const flipped = new Set(flips.map((f) => flipKey(f.task, f.variant, f.itemId)));
  const rows = run.pairs.map((pair): DivergenceRow => {
    const items = pair.items.map((item) => ({
      divergence: item.divergence,
      lnPplRatio: item.lnPplRatio,
      flipped: flipped.has(flipKey(pair.task, pair.variant, item.itemId)),
    }));
    const cut = pair.items.filter((item) => item.replyTokens > item.divergence.positions);
    return {
      task: pair.task,
      variant: pair.variant,
      n: items.length,
      unpaired: { ...pair.unpaired },
      topK: [...pair.topK],
      positions: {
        scored: sum(pair.items.map((item) => item.divergence.positions)),
        replyTokens: sum(pair.items.map((item) => Math.max(item.replyTokens, item.divergence.positions))),
        cutItems: cut.length,
        cap: cut.length === 0 ? null : cut.reduce((cap, item) => Math.max(cap, item.divergence.positions), 0),
      },
      summary:
        items.length === 0
          ? null
          : summarizeDivergence(items, { ...bootstrap, stream: `divergence/${pair.task}/${pair.variant}` }),
    };
  });
  return {
    reference: run.reference,
    bootstrap: {
      ...bootstrap,
      level: 0.95,
      method: "percentile bootstrap over items",
      stream: "divergence/<task>/<variant>",
    },
    rows,
    notices: run.unreadable.map((u) => {
      const shown = u.lines
        .slice(0, 2)
        .map((l) => `line ${l.line}: ${l.reason}`)
        .join("; ");
      return (
        `${u.task}: ${u.variant}: WARNING: ${u.lines.length} unreadable divergence journal line(s) skipped ` +
        `(${shown}); their items count as having no record until \`quanteval diverge\` asks them again`
      );
    }),
  };
}

/** One item on the divergence chart. */
export interface DivergencePoint {
  task: string;
  variant: string;
  itemId: string;
  meanKl: number;
  /** Where the item ranks among its task and variant's items by mean KL, as a share in [0, 1]. */
  rank: number;
  flip: Flip["direction"] | null;
}

/** Per-item mean KL of every paired item, ranked within its task and variant, flipped items marked. */
export function divergencePoints(run: RunDivergence, flips: readonly Flip[]): DivergencePoint[] {
  const direction = new Map(flips.map((f) => [flipKey(f.task, f.variant, f.itemId), f.direction]));
  return run.pairs.flatMap((pair) => {
    const sorted = [...pair.items].sort((a, b) => a.divergence.meanKl - b.divergence.meanKl);
    return sorted.map((item, index) => ({
      task: pair.task,
      variant: pair.variant,
      itemId: item.itemId,
      meanKl: item.divergence.meanKl,
      rank: sorted.length === 1 ? 0.5 : index / (sorted.length - 1),
      flip: direction.get(flipKey(pair.task, pair.variant, item.itemId)) ?? null,
    }));
  });
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}
