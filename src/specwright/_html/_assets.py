"""The report page's only style sheet and script, and the Content-Security-Policy allowing them.

Both are constants, so the policy allows them by SHA-256 hash (deterministic output, no
nonce to leak): any other inline script or style, injected or not, is refused by the
browser, and ``default-src 'none'`` forbids every network fetch.
"""

from __future__ import annotations

import base64
import hashlib

__all__ = ["CSS", "SCRIPT", "content_security_policy", "csp_hash"]

CSS = """
:root { color-scheme: light dark; --fg: #1f2328; --muted: #57606a; --bg: #fff;
  --panel: #f6f8fa; --line: #d0d7de; --grid: #d8dee4; --ok: #1a7f37; --bad: #c62828;
  --na: #6b7280; --warn-bg: #fff8c5; --warn-line: #d4a72c; --link: #0969da; --code: #eef6ff;
  --track: #eaeef2; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e6edf3; --muted: #9da7b3; --bg: #0d1117; --panel: #161b22; --line: #30363d;
    --grid: #30363d; --ok: #2ea043; --bad: #f85149; --na: #8b949e; --warn-bg: #3b2e00;
    --warn-line: #bb8009; --link: #58a6ff; --code: #102030; --track: #21262d; }
}
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0;
  color: var(--fg); background: var(--bg); overflow-wrap: anywhere; }
a { color: var(--link); }
header { padding: 16px 32px 10px; border-bottom: 1px solid var(--line); background: var(--panel); }
header h1 { margin: 0 0 2px; font-size: 20px; overflow-wrap: anywhere; }
header p { margin: 0; color: var(--muted); }
main { padding: 8px 32px 48px; max-width: 1320px; }
h2 { font-size: 18px; margin: 28px 0 10px; border-bottom: 1px solid var(--line);
  padding-bottom: 4px; }
table { border-collapse: collapse; margin: 6px 0 12px; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: var(--panel); font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; }
.scroll { overflow-x: auto; max-width: 100%; }
.note { color: var(--muted); margin: 4px 0; }
.legend { list-style: none; padding: 0; margin: 4px 0; display: flex; flex-wrap: wrap;
  gap: 6px 18px; }
.legend li { display: flex; align-items: baseline; gap: 6px; flex-wrap: wrap; }
.legend-caption { color: var(--muted); font-size: 12px; }
.chart { display: block; max-width: 100%; height: auto; }
.chart text { fill: var(--muted); }
.chart text.row-label { fill: var(--fg); }
.chart line.grid { stroke: var(--grid); }
.chart:not(.history) line.ci, .chart line.ci-cap, .part-chart line.ci { stroke: var(--fg); }
.part-chart rect.track { fill: var(--track); }
.chart a .row:hover .row-label { text-decoration: underline; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 12px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px; min-width: 0; }
.card h3 { margin: 0 0 6px; font-size: 15px; }
.headline-cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr));
  gap: 12px; margin-top: 14px; }
.headline h2 { margin: 0; border: 0; padding: 0; font-size: 17px; overflow-wrap: anywhere; }
.headline .caption { margin: 0 0 8px; color: var(--muted); font-size: 12.5px;
  overflow-wrap: anywhere; }
.figures { display: flex; flex-wrap: wrap; gap: 8px 28px; margin: 6px 0; }
.figure { display: flex; flex-direction: column; min-width: 0; }
.figure .big { font-size: 30px; font-weight: 700; line-height: 1.1;
  font-variant-numeric: tabular-nums; }
.judge-figure .big { font-size: 22px; line-height: 1.5; }
.judge-figure.weak .big, .judge-figure.missing .big, .judge-figure.undefined .big {
  color: var(--bad); }
.figure-label { font-weight: 600; }
.figure-detail { color: var(--muted); font-size: 12.5px; }
.judge-ok { margin: 6px 0; color: var(--muted); }
.warning { border-left: 4px solid var(--warn-line); background: var(--warn-bg); padding: 6px 10px;
  margin: 6px 0; }
.warning ul { margin: 4px 0; padding-left: 20px; }
.extremes { display: grid; grid-template-columns: repeat(auto-fit, minmax(220px, 1fr));
  gap: 4px 18px; }
.ranked h3 { font-size: 13px; margin: 8px 0 2px; color: var(--muted); }
.ranked ol { margin: 0; padding-left: 20px; }
.ranked .rate { color: var(--muted); font-size: 12.5px; white-space: nowrap; }
.badge { display: inline-block; border-radius: 10px; padding: 0 8px; font-size: 12px;
  color: #fff; background: var(--na); white-space: nowrap; }
.badge.compliant, .badge.improved, .badge.fixed { background: var(--ok); }
.badge.noncompliant, .badge.regressed { background: var(--bad); }
.badge.inconclusive { background: #9a6700; }
.badge.adjudicated { background: #6639ba; }
.adjudicated-note { margin: 4px 0; color: var(--muted); }
details.part { border: 1px solid var(--line); border-radius: 6px; margin: 6px 0; }
details.part > summary { padding: 6px 10px; cursor: pointer; display: grid;
  grid-template-columns: minmax(10em, 1fr) 6em 200px 15em; align-items: center;
  gap: 4px 14px; }
@media (max-width: 900px) {
  details.part > summary { grid-template-columns: minmax(0, 1fr) auto; }
}
details.part[open] > summary { border-bottom: 1px solid var(--line); background: var(--panel); }
.part-title { font-weight: 600; min-width: 0; overflow-wrap: anywhere; }
.part-count { color: var(--muted); font-size: 12px; }
.part-chart { max-width: 100%; }
.part-rates { display: flex; flex-direction: column; font-size: 12.5px; min-width: 0;
  font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
.part-body { padding: 6px 10px; }
table.heatmap td.cell { text-align: center; font-variant-numeric: tabular-nums; min-width: 4em;
  color: #111; }
table.heatmap th.run-head { font-size: 12px; max-width: 14em; overflow-wrap: anywhere; }
table.heatmap th.row-head { font-weight: 400; background: transparent; }
table.heatmap tr.part-row th { background: var(--panel); }
td.h0 { background: #d73027; } td.h1 { background: #e34a33; } td.h2 { background: #f46d43; }
td.h3 { background: #fc8d59; } td.h4 { background: #fdae61; } td.h5 { background: #fee08b; }
td.h6 { background: #d9ef8b; } td.h7 { background: #a6d96a; } td.h8 { background: #66bd63; }
td.h9 { background: #3fae57; } td.h10 { background: #1a9850; }
td.cell.empty { color: var(--muted); background: transparent; }
details.section { border: 1px solid var(--line); border-radius: 6px; margin: 6px 0; }
details.section > summary { padding: 6px 10px; cursor: pointer; background: var(--panel); }
details.section[open] > summary { border-bottom: 1px solid var(--line); }
.part-heading { margin: 18px 0 6px; font-size: 15px; }
.section-body { padding: 8px 12px; }
.sid { color: var(--muted); font-family: ui-monospace, monospace; font-size: 12px; }
.runs { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 12px; }
.run-col { min-width: 0; }
.run-col h4 { margin: 4px 0; }
details.sample { border-top: 1px dashed var(--line); padding: 4px 0; }
details.sample > summary { cursor: pointer; }
.sample-id { color: var(--muted); }
.msg { margin: 4px 0 4px 8px; }
.role { font-size: 11px; text-transform: uppercase; color: var(--muted); font-weight: 600; }
pre { white-space: pre-wrap; word-break: break-word; margin: 2px 0; padding: 6px 8px;
  background: var(--panel); border-radius: 4px; font-size: 12.5px; }
div.judge { margin: 6px 0 6px 8px; padding-left: 8px; border-left: 3px solid var(--na); }
.prose { background: var(--code); border-radius: 4px; padding: 2px 12px; overflow-wrap: anywhere; }
.prose pre { background: var(--bg); }
a.fn { font-size: 11px; vertical-align: super; text-decoration: none; }
button { font: inherit; padding: 2px 10px; margin-right: 6px; cursor: pointer; }
div.feedback { margin: 6px 0 6px 8px; }
.cmd-row { display: flex; gap: 6px; align-items: flex-start; }
pre.cmd { flex: 1; user-select: all; -webkit-user-select: all; font-size: 12px; }
.feedback-count, .feedback .muted { color: var(--muted); }
@media (max-width: 600px) {
  header, main { padding-left: 12px; padding-right: 12px; }
  .figure .big { font-size: 24px; }
}
@media print {
  :root { --fg: #000; --muted: #333; --bg: #fff; --panel: #f3f3f3; --line: #bbb; }
  body { font-size: 11px; }
  header { background: none; }
  main { max-width: none; padding: 0 12px; }
  .buttons, button { display: none; }
  .card, details.part, details.section, tr, .chart { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
  a { color: inherit; text-decoration: none; }
  .scroll { overflow: visible; }
}
"""

SCRIPT = """
(function () {
  "use strict";
  function openTarget() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    var node = id ? document.getElementById(id) : null;
    if (!node) { return; }
    for (var d = node; d; d = d.parentElement) {
      if (d.tagName === "DETAILS") { d.open = true; }
    }
    node.scrollIntoView();
  }
  function setAll(open) {
    document.querySelectorAll("details").forEach(function (d) { d.open = open; });
  }
  window.addEventListener("hashchange", openTarget);
  window.addEventListener("beforeprint", function () { setAll(true); });
  var expand = document.getElementById("expand-all");
  var collapse = document.getElementById("collapse-all");
  if (expand) { expand.addEventListener("click", function () { setAll(true); }); }
  if (collapse) { collapse.addEventListener("click", function () { setAll(false); }); }
  // The feedback commands select whole on a click without script; with it, Copy also copies.
  document.querySelectorAll("button.copy").forEach(function (button) {
    var command = button.previousElementSibling;
    button.hidden = false;
    button.addEventListener("click", function () {
      window.getSelection().selectAllChildren(command);
      var done = function () { button.textContent = "Copied"; };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(command.textContent).then(done, function () {
          button.textContent = "Selected: press Ctrl+C";
        });
      } else {
        button.textContent = "Selected: press Ctrl+C";
      }
    });
  });
  openTarget();
})();
"""


def csp_hash(source: str) -> str:
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def content_security_policy(*, script: bool = True) -> str:
    """The page's policy: nothing from the network, only our own style and script run."""
    script_src = csp_hash(SCRIPT) if script else "'none'"
    return (
        f"default-src 'none'; style-src {csp_hash(CSS)}; script-src {script_src}; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )
