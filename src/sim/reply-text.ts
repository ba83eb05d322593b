/**
 * What the simulator says: deterministic working that reads like reasoning, then a short closing
 * paragraph ending in the answer line, laid out as the variant's reasoning mode dictates, and split into
 * the tokens that are streamed one per chunk.
 *
 * The filler never contains digits, the word "answer", or a capital letter standing alone (like "A" or
 * "I"), and the junk no lone letter at all, so no grader can find an answer in them: the only answer in a
 * reply is its last line.
 */
import type { Outcome } from "./outcome.ts";
import type { SimVariantProfile } from "./profiles.ts";
import { pick } from "./seeded-random.ts";
import { countTokens, tokenize } from "./tokens.ts";

const WORKING: readonly string[] = [
  "Let me restate what is being asked before doing anything else.",
  "The key quantities are given directly in the question, so start from those.",
  "Working through the first step carefully, the terms combine cleanly.",
  "Wait, that step deserves a second look; the sign matters here.",
  "Rechecking it, the earlier result holds.",
  "Another way to see this is to consider the extreme cases and compare them.",
  "Each option can be tested against the conditions in turn.",
  "That rules out the options that contradict the second condition.",
  "Now simplify the expression and keep track of the units.",
  "The remaining possibility is consistent with everything so far.",
  "So the intermediate result carries over to the next part.",
  "Hmm, let me verify this with a quick sanity check.",
  "The rough estimate agrees with the exact calculation.",
  "Putting the pieces together gives a consistent picture.",
  "There is a subtle point about the boundary case, so handle it separately.",
  "Substituting back into the original condition confirms it.",
];

const CLOSINGS: readonly string[] = [
  "Putting it all together, the result is clear.",
  "After checking each step, the conclusion is settled.",
  "Everything is consistent, so here is the final result.",
];

const UNSURE =
  "After going back and forth, the working does not settle on one result with enough confidence to commit to it.";

export const UNKNOWN_QUESTION_REPLY =
  "Hello! This is the quanteval simulator, not a real model. It does not recognise this question, so it has no reply to give.";

const JUNK: readonly string[] = [
  "zx",
  "qu",
  "ört",
  "ſ",
  "@@",
  "~",
  "…",
  "nul",
  "ÿÿ",
  "##",
  "lorem",
  "ipsum",
  "}{",
  "\\\\",
  "ø",
  "kk",
  "||",
];

export type Channel = "reasoning" | "content";
export interface ReplyToken {
  channel: Channel;
  text: string;
}

/** Reasoning-like prose of at least `targetTokens` tokens, in paragraphs of three or four sentences. */
export function writeWorking(random: () => number, targetTokens: number): string {
  const paragraphs: string[] = [];
  let sentences: string[] = [];
  let tokens = 0;
  while (tokens < targetTokens) {
    const sentence = pick(WORKING, random()) ?? "";
    sentences.push(sentence);
    tokens += countTokens(` ${sentence}`);
    // A sentence costs the same tokens after a space or a paragraph break: the whitespace rides on its first word.
    if (sentences.length >= 3 + Math.floor(random() * 2)) {
      paragraphs.push(sentences.join(" "));
      sentences = [];
    }
  }
  if (sentences.length > 0) paragraphs.push(sentences.join(" "));
  return paragraphs.join("\n\n");
}

/** The closing paragraph: a sentence and then the answer line verbatim, or only prose when unanswered. */
export function writeClosing(random: () => number, outcome: Outcome): string {
  if (outcome.kind === "unanswered") return UNSURE;
  return `${pick(CLOSINGS, random()) ?? ""}\n\n${outcome.answerLine}`;
}

/** Junk of about `tokens` tokens with no answer in it (the garbled fault). */
export function writeJunk(random: () => number, tokens: number): string {
  const parts: string[] = [];
  for (let i = 0; i < tokens; i++) parts.push(`${random() < 0.3 ? " " : ""}${pick(JUNK, random()) ?? ""}`);
  return parts.join("");
}

/**
 * A reply made at least `minTokens` long (at most the tokens it already has) by more working after it, as a model
 * told to ignore its end-of-sequence token keeps writing: vLLM's `ignore_eos` and `min_tokens`. The filler goes
 * in the content channel, after a paragraph break.
 */
export function padReply(tokens: readonly ReplyToken[], minTokens: number, random: () => number): ReplyToken[] {
  const missing = minTokens - tokens.length;
  if (missing <= 0) return [...tokens];
  const filler = tokenize(`\n\n${writeWorking(random, missing)}`).slice(0, missing);
  return [...tokens, ...filler.map((text): ReplyToken => ({ channel: "content", text }))];
}

/**
 * Lays reasoning and final text out as the variant's server would send them:
 * "field" puts the reasoning in its own channel (vLLM's reasoning parser: `reasoning_content`), with the
 * content starting after the blank line the model wrote after `</think>`; "think-tags" keeps
 * `<think>…</think>` in the content (no reasoning parser; Qwen3 writes an empty pair when not thinking);
 * "none" writes the working as prose before the closing paragraph.
 */
export function layOutReply(mode: SimVariantProfile["reasoning"], reasoning: string, final: string): ReplyToken[] {
  const content = (text: string): ReplyToken[] => tokenize(text).map((t) => ({ channel: "content", text: t }));
  switch (mode) {
    case "field":
      return [
        ...tokenize(reasoning).map((t): ReplyToken => ({ channel: "reasoning", text: t })),
        ...content(reasoning === "" ? final : `\n\n${final}`),
      ];
    case "think-tags":
      return content(
        reasoning === "" ? `<think>\n\n</think>\n\n${final}` : `<think>\n${reasoning}\n</think>\n\n${final}`,
      );
    case "none":
      return content(reasoning === "" ? final : `${reasoning}\n\n${final}`);
  }
}
