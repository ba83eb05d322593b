/** Bounds that keep every comparison cheap whatever the model wrote. */

/** Raw answers longer than this are refused before any normalisation work. */
export const MAX_RAW_CHARS = 5_000;
/** Normalised answers longer than this are prose or runaway output, not an answer. */
export const MAX_NORMALIZED_CHARS = 1_000;
/** Nesting depth allowed in a mathjs expression tree (and in the LaTeX converter's recursion). */
export const MAX_EXPRESSION_DEPTH = 40;
/** Node count above which we skip `simplify` (its rewriting can grow with expression size). */
export const MAX_SIMPLIFY_NODES = 150;
/** `simplify` calls allowed per comparison; beyond it, agreement at random points decides. */
export const MAX_SIMPLIFY_CALLS = 16;
/** Elements allowed in a tuple, set, interval union or matrix; more is not a competition answer. */
export const MAX_ITEMS = 64;
/** Distinct free variables allowed; more usually means prose was read as a product of letters. */
export const MAX_VARIABLES = 8;
/** Random points that must agree for two expressions with free variables to be called equal. */
export const RANDOM_POINTS = 8;
/** Attempts allowed to find those points (points where either side is undefined are skipped). */
export const MAX_POINT_ATTEMPTS = 24;
/** Fewer valid points than this is no evidence either way. */
export const MIN_VALID_POINTS = 3;
/** How many `\pm` signs one answer may expand (2^n values). */
export const MAX_PLUS_MINUS = 3;

/** Floating comparison: relative tolerance, with an absolute floor near zero. */
export const RELATIVE_TOLERANCE = 1e-6;
export const ABSOLUTE_TOLERANCE = 1e-9;
