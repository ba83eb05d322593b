/** The gold a custom task's item carries (journalled with it, read back on regrade). */
import { z } from "zod";

/**
 * What an item carries as its gold: the answer as text (a letter for choice; for code, how many tests), for choice
 * the option texts, for code the tests and the function functional tests call.
 */
export const CustomGoldSchema = z.strictObject({
  answer: z.string(),
  options: z.array(z.string()).optional(),
  tests: z
    .array(z.strictObject({ input: z.string(), output: z.string(), testtype: z.enum(["stdin", "functional"]) }))
    .optional(),
  funcName: z.string().optional(),
});
export type CustomGold = z.infer<typeof CustomGoldSchema>;
