/**
 * The only door to mathjs. A private instance with the functions that can alter mathjs or parse text from inside
 * an expression disabled (the mathjs security recipe, https://mathjs.org/docs/expressions/security.html), and
 * slow combinatorics replaced by bounded versions. Every mathjs exception becomes `undefined` here.
 */
import { createRequire } from "node:module";
import type { Complex, EvalFunction, MathJsInstance, MathNode } from "mathjs";
import { isVariableName } from "./latex-to-mathjs.ts";
import { MAX_EXPRESSION_DEPTH, MAX_SIMPLIFY_NODES } from "./limits.ts";

/**
 * n choose k for a non-negative integer k and any real n (the falling-factorial product, so \binom{n+1}{2} can be
 * compared with n(n+1)/2 at random points). Refused (NaN) when the loop would be long: mathjs' own
 * `combinations` can run for seconds on large arguments.
 */
function binomial(n: number, k: number): number {
  if (typeof n !== "number" || typeof k !== "number" || !Number.isInteger(k) || k < 0) return Number.NaN;
  const integral = Number.isInteger(n) && n >= 0;
  if (integral && k > n) return 0;
  const m = integral ? Math.min(k, n - k) : k;
  if (m > 10_000) return Number.NaN;
  let result = 1;
  for (let j = 1; j <= m; j++) result = (result * (n - m + j)) / j;
  return integral ? Math.round(result) : result;
}

function disabled(name: string): () => never {
  return () => {
    throw new Error(`Function ${name} is disabled`);
  };
}

interface Instance {
  math: MathJsInstance;
  /** The entry points we use, kept before they are disabled for expressions. */
  parseExpression: MathJsInstance["parse"];
  simplifyExpression: MathJsInstance["simplify"];
}

/**
 * The instance, built on the first math check: loading mathjs costs about 110 MB of memory and a second of start-up,
 * which a run without math answers (MMLU-Pro, GPQA) and every other command need not pay. Loaded with require so the
 * graders stay synchronous.
 */
function createInstance(): Instance {
  const { all, create } = createRequire(import.meta.url)("mathjs") as typeof import("mathjs");
  // The typings allow `all` to be undefined; at runtime it is the full factory map.
  if (all === undefined) throw new Error("mathjs exports no factories");
  const math = create(all, { number: "number" });
  const instance = { math, parseExpression: math.parse, simplifyExpression: math.simplify };
  math.import({ binomial }, { override: true });
  math.import(
    {
      import: disabled("import"),
      createUnit: disabled("createUnit"),
      evaluate: disabled("evaluate"),
      parse: disabled("parse"),
      simplify: disabled("simplify"),
      derivative: disabled("derivative"),
      resolve: disabled("resolve"),
      reviver: disabled("reviver"),
      combinations: disabled("combinations"),
      permutations: disabled("permutations"),
    },
    { override: true },
  );
  return instance;
}

/** A parsed, size-checked expression with its free variables. */
export interface ParsedExpression {
  node: MathNode;
  compiled: EvalFunction;
  variables: string[];
  nodeCount: number;
}

const CONSTANTS = new Set(["pi", "e", "i", "Infinity"]);

function depthOf(node: MathNode, depth: number): number {
  if (depth > MAX_EXPRESSION_DEPTH) return depth;
  let max = depth;
  node.forEach((child) => {
    max = Math.max(max, depthOf(child, depth + 1));
  });
  return max;
}

/** A real or complex value; anything else (units, matrices, NaN, errors) is `undefined`. */
export interface Value {
  re: number;
  im: number;
}

function isComplex(x: unknown): x is Complex {
  return typeof x === "object" && x !== null && (x as { isComplex?: unknown }).isComplex === true;
}

export function evaluateAt(expr: ParsedExpression, scope: Record<string, number>): Value | undefined {
  try {
    const value: unknown = expr.compiled.evaluate({ ...scope });
    if (typeof value === "number") return Number.isNaN(value) ? undefined : { re: value, im: 0 };
    if (isComplex(value)) {
      return Number.isNaN(value.re) || Number.isNaN(value.im) ? undefined : { re: value.re, im: value.im };
    }
    return undefined;
  } catch {
    return undefined;
  }
}

/**
 * One private mathjs instance, built on first use and dropped with its owner (a math engine): no module holds it.
 * After it is built it is never changed, so parsed expressions may be shared.
 */
export class MathSandbox {
  #instance: Instance | undefined;

  /**
   * Parses a mathjs expression string produced by latexToMathjs;
   * `undefined` if mathjs refuses it or it is too deep.
   */
  parse(expr: string): ParsedExpression | undefined {
    try {
      const node = this.#mathjs().parseExpression(expr);
      if (depthOf(node, 0) > MAX_EXPRESSION_DEPTH) return undefined;
      const { math } = this.#mathjs();
      const variables = new Set<string>();
      let nodeCount = 0;
      let unknown = false;
      node.traverse((n) => {
        nodeCount++;
        if (n.type === "SymbolNode") {
          const name = (n as unknown as { name: string }).name;
          if (CONSTANTS.has(name)) return;
          if (isVariableName(name)) variables.add(name);
          else if (!(name in math)) unknown = true;
        }
      });
      if (unknown) return undefined;
      return { node, compiled: node.compile(), variables: [...variables].sort(), nodeCount };
    } catch {
      return undefined;
    }
  }

  /** True when mathjs simplifies `a - b` to the constant 0; false when it cannot (or the inputs are too large). */
  simplifiesToZero(a: ParsedExpression, b: ParsedExpression): boolean {
    if (a.nodeCount + b.nodeCount > MAX_SIMPLIFY_NODES) return false;
    try {
      const { math, simplifyExpression } = this.#mathjs();
      const diff = new math.OperatorNode("-", "subtract", [a.node, b.node]);
      const simplified = simplifyExpression(diff);
      return simplified.type === "ConstantNode" && (simplified as unknown as { value: unknown }).value === 0;
    } catch {
      return false;
    }
  }

  #mathjs(): Instance {
    this.#instance ??= createInstance();
    return this.#instance;
  }
}
