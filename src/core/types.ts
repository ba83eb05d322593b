/** The shared vocabulary of the runner, the client, tasks and graders (DESIGN.md "Core types"). */

export type Role = "system" | "user" | "assistant";
export interface Message { role: Role; content: string }

/** One question, ready to send. `messages` depend only on (item, config): every variant gets the same bytes. */
export interface Item {
  id: string;
  task: string;
  messages: Message[];
  /** The task's own gold answer; must be JSON-serialisable (it is journalled). */
  gold: unknown;
  /** Free-form metadata; keys named in `Task.breakdowns` must be strings and are journalled as labels. */
  meta: Record<string, unknown>;
}

export interface Reply {
  /** Final answer text, reasoning removed. Empty when a `<think>` never closed. */
  text: string;
  /** Reasoning (vLLM `reasoning_content`/`reasoning`, or the inside of `<think>…</think>`). */
  reasoning?: string;
  /** As the server said it: "stop", "length", … ("length" means cut at max_tokens). */
  finishReason: string;
  usage: { promptTokens: number; completionTokens: number };
  timing: {
    /** Epoch ms when the request was sent. */
    sentAt: number;
    /** First streamed token of any kind, reasoning included (as `vllm bench serve` counts TTFT). */
    firstTokenAt?: number;
    /** First token of the final answer (non-reasoning content). */
    firstAnswerTokenAt?: number;
    doneAt: number;
  };
  /** Which server answered, when the variant has several (data-parallel replicas); absent with one. */
  replica?: string;
}

export interface Grade {
  correct: boolean;
  /** False when no answer could be extracted: unanswered is never a wrong letter. */
  answered: boolean;
  /** The path that decided: extraction then comparison, e.g. "answer-line/numeric-equal". */
  rule: string;
  extracted?: string;
  detail?: string;
}
