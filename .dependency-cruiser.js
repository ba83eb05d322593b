// The direction of imports DESIGN.md describes, checked in CI (`npm run lint:deps`):
//   cli → commands → runner/import/report/loadgen/sim → journal/client/tasks/metrics → datasets/graders/config → core
// Each rule names the layer it protects. Type-only imports count: a type is as much a dependency as a value.
// test/ and bench/ may import anything; nothing in src/, graders/ or bin/ imports them.

// Leaf modules beside src/'s folders that sit on the datasets/graders layer.
const LEAVES = "^src/(config|custom-task-config|sampling-presets|zod-issues|human-bytes|version)[.]ts$";
const ABOVE_LEAVES =
  "^src/(journal|client|tasks|metrics|runner|import|report|loadgen|sim|cli)/|^src/config-flags[.]ts$";

/** @type {import("dependency-cruiser").IConfiguration} */
export default {
  forbidden: [
    {
      name: "core-imports-nothing-of-ours",
      comment: "src/core is the shared vocabulary (types, errors, exit codes): it may import npm packages only.",
      severity: "error",
      from: { path: "^src/core/" },
      to: { path: "^(src|graders|bin|bench|test)/", pathNot: "^src/core/" },
    },
    {
      name: "graders-import-only-core",
      comment: "graders/ is pure (text, gold → verdict) and knows nothing of the CLI, HTTP or journals.",
      severity: "error",
      from: { path: "^graders/" },
      to: { path: "^(src|bin|bench|test)/", pathNot: "^src/core/" },
    },
    {
      name: "nothing-imports-cli-from-below",
      comment: "src/cli (commander wiring, CliIo, commands) is the top: library code never reaches up into it.",
      severity: "error",
      from: { path: "^(src|graders)/", pathNot: "^src/cli/" },
      to: { path: "^src/cli/|^src/config-flags[.]ts$" },
    },
    {
      name: "commands-do-not-import-main",
      comment: "main.ts loads the commands lazily; a command importing main would make the graph circular.",
      severity: "error",
      from: { path: "^src/cli/commands/" },
      to: { path: "^src/cli/main[.]ts$" },
    },
    {
      name: "commands-do-not-import-commands",
      comment:
        "One file per command: what two commands share is library code (runner, report, ...) or a helper " +
        "module in commands/ that is not itself a command.",
      severity: "error",
      from: { path: "^src/cli/commands/" },
      to: { path: "^src/cli/commands/(bench|compare|data|demo|grade|import|regrade|report|run|sim|tasks)[.]ts$" },
    },
    {
      name: "datasets-and-leaves-stay-low",
      comment: "datasets/, config.ts and the small leaf modules sit just above core.",
      severity: "error",
      from: { path: ["^src/datasets/", LEAVES] },
      to: { path: [ABOVE_LEAVES, "^graders/"] },
    },
    {
      name: "client-tasks-metrics-stay-below-runner",
      comment: "client/, tasks/ and metrics/ are used by the runner, report and loadgen, never the reverse.",
      severity: "error",
      from: { path: "^src/(client|tasks|metrics)/" },
      to: { path: "^src/(runner|import|report|loadgen|sim|cli)/|^src/config-flags[.]ts$" },
    },
    {
      name: "journal-is-below-runner-and-report",
      comment:
        "journal/ is the on-disk format (manifest, records, journal files) the runner writes and the report " +
        "reads: it knows neither, nor the endpoint, tasks or statistics.",
      severity: "error",
      from: { path: "^src/journal/" },
      to: { path: "^src/(client|tasks|metrics|runner|import|report|loadgen|sim|cli)/|^src/config-flags[.]ts$" },
    },
    {
      name: "client-knows-no-answers",
      comment: "The endpoint turns messages into a Reply; tasks, graders and datasets are not its business.",
      severity: "error",
      from: { path: "^src/client/" },
      to: { path: "^src/(tasks|metrics|datasets)/|^graders/" },
    },
    {
      name: "tasks-know-no-http",
      comment: "A task is dataset → prompt → grade: no requests, queues or statistics.",
      severity: "error",
      from: { path: "^src/tasks/" },
      to: { path: "^src/(client|metrics)/" },
    },
    {
      name: "metrics-are-pure",
      comment: "metrics/ is statistics over numbers and verdicts: no endpoint, task, dataset or grader.",
      severity: "error",
      from: { path: "^src/metrics/" },
      to: { path: "^src/(client|tasks|datasets)/|^graders/" },
    },
    {
      name: "runner-knows-no-report",
      comment: "The runner writes journals; reports, bench and the simulator are built on top, not below it.",
      severity: "error",
      from: { path: "^src/runner/" },
      to: { path: "^src/(report|loadgen|sim)/" },
    },
    {
      name: "import-writes-journals",
      comment:
        "import/ turns another tool's output into a manifest and journals: it asks nothing (no endpoint, runner or " +
        "simulator) and reports nothing (the report reads what it wrote).",
      severity: "error",
      from: { path: "^src/import/" },
      to: { path: "^src/(client|runner|report|loadgen|sim|tasks|metrics)/" },
    },
    {
      name: "report-reads-journals",
      comment:
        "The report reads journals only: no path from report/ to the endpoint (client/), a server (sim/) or " +
        "the load generator, not even through another module.",
      severity: "error",
      from: { path: "^src/report/" },
      to: { path: "^src/(client|sim|loadgen)/", reachable: true },
    },
    {
      name: "sim-is-a-test-double",
      comment:
        "The simulator stands in for vLLM: only the CLI (sim, demo), tests and bench start it, and it does not " +
        "use our own client, runner or report, so it cannot agree with them by construction.",
      severity: "error",
      from: { path: "^(src|graders)/", pathNot: "^src/(cli|sim)/" },
      to: { path: "^src/sim/" },
    },
    {
      name: "sim-is-independent",
      comment: "See sim-is-a-test-double.",
      severity: "error",
      from: { path: "^src/sim/" },
      to: { path: "^src/(client|runner|report|loadgen)/" },
    },
    {
      name: "production-does-not-import-tests",
      severity: "error",
      from: { path: "^(src|graders|bin)/" },
      to: { path: "^(test|bench)/" },
    },
    {
      name: "no-circular",
      comment: "A cycle makes two modules one: merge them or move what both need down a layer.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "not-to-unresolvable",
      severity: "error",
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: "no-dev-dependencies-in-production",
      comment: "src/, graders/ and bin/ run from `npm ci --omit=dev`: they may import only dependencies.",
      severity: "error",
      from: { path: "^(src|graders|bin)/" },
      to: { dependencyTypes: ["npm-dev"] },
    },
    {
      name: "no-undeclared-packages",
      severity: "error",
      from: {},
      to: { dependencyTypes: ["npm-no-pkg", "npm-unknown"] },
    },
    {
      name: "one-public-entry",
      comment:
        "Each folder's index.ts is its API (STYLE.md); other modules are its internals. Tests and bench may " +
        "reach in, to test an internal on its own.",
      severity: "error",
      from: { path: "^(src/[^/]+|graders)" },
      to: {
        path: "^src/(client|datasets|import|journal|loadgen|metrics|report|runner|sim|tasks)/|^graders/",
        pathNot: ["/index[.]ts$", "^$1/"],
      },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    // Parsed with swc, as dependency-cruiser cannot use TypeScript 7's compiler yet; swc keeps type-only imports
    // (marked "type-only"), so they count like any other.
    parser: "swc",
    moduleSystems: ["es6", "cjs"],
    // ESM-only packages (p-queue, vega-lite) resolve through their "exports" map, as Node does.
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "node", "default"] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
