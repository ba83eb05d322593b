/** This quanteval's version, as messages about files written by another version name it. */
import packageJson from "../package.json" with { type: "json" };

export const QUANTEVAL_VERSION: string = packageJson.version;
