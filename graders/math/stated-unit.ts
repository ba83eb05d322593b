/**
 * The unit of measure an answer ends with, in one spelling per unit ("5 kilometers" and "5 km" → "km"), so two
 * answers that both carry one can be told apart: "5 km" is not "5 m", "€20" is not "£20". Words that count things
 * ("12 students", "3 ways") and percent are no unit here: normalisation drops them as before.
 */

// Each unit's spellings, longest first within a group; matched as the answer's last word(s), case-insensitive.
const UNITS: ReadonlyArray<readonly [canonical: string, spellings: readonly string[]]> = [
  ["km", ["kilometers", "kilometres", "kilometer", "kilometre", "km"]],
  ["cm", ["centimeters", "centimetres", "centimeter", "centimetre", "cm"]],
  ["mm", ["millimeters", "millimetres", "millimeter", "millimetre", "mm"]],
  ["m", ["meters", "metres", "meter", "metre", "m"]],
  ["in", ["inches", "inch"]],
  ["ft", ["feet", "foot", "ft"]],
  ["yd", ["yards", "yard", "yd"]],
  ["mi", ["miles", "mile"]],
  ["kg", ["kilograms", "kilogram", "kg"]],
  ["g", ["grams", "gram", "g"]],
  ["lb", ["pounds", "pound", "lbs", "lb"]],
  ["oz", ["ounces", "ounce", "oz"]],
  ["l", ["liters", "litres", "liter", "litre", "l"]],
  ["ml", ["milliliters", "millilitres", "ml"]],
  ["h", ["hours", "hour", "hrs", "hr", "h"]],
  ["min", ["minutes", "minute", "mins", "min"]],
  ["s", ["seconds", "second", "secs", "sec", "s"]],
  ["day", ["days", "day"]],
  ["week", ["weeks", "week"]],
  ["year", ["years", "year"]],
  ["$", ["dollars", "dollar"]],
  ["€", ["euros", "euro"]],
  ["cent", ["cents", "cent"]],
];
const BY_SPELLING = new Map(UNITS.flatMap(([canonical, spellings]) => spellings.map((s) => [s, canonical] as const)));
const CURRENCY_SIGNS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\\\$|\\dollar\b/, "$"],
  [/€|\\euro\b/, "€"],
  [/£|\\pounds\b/, "£"],
  [/¥|\\yen\b/, "¥"],
  [/₹/, "₹"],
];

/** The canonical unit `answer` states, or `undefined` when it states none we know (or several currencies). */
export function statedUnit(answer: string): string | undefined {
  const signs = CURRENCY_SIGNS.filter(([sign]) => sign.test(answer)).map(([, unit]) => unit);
  if (signs.length > 1) return undefined;
  if (signs.length === 1) return signs[0];
  // The last word after a number, brace or space, inside \text{…} or bare, with a square or cube mark after it.
  const plain = answer.replace(/\\(?:text|mathrm|textrm|mbox)\s*\{([^{}]*)\}/g, " $1 ").trim();
  const word = /(?<=[\d}).\s])\s*([a-zA-Z]+)\.?\s*(?:\^\s*\{?\s*[23]\s*\}?|[²³])?\s*\.?$/.exec(plain)?.[1];
  if (word === undefined) return undefined;
  const canonical = BY_SPELLING.get(word.toLowerCase());
  // One-letter units only after a space ("5 m"): "5m" may be 5 times m.
  if (canonical === undefined || (word.length === 1 && !/\s[a-zA-Z]\.?\s*(?:\^.*|[²³])?\s*\.?$/.test(plain))) {
    return undefined;
  }
  const power = /(?:\^\s*\{?\s*([23])|([²³]))\s*\}?\s*\.?$/.exec(plain);
  const exponent = power?.[1] ?? (power?.[2] === "²" ? "2" : power?.[2] === "³" ? "3" : "");
  return `${canonical}${exponent}`;
}
