/**
 * `quanteval diverge <run-id>`: every variant of a finished run scores the reference's replies token by token
 * (runner/diverge.ts), then the report is rebuilt with the divergence section. Resumable like `run`: what is in the
 * divergence journal is not asked again. The run's stored config gives the variants; `-c` gives them anew when the
 * servers moved, and must ask what the run asked.
 */
import { resolve } from "node:path";
import { parseRunConfig, type RunConfig, readConfigFile, requestDifferences, resolveApiKeys } from "../../config.ts";
import { ConfigError } from "../../core/errors.ts";
import { readManifest } from "../../journal/index.ts";
import { writeReport } from "../../report/index.ts";
import { type DivergePlan, runDivergence, type VariantDivergence } from "../../runner/index.ts";
import { ServerRegistry } from "../../runner/serve/index.ts";
import { splitList } from "../config-flags.ts";
import type { DivergeFlags } from "../flags.ts";
import { whileInterruptible } from "../interrupts.ts";
import { type CommandContext, EXIT, type ExitCode } from "../io.ts";
import { renderPlainTable } from "../plain-table.ts";
import { parseCount } from "./bench-numbers.ts";

export async function divergeCommand(runId: string, flags: DivergeFlags, ctx: CommandContext): Promise<ExitCode> {
  const { io } = ctx;
  const plan = planFromFlags(flags);
  const { config, artifactsDir } = divergeConfig(runId, flags, io.cwd);
  const manifest = readManifest(artifactsDir, runId);
  const apiKeys = resolveApiKeys(config, io.env);
  const servers = new ServerRegistry();
  const log = (line: string): void => io.stderr(`${line}\n`);
  const results = await whileInterruptible(
    io,
    servers,
    {
      first: (serving) =>
        `no new requests; every score received is in the divergence journal${serving ? "; then the server quanteval started is stopped" : ""}`,
      again: "; every score received is already in the divergence journal",
    },
    (signal) =>
      runDivergence(
        config,
        manifest,
        { ...plan, concurrency: plan.concurrency ?? config.concurrency },
        { artifactsDir, cwd: io.cwd, env: io.env, apiKeys, log, signal, servers },
      ),
  );
  const written = await writeReport({
    artifactsDir,
    reportsDir: resolve(io.cwd, flags.reports ?? config.output.reports),
    runId,
  });
  io.stdout(`${summaryTable(results)}\n`);
  for (const { variant, error } of results)
    if (error !== undefined) io.stderr(`[${variant}] error[${error.code}]: ${error.message}\nfix: ${error.hint}\n`);
  io.stderr(`report written to ${written.dir} (the divergence section is in report.md and index.html)\n`);
  return exitCodeOf(results);
}

/** The stored config, or -c's when its servers moved; either way what is asked must be what the run asked. */
function divergeConfig(runId: string, flags: DivergeFlags, cwd: string): { config: RunConfig; artifactsDir: string } {
  if (flags.config === undefined) {
    const artifactsDir = resolve(cwd, flags.artifacts ?? "artifacts");
    const manifest = readManifest(artifactsDir, runId);
    return { config: parseRunConfig({ ...manifest.config, runId }, "stored config"), artifactsDir };
  }
  const config = parseRunConfig(readConfigFile(flags.config, cwd), flags.config);
  const artifactsDir = resolve(cwd, flags.artifacts ?? config.output.artifacts);
  const manifest = readManifest(artifactsDir, runId);
  const differences = requestDifferences(manifest.config, { ...config, runId }, runId);
  if (differences.length > 0)
    throw new ConfigError(
      differences.map((d) => `${flags.config}: ${d}`),
      `make ${flags.config} ask what run ${runId} asked (only servers, keys and serve blocks may change)`,
    );
  return { config: { ...config, runId }, artifactsDir };
}

/** Bounds of the numeric flags: vLLM's --max-logprobs has no cap; the config's own limit on concurrency. */
const MAX_COUNT = 1_000_000_000;
const MAX_CONCURRENCY = 4096;

function planFromFlags(flags: DivergeFlags): Omit<DivergePlan, "concurrency"> & { concurrency?: number } {
  const problems: string[] = [];
  const count = (flag: string, text: string, max: number, example: string): number | undefined =>
    parseCount(flag, text, 1, max, example, problems);
  const topK = count("--top-k", flags.topK, MAX_COUNT, "e.g. --top-k 20, at most vLLM's --max-logprobs");
  const maxPositions =
    flags.maxPositions === "all"
      ? undefined
      : count("--max-positions", flags.maxPositions, MAX_COUNT, 'e.g. --max-positions 1024, or "all"');
  const items =
    flags.items === "all" ? undefined : count("--items", flags.items, MAX_COUNT, 'e.g. --items 1000, or "all"');
  const concurrency =
    flags.concurrency === undefined
      ? undefined
      : count("--concurrency", flags.concurrency, MAX_CONCURRENCY, "e.g. --concurrency 16");
  if (problems.length > 0 || topK === undefined)
    throw new ConfigError(
      problems,
      "fix the flags named above; `quanteval diverge --help` lists them",
      "diverge flags",
    );
  return {
    topK,
    maxPositions,
    items,
    ...(flags.tasks === undefined ? {} : { tasks: splitList(flags.tasks) }),
    ...(flags.variants === undefined ? {} : { variants: splitList(flags.variants) }),
    ...(concurrency === undefined ? {} : { concurrency }),
  };
}

function summaryTable(results: readonly VariantDivergence[]): string {
  const header = ["variant", "status", "scored", "already", "failed", "no reference", "error"];
  const rows = results.map((r) => [
    r.variant,
    r.status,
    String(r.asked),
    String(r.before),
    String(r.failed),
    String(r.withoutReference),
    r.error?.code ?? "",
  ]);
  return renderPlainTable([header, ...rows]);
}

/** 130 when interrupted; a refusal's own code (2 for bad input); 1 when requests failed; else 0. */
function exitCodeOf(results: readonly VariantDivergence[]): ExitCode {
  if (results.some((r) => r.status === "interrupted")) return EXIT.interrupted;
  const failed = results.find((r) => r.status === "failed");
  if (failed !== undefined) return failed.error?.exitCode ?? EXIT.failed;
  return results.some((r) => r.failed > 0) ? EXIT.failed : EXIT.ok;
}
