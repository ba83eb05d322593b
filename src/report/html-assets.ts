/**
 * The inline CSS and script of index.html. The page loads nothing: its Content-Security-Policy allows this one
 * script (by its sha256) and inline styles, and no network at all, so it works the same from file:// offline.
 * The script is plain ES2020 (it runs in the reader's browser, not in Node): filters by task and variant, the
 * breakdown-row toggle, and opening the flipped item named in the URL fragment.
 */

export const PAGE_STYLE = `
:root { color-scheme: light; --fg: #1d1d1f; --muted: #5c5c66; --line: #d9d9df; --bg-alt: #f6f6f8; --lost: #b3261e; --gained: #1e7b34; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", "DejaVu Sans", Arial, sans-serif; color: var(--fg); background: #fff; }
main { max-width: 1440px; margin: 0 auto; padding: 0 20px 60px; }
h1 { font-size: 22px; margin: 20px 0 8px; }
h2 { font-size: 18px; margin: 32px 0 8px; padding-top: 8px; border-top: 1px solid var(--line); }
h4 { margin: 8px 0 4px; font-size: 14px; }
h5 { margin: 8px 0 2px; font-size: 13px; color: var(--muted); }
code, pre { font: 12.5px/1.4 ui-monospace, "DejaVu Sans Mono", "Liberation Mono", Menlo, Consolas, monospace; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; background: var(--bg-alt); border: 1px solid var(--line); border-radius: 4px; padding: 8px; margin: 4px 0; max-height: 480px; overflow: auto; }
dl.run { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 8px 0; }
dl.run dt { color: var(--muted); }
dl.run dd { margin: 0; }
table { border-collapse: collapse; margin: 8px 0; font-size: 13px; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: var(--bg-alt); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num { white-space: nowrap; }
/* A table wider than the page scrolls inside its own box; shadows at the edges show there is more (the covers
   scroll with the content and hide a shadow once that edge is reached), since a scrollbar may be overlaid or off screen. */
.table-wrap { overflow-x: auto; max-width: 100%; background: linear-gradient(to right, #fff 40%, #fff0) left / 28px 100% no-repeat local, linear-gradient(to left, #fff 40%, #fff0) right / 28px 100% no-repeat local, linear-gradient(to right, #0000002e, #0000) left / 12px 100% no-repeat scroll, linear-gradient(to left, #0000002e, #0000) right / 12px 100% no-repeat scroll; }
/* Headers may wrap between words to save width; prose in the last column wraps in lines, never a word per line. */
th { white-space: normal; min-width: 4em; }
td:first-child { white-space: nowrap; }
tr.overall td:first-child { white-space: normal; min-width: 9em; }
td:last-child:not(.num) { min-width: 14em; }
tr.breakdown td:first-child { padding-left: 22px; color: var(--muted); }
tr.overall td { font-weight: 600; border-top: 2px solid var(--line); }
tr.significant td { background: #fff6e0; }
.ci { color: var(--muted); font-size: 12px; }
.legend { color: var(--muted); font-size: 12.5px; max-width: 980px; }
.filters { position: sticky; top: 0; z-index: 2; background: #fffffff2; border-bottom: 1px solid var(--line); padding: 8px 0; margin-bottom: 8px; display: flex; flex-wrap: wrap; gap: 6px 22px; align-items: baseline; }
.filters fieldset { border: 0; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 4px 12px; }
.filters legend { float: left; font-weight: 600; margin-right: 8px; padding: 0; }
.filters label { white-space: nowrap; }
.filters .note { color: var(--muted); font-size: 12px; }
figure { margin: 16px 0 28px; }
figure .chart { max-width: 100%; }
figure svg { width: 100%; height: auto; display: block; }
figcaption { color: var(--muted); font-size: 12.5px; }
ul.verdicts { margin: 6px 0 10px; padding-left: 20px; }
ul.verdicts li { margin: 2px 0; }
.ni { font-weight: 600; }
/* In a table, a value's note (an interval, "best case") goes under it, so numeric columns stay narrow. */
td .ci.note { display: block; }
.ni.non-inferior { color: var(--gained); }
.ni.inferior { color: var(--lost); }
.ni.inconclusive { color: #8a5a00; }
.ni.no-verdict { color: var(--muted); }
.dir { font-weight: 600; }
.dir.lost, .verdict.wrong, .verdict.unanswered { color: var(--lost); }
.dir.gained, .verdict.correct { color: var(--gained); }
.verdict { font-size: 12px; font-weight: 600; text-transform: uppercase; margin-left: 6px; }
section, details.flip { scroll-margin-top: calc(var(--nav-height, 80px) + 8px); }
details.flip { border: 1px solid var(--line); border-radius: 6px; margin: 6px 0; background: #fff; }
details.flip > summary { cursor: pointer; padding: 6px 10px; }
details.flip[open] > summary { border-bottom: 1px solid var(--line); background: var(--bg-alt); }
details.flip:target { outline: 2px solid #4c78a8; }
.flip-body { padding: 4px 12px 12px; }
.replies { display: grid; grid-template-columns: 1fr 1fr; gap: 14px; }
@media (max-width: 800px) { .replies { grid-template-columns: 1fr; } }
.reply { min-width: 0; }
.reply dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 10px; margin: 4px 0; font-size: 13px; }
.reply dt { color: var(--muted); }
.reply dd { margin: 0; overflow-wrap: anywhere; }
.msg .role { font-size: 12px; color: var(--muted); text-transform: uppercase; }
.gold .k { color: var(--muted); margin-right: 6px; }
.warn { color: var(--lost); font-weight: 600; }
.missing, .cut { color: var(--muted); font-style: italic; }
[hidden] { display: none !important; }
`;

export const PAGE_SCRIPT = `
(function () {
  "use strict";
  var boxes = Array.prototype.slice.call(document.querySelectorAll("input[data-filter]"));
  var targets = Array.prototype.slice.call(document.querySelectorAll("[data-task], [data-variant]"));
  var flips = Array.prototype.slice.call(document.querySelectorAll("details.flip"));
  var breakdowns = document.getElementById("show-breakdowns");
  var status = document.getElementById("flip-status");
  var nav = document.querySelector("nav.filters");

  // Items scrolled to must clear the sticky filter bar, whose height depends on how its checkboxes wrap.
  function measureNav() {
    if (nav !== null) document.documentElement.style.setProperty("--nav-height", nav.getBoundingClientRect().height + "px");
  }

  function unchecked(kind) {
    var off = new Set();
    boxes.forEach(function (box) { if (box.getAttribute("data-filter") === kind && !box.checked) off.add(box.value); });
    return off;
  }

  function apply() {
    var tasks = unchecked("task");
    var variants = unchecked("variant");
    var showBreakdowns = breakdowns === null || breakdowns.checked;
    targets.forEach(function (el) {
      var task = el.getAttribute("data-task");
      var variant = el.getAttribute("data-variant");
      el.hidden = (task !== null && tasks.has(task)) || (variant !== null && variants.has(variant))
        || (!showBreakdowns && el.classList.contains("breakdown"));
    });
    if (status !== null) {
      var shown = flips.filter(function (f) { return !f.hidden; }).length;
      status.textContent = shown + " of " + flips.length + " flipped items shown";
    }
  }

  /** Opens the flipped item the fragment names, turning its task and variant filters back on if they hid it. */
  function openFromHash() {
    var id = "";
    try { id = decodeURIComponent(location.hash.slice(1)); } catch (e) { return; }
    if (id === "") return;
    var el = document.getElementById(id);
    if (el === null || !el.classList.contains("flip")) return;
    boxes.forEach(function (box) {
      var kind = box.getAttribute("data-filter");
      if ((kind === "task" && box.value === el.getAttribute("data-task")) || (kind === "variant" && box.value === el.getAttribute("data-variant"))) box.checked = true;
    });
    apply();
    el.open = true;
    el.scrollIntoView({ block: "start" });
  }

  boxes.forEach(function (box) { box.addEventListener("change", apply); });
  if (breakdowns !== null) breakdowns.addEventListener("change", apply);
  // Opening an item by hand puts its anchor in the address bar, so the address can be copied to point at it.
  flips.forEach(function (flip) {
    var summary = flip.querySelector("summary");
    if (summary !== null) summary.addEventListener("click", function () {
      if (!flip.open && location.hash !== "#" + flip.id) history.replaceState(null, "", "#" + flip.id);
    });
  });
  var expandAll = document.getElementById("expand-all");
  if (expandAll !== null) expandAll.addEventListener("click", function () { flips.forEach(function (f) { if (!f.hidden) f.open = true; }); });
  var collapseAll = document.getElementById("collapse-all");
  if (collapseAll !== null) collapseAll.addEventListener("click", function () { flips.forEach(function (f) { f.open = false; }); });
  window.addEventListener("hashchange", openFromHash);
  window.addEventListener("resize", measureNav);
  measureNav();
  apply();
  openFromHash();
})();
`;
