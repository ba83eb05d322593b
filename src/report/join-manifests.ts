/** `compare`'s joined run: one manifest for runs that each asked some of the variants. */
import { ConfigError } from "../core/errors.ts";
import type { Manifest } from "../journal/index.ts";

/** The runs as one: the first run's settings, every run's variants in the order given. */
export function joinManifests(manifests: readonly Manifest[], name: string, reference: string | undefined): Manifest {
  const [first] = manifests;
  if (first === undefined)
    throw new ConfigError(
      ["compare: no run ids given"],
      "name two or more runs, e.g. `quanteval compare qwen3-nvfp4 qwen3-fp8 qwen3-bf16`",
    );
  const owner = new Map<string, string>();
  const problems: string[] = [];
  for (const m of manifests) {
    for (const v of m.config.variants) {
      // A variant asked in several runs would have two answers per item: which one counts is not ours to pick.
      const earlier = owner.get(v.name);
      if (earlier !== undefined) problems.push(`variant ${v.name} is in run ${earlier} and in run ${m.runId}`);
      owner.set(v.name, m.runId);
    }
  }
  if (problems.length > 0)
    throw new ConfigError(
      problems,
      "compare takes each variant from one run: name runs whose variants differ (run each variant under its own run id, or one run with --only)",
    );
  const variants = manifests.flatMap((m) => m.config.variants);
  const names = variants.map((v) => v.name);
  const chosen = reference ?? (names.includes(first.reference) ? first.reference : names[0]);
  if (chosen === undefined || !names.includes(chosen)) {
    throw new ConfigError(
      [`flags: --reference: "${reference ?? ""}" is not a variant of these runs (${names.join(", ")})`],
      "pass one of the listed variant names",
    );
  }
  return {
    ...first,
    runId: name,
    reference: chosen,
    config: { ...first.config, variants, reference: chosen },
    variants: manifests.flatMap((m) => m.variants),
    sessions: manifests.flatMap((m) => m.sessions),
    // A task N/A in one run but loaded in another: the loaded record says what was asked.
    tasks: first.tasks.map((t) =>
      t.unavailable === undefined
        ? t
        : (manifests
            .map((m) => m.tasks.find((x) => x.name === t.name && x.unavailable === undefined))
            .find((x) => x !== undefined) ?? t),
    ),
  };
}
