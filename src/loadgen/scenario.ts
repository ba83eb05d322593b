/**
 * `quanteval bench --scenario`: traffic scenarios in genai-bench's notation (sgl-project/genai-bench,
 * genai_bench/scenarios/text.py and base.py), so a scenario string copied from a genai-bench command means the same:
 *   D(in,out)                          every request: `in` prompt tokens, `out` output tokens
 *   N(in_mean,in_sd)/(out_mean,out_sd)  each a normal draw
 *   U(in_min,in_max)/(out_min,out_max)  each a uniform draw; U(in_max,out_max) has both minimums 1
 *   dataset                            prompts from --prompt-file as they are, output length max_tokens
 * As in genai-bench, a draw is at least 1 input and 2 output tokens (a reply of 1 token has no TPOT). Two
 * departures, both so that the asked moments hold: a normal draw is rounded (genai-bench's int() truncates, half a
 * token low on average), and U's maximum is included (numpy's uniform excludes it, so int() never reaches it).
 *
 * A request's lengths depend only on (seed, request index): every variant gets the same lengths per request.
 */
import { ConfigError } from "../core/errors.ts";
import { seededRandom } from "../core/seeded-random.ts";

export type Scenario =
  | { kind: "deterministic"; input: number; output: number }
  | { kind: "normal"; input: { mean: number; sd: number }; output: { mean: number; sd: number } }
  | { kind: "uniform"; input: { min: number; max: number }; output: { min: number; max: number } }
  | { kind: "dataset" };

export interface RequestLengths {
  inputTokens: number;
  outputTokens: number;
}

const MIN_INPUT = 1;
const MIN_OUTPUT = 2;
/** A bound on any token count, so a typo such as D(1000000000,1) fails here rather than as a 400 per request. */
export const MAX_SCENARIO_TOKENS = 1_048_576;

const FORMS =
  "D(in,out), e.g. D(100,1000); N(in_mean,in_sd)/(out_mean,out_sd), e.g. N(480,240)/(300,150); " +
  "U(in_min,in_max)/(out_min,out_max), e.g. U(50,150)/(200,300), or U(in_max,out_max); or dataset";
const HINT = `write the scenario as genai-bench does: ${FORMS}`;

/** Parses a scenario string; throws ConfigError (exit 2) naming the part at fault and the form it should take. */
export function parseScenario(text: string): Scenario {
  const spec = text.replace(/\s+/g, "");
  const fail: (problem: string) => never = (problem) => {
    throw new ConfigError([`flags: --scenario ${JSON.stringify(text)}: ${problem}`], HINT, "bench flags");
  };
  if (spec === "dataset") return { kind: "dataset" };
  const letter = spec.charAt(0);
  if (!["D", "N", "U"].includes(letter))
    fail(`starts with ${JSON.stringify(letter)}: use D, N or U (upper case), or the word dataset`);
  const rest = spec.slice(1);
  const groups = rest.split("/");
  if (groups.length > 2) fail(`has ${groups.length} groups separated by "/": at most two, (input)/(output)`);
  const pairs = groups.map((group, i) =>
    parsePair(group, groups.length === 1 ? "" : i === 0 ? "input " : "output ", fail),
  );
  const [first, second] = pairs;
  if (first === undefined) return fail("is empty");
  if (letter === "D") {
    if (second !== undefined) fail('D takes one group, D(in,out), with no "/" (e.g. D(100,1000))');
    return {
      kind: "deterministic",
      input: atLeast(first[0], MIN_INPUT, "input", fail),
      output: atLeast(first[1], MIN_OUTPUT, "output", fail),
    };
  }
  if (letter === "N") {
    if (second === undefined) fail("N takes two groups, N(in_mean,in_sd)/(out_mean,out_sd), e.g. N(480,240)/(300,150)");
    return {
      kind: "normal",
      input: { mean: atLeast(first[0], MIN_INPUT, "input mean", fail), sd: first[1] },
      output: { mean: atLeast(second[0], MIN_OUTPUT, "output mean", fail), sd: second[1] },
    };
  }
  // genai-bench's one-group U(in_max,out_max) draws from 1 up to each maximum.
  const input = second === undefined ? { min: MIN_INPUT, max: first[0] } : { min: first[0], max: first[1] };
  const output = second === undefined ? { min: MIN_INPUT, max: first[1] } : { min: second[0], max: second[1] };
  for (const [name, range] of [
    ["input", input],
    ["output", output],
  ] as const) {
    if (range.min > range.max)
      fail(`the ${name} range (${range.min},${range.max}) has its minimum above its maximum: write (min,max)`);
    atLeast(range.max, name === "input" ? MIN_INPUT : MIN_OUTPUT, `${name} maximum`, fail);
  }
  return { kind: "uniform", input, output };
}

/** "(480,240)" → [480, 240]; `part` names the group in messages ("input ", "output " or ""). */
function parsePair(group: string, part: string, fail: (problem: string) => never): [number, number] {
  const match = /^\((\d+),(\d+)\)$/.exec(group);
  if (match === null) {
    const numbers = group
      .replace(/^\(|\)$/g, "")
      .split(",")
      .filter((n) => n !== "").length;
    if (/^\([^()]*\)$/.test(group) && numbers !== 2)
      return fail(`the ${part}group ${group} has ${numbers} number(s): it takes two, (a,b)`);
    return fail(`the ${part}group ${JSON.stringify(group)} is not two whole numbers in parentheses, such as (480,240)`);
  }
  const a = Number(match[1]);
  const b = Number(match[2]);
  for (const value of [a, b]) {
    if (value > MAX_SCENARIO_TOKENS) fail(`the ${part}group ${group}: ${value} is above ${MAX_SCENARIO_TOKENS} tokens`);
  }
  return [a, b];
}

function atLeast(value: number, min: number, name: string, fail: (problem: string) => never): number {
  if (value < min) fail(`the ${name} is ${value}: it must be at least ${min} token(s)`);
  return value;
}

/** The lengths of request `index`: a pure function of (scenario, seed, index). Not for `dataset` (no shaping). */
export function sampleLengths(scenario: Scenario, seed: number, index: number): RequestLengths {
  switch (scenario.kind) {
    case "deterministic":
      return { inputTokens: scenario.input, outputTokens: scenario.output };
    case "normal": {
      const random = seededRandom("bench-scenario", seed, index);
      return {
        inputTokens: Math.max(MIN_INPUT, Math.round(normalDraw(random, scenario.input.mean, scenario.input.sd))),
        outputTokens: Math.max(MIN_OUTPUT, Math.round(normalDraw(random, scenario.output.mean, scenario.output.sd))),
      };
    }
    case "uniform": {
      const random = seededRandom("bench-scenario", seed, index);
      return {
        inputTokens: Math.max(MIN_INPUT, uniformInt(random, scenario.input.min, scenario.input.max)),
        outputTokens: Math.max(MIN_OUTPUT, uniformInt(random, scenario.output.min, scenario.output.max)),
      };
    }
    case "dataset":
      throw new RangeError("sampleLengths: a dataset scenario takes its prompts from the file, not from a draw");
  }
}

/** Box–Muller: one standard normal from two uniforms on [0, 1); 1 − u keeps the logarithm finite. */
function normalDraw(random: () => number, mean: number, sd: number): number {
  const radius = Math.sqrt(-2 * Math.log(1 - random()));
  return mean + sd * radius * Math.cos(2 * Math.PI * random());
}

/** A whole number uniform on [min, max], both included. */
function uniformInt(random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/** The scenario as genai-bench writes it (its to_string), for bench.json and the settings line. */
export function scenarioLabel(scenario: Scenario): string {
  switch (scenario.kind) {
    case "deterministic":
      return `D(${scenario.input},${scenario.output})`;
    case "normal":
      return `N(${scenario.input.mean},${scenario.input.sd})/(${scenario.output.mean},${scenario.output.sd})`;
    case "uniform":
      return `U(${scenario.input.min},${scenario.input.max})/(${scenario.output.min},${scenario.output.max})`;
    case "dataset":
      return "dataset";
  }
}
