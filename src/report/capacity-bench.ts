/**
 * A bench.json → the capacity attachment of a run (capacity-attachment.ts): which file `--bench <id | path>` names,
 * and the figures of its `max_rate` that the report needs. bench.json is outside data here: parsed by its own schema
 * (this layer does not import the load generator), unknown fields kept out.
 */
import { createHash } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { z } from "zod";
import { BenchAttachError } from "../core/errors.ts";
import { formatIssue } from "../zod-issues.ts";
import type { CapacityAttachment } from "./capacity-attachment.ts";

const RUN_HINT = "run the bench with --slo <targets> --find-max-rate (with --run <run-id> it attaches itself)";

const BenchFileSchema = z.object({
  tool: z.literal("quanteval bench"),
  id: z.string(),
  created_at: z.string(),
  // Only what the report words; lenient, so a bench from an earlier quanteval still attaches.
  settings: z.object({
    max_tokens: z.number().optional(),
    ignore_eos: z.boolean().optional(),
    prompt: z.record(z.string(), z.unknown()).default({ kind: "not recorded" }),
    slo: z
      .object({ ttft_ms: z.number().optional(), tpot_ms: z.number().optional(), e2e_ms: z.number().optional() })
      .optional(),
    find_max_rate: z.object({ percentile: z.number(), requests_per_trial: z.int().positive() }).optional(),
    burstiness: z.union([z.number(), z.string()]).optional(),
    max_concurrency: z.number().nullable().optional(),
    seed: z.number().optional(),
  }),
  variants: z.array(z.object({ name: z.string(), model: z.string(), status: z.string() })),
  max_rate: z
    .array(
      z.object({
        variant: z.string(),
        percentile: z.number(),
        max_rate: z.number().nonnegative(),
        interval: z.object({ low: z.number(), high: z.number(), confidence: z.number() }).nullable(),
        repetitions: z
          .array(
            z.object({
              max_rate: z.number().nonnegative(),
              stopped: z.enum(["tolerance", "max-steps", "above-max-rate", "below-min-rate"]),
            }),
          )
          .min(1),
      }),
    )
    .optional(),
});
type BenchFile = z.infer<typeof BenchFileSchema>;

/**
 * The bench.json that `ref` names: a file, a bench folder, or a bench id (the `<id>` of `<reportsDir>/bench-<id>/`).
 * Relative paths are read from `cwd`.
 */
export function benchFileOf(ref: string, reportsDir: string, cwd: string): string {
  const tried = [
    resolve(cwd, ref),
    join(resolve(cwd, ref), "bench.json"),
    join(reportsDir, `bench-${ref}`, "bench.json"),
  ];
  for (const candidate of tried) if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  throw new BenchAttachError(
    "E_BENCH_NOT_FOUND",
    `no bench "${ref}": none of ${tried.join(", ")} is a file`,
    "pass the id `quanteval bench` printed (its folder is reports/bench-<id>/) or the path of its bench.json; " +
      "--reports <dir> if the bench was written elsewhere",
  );
}

/** bench.json's text → what the run keeps of it; refuses a file that is not a bench or has no max rate. */
export function capacityFromBench(text: string, file: string): CapacityAttachment {
  const bench = parseBench(text, file);
  const maxRates = bench.max_rate ?? [];
  const { slo, find_max_rate: search } = bench.settings;
  if (maxRates.length === 0 || slo === undefined || search === undefined) {
    const why =
      bench.max_rate === undefined
        ? "it was run without --find-max-rate"
        : "no variant finished its --find-max-rate search (see variants[].status)";
    throw new BenchAttachError("E_BENCH_NO_MAX_RATE", `bench ${bench.id} (${file}) has no max rate: ${why}`, RUN_HINT);
  }
  return {
    v: 1,
    bench: { id: bench.id, created_at: bench.created_at, sha256: createHash("sha256").update(text).digest("hex") },
    percentile: search.percentile,
    slo: {
      ...(slo.ttft_ms === undefined ? {} : { ttft_ms: slo.ttft_ms }),
      ...(slo.tpot_ms === undefined ? {} : { tpot_ms: slo.tpot_ms }),
      ...(slo.e2e_ms === undefined ? {} : { e2e_ms: slo.e2e_ms }),
    },
    requests_per_trial: search.requests_per_trial,
    arrivals: arrivalsText(bench.settings),
    workload: workloadText(bench.settings),
    variants: maxRates.map((m) => ({
      variant: m.variant,
      model: bench.variants.find((v) => v.name === m.variant)?.model ?? "",
      max_rate: m.max_rate,
      interval: m.interval,
      searches: m.repetitions.map((r) => ({ max_rate: r.max_rate, stopped: r.stopped })),
    })),
  };
}

function parseBench(text: string, file: string): BenchFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new BenchAttachError(
      "E_BENCH_FORMAT",
      `${file} is not JSON (${detail})`,
      "pass the bench.json that `quanteval bench` wrote",
    );
  }
  const parsed = BenchFileSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const detail = issue === undefined ? "invalid" : formatIssue(issue, json, "bench.json");
  throw new BenchAttachError(
    "E_BENCH_FORMAT",
    `${file} is not a quanteval bench.json: ${detail}`,
    "pass the bench.json that `quanteval bench` wrote (a bench from an older quanteval: run it again)",
  );
}

/** The trials' arrivals: Poisson (or gamma with --burstiness), capped or not, from the bench's open-loop settings. */
function arrivalsText(settings: BenchFile["settings"]): string {
  const burstiness = settings.burstiness ?? 1;
  const shape = burstiness === 1 ? "Poisson arrivals" : `gamma arrivals of burstiness ${burstiness}`;
  const cap =
    settings.max_concurrency === undefined || settings.max_concurrency === null
      ? "no cap on requests in flight"
      : `at most ${settings.max_concurrency} in flight`;
  return `${shape}, ${cap}`;
}

/** What each trial asked: the scenario, or the prompts and max_tokens. */
function workloadText(settings: BenchFile["settings"]): string {
  const prompt = settings.prompt;
  const cap = settings.max_tokens === undefined ? "" : `, max_tokens ${settings.max_tokens}`;
  const held = `${cap}${settings.ignore_eos === true ? " (ignore_eos)" : ""}`;
  const text = (key: string) =>
    typeof prompt[key] === "string" || typeof prompt[key] === "number" ? String(prompt[key]) : "?";
  switch (prompt.kind) {
    case "scenario":
      return `scenario ${text("scenario")}`;
    case "synthetic":
      return prompt.words === undefined
        ? `synthetic prompts of ${text("tokens")} tokens${held}`
        : `synthetic prompts of ${text("words")} words${held}`;
    case "file":
      return prompt.scenario === undefined
        ? `the prompts of ${text("file")}${held}`
        : `scenario ${text("scenario")} (${text("file")})`;
    case "run":
      return `the ${text("task")} prompts of run ${text("run")}, each variant's own output lengths`;
    default:
      return `prompts: ${text("kind")}`;
  }
}
