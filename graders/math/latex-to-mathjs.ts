/**
 * Converts one normalised LaTeX scalar (no commas, relations or \pm) to a mathjs expression string. The output
 * uses only numbers, + - * / ^ !, parentheses, the constants pi, e, i and Infinity, whitelisted function names and
 * variables renamed to `v…` (so a letter can never reach a mathjs builtin or unit such as `E` or `cm`).
 * Multiplication is always written out: mathjs would read `x (y)` as a call.
 */
import { matchingBrace } from "../latex-braces.ts";
import { MAX_EXPRESSION_DEPTH } from "./limits.ts";

/** The answer is not LaTeX we can read as one mathematical expression. */
export class LatexError extends Error {
  override name = "LatexError";
}

/** Prefix of every variable we emit; `isVariableName` recognises them in the parsed tree. */
const VARIABLE_PREFIX = "v";

export function isVariableName(name: string): boolean {
  return name.startsWith(VARIABLE_PREFIX);
}

const GREEK = new Set([
  "alpha",
  "beta",
  "gamma",
  "delta",
  "epsilon",
  "varepsilon",
  "zeta",
  "eta",
  "theta",
  "vartheta",
  "iota",
  "kappa",
  "lambda",
  "mu",
  "nu",
  "xi",
  "rho",
  "sigma",
  "tau",
  "upsilon",
  "phi",
  "varphi",
  "chi",
  "psi",
  "omega",
  "Gamma",
  "Delta",
  "Theta",
  "Lambda",
  "Xi",
  "Sigma",
  "Phi",
  "Psi",
  "Omega",
]);

/** LaTeX function → mathjs function. `\log` without a base is read as base 10, the competition convention. */
const FUNCTIONS: Record<string, string> = {
  sin: "sin",
  cos: "cos",
  tan: "tan",
  sec: "sec",
  csc: "csc",
  cot: "cot",
  arcsin: "asin",
  arccos: "acos",
  arctan: "atan",
  sinh: "sinh",
  cosh: "cosh",
  tanh: "tanh",
  exp: "exp",
  ln: "log",
  log: "log10",
};
const INVERSE_TRIG: Record<string, string> = { sin: "asin", cos: "acos", tan: "atan" };
// Function names also accepted without a backslash ("sqrt(3)", "sin x"), longest first.
const PLAIN_FUNCTION = /^(arcsin|arccos|arctan|sinh|cosh|tanh|sqrt|sin|cos|tan|sec|csc|cot|log|ln|exp)(?![a-zA-Z])/;
/** A run of this many letters that is not a function name is a word, not a product of variables. */
const WORD_LETTERS = 4;

interface Reader {
  readonly s: string;
  i: number;
  depth: number;
}

function fail(message: string): never {
  throw new LatexError(message);
}

function skipSpaces(r: Reader): void {
  while (r.s[r.i] === " ") r.i++;
}

/**
 * The mathjs expression for `latex`. Throws LatexError when the text is not a single expression we support
 * (words, relations, subscripts on numbers, unknown commands, unbalanced brackets).
 */
export function latexToMathjs(latex: string): string {
  const r: Reader = { s: mixedNumber(latex.trim()), i: 0, depth: 0 };
  const expr = readSequence(r, undefined);
  if (expr.trim() === "") fail("empty expression");
  return expr;
}

/** "4 4/9" is the mixed number 4 + 4/9 (the PRM800K and Math-Verify reading), "-4 4/9" its negative. */
function mixedNumber(s: string): string {
  const m = /^([+-]?)(\d+) (\d+)\/(\d+)$/.exec(s);
  return m ? `${m[1]}{${m[2]}+\\frac{${m[3]}}{${m[4]}}}` : s;
}

/** Reads until `close` (consumed) or the end of input when `close` is undefined. */
function readSequence(r: Reader, close: string | undefined): string {
  if (++r.depth > MAX_EXPRESSION_DEPTH) fail("expression nested too deeply");
  const parts: string[] = [];
  let lastOperand = false;
  const operand = (text: string): void => {
    if (lastOperand) parts.push("*");
    parts.push(text);
    lastOperand = true;
  };
  const operator = (text: string): void => {
    parts.push(text);
    lastOperand = false;
  };
  while (r.i < r.s.length) {
    if (close !== undefined && r.s.startsWith(close, r.i)) {
      r.i += close.length;
      r.depth--;
      return parts.join("");
    }
    const c = r.s[r.i] ?? "";
    if (c === " ") r.i++;
    else if (/[0-9.]/.test(c)) operand(readNumber(r, !lastOperand));
    else if (/[a-zA-Z]/.test(c)) operand(readLetters(r));
    else if (c === "\\") {
      const command = readCommand(r);
      if (command.kind === "operator") operator(command.text);
      else operand(command.text);
    } else if (c === "(" || c === "[" || c === "{") {
      r.i++;
      operand(`(${readSequence(r, c === "(" ? ")" : c === "[" ? "]" : "}")})`);
    } else if (c === "|") {
      r.i++;
      operand(`abs(${readSequence(r, "|")})`);
    } else if (c === "+" || c === "-" || c === "*" || c === "/") {
      r.i++;
      operator(c);
    } else if (c === "^") {
      if (!lastOperand) fail("exponent without a base");
      r.i++;
      parts.push(`^(${readArgument(r)})`);
    } else if (c === "!") {
      if (!lastOperand) fail("factorial without an operand");
      r.i++;
      parts.push("!");
    } else fail(`unexpected "${c}"`);
  }
  if (close !== undefined) fail(`missing "${close}"`);
  r.depth--;
  return parts.join("");
}

/** A number, a repeating decimal `0.1\overline{6}`, or a mixed number `3\frac{1}{2}` when nothing precedes it. */
function readNumber(r: Reader, startsTerm: boolean): string {
  const m = /^\d*\.?\d*/.exec(r.s.slice(r.i));
  const text = m?.[0] ?? "";
  if (!/\d/.test(text) && !r.s.startsWith("\\overline", r.i + text.length)) fail("stray decimal point");
  r.i += text.length;
  const overline = /^\\overline\{(\d+)\}/.exec(r.s.slice(r.i));
  if (overline && text.includes(".")) {
    r.i += overline[0].length;
    return repeatingDecimal(text, overline[1] ?? "");
  }
  const mixed = /^\\frac\{(\d+)\}\{(\d+)\}/.exec(r.s.slice(r.i));
  if (mixed && startsTerm && /^\d+$/.test(text)) {
    r.i += mixed[0].length;
    return `(${text}+${mixed[1]}/${mixed[2]})`;
  }
  if (r.s[r.i] === " " && /\d/.test(r.s[r.i + 1] ?? "")) fail("two numbers separated by a space");
  if (r.s[r.i] === "_") fail("number with a subscript (a base?)");
  return text;
}

/** "0.1\overline{6}" → "(15/90)": the exact rational, so it compares exactly with 1/6. */
function repeatingDecimal(head: string, repeat: string): string {
  const [whole = "", fixed = ""] = head.split(".");
  const all = BigInt(`${whole}${fixed}${repeat}` || "0");
  const prefix = BigInt(`${whole}${fixed}` || "0");
  const den = 10n ** BigInt(fixed.length) * (10n ** BigInt(repeat.length) - 1n);
  return `(${all - prefix}/${den})`;
}

/** One variable letter (with subscript) or a plain-text function name. */
function readLetters(r: Reader): string {
  const rest = r.s.slice(r.i);
  const fn = PLAIN_FUNCTION.exec(rest);
  if (fn) {
    r.i += fn[0].length;
    if (fn[1] !== "sqrt") return readFunction(r, fn[1] ?? "");
    skipSpaces(r);
    if (r.s[r.i] !== "(") return `sqrt(${readArgument(r)})`;
    r.i++;
    return `sqrt(${readSequence(r, ")")})`;
  }
  const run = /^[a-zA-Z]+/.exec(rest)?.[0] ?? "";
  if (run.length >= WORD_LETTERS) fail(`word "${run.slice(0, 20)}"`);
  const letter = rest[0] ?? "";
  r.i++;
  return variable(r, letter);
}

/** The mathjs name for a letter or Greek name, with its subscript if any: x → vx, a_1 → va_1, e → e, i → i. */
function variable(r: Reader, name: string): string {
  const sub = readSubscript(r);
  if (sub === "" && (name === "e" || name === "i")) return name;
  return `${VARIABLE_PREFIX}${name}${sub === "" ? "" : `_${sub}`}`;
}

function readSubscript(r: Reader): string {
  if (r.s[r.i] !== "_") return "";
  r.i++;
  const m = /^\{([a-zA-Z0-9]{1,8})\}|^([a-zA-Z0-9])/.exec(r.s.slice(r.i));
  if (!m) fail("unsupported subscript");
  r.i += m[0].length;
  return m[1] ?? m[2] ?? "";
}

type Command = { kind: "operand" | "operator"; text: string };

function readCommand(r: Reader): Command {
  const m = /^\\([a-zA-Z]+|.)/.exec(r.s.slice(r.i));
  const name = m?.[1] ?? "";
  r.i += (m?.[0] ?? "\\").length;
  const operand = (text: string): Command => ({ kind: "operand", text });
  switch (name) {
    case "frac": {
      const num = readArgument(r);
      const den = readArgument(r);
      return operand(`((${num})/(${den}))`);
    }
    case "sqrt": {
      skipSpaces(r);
      if (r.s[r.i] === "[") {
        r.i++;
        const index = readSequence(r, "]");
        return operand(`nthRoot((${readArgument(r)}),(${index}))`);
      }
      return operand(`sqrt(${readArgument(r)})`);
    }
    case "binom": {
      const n = readArgument(r);
      const k = readArgument(r);
      return operand(`binomial((${n}),(${k}))`);
    }
    case "pi":
      return operand("pi");
    case "infty":
      return operand("Infinity");
    case "cdot":
    case "times":
      return { kind: "operator", text: "*" };
    case "div":
      return { kind: "operator", text: "/" };
    case "lfloor":
      return operand(`floor(${readSequence(r, "\\rfloor")})`);
    case "lceil":
      return operand(`ceil(${readSequence(r, "\\rceil")})`);
    case "lvert":
      return operand(`abs(${readSequence(r, "\\rvert")})`);
    case "{":
      return operand(`(${readSequence(r, "\\}")})`);
    default:
      if (GREEK.has(name)) return operand(variable(r, name));
      if (name in FUNCTIONS) return operand(readFunction(r, name));
      return fail(`unsupported command \\${name}`);
  }
}

/** A command's argument: a braced group, or a single digit, letter or command. */
function readArgument(r: Reader): string {
  skipSpaces(r);
  const c = r.s[r.i] ?? "";
  if (c === "{") {
    const close = matchingBrace(r.s, r.i);
    if (close === undefined) fail("unbalanced braces");
    const inner: Reader = { s: r.s.slice(r.i + 1, close), i: 0, depth: r.depth };
    r.i = close + 1;
    const expr = readSequence(inner, undefined);
    if (expr === "") fail("empty group");
    return expr;
  }
  if (/[0-9]/.test(c)) {
    r.i++;
    return c;
  }
  if (/[a-zA-Z]/.test(c)) {
    r.i++;
    return variable(r, c);
  }
  if (c === "\\") {
    const command = readCommand(r);
    if (command.kind === "operator") fail("operator used as an argument");
    return command.text;
  }
  return fail("missing argument");
}

/**
 * `\sin x`, `\sin^2 x`, `\sin(x+1)`, `\log_2 8`, `\ln 2`: an optional power and (for log) base, then either a
 * bracketed argument or a run of factors ("\sin 2x" is sin(2x); "\sin x^2" is sin(x^2)).
 */
function readFunction(r: Reader, name: string): string {
  let power: string | undefined;
  let base: string | undefined;
  for (let k = 0; k < 2; k++) {
    if (r.s[r.i] === "^") {
      r.i++;
      power = readArgument(r);
    } else if (r.s[r.i] === "_" && name === "log") {
      r.i++;
      base = readArgument(r);
    }
  }
  skipSpaces(r);
  let arg: string;
  const open = r.s[r.i];
  if (open === "(" || open === "[") {
    r.i++;
    arg = readSequence(r, open === "(" ? ")" : "]");
  } else if (open === "{") {
    arg = readArgument(r);
  } else {
    arg = readFactors(r);
  }
  let fn = FUNCTIONS[name] ?? "";
  if (power === "-1" && name in INVERSE_TRIG) {
    fn = INVERSE_TRIG[name] ?? fn;
    power = undefined;
  }
  const call = base !== undefined ? `log((${arg}),(${base}))` : `${fn}(${arg})`;
  return power === undefined ? call : `(${call})^(${power})`;
}

/** The juxtaposed factors after a bare function name, up to the next operator, bracket or function. */
function readFactors(r: Reader): string {
  const factors: string[] = [];
  for (;;) {
    skipSpaces(r);
    const rest = r.s.slice(r.i);
    const c = rest[0] ?? "";
    let factor: string;
    if (/[0-9.]/.test(c)) factor = readNumber(r, false);
    else if (/[a-zA-Z]/.test(c) && !PLAIN_FUNCTION.test(rest)) {
      if ((/^[a-zA-Z]+/.exec(rest)?.[0].length ?? 0) >= WORD_LETTERS) fail("word after a function");
      r.i++;
      factor = variable(r, c);
    } else if (/^\\(?:pi|frac|sqrt)(?![a-zA-Z])/.test(rest) || GREEK.has(/^\\([a-zA-Z]+)/.exec(rest)?.[1] ?? "")) {
      factor = readCommand(r).text;
    } else break;
    if (r.s[r.i] === "^") {
      r.i++;
      factor = `${factor}^(${readArgument(r)})`;
    }
    factors.push(factor);
  }
  if (factors.length === 0) fail("function without an argument");
  return factors.join("*");
}
