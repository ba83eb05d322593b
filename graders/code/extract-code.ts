/**
 * The program in a model's reply: the last complete fenced code block labelled for the language (or not
 * labelled at all). A fence left open at the end (a reply cut off mid-block) is ignored.
 */
import type { CodeLanguage } from "./types.ts";

const LANGUAGE_TAGS: Record<CodeLanguage, ReadonlySet<string>> = {
  python: new Set(["python", "python3", "py", "py3"]),
  javascript: new Set(["javascript", "js", "node", "nodejs", "mjs", "cjs"]),
};

// An opening fence: up to 3 spaces (more inside list items is common in replies), ``` or ~~~, an info string.
const OPENING = /^([ \t]*)(`{3,}|~{3,})[ \t]*([^\s`]*)[^`]*$/u;

interface Block {
  tag: string;
  lines: string[];
}

function closes(line: string, fence: string): boolean {
  const trimmed = line.trim();
  return trimmed.length >= fence.length && /^(`+|~+)$/u.test(trimmed) && trimmed[0] === fence[0];
}

/** Removes the fence's own indentation from the block's lines (a block inside a list item). */
function dedent(line: string, indent: string): string {
  let i = 0;
  while (i < indent.length && i < line.length && (line[i] === " " || line[i] === "\t")) i++;
  return line.slice(i);
}

function completeBlocks(text: string): Block[] {
  const blocks: Block[] = [];
  let open: (Block & { fence: string; indent: string }) | undefined;
  for (const line of text.split(/\r?\n/u)) {
    if (open === undefined) {
      const match = OPENING.exec(line);
      if (match !== null)
        open = { indent: match[1] ?? "", fence: match[2] ?? "```", tag: (match[3] ?? "").toLowerCase(), lines: [] };
    } else if (closes(line, open.fence)) {
      blocks.push({ tag: open.tag, lines: open.lines });
      open = undefined;
    } else {
      open.lines.push(dedent(line, open.indent));
    }
  }
  return blocks;
}

export function extractCode(text: string, language: CodeLanguage): string | undefined {
  const tags = LANGUAGE_TAGS[language];
  const blocks = completeBlocks(text).filter((block) => block.tag === "" || tags.has(block.tag));
  const last = blocks.at(-1);
  return last === undefined ? undefined : last.lines.join("\n");
}
