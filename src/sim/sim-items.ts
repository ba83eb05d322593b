/** The simulator's answer key for loaded tasks: what `quanteval sim`, `quanteval demo` and the e2e tests serve. */
import { createMathEngine } from "../../graders/math/index.ts";
import type { Item } from "../core/types.ts";
import type { Task } from "../tasks/index.ts";
import type { SimItem } from "./server.ts";

/** The simulator recognises a request by its last user message, and answers from the task's answer key. */
export function simItemsFromTasks(
  tasks: readonly { task: Pick<Task, "name" | "answerKey">; items: readonly Item[] }[],
): SimItem[] {
  const out: SimItem[] = [];
  // Answer keys leave out wrong answers the grader would accept, which takes the graders' math engine.
  const math = createMathEngine();
  for (const { task, items } of tasks) {
    for (const item of items) {
      const lastUser = item.messages.filter((m) => m.role === "user").pop();
      if (lastUser === undefined) continue;
      const category = item.meta.category;
      out.push({
        promptKey: lastUser.content,
        itemId: item.id,
        task: task.name,
        answers: task.answerKey(item, math),
        ...(typeof category === "string" ? { category } : {}),
      });
    }
  }
  return out;
}
