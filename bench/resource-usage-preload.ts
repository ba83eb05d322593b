/**
 * Preloaded into a child (`node --import …/resource-usage-preload.ts bin/quanteval.js …`) by
 * quanteval-child.ts: at exit it writes the process's own peak RSS and CPU time to the file named by
 * QUANTEVAL_BENCH_USAGE_FILE, which a parent cannot read once the child is gone.
 */
import { writeFileSync } from "node:fs";

const file = process.env.QUANTEVAL_BENCH_USAGE_FILE;
if (file !== undefined && file !== "") {
  process.on("exit", () => {
    const usage = process.resourceUsage();
    // maxRSS is in kilobytes; CPU times in microseconds.
    writeFileSync(
      file,
      JSON.stringify({ maxRssKb: usage.maxRSS, cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000 }),
    );
  });
}
