/**
 * Whether a bench's max rates belong to a run: every variant the bench measured is one of the run's, serving the
 * same model, and the reference is among them (the capacity ratio is against it). The bench may leave out other
 * variants of the run (the report shows "not in the bench" for them). Pure.
 */
import { BenchMismatchError } from "../core/errors.ts";
import type { Manifest } from "../journal/index.ts";

export interface RunVariants {
  runId: string;
  reference: string;
  /** In config order, with the model each served (sent as `model` in every request). */
  variants: readonly { name: string; model: string }[];
}

/** The run's variants as a bench must match them. */
export function runVariantsOf(manifest: Manifest): RunVariants {
  return { runId: manifest.runId, reference: manifest.reference, variants: manifest.config.variants };
}

/**
 * Throws BenchMismatchError naming the first variant at fault and the fix. `measured`: the bench's variants with a max
 * rate (or, before a bench runs, those it will measure), each with the model it asked for; `bench` names the bench.
 */
export function checkCapacityMatch(
  measuredVariants: readonly { variant: string; model: string }[],
  bench: string,
  run: RunVariants,
): void {
  const names = run.variants.map((v) => v.name).join(", ");
  for (const measured of measuredVariants) {
    const own = run.variants.find((v) => v.name === measured.variant);
    if (own === undefined) {
      throw new BenchMismatchError(
        measured.variant,
        `not a variant of run ${run.runId} (${names})`,
        "bench the run's variants under the run's names (--variant <name>, or the run's config with -c), then attach",
      );
    }
    // A bench from before bench.json recorded models has none to compare ("").
    if (measured.model !== "" && measured.model !== own.model) {
      throw new BenchMismatchError(
        measured.variant,
        `model "${measured.model}" in ${bench}, but run ${run.runId} served "${own.model}" under that name`,
        "bench the model the run evaluated (the run's config, or --model as in the run), then attach again",
      );
    }
  }
  if (!measuredVariants.some((m) => m.variant === run.reference)) {
    const measured = measuredVariants.map((m) => m.variant).join(", ");
    throw new BenchMismatchError(
      run.reference,
      `the run's reference has no max rate in ${bench} (it has: ${measured}), so there is no capacity ratio`,
      `bench ${run.reference} too (it must finish its --find-max-rate search), then attach again`,
    );
  }
}
