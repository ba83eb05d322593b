/**
 * index.html for the fixed run in fixture.ts plus a task whose replies, prompt, gold and grader output are hostile
 * markup. The string checks run everywhere; the page itself is opened from file:// in headless Chromium (Debian's,
 * see browser.ts), which checks what a reader gets: no network, no errors, the filters, the flipped items, and no
 * script but the page's own.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { JournalRecord } from "../../src/journal/record.ts";
import { renderCharts } from "../../src/report/charts.ts";
import { divergencePoints } from "../../src/report/divergence-report.ts";
import { renderHtml } from "../../src/report/html.ts";
import { PAGE_SCRIPT } from "../../src/report/html-assets.ts";
import { buildReport } from "../../src/report/summary.ts";
import { makeRecord } from "../metrics/records.ts";
import { browserInstalled, browserSkipReason, CHROMIUM_PATH, launchBrowser, skipBrowserTests } from "./browser.ts";
import { withDecisions } from "./decision-fixture.ts";
import { fixtureDivergence } from "./divergence-fixture.ts";
import { RECORDS, reportInput } from "./fixture.ts";

const SCRIPT_IN_REPLY = "<script>window.__pwned=1</script>";
const IMG_IN_REPLY = `<img src=x onerror="window.__pwned=2">`;
const HOSTILE_ITEM = `h1"><svg onload=window.__pwned=3>`;

/** bf16 right and fp8 wrong on both items (two ↓ flips), fp8's reply, reasoning, prompt, gold and grader output hostile. */
function hostileRecords(): JournalRecord[] {
  return [HOSTILE_ITEM, "h2"].flatMap((itemId) => {
    const right = makeRecord({ variant: "bf16", task: "hostile", itemId, outcome: "correct" });
    const wrong = makeRecord({ variant: "fp8", task: "hostile", itemId, outcome: "wrong" });
    const request = {
      ...wrong.request,
      messages: [{ role: "user" as const, content: `Say ${SCRIPT_IN_REPLY}</pre></details>` }],
    };
    const reply =
      wrong.reply === undefined
        ? undefined
        : {
            ...wrong.reply,
            text: `Sure: ${SCRIPT_IN_REPLY} ${IMG_IN_REPLY} Answer: 41`,
            reasoning: `</pre></details></article>${SCRIPT_IN_REPLY}`,
          };
    const grade = {
      correct: false,
      answered: true,
      rule: "answer-line/<b>integer</b>",
      extracted: IMG_IN_REPLY,
      detail: "41 ≠ 42 <script>x</script>",
    };
    return [
      { ...right, request, gold: `42 ${IMG_IN_REPLY}` },
      { ...wrong, request, gold: `42 ${IMG_IN_REPLY}`, ...(reply === undefined ? {} : { reply }), grade },
    ];
  });
}

const records = [...RECORDS, ...hostileRecords()];
// With divergence journals, so the layout checks cover the divergence table and chart too.
const divergence = fixtureDivergence();
const report = withDecisions(
  buildReport(
    reportInput({
      records,
      tasks: [...reportInput().tasks, { name: "hostile", breakdowns: [], itemCount: 2 }],
      divergence,
    }),
  ),
);
const charts = await renderCharts(report, divergencePoints(divergence, report.flips));
const html = renderHtml(report, records, charts);

describe("renderHtml (the file)", () => {
  test("one file: a strict CSP that allows only the page's own script by hash and inline styles, nothing loaded", () => {
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1] ?? "";
    const { createHash } = process.getBuiltinModule("node:crypto");
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain(`script-src 'sha256-${createHash("sha256").update(PAGE_SCRIPT).digest("base64")}'`);
    expect(csp).toContain("style-src 'unsafe-inline'");
    expect(html.match(/<script\b/g)).toHaveLength(1);
    expect(html).not.toMatch(/\b(?:src|href)="(?!#)/); // no URL but fragment links
    expect(html).not.toMatch(/@import|url\(/);
  });

  test("hostile text is escaped wherever it appears: reply, reasoning, prompt, gold, grader output, item id", () => {
    expect(html).not.toContain(SCRIPT_IN_REPLY);
    expect(html).not.toContain("<img");
    expect(html).not.toContain("<svg onload");
    expect(html).not.toContain("<b>integer</b>");
    expect(html).toContain("&lt;script&gt;window.__pwned=1&lt;/script&gt;");
    expect(html).toContain("&lt;img src=x onerror=&quot;window.__pwned=2&quot;&gt;");
    expect(html).toContain("<code>h1&quot;&gt;&lt;svg onload=window.__pwned=3&gt;</code>");
  });

  test("every flip is a <details> whose id is its anchor, with the flipped items of the fixture counted", () => {
    for (const flip of report.flips) expect(html).toContain(`<details class="flip" id="${flip.anchor}"`);
    expect(report.flips.map((f) => `${f.task}/${f.itemId}/${f.variant}/${f.direction}`)).toEqual([
      "suite40/q2/fp8/lost",
      "suite40/q3/fp8/gained",
      "suite40/q1/nvfp4/lost",
      "mini/m2/fp8/lost",
      `hostile/${HOSTILE_ITEM}/fp8/lost`,
      "hostile/h2/fp8/lost",
    ]);
    expect(html).toContain(`<h2>Flipped items (${report.flips.length})</h2>`);
  });

  test("the charts are inline, in order, with their titles", () => {
    const positions = charts.map((c) => html.indexOf(c.svg));
    expect(positions.every((p) => p > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    for (const c of charts) expect(html).toContain(`<figcaption>${c.title.replace(/&/g, "&amp;")}`);
  });
});

/**
 * Run in the page (plain JS: the tests compile without DOM types): every way a table or chart can be cut, as
 * messages. A table must sit in a scroll box (.table-wrap, overflow-x auto) that ends inside the page and, scrolled
 * to its end, shows the last column whole; the page itself never scrolls sideways; the Reading column of the delta
 * table wraps in lines, not a word per line.
 */
const CLIPPING_CHECK = `(() => {
  const found = [];
  const pageWidth = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth > pageWidth)
    found.push("the page scrolls sideways: " + document.documentElement.scrollWidth + " > " + pageWidth);
  for (const table of document.querySelectorAll("table")) {
    const where = table.closest("section")?.id ?? "header";
    const box = table.parentElement;
    if (box === null || !box.classList.contains("table-wrap") || getComputedStyle(box).overflowX !== "auto") {
      found.push(where + ": a table outside a scroll box");
      continue;
    }
    const boxRect = box.getBoundingClientRect();
    if (boxRect.right > pageWidth + 0.5) found.push(where + ": its box ends past the page");
    box.scrollLeft = box.scrollWidth;
    const last = table.querySelector("tr > :last-child")?.getBoundingClientRect();
    if (last !== undefined && last.right > box.getBoundingClientRect().right + 1) found.push(where + ": the last column is cut");
    box.scrollLeft = 0;
  }
  for (const svg of document.querySelectorAll("figure svg"))
    if (svg.getBoundingClientRect().right > pageWidth + 0.5) found.push(svg.closest("figure")?.id + ": past the page");
  const reading = document.querySelector("section#delta tbody tr > td:last-child");
  if (reading !== null && reading.getBoundingClientRect().width < 150) found.push("delta: the Reading column is squeezed");
  return found;
})()`;

describe.skipIf(skipBrowserTests)(
  `index.html in headless Chromium${skipBrowserTests ? ` (skipped: ${browserSkipReason})` : ""}`,
  () => {
    let browser: Browser | undefined;
    let fileUrl: string;

    beforeAll(async () => {
      const dir = mkdtempSync(join(tmpdir(), "quanteval-html-"));
      const file = join(dir, "index.html");
      writeFileSync(file, html);
      fileUrl = pathToFileURL(file).href;
      if (browserInstalled) browser = await launchBrowser();
    });
    afterAll(async () => {
      await browser?.close();
    });

    // Reached without a browser only under QUANTEVAL_REQUIRE_BROWSER=1 (CI): then this and every test below fail.
    test(`Chromium is installed at ${CHROMIUM_PATH}`, () => {
      expect(
        browserInstalled,
        `QUANTEVAL_REQUIRE_BROWSER=1 but ${CHROMIUM_PATH} does not exist: apt-get install chromium (.ci/run does)`,
      ).toBe(true);
    });

    /** A page that records console errors, page errors and every request it makes. */
    async function open(fragment = "", width = 1280): Promise<{ page: Page; errors: string[]; requests: string[] }> {
      if (browser === undefined) throw new Error(`no browser: ${CHROMIUM_PATH} is missing`);
      const page = await browser.newPage({ viewport: { width, height: 900 } });
      const errors: string[] = [];
      const requests: string[] = [];
      page.on("console", (message) => {
        if (message.type() === "error" || message.type() === "warning")
          errors.push(`console.${message.type()}: ${message.text()}`);
      });
      page.on("pageerror", (error) => {
        errors.push(`pageerror: ${error.message}`);
      });
      page.on("request", (request) => {
        requests.push(request.url());
      });
      await page.goto(fileUrl + fragment, { waitUntil: "load" });
      return { page, errors, requests };
    }

    test("loads with no console or page errors and requests nothing but the file itself", async () => {
      const { page, errors, requests } = await open();
      // Open everything a reader can open, then look again: hostile markup inside must not have run or loaded anything.
      await page.click("#expand-all");
      await page.locator("details.reasoning").evaluateAll("details => details.forEach((d) => { d.open = true; })");
      await page.waitForTimeout(100);
      expect(errors).toEqual([]);
      expect(requests.map((u) => u.split("#")[0])).toEqual([fileUrl]);
      expect(await page.evaluate("typeof window.__pwned")).toBe("undefined");
      await page.close();
    });

    test("the tables and every chart are there and visible", async () => {
      const { page } = await open();
      for (const id of ["accuracy", "delta", "counts", "throughput", "divergence", "tasks"]) {
        expect(await page.locator(`section#${id} table`).first().isVisible(), id).toBe(true);
      }
      expect(await page.locator("section#accuracy tbody tr").count()).toBe(
        report.tasks.reduce((n, t) => n + t.rows.length, 0) + 1,
      );
      // The Pareto chart sits near the top (section#pareto), the others in section#charts.
      const svgs = page.locator("section#pareto figure svg, section#charts figure svg");
      expect(await svgs.count()).toBe(charts.length);
      for (const svg of await svgs.all()) {
        expect(await svg.isVisible()).toBe(true);
        const box = await svg.boundingBox();
        expect(box?.width ?? 0).toBeGreaterThan(200);
        expect(box?.height ?? 0).toBeGreaterThan(200);
      }
      // The screenshot is for a person to look at (test-artifacts/ is not committed).
      mkdirSync(resolve("test-artifacts"), { recursive: true });
      await page.screenshot({ path: resolve("test-artifacts", "report.png"), fullPage: true });
      await page.close();
    });

    test("the page opens with the verdicts and the Pareto chart, its points drawn, inside the page", async () => {
      const { page, errors } = await open();
      const ids = await page.locator("main > section").evaluateAll((sections) => sections.map((s) => s.id));
      expect(ids.slice(0, 2)).toEqual(["verdicts", "pareto"]);
      expect(await page.locator("section#verdicts table").isVisible()).toBe(true);
      expect(await page.locator("section#verdicts ul.verdicts li").count()).toBe(2); // nvfp4, fp8
      expect(await page.locator("section#verdicts .ni.inconclusive").first().isVisible()).toBe(true);
      // The verdicts start within the first screen, under the header and the filters.
      expect((await page.locator("section#verdicts h2").boundingBox())?.y ?? 900).toBeLessThan(900);
      const svg = page.locator("section#pareto figure svg");
      expect(await svg.isVisible()).toBe(true);
      // suite40 3 + mini 2 (nvfp4 graded none) + hostile 2 (nvfp4 nothing) + overall 3.
      expect(await svg.locator('[aria-roledescription="point"]').count()).toBe(10);
      for (const point of await svg.locator('[aria-roledescription="point"]').all()) {
        expect(await point.isVisible()).toBe(true);
      }
      const fit = await page.locator("section#pareto").evaluate((section) => {
        const chart = section.querySelector("figure .chart");
        const drawn = section.querySelector("figure svg");
        return {
          chartScrolls: chart === null ? -1 : chart.scrollWidth - chart.clientWidth,
          svgRight: drawn?.getBoundingClientRect().right ?? Number.POSITIVE_INFINITY,
          sectionRight: section.getBoundingClientRect().right,
        };
      });
      expect(fit.chartScrolls).toBe(0);
      expect(fit.svgRight).toBeLessThanOrEqual(fit.sectionRight + 0.5);
      mkdirSync(resolve("test-artifacts"), { recursive: true });
      await page.locator("section#verdicts").screenshot({ path: resolve("test-artifacts", "report-verdicts.png") });
      expect(errors).toEqual([]);
      await page.close();
    });

    for (const width of [420, 800, 1280, 1920]) {
      test(`at ${width} px no table or chart is clipped: each fits or scrolls inside its own box`, async () => {
        const { page } = await open("", width);
        const problems = await page.evaluate<string[]>(CLIPPING_CHECK);
        expect(problems).toEqual([]);
        mkdirSync(resolve("test-artifacts"), { recursive: true });
        await page
          .locator("section#delta")
          .screenshot({ path: resolve("test-artifacts", `report-delta-${width}.png`) });
        await page.close();
      });
    }

    test("the variant filter hides that variant's rows, column and flipped items, and brings them back", async () => {
      const { page, errors } = await open();
      const fp8Rows = page.locator("section#delta tbody tr[data-variant='fp8']");
      const nvfp4Rows = page.locator("section#delta tbody tr[data-variant='nvfp4']");
      const fp8Column = page.locator("section#accuracy th[data-variant='fp8']");
      const fp8Flips = page.locator("details.flip[data-variant='fp8']");
      expect(await fp8Rows.count()).toBeGreaterThan(0);
      expect(await fp8Rows.first().isVisible()).toBe(true);
      await page.uncheck("input[data-filter='variant'][value='fp8']");
      for (const row of await fp8Rows.all()) expect(await row.isVisible()).toBe(false);
      for (const flip of await fp8Flips.all()) expect(await flip.isVisible()).toBe(false);
      expect(await fp8Column.isVisible()).toBe(false);
      expect(await nvfp4Rows.first().isVisible()).toBe(true);
      expect(await page.locator("#flip-status").textContent()).toBe(`1 of ${report.flips.length} flipped items shown`);
      await page.check("input[data-filter='variant'][value='fp8']");
      expect(await fp8Rows.first().isVisible()).toBe(true);
      expect(await fp8Column.isVisible()).toBe(true);
      // The task filter, likewise.
      await page.uncheck("input[data-filter='task'][value='mini']");
      expect(await page.locator("section#counts tr[data-task='mini']").first().isVisible()).toBe(false);
      expect(await page.locator("section#counts tr[data-task='suite40']").first().isVisible()).toBe(true);
      expect(errors).toEqual([]);
      await page.close();
    });

    test("the divergence table follows the filters; its chart draws every item and a triangle per flip", async () => {
      const { page, errors } = await open();
      const fp8 = page.locator("section#divergence tbody tr[data-variant='fp8']");
      expect(await fp8.isVisible()).toBe(true);
      await page.uncheck("input[data-filter='variant'][value='fp8']");
      expect(await fp8.isVisible()).toBe(false);
      expect(await page.locator("section#divergence tbody tr[data-variant='nvfp4']").isVisible()).toBe(true);
      const svg = page.locator("figure#chart-divergence svg");
      expect(await svg.isVisible()).toBe(true);
      // 6 paired items as dots, and the 3 of them that flipped (fp8 q2 ↓, q3 ↑; nvfp4 q1 ↓) once more as triangles.
      expect(await svg.locator('[aria-roledescription="point"]').count()).toBe(6 + 3);
      // Each of the 2 lost items is named by its dot and by its triangle.
      expect(await svg.locator('[aria-label$="lost (ref right)"]').count()).toBe(4);
      mkdirSync(resolve("test-artifacts"), { recursive: true });
      await page.locator("section#divergence").screenshot({ path: resolve("test-artifacts", "report-divergence.png") });
      expect(errors).toEqual([]);
      await page.close();
    });

    test("clicking a flipped item opens it: the prompt, both replies side by side, extracted answers, rule and gold", async () => {
      const { page } = await open();
      const flip = report.flips.find((f) => f.task === "hostile" && f.itemId === HOSTILE_ITEM);
      if (flip === undefined) throw new Error("the hostile item flipped");
      const item = page.locator(`[id="${flip.anchor}"]`);
      const replies = item.locator(".replies .reply");
      expect(await replies.first().isVisible()).toBe(false);
      await item.locator(":scope > summary").click();
      expect(await item.getAttribute("open")).not.toBeNull();
      expect(await replies.count()).toBe(2);
      const [reference, variant] = [replies.nth(0), replies.nth(1)];
      expect(await reference.locator("h4").textContent()).toContain("bf16 (reference)");
      expect(await reference.locator(".reply-text").textContent()).toBe("Answer: 42");
      expect(await variant.locator("h4").textContent()).toContain("fp8");
      // Hostile markup shows as the text it is.
      expect(await variant.locator(".reply-text").textContent()).toBe(
        `Sure: ${SCRIPT_IN_REPLY} ${IMG_IN_REPLY} Answer: 41`,
      );
      expect(await variant.locator("dd").first().textContent()).toBe(IMG_IN_REPLY);
      expect(await variant.textContent()).toContain("answer-line/<b>integer</b>");
      expect(await item.locator(".prompt pre").textContent()).toBe(`Say ${SCRIPT_IN_REPLY}</pre></details>`);
      expect(await item.locator(".gold code").textContent()).toBe(`42 ${IMG_IN_REPLY}`);
      // Side by side: the two replies share a row.
      const [a, b] = [await reference.boundingBox(), await variant.boundingBox()];
      expect(a !== null && b !== null && Math.abs(a.y - b.y) < 2 && b.x > a.x + 100).toBe(true);
      // Reasoning is folded until asked for.
      const reasoning = variant.locator("details.reasoning");
      expect(await reasoning.locator("pre").isVisible()).toBe(false);
      await reasoning.locator("summary").click();
      expect(await reasoning.locator("pre").textContent()).toBe(`</pre></details></article>${SCRIPT_IN_REPLY}`);
      mkdirSync(resolve("test-artifacts"), { recursive: true });
      await item.screenshot({ path: resolve("test-artifacts", "report-flip.png") });
      expect(await page.evaluate("typeof window.__pwned")).toBe("undefined");
      await page.close();
    });

    test("opening index.html#<anchor> opens that item and scrolls to it, even when a filter had hidden it", async () => {
      const flip = report.flips.find((f) => f.task === "suite40" && f.variant === "nvfp4");
      if (flip === undefined) throw new Error("nvfp4 lost suite40/q1");
      const { page, errors } = await open(`#${flip.anchor}`);
      const item = page.locator(`[id="${flip.anchor}"]`);
      expect(await item.getAttribute("open")).not.toBeNull();
      expect(await item.locator(".replies").isVisible()).toBe(true);
      const box = await item.boundingBox(); // relative to the viewport (900 px high)
      expect(box !== null && box.y >= 0 && box.y < 900).toBe(true);
      expect(await page.locator("details.flip[open]").count()).toBe(1);
      // Following a link to another item while its variant is filtered out turns the filter back on.
      const other = report.flips.find((f) => f.variant === "fp8");
      if (other === undefined) throw new Error("fp8 has flips");
      await page.uncheck("input[data-filter='variant'][value='fp8']");
      await page.evaluate(`location.hash = ${JSON.stringify(other.anchor)}`);
      await expect.poll(() => page.locator(`[id="${other.anchor}"]`).getAttribute("open")).not.toBeNull();
      expect(await page.locator(`[id="${other.anchor}"] .replies`).isVisible()).toBe(true);
      expect(await page.isChecked("input[data-filter='variant'][value='fp8']")).toBe(true);
      expect(errors).toEqual([]);
      await page.close();
    });
  },
);
