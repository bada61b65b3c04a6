"""The site's only style sheet and script, and the Content-Security-Policy allowing them.

Like the report's, both are constants allowed by SHA-256 hash: no other inline script or
style runs, whatever the spec's text holds, and ``default-src 'none'`` forbids every fetch.
"""

from __future__ import annotations

from specwright._html._assets import csp_hash

__all__ = ["SITE_CSS", "SITE_SCRIPT", "site_csp"]

SITE_CSS = """
:root { --line: #d0d7de; --bg: #f6f8fa; --ink: #1f2328; --dim: #57606a; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.55 system-ui, -apple-system, "Segoe UI", sans-serif;
  color: var(--ink); }
header { padding: 16px 28px; border-bottom: 1px solid var(--line); background: var(--bg); }
header h1 { margin: 0; font-size: 22px; }
header p { margin: 2px 0 0; color: var(--dim); }
/* minmax(0, …): a grid column's minimum is otherwise its longest unbreakable line (one long
   inline code made the page wider than the window). */
.layout { display: grid; grid-template-columns: 300px minmax(0, 1fr); }
nav { position: sticky; top: 0; height: 100vh; overflow: auto; padding: 12px 16px;
  border-right: 1px solid var(--line); font-size: 13.5px; }
main, nav, header { overflow-wrap: anywhere; }
main pre { overflow-x: auto; }
main table { display: block; overflow-x: auto; }
.search-label { display: block; font-weight: 600; font-size: 13px; }
.toc-head { margin: 10px 0 2px; font-weight: 600; color: var(--dim); }
.own-sections ul { padding-left: 0; }
nav li.own > a { font-weight: 600; }
nav li.own > a::after { content: " \2605"; color: #1f6feb; }
/* Section headings stay above the 15px body text however deep they nest. */
main h2 { font-size: 22px; } main h3 { font-size: 19px; } main h4 { font-size: 17px; }
main h5 { font-size: 16px; } main h6 { font-size: 16px; }
@media (max-width: 960px) {
  .layout { grid-template-columns: minmax(0, 1fr); }
  nav { position: static; height: auto; max-height: 45vh; border-right: 0;
    border-bottom: 1px solid var(--line); }
  main { padding: 8px 16px 48px; }
}
nav ul { list-style: none; padding-left: 12px; margin: 2px 0; }
nav > ul { padding-left: 0; }
nav a { color: var(--ink); text-decoration: none; }
nav a:hover { text-decoration: underline; }
#sw-search { width: 100%; font: inherit; padding: 4px 8px; margin-bottom: 4px; }
#sw-search-count { color: var(--dim); font-size: 12px; margin: 0 0 8px; }
main { padding: 8px 36px 64px; max-width: 980px; }
section.spec-section { border-top: 1px solid var(--line); padding-top: 4px; }
.sid, .where { color: var(--dim); font-family: ui-monospace, monospace; font-size: 12px; }
.badge { display: inline-block; border-radius: 10px; padding: 0 8px; font-size: 11px;
  font-weight: 600; color: #fff; vertical-align: middle; text-transform: uppercase; }
.badge.root { background: #b42318; } .badge.system { background: #8e24aa; }
.badge.developer { background: #1f6feb; } .badge.user { background: #1a7f37; }
.badge.guideline { background: #9a6700; } .badge.inherited { opacity: 0.65; }
.label { display: inline-block; border-radius: 4px; padding: 0 6px; font-size: 12px;
  font-weight: 700; color: #fff; }
.label.GOOD { background: #1a7f37; } .label.BAD { background: #c62828; }
.label.OK { background: #9a6700; }
.provenance { background: #eef6ff; border-left: 3px solid #1f6feb; padding: 4px 10px;
  font-size: 13px; margin: 6px 0; }
.commentary { border-left: 3px solid #8c959f; padding: 2px 12px; color: var(--dim); }
.example { border: 1px solid var(--line); border-radius: 6px; margin: 12px 0; }
.example > h4 { margin: 0; padding: 6px 12px; background: var(--bg); font-size: 16px; }
.msg { margin: 8px 12px; }
.role { font-size: 11px; text-transform: uppercase; color: var(--dim); font-weight: 700; }
.msg pre, .untrusted { white-space: pre-wrap; word-break: break-word; margin: 2px 0;
  padding: 6px 10px; background: var(--bg); border-radius: 4px; font: 13px/1.45 ui-monospace,
  monospace; }
.untrusted { border: 1px dashed #c62828; }
.answer { border-left: 4px solid var(--line); margin: 8px 12px; padding-left: 8px; }
.answer.GOOD { border-color: #1a7f37; } .answer.BAD { border-color: #c62828; }
.answer.OK { border-color: #9a6700; }
.result { font-size: 13px; margin: 4px 0; }
.prompts li { margin: 4px 0; }
[hidden] { display: none !important; }
"""

SITE_SCRIPT = """
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("sw-search-index").textContent);
  var box = document.getElementById("sw-search");
  var count = document.getElementById("sw-search-count");
  function show(query) {
    var words = query.toLowerCase().split(/\\s+/).filter(function (w) { return w; });
    var shown = 0;
    data.forEach(function (entry) {
      var hit = words.every(function (w) { return entry.text.indexOf(w) !== -1; });
      var item = document.getElementById("toc-" + entry.anchor);
      var body = document.getElementById(entry.anchor);
      if (item) { item.classList.toggle("miss", !hit); }
      if (body) { body.hidden = !hit; }
      if (hit) { shown += 1; }
    });
    document.querySelectorAll("nav li").forEach(function (li) {
      li.hidden = li.classList.contains("miss") && !li.querySelector("li:not(.miss)");
    });
    count.textContent = words.length ? shown + " of " + data.length + " sections" : "";
  }
  box.addEventListener("input", function () { show(box.value); });
})();
"""


def site_csp() -> str:
    """Nothing from the network; only the site's own style and script run."""
    return (
        f"default-src 'none'; style-src {csp_hash(SITE_CSS)}; script-src {csp_hash(SITE_SCRIPT)}; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )
