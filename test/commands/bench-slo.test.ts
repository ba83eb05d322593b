/** bench's SLO flags → the plan: --slo alone adds goodput; --find-max-rate needs it; every problem named at once. */
import { describe, expect, test } from "vitest";
import { benchSettingsFromFlags } from "../../src/cli/commands/bench.ts";
import type { BenchFlags } from "../../src/cli/flags.ts";
import { issuesOf } from "../helpers/config-issues.ts";

const BASE: BenchFlags = { baseUrl: ["http://127.0.0.1:8000/v1"], model: ["m"], stream: true };
const plan = (flags: Partial<BenchFlags>) => benchSettingsFromFlags({ ...BASE, ...flags }, "/").plan;

describe("bench --slo and --find-max-rate", () => {
  test("--slo alone: targets, no search; --find-max-rate: p90 and 3 searches of --requests-request trials", () => {
    expect(plan({ slo: "e2e=2s" })).toMatchObject({ slo: { e2e: 2000 } });
    expect(plan({ slo: "e2e=2s" }).maxRate).toBeUndefined();
    expect(plan({ slo: "ttft=500ms", findMaxRate: true, requests: "200" }).maxRate).toEqual({
      percentile: 90,
      trials: 3,
      requests: 200,
      startRate: 1,
      warmup: { requests: 100, seconds: 5 },
      // No e2e target: the cool-down lasts as long as the warm-up's floor.
      cooldown: { seconds: 5 },
    });
    expect(plan({ slo: "ttft=500ms,e2e=20s", findMaxRate: true }).maxRate?.cooldown).toEqual({ seconds: 20 });
    expect(plan({ slo: "ttft=500ms", findMaxRate: true, sloPercentile: "99", trials: "5" }).maxRate).toMatchObject({
      percentile: 99,
      trials: 5,
    });
  });

  test("--trial-warmup sets the warm-up's seconds; 0 turns it off; anything else is refused", () => {
    const search = { slo: "e2e=1s", findMaxRate: true, requests: "40" } as const;
    expect(plan({ ...search, trialWarmup: "12.5" }).maxRate?.warmup).toEqual({ requests: 20, seconds: 12.5 });
    expect(plan({ ...search, trialWarmup: "12.5" }).maxRate?.cooldown).toEqual({ seconds: 1 });
    expect(plan({ ...search, trialWarmup: "0" }).maxRate).toEqual({
      percentile: 90,
      trials: 3,
      requests: 40,
      startRate: 1,
    });
    for (const bad of ["-1", "soon", "3601"])
      expect(issuesOf(() => plan({ ...search, trialWarmup: bad }))).toEqual([
        `flags: --trial-warmup: must be a number of seconds from 0 to 3600 (got "${bad}"); e.g. --trial-warmup 5, or 0 for none`,
      ]);
    expect(issuesOf(() => plan({ slo: "e2e=1s", trialWarmup: "5" }))).toEqual([
      'flags: --trial-warmup: only with --find-max-rate (got "5")',
    ]);
  });

  test("every problem at once: a bad target, a bad percentile, bad trials", () => {
    expect(
      issuesOf(() => plan({ slo: "ttft=5", findMaxRate: true, sloPercentile: "100", trials: "0", requests: "x" })),
    ).toEqual([
      'flags: --requests: must be a whole number from 1 to 1000000 (got "x"); e.g. --requests 64',
      'flags: --slo: "ttft=5" has no unit: write ttft=5ms or ttft=5s',
      'flags: --slo-percentile: must be a number between 0 and 100, exclusive (got "100"); e.g. --slo-percentile 90',
      'flags: --trials: must be a whole number from 1 to 100 (got "0"); e.g. --trials 3',
    ]);
  });

  test("--find-max-rate needs --slo; its options need it; TTFT and TPOT need streaming", () => {
    expect(issuesOf(() => plan({ findMaxRate: true }))).toEqual([
      "flags: --find-max-rate: needs --slo, the targets the rate must meet, e.g. --slo ttft=500ms,e2e=20s",
    ]);
    expect(issuesOf(() => plan({ slo: "e2e=1s", trials: "3" }))).toEqual([
      'flags: --trials: only with --find-max-rate (got "3")',
    ]);
    expect(issuesOf(() => plan({ slo: "ttft=1s,e2e=2s", stream: false }))).toEqual([
      "flags: --slo: ttft needs streamed requests (no token arrival is seen without them): drop --no-stream (or stream: false), or keep only e2e",
    ]);
    expect(plan({ slo: "e2e=2s", stream: false }).slo).toEqual({ e2e: 2000 });
  });
});
