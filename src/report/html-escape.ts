/**
 * Escaping for index.html. Everything that reaches the page from a journal is hostile (a model reply can hold
 * `<script>`), so every text and attribute value goes through `escapeHtml`; only markup this module family builds
 * is ever left unescaped.
 */
const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Safe in element text and in quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ENTITIES[ch] ?? ch);
}

/** Above this many characters a text is cut on the page (the journal keeps it whole) so index.html stays openable. */
export const MAX_SHOWN_CHARS = 200_000;

/** Escaped text, cut at MAX_SHOWN_CHARS with a note that says so and where the whole text is. */
export function escapeLong(text: string): string {
  if (text.length <= MAX_SHOWN_CHARS) return escapeHtml(text);
  const cut = text.length - MAX_SHOWN_CHARS;
  return `${escapeHtml(text.slice(0, MAX_SHOWN_CHARS))}<span class="cut">[… ${cut} more characters not shown here; the journal has them all]</span>`;
}
