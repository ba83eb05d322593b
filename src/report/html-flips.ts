/**
 * The flipped items of index.html: for each item the reference and a variant graded differently, the prompt, both
 * replies side by side (reasoning folded), what each grader extracted and by which rule, and the gold answer. Each
 * item is a <details> whose id is the flip's anchor, so report.md can link `index.html#<anchor>`.
 */

import type { JournalRecord } from "../journal/index.ts";
import { escapeHtml, escapeLong } from "./html-escape.ts";
import { legendLines } from "./legend-text.ts";
import type { Flip, ReportData } from "./report-types.ts";

/** The record each table counted: per variant, task and item, the last one of sample 0 (summary.ts's rule). */
export type OutcomeIndex = Map<string, JournalRecord>;

const outcomeKey = (variant: string, task: string, itemId: string) => JSON.stringify([variant, task, itemId]);

export function indexOutcomes(records: readonly JournalRecord[]): OutcomeIndex {
  const index: OutcomeIndex = new Map();
  for (const record of records) {
    if ((record.sample ?? 0) === 0) index.set(outcomeKey(record.variant, record.task, record.itemId), record);
  }
  return index;
}

export function flipsSection(report: ReportData, outcomes: OutcomeIndex): string {
  const { flips } = report;
  if (flips.length === 0) {
    return `<p>No item was graded differently by ${escapeHtml(report.reference)} and another variant.</p>`;
  }
  const counts = new Map<string, { task: string; variant: string; lost: number; gained: number }>();
  for (const flip of flips) {
    const key = JSON.stringify([flip.task, flip.variant]);
    const entry = counts.get(key) ?? { task: flip.task, variant: flip.variant, lost: 0, gained: 0 };
    entry[flip.direction] += 1;
    counts.set(key, entry);
  }
  const countRows = [...counts.values()].map(
    (c) =>
      `<tr ${filterAttributes(c.task, c.variant)}><td>${escapeHtml(c.task)}</td><td>${escapeHtml(c.variant)}</td><td class="num">${c.lost}</td><td class="num">${c.gained}</td></tr>`,
  );
  return [
    `<p class="legend">${legendLines("html/flips", { reference: escapeHtml(report.reference) }).join("\n")}</p>`,
    `<div class="table-wrap"><table class="compact"><thead><tr><th>Task</th><th>Variant</th><th class="num">↓ lost</th><th class="num">↑ gained</th></tr></thead><tbody>${countRows.join("")}</tbody></table></div>`,
    `<p class="flip-tools"><button type="button" id="expand-all">Open all shown</button> <button type="button" id="collapse-all">Close all</button> <span id="flip-status" aria-live="polite"></span></p>`,
    `<div class="flips">${flips.map((flip) => flipDetail(report, flip, outcomes)).join("\n")}</div>`,
  ].join("\n");
}

export function filterAttributes(task: string | undefined, variant: string | undefined): string {
  return [
    ...(task !== undefined ? [`data-task="${escapeHtml(task)}"`] : []),
    ...(variant !== undefined ? [`data-variant="${escapeHtml(variant)}"`] : []),
  ].join(" ");
}

function flipDetail(report: ReportData, flip: Flip, outcomes: OutcomeIndex): string {
  const reference = outcomes.get(outcomeKey(report.reference, flip.task, flip.itemId));
  const variant = outcomes.get(outcomeKey(flip.variant, flip.task, flip.itemId));
  const arrow = flip.direction === "lost" ? "↓ lost" : "↑ gained";
  const verdicts = flip.direction === "lost" ? "reference right, variant wrong" : "reference wrong, variant right";
  const summary =
    `<summary><span class="dir ${flip.direction}">${arrow}</span> <b>${escapeHtml(flip.task)}</b> · item <code>${escapeHtml(flip.itemId)}</code>` +
    ` · ${escapeHtml(flip.variant)} vs ${escapeHtml(report.reference)}: ${verdicts}</summary>`;
  const sameMessages =
    reference !== undefined &&
    variant !== undefined &&
    JSON.stringify(reference.request.messages) === JSON.stringify(variant.request.messages);
  const prompt =
    reference === undefined && variant === undefined
      ? '<p class="missing">No journal record for this item was given to the report.</p>'
      : sameMessages || variant === undefined || reference === undefined
        ? messagesBlock("Prompt (sent to both, byte for byte)", (reference ?? variant)?.request.messages ?? [])
        : `<p class="warn">The two variants were sent different messages: the paired comparison is not like for like.</p>` +
          messagesBlock(`Prompt sent to ${report.reference}`, reference.request.messages) +
          messagesBlock(`Prompt sent to ${flip.variant}`, variant.request.messages);
  const gold = reference ?? variant;
  return [
    `<details class="flip" id="${escapeHtml(flip.anchor)}" ${filterAttributes(flip.task, flip.variant)} data-direction="${flip.direction}">`,
    summary,
    `<div class="flip-body">`,
    prompt,
    `<p class="gold"><span class="k">Gold answer</span> <code>${gold === undefined ? "—" : escapeLong(goldText(gold.gold))}</code></p>`,
    `<div class="replies">${replyBlock(`${report.reference} (reference)`, reference)}${replyBlock(flip.variant, variant)}</div>`,
    `</div>`,
    `</details>`,
  ].join("\n");
}

function messagesBlock(title: string, messages: readonly { role: string; content: string }[]): string {
  const items = messages.map(
    (m) => `<div class="msg"><span class="role">${escapeHtml(m.role)}</span><pre>${escapeLong(m.content)}</pre></div>`,
  );
  return `<section class="prompt"><h4>${escapeHtml(title)}</h4>${items.join("")}</section>`;
}

function replyBlock(title: string, record: JournalRecord | undefined): string {
  if (record === undefined)
    return `<article class="reply"><h4>${escapeHtml(title)}</h4><p class="missing">No record.</p></article>`;
  const grade = record.grade;
  const verdict =
    grade === undefined ? "not graded" : grade.correct ? "correct" : grade.answered ? "wrong" : "unanswered";
  const facts: [string, string][] = [
    [
      "Extracted",
      grade?.extracted !== undefined ? `<code>${escapeLong(grade.extracted)}</code>` : "— (nothing extracted)",
    ],
    ["Grade rule", grade !== undefined ? `<code>${escapeHtml(grade.rule)}</code>` : "—"],
    ...(grade?.detail !== undefined ? [["Detail", escapeLong(grade.detail)] as [string, string]] : []),
    ...(record.error !== undefined
      ? [
          ["Error", `<code>${escapeHtml(record.error.code)}</code> ${escapeLong(record.error.message)}`] as [
            string,
            string,
          ],
        ]
      : []),
    [
      "Finish",
      record.reply === undefined
        ? "no reply"
        : `${escapeHtml(record.reply.finishReason)}${record.reply.finishReason === "length" ? " (cut at max_tokens)" : ""}`,
    ],
    ["Tokens", record.reply === undefined ? "—" : tokensCell(record.reply)],
  ];
  const reasoning = record.reply?.reasoning;
  return [
    `<article class="reply ${verdict}">`,
    `<h4>${escapeHtml(title)} <span class="verdict ${verdict}">${verdict}</span></h4>`,
    `<dl>${facts.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join("")}</dl>`,
    reasoning !== undefined && reasoning !== ""
      ? `<details class="reasoning"><summary>Reasoning (${reasoning.length} characters)</summary><pre>${escapeLong(reasoning)}</pre></details>`
      : "",
    `<h5>Reply</h5><pre class="reply-text">${record.reply === undefined ? "—" : escapeLong(record.reply.text)}</pre>`,
    `</article>`,
  ].join("");
}

/** The gold as the grader saw it: a string as it is, anything else as JSON. */
function goldText(gold: unknown): string {
  if (typeof gold === "string") return gold;
  if (gold === undefined) return "—";
  return JSON.stringify(gold, null, 2) ?? String(gold);
}

/** "120 prompt, 48 completion", and how they were counted when the server sent no usage. */
function tokensCell(reply: Pick<NonNullable<JournalRecord["reply"]>, "usage" | "usageCountedBy">): string {
  const { promptTokens, completionTokens } = reply.usage;
  const counts = `${promptTokens ?? "unknown"} prompt, ${completionTokens} completion`;
  if (reply.usageCountedBy === undefined) return counts;
  return `${counts} (counted by the client: ${reply.usageCountedBy === "tokenizer" ? "the tokenizer" : "stream chunks"})`;
}
