/** `--fail-below <margin>`: the release gate's flag, and what the gate's outcome prints and exits with. */
import { type MarginSetting, marginOf } from "../config.ts";
import { ConfigError } from "../core/errors.ts";
import { marginLabel, type ReportData } from "../report/index.ts";
import { type CliIo, EXIT, type ExitCode } from "./io.ts";

/** The flag's margin; a value marginOf cannot read is a config error naming the flag. */
export function failBelowFromFlag(text: string | undefined): MarginSetting | undefined {
  if (text === undefined) return undefined;
  const margin = marginOf(text);
  if (typeof margin === "string") {
    throw new ConfigError(
      [`flags: --fail-below ${text}: ${margin}`],
      'give --fail-below a margin in pp ("1pp") or a recovery ("99%"), e.g. --fail-below 1pp',
      "report options",
    );
  }
  return margin;
}

/**
 * After the report is written: with a gate, one line per failing variant × task on stderr and EXIT.gateFailed;
 * a passed gate says so. Undefined when no gate was asked for.
 */
export function gateOutcome(report: ReportData, io: CliIo): ExitCode | undefined {
  const gate = report.decision?.gate;
  if (gate === undefined) return undefined;
  const shown = marginLabel(report.decision?.margin);
  if (gate.passed) {
    io.stderr(`gate passed: every variant is non-inferior at ${shown} on ${gate.tasks.join(", ")}\n`);
    return EXIT.ok;
  }
  for (const f of gate.failures) io.stderr(`gate: ${f.variant} on ${f.task}: ${f.verdict} at ${shown}\n`);
  io.stderr(
    `gate failed (--fail-below ${shown}): ${gate.failures.length} variant × task pair(s) not shown non-inferior; ` +
      `exit ${EXIT.gateFailed}. "inconclusive" needs more items: report.md says how many\n`,
  );
  return EXIT.gateFailed;
}
