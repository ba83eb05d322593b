/** report.md's account of the run: the header (settings and variants), tasks and data, and unfinished variants. */
import { type ContextLength, describeSource, type ManifestEngine } from "../journal/index.ts";
import { NONE, scoringCell } from "./format.ts";
import { legendLines } from "./legend-text.ts";
import { batchInvariance } from "./markdown-samples.ts";
import { type Column, markdownTable, quote } from "./markdown-table.ts";
import type { ReportData } from "./report-types.ts";

export function header(report: ReportData): string {
  const { sampling } = report;
  const samplingText = [
    ...(sampling.preset !== undefined ? [`preset ${sampling.preset}:`] : []),
    [
      `temperature ${sampling.temperature}`,
      sampling.maxTokens !== undefined ? `max_tokens ${sampling.maxTokens}` : "max_tokens per task (see Tasks)",
      ...(sampling.topP !== undefined ? [`top_p ${sampling.topP}`] : []),
      ...(sampling.topK !== undefined ? [`top_k ${sampling.topK}`] : []),
      ...(sampling.minP !== undefined ? [`min_p ${sampling.minP}`] : []),
      ...(sampling.seed !== undefined ? [`seed ${sampling.seed}`] : []),
    ].join(", "),
  ].join(" ");
  // The engine column only when an engine was found: runs from before it was recorded read as they did.
  const withEngine = report.variants.some((v) => v.engine !== undefined);
  const variants = markdownTable(
    [
      { header: "Variant", align: "left" },
      { header: "Model", align: "left" },
      { header: "Endpoint", align: "left" },
      ...(withEngine ? [{ header: "Engine", align: "left" } as const] : []),
      { header: "Status", align: "left" },
      { header: "Batch-invariant", align: "left" },
      { header: "Context", align: "left" },
    ],
    report.variants.map((v) => [
      v.isReference ? `${v.name} (ref)` : v.name,
      `\`${v.model}\``,
      v.endpoint,
      ...(withEngine ? [engineCell(v.engine)] : []),
      v.status,
      batchInvariance(report, v.name),
      contextCell(v.contextLength),
    ]),
  );
  return [
    `# quanteval report: ${report.runId}`,
    "",
    `- Run: \`${report.runId}\``,
    `- Reference: **${report.reference}** (deltas are measured against it)`,
    `- Sampling: ${samplingText}`,
    `- Concurrency: ${report.concurrency} requests in flight per variant, ${report.stream ? "streaming" : "not streaming (no TTFT)"}`,
    "",
    variants,
  ].join("\n");
}

const ENGINE_LABELS: Record<ManifestEngine["name"], string> = {
  vllm: "vLLM",
  sglang: "SGLang",
  lmdeploy: "LMDeploy",
  trtllm: "TensorRT-LLM",
  llamacpp: "llama.cpp",
};

/**
 * "SGLang 0.5.0 (server)", "LMDeploy (version not stated) (serve command)", "LMDeploy 0.10.1 (serve command; version
 * from image tag)": the engine and who said so.
 */
export function engineCell(engine: ManifestEngine | undefined): string {
  if (engine === undefined) return NONE;
  const named = engine.source === "server" ? "server" : "serve command";
  const said = engine.versionFrom === "image-tag" ? `${named}; version from image tag` : named;
  return `${ENGINE_LABELS[engine.name]} ${engine.version ?? "(version not stated)"} (${said})`;
}

/** "4096 tokens (GET /v1/models max_model_len)": the context max_tokens was fitted to, and where it was read. */
export function contextCell(context: ContextLength | undefined): string {
  return context === undefined ? NONE : `${context.tokens} tokens (${describeSource(context)})`;
}

/** Which data each task scored: dataset, revision, file sha256, max_tokens, and what the loader noticed. */
export function tasksTable(report: ReportData): string {
  const columns: Column[] = [
    { header: "Task", align: "left" },
    { header: "n", align: "right" },
    { header: "max_tokens", align: "right" },
    { header: "Scoring", align: "left" },
    { header: "Data (dataset@revision file sha256)", align: "left" },
    { header: "Notes", align: "left" },
  ];
  const rows = report.tasks.map((t) => [
    t.name,
    String(t.itemCount),
    t.maxTokens !== undefined ? String(t.maxTokens) : NONE,
    scoringCell(t),
    t.files
      .map(
        (f) =>
          `${f.dataset !== undefined ? `${f.dataset}@${(f.revision ?? "").slice(0, 7)} ` : ""}${f.path} ${f.sha256.slice(0, 12)}`,
      )
      .join("; ") || NONE,
    [...(t.unavailable !== undefined ? [`N/A: ${t.unavailable.message}`] : []), ...t.notices].join("; ") || "",
  ]);
  const legend = legendLines("markdown/tasks");
  return `${markdownTable(columns, rows)}\n\n${quote(legend)}`;
}

export function incompleteVariants(report: ReportData): string {
  const lines = report.variants.flatMap((v) => {
    if (v.status === "failed") return [`- **${v.name}** failed: ${v.error ?? "no error recorded"}`];
    if (v.status === "pending")
      return [
        `- **${v.name}** did not finish (interrupted or not run yet)${v.error !== undefined ? `: ${v.error}` : ""}`,
      ];
    return [];
  });
  if (lines.length === 0) return "";
  return [
    "## Variants not complete",
    "",
    ...lines,
    "",
    `Their tables above count only what was recorded; \`quanteval run --resume ${report.runId}\` asks the missing items.`,
  ].join("\n");
}
