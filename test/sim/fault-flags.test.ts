/** `quanteval sim` fault flags → SimFaults, with errors that name the flag. */
import { describe, expect, test } from "vitest";
import { simFaultsFromFlags } from "../../src/cli/commands/sim.ts";
import { ConfigError } from "../../src/core/errors.ts";

describe("simFaultsFromFlags", () => {
  test("no flags: no faults", () => {
    expect(simFaultsFromFlags({})).toStrictEqual({});
  });

  test("every flag sets its field", () => {
    expect(
      simFaultsFromFlags({
        statusRates: "429=0.05, 500=0.02,503=0.01",
        retryAfter: "2",
        dropRate: "0.01",
        truncateRate: "0.02",
        malformedRate: "0.03",
        missingUsageRate: "0.04",
        emptyRate: "0.05",
        garbledRate: "0.06",
        slowStart: "12.5",
        dieAfter: "100",
      }),
    ).toStrictEqual({
      statusRates: { "429": 0.05, "500": 0.02, "503": 0.01 },
      retryAfterSec: 2,
      dropRate: 0.01,
      truncateRate: 0.02,
      malformedRate: 0.03,
      missingUsageRate: 0.04,
      emptyRate: 0.05,
      garbledRate: 0.06,
      slowStartSec: 12.5,
      dieAfterRequests: 100,
    });
  });

  test("errors name the flag", () => {
    const message = (flags: Parameters<typeof simFaultsFromFlags>[0]) => {
      try {
        simFaultsFromFlags(flags);
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return error instanceof Error ? error.message : "";
      }
      throw new Error("no error");
    };
    expect(message({ dropRate: "lots" })).toContain('flags: --drop-rate: must be a number (got "lots")');
    expect(message({ statusRates: "503" })).toContain(
      'flags: --status-rates: expected status=rate pairs such as 429=0.05,503=0.01 (got "503")',
    );
    expect(message({ statusRates: "200=0.1" })).toContain(
      "flags: --status-rates.200: must be an HTTP error status from 400 to 599",
    );
    expect(message({ truncateRate: "1.5" })).toContain(
      "flags: --truncate-rate: Too big: expected number to be <=1 (got 1.5)",
    );
    expect(message({ dieAfter: "2.5" })).toContain("flags: --die-after:");
    expect(message({ dropRate: "0.6", truncateRate: "0.6" })).toContain("the fault rates must add up to at most 1");
  });
});
