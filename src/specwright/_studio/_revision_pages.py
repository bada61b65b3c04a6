"""A proposed revision's page: its changes section by section with the evidence each cites,
its comment thread, its decisions and the forms to comment and decide. Escaped by
construction (:mod:`specwright._html`); no script."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from specwright._html._escape import Html, app_path, el
from specwright._results._feedback import Feedback
from specwright._spec_diff._model import SpecChange, SpecDiff
from specwright._studio._csrf import FIELD
from specwright._studio._index import RevisionComment, RevisionDecision
from specwright._studio._pages import _badge, _hidden, _table
from specwright._studio._revisions import CitedSample

__all__ = ["RevisionView", "revision_body"]

SampleKey = tuple[str, str, int]


@dataclass
class RevisionView:
    """Everything one revision's page shows."""

    number: int
    """The proposal's place in the studio's list (its URL)."""
    diff: SpecDiff
    """Its changes to the spec."""
    decisions: list[RevisionDecision]
    """People's decisions on it, oldest first."""
    comments: list[RevisionComment]
    """Its comment thread, oldest first."""
    cited: list[CitedSample]
    """The samples its new examples cite."""
    feedback: dict[SampleKey, list[Feedback]] = field(default_factory=dict)
    """People's verdicts on each cited sample."""
    written: RevisionDecision | None = None
    """The approval that wrote it as the spec now current (then it cannot be decided again)."""


def revision_body(view: RevisionView, token: str, flash: str = "") -> Html:
    """A revision's changes by section, with cited evidence, thread, decisions and forms."""
    sections = list(dict.fromkeys(
        [c.section_id or "" for c in view.diff.changes] + [c.section_id for c in view.cited]
    ))  # fmt: skip
    return el(
        "section",
        {},
        el("p", {"class": "flash"}, flash) if flash else "",
        _written_note(view.written),
        el("h2", {}, f"{len(view.diff.changes)} changes, section by section"),
        [_section(view, sid) for sid in sections] or el("p", {}, "No change."),
        el("h2", {}, "Comments"),
        _thread(view.comments),
        _comment_form(view.number, len(view.comments), token),
        el("h2", {}, "Decisions"),
        _decisions(view.decisions),
        "" if view.written else _decision_form(view, token),
    )


def _written_note(written: RevisionDecision | None) -> Html | str:
    if written is None:
        return ""
    return el(
        "p",
        {"class": "flash", "id": "written"},
        f"Approved by {written.author} and written to {written.written_path}: spec revision ",
        el("code", {}, (written.written_hash or "")[:12]),
        ". The spec it replaced is kept in .specwright-revisions/ beside it.",
    )


def _section(view: RevisionView, section_id: str) -> Html:
    changes = [_change_row(c) for c in view.diff.changes if (c.section_id or "") == section_id]
    cited = [c for c in view.cited if c.section_id == section_id]
    return el(
        "section",
        {"class": "revision-section", "data-section": section_id},
        el("h3", {}, el("span", {"class": "sid"}, section_id or "(no section)")),
        _table(("change", "what"), changes) if changes else "",
        _evidence(cited, view.feedback) if cited else "",
    )


def _change_row(change: SpecChange) -> Html:
    tags = {"equal": "span", "insert": "ins", "delete": "del"}
    words = el("p", {"class": "mono"}, [(el(tags[w.op], {}, w.text), " ") for w in change.words])
    badge = el("span", {"class": "badge noncompliant" if change.flagged else "badge"}, change.kind)
    return el(
        "tr",
        {"data-section": change.section_id or ""},
        el("td", {}, badge),
        el("td", {}, change.summary, words if change.words else ""),
    )


def _evidence(cited: Sequence[CitedSample], feedback: dict[SampleKey, list[Feedback]]) -> Html:
    items = [
        el(
            "li",
            {"data-sample": f"{c.run_id} {c.scenario_id}@{c.epoch}"},
            el("a", {"href": app_path("runs", c.run_id, "sample", scenario=c.scenario_id,
                                      epoch=c.epoch)},
               c.scenario_id if c.epoch == 1 else f"{c.scenario_id}@{c.epoch}"),
            f" of run {c.run_id}, cited by {c.example_id} ({c.example_title})",
            el("div", {"class": "note"}, c.why) if c.why else "",
            _verdicts(feedback.get((c.run_id, c.scenario_id, c.epoch), [])),
        )
        for c in cited
    ]  # fmt: skip
    return el("div", {"class": "evidence"}, el("h4", {}, "Cited evidence"), el("ul", {}, items))


def _verdicts(feedback: Sequence[Feedback]) -> Html | str:
    if not feedback:
        return ""
    items = [
        el("li", {}, el("strong", {}, f.author), " ",
           _badge(f.compliant) if f.is_label else el("span", {"class": "badge"}, "unclear"),
           " ", f.created.strftime("%Y-%m-%d"), f": {f.note}" if f.note else "")
        for f in feedback
    ]  # fmt: skip
    return el("ul", {"class": "feedback"}, items)


def _thread(comments: Sequence[RevisionComment]) -> Html:
    if not comments:
        return el("p", {"class": "note"}, "No comment yet.")
    items = [
        el("li", {"class": "comment"}, el("strong", {}, c.author), " ",
           c.created.strftime("%Y-%m-%d %H:%M"), el("pre", {}, c.text))
        for c in comments
    ]  # fmt: skip
    return el("ul", {"class": "comments"}, items)


def _comment_form(number: int, version: int, token: str) -> Html:
    return el(
        "form",
        {"class": "verdict", "method": "post",
         "action": app_path("revisions", str(number), "comments")},
        _hidden(FIELD, token),
        _hidden("version", version),
        el("label", {"for": "comment-text"}, "Your comment"),
        el("textarea", {"id": "comment-text", "name": "text", "rows": 3, "maxlength": 4000}, ""),
        el("p", {}, el("button", {"type": "submit", "id": "add-comment"}, "Comment")),
    )  # fmt: skip


def _decisions(decisions: Sequence[RevisionDecision]) -> Html:
    if not decisions:
        return el("p", {}, "None yet.")
    items = [
        el("li", {}, el("strong", {}, d.author), " ", d.decision, " ",
           d.created.strftime("%Y-%m-%d %H:%M"), el("pre", {}, d.reason) if d.reason else "",
           el("div", {"class": "note"}, f"written to {d.written_path} (spec revision ",
              el("code", {}, (d.written_hash or "")[:12]), ")") if d.written_path else "")
        for d in decisions
    ]  # fmt: skip
    return el("ul", {"class": "decisions"}, items)


def _decision_form(view: RevisionView, token: str) -> Html:
    # `proposed`: the hash of the revision shown, so an approval of a proposal edited since
    # is refused rather than writing text nobody saw
    return el(
        "form",
        {"class": "verdict", "method": "post", "action": app_path("revisions", str(view.number))},
        _hidden(FIELD, token),
        _hidden("version", len(view.decisions)),
        _hidden("proposed", view.diff.new.content_hash),
        el("label", {"for": "reason"}, "Reason (a rejection needs one)"),
        el("textarea", {"id": "reason", "name": "reason", "rows": 3, "maxlength": 4000}, ""),
        el("p", {},
           el("button", {"type": "submit", "name": "decision", "value": "approved",
                         "id": "approve-revision"}, "Approve and write the spec"),
           " ",
           el("button", {"type": "submit", "name": "decision", "value": "rejected",
                         "id": "reject-revision"}, "Reject")),
    )  # fmt: skip
