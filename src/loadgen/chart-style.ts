/** What the bench's charts share: the title's look, and one colour per variant in the report's palette. */
import { TABLEAU_10 } from "../report/index.ts";

export function chartTitle(text: string, subtitle: readonly string[]) {
  return { text, subtitle: [...subtitle], anchor: "start", fontSize: 14, subtitleFontSize: 11, subtitleColor: "#444" };
}

export function variantColor(variants: readonly string[]) {
  return {
    field: "variant",
    type: "nominal",
    scale: { domain: [...variants], range: variants.map((_v, i) => TABLEAU_10[i % TABLEAU_10.length] ?? "#4c78a8") },
    legend: { title: "variant", orient: "top" },
  } as const;
}
