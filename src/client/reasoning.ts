/**
 * Keeps reasoning apart from the final answer when the model writes it inline as `<think>…</think>` (vLLM
 * started without --reasoning-parser). Answers are extracted from the final text only, so a thought that
 * mentions "Answer: B" must never reach a grader.
 */

const OPEN_TAG = "<think>";
const CLOSE_TAG = "</think>";

export interface ReasoningSplit {
  reasoning?: string;
  /** The final answer, untrimmed; "" when a `<think>` never closed. */
  text: string;
  /** Where `text` starts in the raw content; undefined when there is no answer at all. */
  answerOffset: number | undefined;
}

/**
 * Splits raw content at the first `</think>`, as vLLM's deepseek_r1 and qwen3 reasoning parsers do:
 * 1. `…</think>answer`: everything before the close tag is reasoning, minus the first `<think>` before it. A close
 *    tag alone is normal: DeepSeek-R1 and Qwen3 chat templates put `<think>` in the prompt.
 * 2. `<think>…` never closed: all of it is reasoning and the text is "" (cut at max_tokens mid-thought).
 * 3. No tags: all of it is text.
 * Nothing is trimmed, so reasoning + text is the content without the tags.
 * Not covered: a template-opened thought cut before `</think>` has no tag at all and reads as text; start
 * vLLM with --reasoning-parser so the server separates it.
 */
export function splitReasoning(raw: string): ReasoningSplit {
  const close = raw.indexOf(CLOSE_TAG);
  if (close !== -1) {
    const open = raw.indexOf(OPEN_TAG);
    const opened = open !== -1 && open + OPEN_TAG.length <= close;
    const reasoning = opened ? raw.slice(0, open) + raw.slice(open + OPEN_TAG.length, close) : raw.slice(0, close);
    const answerOffset = close + CLOSE_TAG.length;
    return { reasoning, text: raw.slice(answerOffset), answerOffset };
  }
  const open = raw.indexOf(OPEN_TAG);
  if (open !== -1) {
    return { reasoning: raw.slice(0, open) + raw.slice(open + OPEN_TAG.length), text: "", answerOffset: undefined };
  }
  return { text: raw, answerOffset: 0 };
}
