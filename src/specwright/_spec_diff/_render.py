"""A spec diff as terminal lines, markdown, or a self-contained HTML page."""

from __future__ import annotations

from collections.abc import Iterator

from specwright._model import SourceLocation
from specwright._spec_diff._model import SpecChange, SpecDiff, SpecSide

__all__ = ["diff_html", "diff_lines", "diff_markdown"]


def _label(side: SpecSide) -> str:
    return side.title + (f" {side.version}" if side.version else "")


def _headline(diff: SpecDiff) -> str:
    counts = diff.counts()
    flagged = sum(c.flagged for c in diff.changes)
    summary = ", ".join(f"{n} {kind}" for kind, n in counts.items()) or "no changes"
    return f"{_label(diff.old)} → {_label(diff.new)}: {summary}; {flagged} flagged"


def _where(change: SpecChange) -> str:
    location: SourceLocation | None = change.new_location or change.old_location
    return f"{location.file}:{location.line}" if location else "<spec>"


def _words_plain(change: SpecChange) -> str:
    marks = {"equal": "{}", "insert": "{{+{}+}}", "delete": "[-{}-]"}
    return " ".join(marks[span.op].format(_clip(span.text, span.op)) for span in change.words)


def _clip(text: str, op: str, keep: int = 6) -> str:
    # Unchanged runs are context: a few words either side are enough to find the place.
    words = text.split()
    if op != "equal" or len(words) <= 2 * keep:
        return text
    return " ".join([*words[:keep], "…", *words[-keep:]])


def diff_lines(diff: SpecDiff) -> Iterator[tuple[str, bool]]:
    """Plain lines for a terminal, each with whether it is flagged; headline first."""
    yield _headline(diff), False
    for change in diff.changes:
        mark = "!" if change.flagged else "·"
        yield f"{mark} {change.kind:<20} {change.summary}  [{_where(change)}]", change.flagged
        if change.words:
            yield f"    {_words_plain(change)}", False


# --------------------------------------------------------------------------- markdown


def _md(text: str) -> str:
    # Spec text is quoted, never markup: escape what markdown would act on.
    for char in "\\`*_[]<>|#":
        text = text.replace(char, "\\" + char)
    return " ".join(text.split())


def diff_markdown(diff: SpecDiff) -> str:
    """A markdown summary for a pull request comment: counts, flagged changes, then all."""
    lines = [f"## Spec diff: {_md(_label(diff.old))} → {_md(_label(diff.new))}", ""]
    lines += ["| change | count |", "|---|---:|"]
    lines += [f"| {kind} | {n} |" for kind, n in diff.counts().items()] or ["| none | 0 |"]
    flagged = [c for c in diff.changes if c.flagged]
    if flagged:
        lines += ["", "### Flagged", ""]
        lines += [f"- **{c.kind}**: {_md(c.summary)} (`{_where(c)}`)" for c in flagged]
    lines += ["", "### All changes", ""]
    for change in diff.changes:
        lines.append(f"- {change.kind}: {_md(change.summary)} (`{_where(change)}`)")
        if change.words:
            marks = {"equal": "{}", "insert": "**+{}+**", "delete": "~~{}~~"}
            words = " ".join(marks[s.op].format(_md(_clip(s.text, s.op))) for s in change.words)
            lines.append(f"  - {words}")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- html


def diff_html(diff: SpecDiff) -> str:
    """A self-contained page (the report's style, CSP and escaping): no network, no input runs."""
    from specwright._html._escape import Html, el, join
    from specwright._html._page import page

    def words(change: SpecChange) -> Html:
        tags = {"equal": "span", "insert": "ins", "delete": "del"}
        return el(
            "p",
            {"class": "mono"},
            join(join((el(tags[s.op], {}, _clip(s.text, s.op)), Html(" "))) for s in change.words),
        )

    rows = [
        el(
            "tr",
            {"data-section": change.section_id or ""},
            el(
                "td",
                {},
                el("span", {"class": "badge worse" if change.flagged else "badge"}, change.kind),
            ),
            el("td", {}, change.summary, words(change) if change.words else ""),
            el("td", {"class": "mono"}, _where(change)),
        )
        for change in diff.changes
    ]
    counts = el(
        "table",
        {},
        el("tr", {}, el("th", {}, "change"), el("th", {}, "count")),
        [
            el("tr", {}, el("td", {}, k), el("td", {"class": "num"}, n))
            for k, n in diff.counts().items()
        ],
    )
    changes = el(
        "table",
        {},
        el("tr", {}, el("th", {}, "kind"), el("th", {}, "what"), el("th", {}, "where")),
        rows,
    )
    body = join((el("h2", {}, "Summary"), counts, el("h2", {}, "Changes"), changes))
    subtitle = f"{_label(diff.old)} → {_label(diff.new)}"
    return page("Spec diff", subtitle, body, data_json=diff.model_dump_json())
