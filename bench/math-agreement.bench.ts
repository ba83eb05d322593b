/**
 * Agreement of our math verdicts with the benchmark toolkit's own on real model outputs (issue 14): 800 replies
 * of Qwen2.5-Math to 100 MATH problems, scored by the Qwen2.5-Math evaluation toolkit (see math-outputs.ts).
 * - boxed: the replies as written (every one boxes its answer).
 * - unboxed: the same replies with each \boxed{X} replaced by X, graded against the toolkit's verdict on the
 *   original: how a model that does not box would be graded, which is what the extraction rules of issue 14 are for.
 * Run: QUANTEVAL_MATH_OUTPUTS=<folder with math_cot_100.jsonl> npm run bench -- math-agreement
 */
import type { Bench, Figure } from "./figures.ts";
import {
  type Agreement,
  KNOWN_DISAGREEMENTS,
  MATH_OUTPUTS_FILE,
  mathOutputsPath,
  measureAgreement,
  readMathOutputs,
  unboxed,
} from "./math-outputs.ts";

function report(name: string, agreement: Agreement): Figure {
  console.log(`  ${name}: ${agreement.agree}/${agreement.n} agree, ${agreement.unanswered} unanswered`);
  for (const d of agreement.disagreements) {
    const known = KNOWN_DISAGREEMENTS[d.id];
    const verdict = known ? `${known.right} right: ${known.reason}` : "unclassified: read the reply";
    const got = d.extracted ?? "-";
    console.log(`    ${d.id} theirs=${d.theirs} ours=${d.ours} ${d.rule} gold=${d.gold} got=${got}: ${verdict}`);
  }
  return {
    name,
    measures:
      `verdicts equal to the Qwen2.5-Math toolkit's on ${MATH_OUTPUTS_FILE} ` + `(${agreement.unanswered} unanswered)`,
    n: agreement.n,
    value: { value: agreement.agree / agreement.n, unit: "agreement" },
  };
}

export const bench: Bench = async () => {
  const source = mathOutputsPath(process.env);
  if ("missing" in source) {
    console.log(`  skipped: ${source.missing}`);
    return [];
  }
  const samples = readMathOutputs(source.path);
  return [
    report("boxed replies", measureAgreement(samples)),
    report("same replies unboxed", measureAgreement(samples, unboxed)),
  ];
};
