"""The report page's only style sheet and script, and the Content-Security-Policy allowing them.

Both are constants, so the policy allows them by SHA-256 hash (deterministic output, no
nonce to leak): any other inline script or style, injected or not, is refused by the
browser, and ``default-src 'none'`` forbids every network fetch.
"""

from __future__ import annotations

import base64
import hashlib

__all__ = ["CSS", "SCRIPT", "content_security_policy"]

CSS = """
:root { --ok: #1a7f37; --bad: #c62828; --na: #6b7280; --line: #d0d7de; --bg: #f6f8fa; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0;
  color: #1f2328; background: #fff; }
header { padding: 20px 32px 12px; border-bottom: 1px solid var(--line); background: var(--bg); }
header h1 { margin: 0 0 4px; font-size: 22px; }
header p { margin: 0; color: #57606a; }
main { padding: 8px 32px 48px; max-width: 1280px; }
h2 { font-size: 18px; margin: 28px 0 10px; border-bottom: 1px solid var(--line);
  padding-bottom: 4px; }
table { border-collapse: collapse; margin: 6px 0 12px; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: var(--bg); font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; }
.legend { list-style: none; padding: 0; margin: 4px 0; display: flex; flex-wrap: wrap; gap: 14px; }
.legend li { display: flex; align-items: center; gap: 4px; }
.chart { max-width: 100%; height: auto; }
.chart a .row:hover .row-label { text-decoration: underline; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 12px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px; }
.card h3 { margin: 0 0 6px; font-size: 15px; }
.warning { border-left: 4px solid #d4a72c; background: #fff8c5; padding: 6px 10px;
  margin: 6px 0; }
.badge { display: inline-block; border-radius: 10px; padding: 0 8px; font-size: 12px;
  color: #fff; background: var(--na); white-space: nowrap; }
.badge.compliant, .badge.better, .badge.fixed { background: var(--ok); }
.badge.noncompliant, .badge.worse, .badge.regressed { background: var(--bad); }
details.section { border: 1px solid var(--line); border-radius: 6px; margin: 6px 0; }
details.section > summary { padding: 6px 10px; cursor: pointer; background: var(--bg); }
details.section[open] > summary { border-bottom: 1px solid var(--line); }
.section-body { padding: 8px 12px; }
.sid { color: #57606a; font-family: ui-monospace, monospace; font-size: 12px; }
.runs { display: grid; grid-template-columns: repeat(auto-fit, minmax(340px, 1fr)); gap: 12px; }
.run-col h4 { margin: 4px 0; }
details.sample { border-top: 1px dashed var(--line); padding: 4px 0; }
details.sample > summary { cursor: pointer; }
.msg { margin: 4px 0 4px 8px; }
.role { font-size: 11px; text-transform: uppercase; color: #57606a; font-weight: 600; }
pre { white-space: pre-wrap; word-break: break-word; margin: 2px 0; padding: 6px 8px;
  background: var(--bg); border-radius: 4px; font-size: 12.5px; }
.judge { margin: 6px 0 6px 8px; padding-left: 8px; border-left: 3px solid #8c959f; }
.spec-text pre { background: #eef6ff; }
button { font: inherit; padding: 2px 10px; margin-right: 6px; cursor: pointer; }
"""

SCRIPT = """
(function () {
  "use strict";
  function openTarget() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    var node = id ? document.getElementById(id) : null;
    if (node && node.tagName === "DETAILS") {
      node.open = true;
      node.scrollIntoView();
    }
  }
  function setAll(open) {
    document.querySelectorAll("details.section").forEach(function (d) { d.open = open; });
  }
  window.addEventListener("hashchange", openTarget);
  var expand = document.getElementById("expand-all");
  var collapse = document.getElementById("collapse-all");
  if (expand) { expand.addEventListener("click", function () { setAll(true); }); }
  if (collapse) { collapse.addEventListener("click", function () { setAll(false); }); }
  openTarget();
})();
"""


def _sha256(source: str) -> str:
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def content_security_policy(*, script: bool = True) -> str:
    """The page's policy: nothing from the network, only our own style and script run."""
    script_src = _sha256(SCRIPT) if script else "'none'"
    return (
        f"default-src 'none'; style-src {_sha256(CSS)}; script-src {script_src}; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )
