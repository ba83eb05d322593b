/**
 * `variants[].tokenizer` for `quanteval run`: each selected variant's model tokenizer, loaded before anything is asked
 * (with bench --tokenizer's loader, cache and offline rules), for the replies of an engine that streams no usage.
 * Each is bound to its variant's chat_template_kwargs, so prompts are counted as that variant's server renders them.
 */
import type { RunConfig } from "../../config.ts";
import { isRecord } from "../../core/is-record.ts";
import type { DataAccessOptions } from "../../datasets/index.ts";
import { resolveTokenizer, variantTokenizerField } from "../../loadgen/index.ts";
import type { VariantTokenizer } from "../../runner/index.ts";

/** Variant name → its tokenizer, for the variants that name one (of `only`, when given). */
export async function variantTokenizers(
  config: RunConfig,
  where: { source: string; cwd: string; access: DataAccessOptions; only?: readonly string[] | undefined },
): Promise<Map<string, VariantTokenizer>> {
  const tokenizers = new Map<string, VariantTokenizer>();
  for (const [index, variant] of config.variants.entries()) {
    const ref = variant.tokenizer;
    if (ref === undefined || (where.only !== undefined && !where.only.includes(variant.name))) continue;
    const field = variantTokenizerField(where.source, index, "run");
    const tokenizer = await resolveTokenizer(ref, where.cwd, where.access, field);
    const kwargs = variant.extraBody.chat_template_kwargs;
    const templateKwargs = isRecord(kwargs) ? kwargs : {};
    const { info } = tokenizer;
    tokenizers.set(variant.name, {
      counter: {
        countPrompt: (messages) => tokenizer.countChatTokens(messages, templateKwargs),
        countText: (text) => tokenizer.countTextTokens(text),
      },
      info: {
        ref: info.ref,
        dir: info.dir,
        ...(info.revision === undefined ? {} : { revision: info.revision }),
        tokenizerJsonSha256: info.tokenizer_json_sha256,
        chatTemplateFrom: info.chat_template_from,
        chatTemplateSha256: info.chat_template_sha256,
      },
    });
  }
  return tokenizers;
}
