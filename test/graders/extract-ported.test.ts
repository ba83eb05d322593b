/**
 * Held-out extraction cases ported from other projects' test suites, prompts and stored model outputs. Each block
 * names its source. Where the source's own expectation differs from our documented policy (graders/extract.ts:
 * the LAST stated answer wins, a capital letter counts only as a whole token, prose is never read, no answer is
 * `undefined`), the expected value here is OURS and the line says what the source does and why we differ.
 */
import { describe, expect, test } from "vitest";
import { extractBoxed, extractChoice, extractFinalAnswer } from "../../graders/extract.ts";

type ChoiceCase = [reply: string, letters: string, expected: string | undefined, options?: readonly string[]];

function choiceTable(name: string, cases: readonly ChoiceCase[]): void {
  describe(name, () => {
    test.each<ChoiceCase>(cases)("%j (%s) → %j", (reply, letters, expected, options) => {
      const got = extractChoice(reply, letters, options);
      expect(got?.letter, JSON.stringify(got)).toBe(expected);
    });
  });
}

type ValueCase = [reply: string, expected: string | undefined];

function boxedTable(name: string, cases: readonly ValueCase[]): void {
  describe(name, () => {
    test.each(cases)("%j → %j", (reply, expected) => {
      expect(extractBoxed(reply)).toBe(expected);
    });
  });
}

function finalTable(name: string, cases: readonly ValueCase[]): void {
  describe(name, () => {
    test.each(cases)("%j → %j", (reply, expected) => {
      expect(extractFinalAnswer(reply)?.value).toBe(expected);
    });
  });
}

const ABCD = "ABCD";
const A_J = "ABCDEFGHIJ";

// ---------------------------------------------------------------------------------------------------------------
// extractChoice
// ---------------------------------------------------------------------------------------------------------------

// EleutherAI/lm-evaluation-harness tests/test_bbeh_supergpqa.py (commit b06be63f) — SuperGPQA extract_option_label /
// extract_answer (lm_eval/tasks/supergpqa/utils.py) and the BBEH evaluator.
choiceTable("lm-evaluation-harness: SuperGPQA and BBEH", [
  ["Reasoning\nAnswer: B", "ABC", "B"],
  ["The best option is $\\boxed{C}:", "ABC", "C"],
  ["Reasoning\n(B).", "ABC", "B"],
  ["Answer: Beta value", "AB", "B", ["A", "Beta value"]], // option text on the answer line
  ["Ok The answer is: (A)", ABCD, "A"],
]);

// EleutherAI/lm-evaluation-harness tests/test_filters.py (commit 05dec934) and the MMLU flan filter test
// (MultiChoiceRegexFilter, lm_eval/filters/extraction.py; bbh/*/utils.py).
choiceTable("lm-evaluation-harness: MultiChoiceRegexFilter", [
  ["The answer is (B).", ABCD, "B"],
  // The filter falls back to matching a choice's text anywhere in the reply ("alpha" → (A)); we read an option's
  // text only from an answer line, never from free prose.
  ["alpha", "AB", undefined, ["alpha", "beta"]],
  ["Answer: alpha", "AB", "A", ["alpha", "beta"]],
  // The filter's bare-letter fallback reads ": B" as (B); a stray fragment is not an answer for us.
  [": B", "AB", undefined],
  // "the answer is Guilty of Romance" → (B) there; we read option text only on an answer line (below).
  ["the answer is Guilty of Romance", "AB", undefined, ["Guilty", "Guilty of Romance"]],
  ["Answer: Guilty of Romance", "AB", "B", ["Guilty", "Guilty of Romance"]],
  ["Answer: Guilty", "AB", "A", ["Guilty", "Guilty of Romance"]],
  // bbh movie_recommendation: "The answer is Batman Returns" → (B) there; prose option text is not read here.
  ["The answer is Batman Returns", ABCD, undefined, ["Batman", "Batman Returns", "Alien", "Titanic"]],
]);

// EleutherAI/lm-evaluation-harness lm_eval/tasks/mmlu_pro/_default_template_yaml: regex 'answer is \(?([ABCDEFGHIJ])\)?'
// with take_first; lm_eval/tasks/gpqa/cot_zeroshot/_gpqa_cot_zeroshot_yaml: strict "(?<=The answer is )(.*)(?=.)",
// flexible "(\([A-Z]\))" with group_select -1 (the last parenthesised letter ANYWHERE).
choiceTable("lm-evaluation-harness: MMLU-Pro and GPQA filters", [
  ["Let's think step by step. ... the answer is (J).", A_J, "J"],
  // take_first gives A; the reply corrects itself, and the last statement wins here.
  ["So the answer is (A). Wait, no: the answer is (B).", A_J, "B"],
  ["(A) is too small and (B) ignores drag, so the answer is (D).", ABCD, "D"],
  // flexible-extract takes the last "(X)" anywhere: (A); the stated answer is (C).
  ["The answer is (C). Note that (A) would apply at low temperature.", ABCD, "C"],
  // flexible-extract reads the last "(X)" of pure analysis as the answer: (D). No answer is stated.
  ["(A) fails the test and (D) fails it too.", ABCD, undefined],
  // The Minerva sentence of lm_eval/tasks/minerva_math/utils.py (get_unnormalized_answer) around a letter.
  ["Final Answer: The final answer is $C$. I hope it is correct.", ABCD, "C"],
]);

// TIGER-AI-Lab/MMLU-Pro compute_accuracy.py (extract_answer: 'answer is \(?([A-J])\)?', then '.*[aA]nswer:\s*([A-J])',
// then the last capital letter anywhere) and real model outputs from eval_results/gpt4o/*_result.json and
// eval_results/deepseek/physics_result.json (commit ff991b5b / eeeb46ca); the final lines of each "response".
choiceTable("MMLU-Pro: stored GPT-4o and DeepSeek outputs", [
  [
    "Given this analysis, the most likely option to provide examples of mitotic cell divisions is:\n\nThe answer is (B).",
    A_J,
    "B",
  ],
  ["Based on the evaluation, the correct answer is:\n\nThe answer is D.", A_J, "D"],
  [
    "The only option that can produce offspring with silver fur (bb) from parents that both have brown fur is:\n\nThe answer is (C).",
    A_J,
    "C",
  ],
  // MMLU-Pro stored pred null: its regex does not look inside "**A**". The stated answer is A.
  [
    "Given these analyses, the molecule with the fewest number of nucleotides is likely to be the tRNA transcript.\n\nThe answer is **A**.",
    A_J,
    "A",
  ],
  ["The answer is **Option C**: Aristotle, Linnaeus, and Cuvier.\n\nThe answer is C.", A_J, "C"],
  [
    "Given that option A incorrectly describes apoptosis as a type of cell division, it is the statement that is NOT correct.\n\nThe answer is A.",
    A_J,
    "A",
  ],
  // MMLU-Pro stored pred E (first match). Two letters is no answer.
  [
    "I. It does make the orbit of Io slightly elliptical.\n\nThe answer is (E) and (I). The 1:2:4 resonance helps prevent the moons from colliding with each other.",
    A_J,
    undefined,
  ],
  [
    " Let's think step by step. The diameter of Pluto was first accurately measured from brightness measurements made during mutual eclipses of Pluto and Charon. The answer is (D).",
    A_J,
    "D",
  ],
  [
    "This is one of the options, and since it's the first whole number solution we've found, it's the most strongly reflected wavelength for the given conditions.\n\nThe answer is (A) 750 nm.",
    A_J,
    "A",
  ],
  [
    "**Statement 1** is **True**.\n**Statement 2** is **Not Given**.\n\nThe answer is (E).\n\nThe answer is (E).",
    A_J,
    "E",
  ],
  ["- Statement 1 is false.\n- Statement 2 is true.\n\nThe answer is (H). \n\nThe answer is H.", A_J, "H"],
  // MMLU-Pro stored pred null: "\( B \)" does not match its regex.
  [
    "Thus, the polynomial \\( x^3 + x^2 + c \\) is irreducible over \\( \\mathbb{Z}_3 \\) only when \\( c = 2 \\).\n\nThe answer is \\( B \\).",
    A_J,
    "B",
  ],
  ["Thus, both statements are true.\n\nThe answer is J. True, True.", A_J, "J"],
  // extract_final's last-capital fallback would read "I" of "I think"; no answer is stated.
  ["Both statements look plausible, but I am not sure which one I think is right.", A_J, undefined],
]);

// TIGER-AI-Lab/MMLU-Pro eval_results/model_outputs_<model>_5shots.zip (commit f418b11, Apache-2.0): the ends of
// replies the strict reader once misread, found by bench/choice-agreement.bench.ts. The options are the rows' own.
const MISTRAL_8689 = ["80", "0.18", "180", "1800", "8", "800", "3", "18000", "18", "1.8"];
const LLAMA_705 = ["$12.00", "$14.72", "$6.44", "$16.64", "$32", "$22.72", "$24.00", "$9.28", "$19.68", "$18.36"];
const JAMBA_6036 = [
  "Acute myocardial infarction",
  "Congestive heart failure",
  "Angina pectoris",
  "Aortic dissection",
  "Mitral valve prolapse",
  "Esophageal rupture",
  "Hypertensive crisis",
  "Thoracic aortic aneurysm",
  "Pulmonary embolism",
  "Aortic stenosis",
];
const JAMBA_6041 = [
  "DNA helicase",
  "Ribosomal assembly",
  "Mitochondrial ATP synthesis",
  "Glucuronosyltransferase",
  "Topoisomerase II activity",
  "Lipid synthesis",
  "RNA polymerase activity",
  "Cell wall synthesis",
  "Proteasomal degradation",
  "Phospholipase function",
];
const QWEN_4295 = ["50°C", "273°C", "3°C", "-273°C", "20°C", "- 31°C", "-100°C", "100°C", "-40°C", "0°C"];
choiceTable("MMLU-Pro: stored outputs of open and API models", [
  // Mistral-7B-Instruct-v0.2, question 8689: "18" is option I's text, not B's. The official script reads B.
  [" 60% of 30 is equal to 0.6 times 30. The answer is (B) 18.\n\n", A_J, undefined, MISTRAL_8689],
  // Llama-3.1-8B-Instruct, 705: the sentence after "(B)." is not B's text, though it starts with "$32" (option E).
  [
    "$29.76. The answer is not listed, but the closest answer is (B). $32 - $2.24 = $29.76, which is closest to " +
      "$29.76 - $2.00 = $27.76",
    A_J,
    "B",
    LLAMA_705,
  ],
  // Llama-3.1-8B-Instruct, 1139: a reply written as one line of 2,343 characters; the answer ends it.
  [`${"We refer to Wikipedia articles on criminal law for help. ".repeat(40)}The answer is (E).\n\n`, A_J, "E"],
  // Qwen1.5-72B-Chat, 937 and 3267: "... I" after an ellipsis; an empty "Final Answer:" at the end states nothing.
  [
    "he cannot be tried again for the same crime in State B. The answer is (I).\n\nFinal Answer: The answer is ... I.",
    A_J,
    "I",
  ],
  [
    "To convert this to a percentage, we multiply by 100, which gives 18%. The answer is (J).\n\nFinal Answer:",
    A_J,
    "J",
  ],
  // jamba-1.5-large, 6036 and 6041: a letter cited with its option's own text ends the reply.
  [
    "The decreased femoral pulses further support the diagnosis of aortic dissection. Therefore, the most likely " +
      "diagnosis is (D) Aortic dissection.",
    A_J,
    "D",
    JAMBA_6036,
  ],
  [
    "The most effective antibiotic for this patient's disorder will interfere with H. Cell wall synthesis.",
    A_J,
    "H",
    JAMBA_6041,
  ],
  [
    "The most effective antibiotic for this patient's disorder will interfere with H. Lipid synthesis.",
    A_J,
    undefined,
    JAMBA_6041,
  ],
  // Qwen1.5-7B-Chat, 4295: the minus sign of "-273°C" is the option's text, not a dash before it ("273°C" is B).
  ["The answer is (D) -273°C, which is the temperature in Kelvin for absolute zero.", A_J, "D", QWEN_4295],
  // c4ai-command-r-v01, 206 and 649: an end-of-text tag printed as text after the letter.
  ["Therefore, the implied volatility is $\\boxed{0.275}$.\nThe answer is A<EOS_TOKEN>\n\n", A_J, "A"],
  ["So the total cost is $39.20 + $20 = $\\boxed{59.20}$.\nFinal answer: B<EOS_TOKEN>\n\n", A_J, "B"],
]);

// openai/simple-evals common.py (commit 01ac108d): ANSWER_PATTERN_MULTICHOICE "(?i)Answer[ \t]*:[ \t]*\$?([A-D])\$?"
// (re.search: the FIRST match), normalize_response (drops **, $\boxed{, $\text{, \mathrm{, ...), and
// MULTILINGUAL_ANSWER_REGEXES with MULTILINGUAL_ANSWER_PATTERN_TEMPLATE (which also accepts Ａ-Ｄ).
choiceTable("simple-evals: Answer: $LETTER and its multilingual variants", [
  ["Let me think step by step.\n\nAnswer: C", ABCD, "C"],
  ["Answer: $B$", ABCD, "B"],
  ["**Answer:** **D**", ABCD, "D"],
  ["**Answer: C**", ABCD, "C"],
  ["Answer: $\\boxed{A}$", ABCD, "A"],
  ["Answer: $\\text{C}$", ABCD, "C"],
  ["Answer: \\mathrm{B}", ABCD, "B"],
  ["**Answer:** \\(\\boxed{A}\\)", ABCD, "A"],
  ["answer:c", ABCD, "C"], // (?i): a lone lower-case letter is the whole answer
  ["ANSWER: $D$", ABCD, "D"],
  ["Answer:\n\nB", ABCD, "B"], // "[ \t]*" does not cross the line break there; the next line is the content here
  ["Answer: B\nOn reflection the units were wrong.\nAnswer: C", ABCD, "C"], // re.search takes B; the last wins
  ["答案：B", ABCD, "B"],
  ["答案: C", ABCD, "C"],
  ["答：D", ABCD, "D"],
  ["答え：Ｂ", ABCD, "B"], // Japanese, full-width letter
  ["Antwort: A", ABCD, "A"],
  ["Réponse : C", ABCD, "C"],
  ["Respuesta: D", ABCD, "D"],
  ["정답: B", ABCD, "B"],
  ["Answer: Because the dipole cancels", ABCD, undefined], // a word is not a letter token
]);

describe("simple-evals: letters outside the Latin alphabet (not supported)", () => {
  // MULTILINGUAL_ANSWER_PATTERN_TEMPLATE accepts the Arabic and Bengali letters that MMMLU uses for A–D and
  // normalize_extracted_answer maps them to A–D. We do not map them: our prompts ask for Latin letters. Kept as
  // expected failures so that support, if added, shows up here.
  test.fails("الإجابة: ب → B", () => {
    expect(extractChoice("الإجابة: ب", ABCD)?.letter).toBe("B");
  });
  test.fails("উত্তর: ড → C", () => {
    expect(extractChoice("উত্তর: ড", ABCD)?.letter).toBe("C");
  });
});

// huggingface/lighteval tests/unit/metrics/test_cases/gpqa_instruct_metric.json (commit 8955542d): gpqa_instruct_metric
// (IndicesExtractionConfig "NativeLetters") on the simple-evals GPQA prompt.
choiceTable("lighteval: gpqa_instruct_metric test cases", [
  [
    "Let me think about this step by step. France is a country in Europe, and its capital city is Paris. This is a well-known fact in geography.\n\nAnswer: B",
    ABCD,
    "B",
  ],
  [
    "Let me think about this step by step. 2 + 2 = 4, so the answer is B. This is basic arithmetic.\n\nAnswer: B",
    ABCD,
    "B",
  ],
  ["The sky appears blue due to Rayleigh scattering of sunlight. The answer is C.\n\nAnswer: A", ABCD, "A"],
  [
    "The Pacific Ocean is the largest ocean on Earth, covering about one-third of the Earth's surface. It's much larger than the Atlantic, Indian, and Arctic oceans.",
    ABCD,
    undefined,
  ],
  [
    "The primary colors are red, blue, and yellow. So the answer is C (Red). Red is a primary color because it cannot be created by mixing other colors.\n\nAnswer: C",
    ABCD,
    "C",
  ],
  [
    "The chemical symbol for gold is Au, which comes from the Latin word 'aurum'. So the answer is (B) Au.\n\nAnswer: B",
    ABCD,
    "B",
  ],
  ["A triangle is a polygon with three sides. So the answer is B.\n\nAnswer: B.", ABCD, "B"],
  ["The opposite of hot is cold. So the answer is B.\n\nAnswer: B, which is cold.", ABCD, "B"],
  // lighteval expects no match (0.0) for a lower-case letter; a lone lower-case letter is the whole answer here.
  ["Jupiter is the largest planet in our solar system. So the answer is c.\n\nAnswer: c", ABCD, "C"],
  ["The square root of 16 is 4, because 4 × 4 = 16. Therefore, the answer is B.", ABCD, "B"],
  // lighteval expects no match (0.0) for a quoted letter; quotes around one letter do not hide it here.
  ['The capital of Japan is Tokyo. So the answer is "C".\n\nAnswer: "C"', ABCD, "C"],
  ["Let me solve this step by step:\n1. 15 × 3 = 45\n2. This matches option C\n\nAnswer: C", ABCD, "C"],
  [
    "Let me eliminate the wrong answers:\n- Apple is a fruit ✓\n- Carrot is a vegetable ✗\n- Banana is a fruit ✓\n- Orange is a fruit ✓\n\nSo the answer is B.\n\nAnswer: B",
    ABCD,
    "B",
  ],
  [
    "Let me compare these fractions:\n1/2 = 0.5\n1/3 ≈ 0.333\n1/4 = 0.25\n1/5 = 0.2\n\n1/2 is the largest, so the answer is A.\n\nAnswer: A",
    ABCD,
    "A",
  ],
]);

// huggingface/lighteval tests/unit/metrics/test_extractive_match.py (commit 9d6b9126, unchanged at 3fd15266):
// test_extraction_abc and test_multilingual_extraction_abc (NativeLetters with try_extract_without_anchor=True).
// Until issue 14 the negation forms here were no answer; now the letter that is stated while the others are ruled
// out counts (rule "negation"), as lighteval scores them. A letter in prose with nothing ruled out still does not.
choiceTable("lighteval: test_extractive_match letters", [
  ["thinking about it I think the correct answer is C", ABCD, "C"],
  ["Let's think step by step. It's not A because it doesn't make sense, therefore I think it's B", ABCD, "B"],
  ["The answer is for sure D, it can't be A or B", ABCD, "D"],
  ["The answer: D, it doesn't make sense for it to be A or B", ABCD, "D"],
  ["D. it can't be A or B", ABCD, "D"],
  ["D", ABCD, "D"],
  ["C", ABCD, "C"],
  ["B。 不是 A", ABCD, "B"],
  ["B。不是 A", ABCD, "B"],
  ["B不是 A", ABCD, "B"],
  ["réponse est C non A", ABCD, "C"],
  // The gold side of test_extraction_abc: "the answer is" then the option on the next line, with or without
  // brackets. Without brackets, "C Cecile" is read only when "Cecile" is option C's own text.
  ["Alina and the answer is\n(C) Cecile", ABCD, "C"],
  ["Alina and the answer is\nC Cecile", ABCD, "C", ["Alina", "Peter", "Cecile", "Dora"]],
  ["Alina and the answer is\nC Cecile", ABCD, undefined],
  // lighteval: A (a leading letter on the first line). A letter and a name that is not its option: no answer.
  ["A Peter\nCelina bum", ABCD, undefined, ["Alina", "Peter", "Cecile", "Dora"]],
  // Near misses: a letter in prose with nothing ruled out, or nothing stated, is no answer.
  ["I think B is right", ABCD, undefined],
  ["It isn't C, and it isn't A either.", ABCD, undefined],
  ["不是 A，也不是 C", ABCD, undefined],
]);

// huggingface/lighteval tests/unit/metrics/test_cases/gpqa_instruct_pass_at_k.json (commit 3fd15266): the replies
// that are sentences.
choiceTable("lighteval: gpqa_instruct_pass_at_k sentences", [
  ["A hexagon has 6 sides, so the answer is C", ABCD, "C"],
  ["The largest ocean is the Pacific Ocean. Final answer is C", ABCD, "C"],
  ["(B)", ABCD, "B"],
]);

// open-compass/opencompass opencompass/utils/text_postprocessors.py (commit 14ca9580): first_option_postprocess, a
// table of Chinese and English patterns tried in order, each with re.search (the FIRST match), then "cushion"
// patterns that take the first valid capital letter anywhere; first_capital_postprocess (the first capital anywhere).
// A later revision of the same file (seen in mirrors, commit not shown) adds "(?i)ANSWER\s*:\s*([A-D])",
// "The answer is:? **X**" and "The correct option is:? ... boxed{X}".
choiceTable("OpenCompass: first_option_postprocess (Chinese)", [
  ["答案是 B", ABCD, "B"],
  ["答案是B", ABCD, "B"],
  ["答案是：D", ABCD, "D"],
  ["答案：C", ABCD, "C"],
  ["答案应该是A", ABCD, "A"],
  ["答案应该选 B", ABCD, "B"],
  ["答案为 C", ABCD, "C"],
  ["答案选D", ABCD, "D"],
  ["故选 A", ABCD, "A"],
  ["故选：C", ABCD, "C"],
  ["正确答案是（D）", ABCD, "D"],
  ["因此，正确答案是（D）。", ABCD, "D"],
  ["正确答案：C", ABCD, "C"],
  ["最终答案：\\boxed{C}", ABCD, "C"],
  ["**答案：B**", ABCD, "B"],
  ["答案：Ｂ", ABCD, "B"], // full-width letter
  ["答案：（Ｄ）", ABCD, "D"], // full-width parentheses and letter
  ["答案：【A】", ABCD, "A"],
  ["首先分析各选项：A 项错误，B 项也不对。\n综上所述，答案是 C。", ABCD, "C"],
  ["答案是B，因为A和C都不满足条件。", ABCD, "B"],
  ["答案: B\n\n解析：A 选项的说法与题意不符。", ABCD, "B"],
  ["答案是 B 和 C", ABCD, undefined], // two letters is no answer
  // "故选" ending an answer line that is a whole sentence ("答：" opens the line, so it is an answer line).
  ["答：由题意可知，A、C 两项均不符合，故选B。", ABCD, "B"],
  // OpenCompass: B (pattern "选择?\s?([A-D])"). "选择 B" is an instruction-like fragment, and the same words occur in
  // prose ("不能选择 B", "cannot choose B"); no answer marker, no answer.
  ["选择 B", ABCD, undefined],
  // OpenCompass: B ("只有选?项?\s?([A-D])\s?是?对"). A statement about an option is prose, not an answer line.
  ["只有选项 B 是对的", ABCD, undefined],
  // OpenCompass: C ("([A-D])\s?是正确的"). Same: prose about an option.
  ["C 是正确的", ABCD, undefined],
]);

choiceTable("OpenCompass: first_option_postprocess (English) and first_capital_postprocess", [
  ["The answer is (B)", ABCD, "B"],
  ["The correct answer is (C) Materials used in product: Direct Materials", ABCD, "C"],
  ["The answer is option D", ABCD, "D"],
  ["The correct answer is option A", ABCD, "A"],
  ["The answer to the question is B", ABCD, "B"],
  ["The correct option is C", ABCD, "C"],
  ["The correct option is \\boxed{C}", ABCD, "C"],
  ["The correct answer is: \\boxed{D}", ABCD, "D"],
  ["ANSWER: A", ABCD, "A"],
  ["The answer is: **C**", ABCD, "C"],
  ["Answer: **C**", ABCD, "C"],
  ["Answer: (C) 42", ABCD, "C"],
  ["Answer: \\textbf{B}", ABCD, "B"],
  ["Answer: $\\boxed{\\text{(C)}}$", ABCD, "C"],
  ["Answer: Since the field is zero, the answer is B.", ABCD, "B"], // "answer is" inside an answer line's sentence
  ["Answer: (B) or (C)", ABCD, undefined], // two letters is no answer
  ["$\\boxed{\\text{(C)}}$", ABCD, "C"],
  // cushion pattern "(\s|^)[A-D][\s。，,：:\.$]" takes A (the first letter in prose). Nothing is stated.
  ["Both A and B are wrong, so I pick the remaining one.", ABCD, undefined],
  // first_capital_postprocess returns "B", the first capital of "Based". Never a letter inside a word.
  ["Based on the passage, the author disagrees.", ABCD, undefined],
  // last_capital_postprocess returns "D" of "Doppler". Never a letter inside a word.
  ["This follows from the Doppler", ABCD, undefined],
]);

// modelscope/evalscope ResponseParser: evalscope/utils/utils.py (commit 009efe19) parse_first_option
// ("[Aa]nswer:\s*(\w+)", "The correct answer is:\n\n-\s*(\w+)", "The answer might be:\n\n-\s*(\w+)", the FIRST
// match), and a later revision of the class (seen in the index, path not shown) that restricts the capture to the
// options, falls back to the last capital anywhere, and adds a __main__ check.
choiceTable("evalscope: ResponseParser", [
  // __main__ says "Should print 'C'"; parse_first_option actually returns A (the first "Answer:"). C is stated last.
  ["**Answer: A **Answer: C**", ABCD, "C"],
  ["The correct answer is:\nB", ABCD, "B"],
  ["The correct answer is:\n\n- B", ABCD, "B"],
  // evalscope: C. "might be" is a hedge, not a statement of the answer, and "- C" is a list item.
  ["The answer might be:\n\n- C", ABCD, undefined],
  // parse_first_option's last-capital fallback returns "C" of "Consider". Never a letter inside a word.
  ["Consider each option carefully", ABCD, undefined],
]);

// QwenLM/Qwen2.5-Math evaluation/parser.py (commit 005449c4): choice_answer_clean (split on "choice is"/"answer is",
// then the FIRST \b[A-E]\b after the trigger, or the LAST one in the text without it), extract_multi_choice_answer
// ("choice is" → "answer is", then 'answer is \(?([abcde])\)?' on the lower-cased text), _test_extract_answer.
choiceTable("Qwen2.5-Math: choice_answer_clean and extract_multi_choice_answer", [
  ["Answer: \\mathrm{(D)\\}1,008,016", "ABCDE", "D"], // _test_extract_answer's choice_answer_clean case, as an answer line
  // choice_answer_clean's input there is the bare string (D). A bare LaTeX fragment is not a lone letter here.
  ["\\mathrm{(D)\\}1,008,016", "ABCDE", undefined],
  ["The best choice is (c).", "ABCDE", "C"],
  ["所以答案是 C", "ABCDE", "C"],
  // choice_answer_clean: A (the first letter after the trigger). Two letters is no answer.
  ["So the answer is A or B", "ABCDE", undefined],
  // choice_answer_clean without a trigger: the last \b[A-E]\b anywhere, B. Prose is not read.
  ["I think B is right", "ABCDE", undefined],
]);

// ---------------------------------------------------------------------------------------------------------------
// extractBoxed
// ---------------------------------------------------------------------------------------------------------------

// huggingface/Math-Verify tests/test_all.py (commit cf14bc47) — test_latex_notation_math, test_percent_notation and
// the reasoning-trace case of the matrix block: the predictions' last \boxed{}.
boxedTable("Math-Verify: boxed answers in MATH solutions", [
  ["Since $x<2$, it follows that $|x-2|=2-x$. If $2-x=p$, then $x=2-p$. Thus $x-p=\\boxed{2-2p}$.", "2-2p"],
  [
    "\\boxed{\n\\begin{pmatrix} 0 & 3 \\\\ 0 & -1 \\end{pmatrix}\n}.\n\\end{align*}",
    "\\begin{pmatrix} 0 & 3 \\\\ 0 & -1 \\end{pmatrix}",
  ],
  [
    "If its initial value was $x$, after Monday, its value is $.9x$, and after a further $20\\%$ loss, its value becomes $.8\\cdot .9x = .72x$, making for a total loss of $\\boxed{28\\%}$.",
    "28\\%",
  ],
  [
    "Therefore, the polar coordinates are $\\boxed{\\left( 3, \\frac{\\pi}{2} \\right)}.$",
    "\\left( 3, \\frac{\\pi}{2} \\right)",
  ],
  [
    "$f(-2)+f(-1)+f(0)=\\frac{3(-2)-2}{-2-2}+\\frac{3(-1)-2}{-1-2}+\\frac{3(0)-2}{0-2}=\\frac{-8}{-4}+\\frac{-5}{-3}+\\frac{-2}{-2}=2+\\frac{5}{3}+1=\\boxed{\\frac{14}{3}}$",
    "\\frac{14}{3}",
  ],
  ["Therefore, $\\boxed{\\text{Evelyn}}$ is our answer.", "\\text{Evelyn}"],
  [
    "Note that \\[\\begin{pmatrix} 3 \\\\ 2 \\\\ -6 \\end{pmatrix} \\cdot \\begin{pmatrix} 2 \\\\ -12 \\\\ -3 \\end{pmatrix} = 0.\\]Hence, the angle between the lines is $\\boxed{90^\\circ}.$",
    "90^\\circ",
  ],
  [
    "\\begin{align*} \\sqrt{(2 - (-4))^2 + ((-6) - 3)^2} &= \\sqrt{6^2 + (-9)^2}\\\\ & = \\sqrt{36 + 81}\\\\ & = \\sqrt{117} = \\boxed{3\\sqrt{13}}. \\end{align*}",
    "3\\sqrt{13}",
  ],
  ["so \\[p(8) = \\frac{q(8) + 8}{8^2 - 1} = \\boxed{\\frac{3}{56}}.\\]", "\\frac{3}{56}"],
  ["Thus, there are $\\boxed{2}$ distinct possible values for $B$.", "2"],
  [
    "Therefore, the area of the triangle is $$\\frac{1}{2}\\times 3 \\times 10 = \\boxed{15\\mbox{ cm}^2}.$$",
    "15\\mbox{ cm}^2",
  ],
  ["Checking, we find that the only integer roots are $\\boxed{-2,1}.$", "-2,1"],
  ["Then, $129^{34}+96^{38} \\equiv \\boxed{9} \\pmod{11}.$", "9"],
  ["Then solving the system of equations, we find $(p,q,r) = \\boxed{(6,31,-1)}.$", "(6,31,-1)"],
  ["By the quadratic formula, $x = \\boxed{1 \\pm \\sqrt{19}}.$", "1 \\pm \\sqrt{19}"],
  [
    "The roots of $P(x)$ are $-2$ and $1 \\pm \\sqrt{5}$, so the answer is $\\boxed{\\{1\\pm\\sqrt{5},-2\\}}.$",
    "\\{1\\pm\\sqrt{5},-2\\}",
  ],
  ["Hence, $\\boxed{f(2) < f(1) < f(4)}.$", "f(2) < f(1) < f(4)"],
  ["By sum-to-product,\n\\[\\sin (a + b) - \\sin (a - b) = \\boxed{2 \\sin b \\cos a}.\\]", "2 \\sin b \\cos a"],
  ["The distance is $\\boxed{125\\textnormal{ miles}}.$", "125\\textnormal{ miles}"],
  [
    "The solution set is $\\boxed{[-1, -\\tfrac12) \\cup (-\\tfrac12, 0) \\cup (0, 1) \\cup (1, \\infty)}.$",
    "[-1, -\\tfrac12) \\cup (-\\tfrac12, 0) \\cup (0, 1) \\cup (1, \\infty)",
  ],
  ["The answer is $\\boxed{\\sqrt 2+\\sqrt 5}$", "\\sqrt 2+\\sqrt 5"],
  ["x \\in \\boxed{\\{-1\\} \\cup [0,7)}.$", "\\{-1\\} \\cup [0,7)"],
  ["$\\boxed{28 pct}", "28 pct"],
  [
    "So regardless of what the labels say, the coordinates give us the necessary bases and height.\n\n**Final Answer**\n\\boxed{189}\n</think>\n\nThus, the area of the trapezoid is \\(\\boxed{189}\\) square centimeters.",
    "189",
  ],
  // The box holds "12 $ and $13 " literally; Math-Verify re-parses the math inside, extraction returns what is boxed.
  [
    "Therefore, the graph of the sum $\\sqrt{30 } + \\sqrt{50 }$ is located between $\\boxed{12 $ and $13 }. $",
    "12 $ and $13",
  ],
]);

// QwenLM/Qwen2.5-Math evaluation/parser.py (commit 005449c4) — extract_answer / find_box: the text after the LAST
// "boxed", brace-balanced, or up to the next "$" when no brace follows. EleutherAI/lm-evaluation-harness
// lm_eval/tasks/hendrycks_math/utils.py — last_boxed_only_string also accepts "\fbox{" and "\boxed ".
boxedTable("Qwen2.5-Math and lm-evaluation-harness: last boxed", [
  ["The answer is \\boxed{\\frac{1}{2}}. Equivalently \\boxed{0.5}", "0.5"],
  ["so the answer is \\fbox{7}", "7"],
  // Qwen takes what follows the last "boxed" even when its brace never closes ("\frac{1}{2}" here, cut short);
  // a box that does not close is no answer, and the one before it counts.
  ["First \\boxed{3}. Rechecking, the total is \\boxed{\\frac{1}{2}", "3"],
  // Qwen and lm-eval read "\boxed 5" (no brace) as 5; we read only a braced box.
  ["so \\boxed 5", undefined],
  ["\\boxed{}", undefined],
]);

// ---------------------------------------------------------------------------------------------------------------
// extractFinalAnswer
// ---------------------------------------------------------------------------------------------------------------

// EleutherAI/lm-evaluation-harness lm_eval/tasks/minerva_math/utils.py and lm_eval/tasks/leaderboard/math/utils.py
// — get_unnormalized_answer: "Final Answer: The final answer is(.*?). I hope it is correct." (the Minerva format,
// also in Math-Verify tests/test_all.py and Qwen2.5-Math's extract_answer).
finalTable("lm-evaluation-harness: Minerva final answer", [
  ["We compute the product.\nFinal Answer: The final answer is $28 \\%$. I hope it is correct.", "28 \\%"],
  ["Final Answer: The final answer is $\\frac{3}{56}$. I hope it is correct.", "\\frac{3}{56}"],
  ["Final Answer: The final answer is 5. I hope it is correct.", "5"],
  ["Final Answer: The final answer is $14 {, }916$. I hope it is correct.", "14 {, }916"],
  ["Final Answer: The final answer is $(3,\\frac{\\pi}{2})$.", "(3,\\frac{\\pi}{2})"], // no "I hope" sentence
]);

// openai/simple-evals common.py — ANSWER_PATTERN "(?i)Answer\s*:\s*([^\n]+)" (math_eval.py, the first match).
finalTable("simple-evals: ANSWER_PATTERN", [
  ["Answer: 42", "42"],
  ["answer: $\\frac{1}{2}$", "\\frac{1}{2}"],
  ["Answer:\n17", "17"], // "\s*" crosses the line break there; the next line is the content here too
  ["Answer: 3\nAnswer: 4", "4"], // re.search takes 3; the last answer line wins
  ["答案：42", "42"],
]);

// QwenLM/Qwen2.5-Math evaluation/parser.py — extract_answer (boxed first, then "he answer is", "final answer is",
// "答案是", then the last number) and _test_extract_answer (a reply cut short before any answer → "").
finalTable("Qwen2.5-Math: extract_answer", [
  [
    "This is still not equal to $0$, so we must have made another mistake.\n\nWhen we subtracted $7$ from $\\frac{386}{64}$, we should have subtracted $7 \\cdot 64$ from $386$, not the other way around. Let's correct that:\n\n\\[\\frac{386}{64}\n",
    undefined,
  ],
  ["Solving gives $x = 3$, so the answer is $\\boxed{3}$.", "3"],
  // Qwen falls back to the last number (8). We never read a number from prose.
  ["There are 5 red and 3 blue marbles, so 8 in total.", undefined],
]);

// huggingface/lighteval tests/unit/metrics/test_extractive_match.py — test_multilingual_extraction_math (Chinese and
// French answer lines). lighteval then parses the math inside; extraction returns the answer line's text.
finalTable("lighteval: multilingual answer lines", [
  ["所以，每份应该是 (\\frac{2}{5}) 吨。 \n答案：每份应该是 (\\frac{2}{5}) 吨。", "每份应该是 (\\frac{2}{5}) 吨"],
  ["Réponse: Janeth aura encore 220 $ à payer d'ici 12 mois.", "Janeth aura encore 220 $ à payer d'ici 12 mois"],
  // lighteval reads 13 from prose ("一共有3 + 10 = 13只"); no answer line, no box: no answer.
  ["因此，现在篱笆上总共有3只鸟和10只鹳鸟，所以一共有3 + 10 = 13只鸟和鹳鸟。", undefined],
]);

describe("the rules added for these cases stay linear", () => {
  test("adversarial inputs for the new phrases finish (a backtracking regex would hit the test timeout)", () => {
    const huge = [
      `the correct option${" ".repeat(200_000)}x`,
      `answer${" ".repeat(100_000)}to${" ".repeat(100_000)}`,
      `答案${" ".repeat(200_000)}`,
      "故选".repeat(50_000),
      "the answer is:\n".repeat(20_000),
      `Answer: ${"answer: ".repeat(30_000)}`,
      `Answer: B${", ".repeat(100_000)}`,
      "Ａ".repeat(200_000),
      `Final Answer: The final answer is ${" ".repeat(150_000)}I hope it is correct`,
      `The answer is (A)${" and (B)".repeat(20_000)}`,
    ];
    const started = performance.now();
    const results = huge.map((t) => [extractChoice(t, A_J)?.letter, extractFinalAnswer(t)?.value.length]);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(results.every(([letter]) => letter === undefined)).toBe(true);
  });
});
