/** bench's --run and --artifacts: only with --find-max-rate and --run respectively, named with every other problem. */
import { describe, expect, test } from "vitest";
import { benchSettingsFromFlags } from "../../src/cli/commands/bench.ts";
import type { BenchFlags } from "../../src/cli/flags.ts";
import { issuesOf } from "../helpers/config-issues.ts";

const BASE: BenchFlags = { baseUrl: ["http://127.0.0.1:8000/v1"], model: ["m"], stream: true };
const settings = (flags: Partial<BenchFlags>) => benchSettingsFromFlags({ ...BASE, ...flags }, "/");

describe("bench --run", () => {
  test("with --find-max-rate it is accepted (the run itself is checked when the command starts)", () => {
    expect(settings({ slo: "e2e=1s", findMaxRate: true, run: "r1", artifacts: "a" }).plan.maxRate).toMatchObject({
      percentile: 90,
    });
  });

  test("without --find-max-rate there is nothing to attach; --artifacts alone says where nothing is", () => {
    expect(issuesOf(() => settings({ slo: "e2e=1s", run: "r1", artifacts: "a", trials: "x" }))).toEqual([
      'flags: --trials: only with --find-max-rate (got "x")',
      'flags: --run: only with --find-max-rate (got "r1")',
    ]);
    expect(issuesOf(() => settings({ slo: "e2e=1s", findMaxRate: true, artifacts: "a" }))).toEqual([
      'flags: --artifacts: only with --run, where the run to attach to is (got "a")',
    ]);
  });
});
