"""The studio's pages, rendered on the server with :mod:`specwright._html`: escaped by construction.

Each function builds one page's body from typed records; none reads a database or a file.
The page shell adds the shared stylesheet and the studio's own, allowed by hash in the
Content-Security-Policy that every response carries. No script runs: forms and links do it all.
"""

from __future__ import annotations

from collections.abc import Iterable

from specwright._html._assets import CSS, csp_hash
from specwright._html._escape import Html, app_path, el
from specwright._model import Section, Spec
from specwright._results._feedback import Feedback
from specwright._results._models import Rate, RunHeader, SampleResult
from specwright._results._store import SectionPoint
from specwright._scenarios import ScenarioRecord
from specwright._studio._csrf import FIELD
from specwright._studio._drafts import record_version
from specwright._studio._index import FILTERS, Page, RevisionDecision, SampleFilter, SampleRow
from specwright._studio._received import ReceivedMessage, ReceivedSpan, preamble_section, received

Neighbours = tuple[tuple[str, int] | None, tuple[str, int] | None]
"""The samples before and after one under a filter: ``(scenario id, epoch)`` or ``None``."""

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "draft_edit_body",
    "drafts_body",
    "message_page",
    "outline_body",
    "revisions_body",
    "run_body",
    "runs_body",
    "sample_body",
    "studio_page",
]

_STUDIO_CSS = """
nav.studio { display: flex; gap: 18px; padding: 6px 32px; border-bottom: 1px solid var(--line); }
nav.studio a[aria-current] { font-weight: 700; text-decoration: none; color: var(--fg); }
form.inline { display: inline; }
form.verdict, form.drafts { margin: 8px 0; padding: 8px 10px; border: 1px solid var(--line);
  border-radius: 6px; }
textarea, input[type=text] { font: inherit; width: 100%; max-width: 42em; }
.filters { display: flex; flex-wrap: wrap; gap: 6px 14px; margin: 8px 0; }
.pager { margin: 10px 0; }
.flash { border-left: 4px solid var(--ok); background: var(--panel); padding: 6px 10px; }
.conflict { border-left: 4px solid var(--bad); background: var(--panel); padding: 6px 10px; }
.isolated { border: 2px dashed var(--warn-line); background: var(--warn-bg); border-radius: 6px;
  margin: 4px 0; padding: 2px 8px; }
.isolated.delegated { border-style: solid; }
.iso-label { font-size: 12px; font-weight: 600; }
.adapted { border-left: 4px solid var(--warn-line); padding-left: 6px; font-size: 12.5px; }
"""
_STYLE = CSS + _STUDIO_CSS
CONTENT_SECURITY_POLICY = (
    f"default-src 'none'; style-src {csp_hash(_STYLE)}; script-src 'none'; img-src data:; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
"""Every studio response's policy: our one stylesheet, no script, forms only to ourselves."""

_NAV = (
    ("runs", "Runs", app_path("")),
    ("spec", "Spec", app_path("spec")),
    ("drafts", "Drafts", app_path("drafts")),
    ("revisions", "Revisions", app_path("revisions")),
)
_TREND = 5  # the latest runs shown in a section's trend


def studio_page(title: str, subtitle: str, body: Html, *, current: str = "") -> str:
    """A complete studio document (the policy itself travels as a response header)."""
    head = el(
        "head",
        {},
        el("meta", {"charset": "utf-8"}),
        el("meta", {"name": "viewport", "content": "width=device-width, initial-scale=1"}),
        el("title", {}, f"{title} · specwright studio"),
        el("link", {"rel": "icon", "href": "data:,"}),
        Html(f"<style>{_STYLE}</style>"),
    )
    nav = el(
        "nav",
        {"class": "studio", "aria-label": "Studio"},
        (
            el("a", {"href": href, "aria-current": "page" if key == current else None}, label)
            for key, label, href in _NAV
        ),
    )
    header = el("header", {}, el("h1", {}, title), el("p", {}, subtitle))
    document = el("html", {"lang": "en"}, head, el("body", {}, header, nav, el("main", {}, body)))
    return f"<!DOCTYPE html>\n{document}\n"


def message_page(
    title: str, message: str, *, back: Html | None = None, kind: str = "conflict"
) -> str:
    """A short page saying what happened (a refusal, a conflict, a missing run)."""
    return studio_page(title, "", el("p", {"class": kind}, message, " ", back or ""))


def runs_body(
    runs: Iterable[tuple[RunHeader, int]],
    unopened: Iterable[str],
    decisions: dict[str, RevisionDecision] | None = None,
) -> Html:
    """The runs the studio knows, newest first, each linking to its samples, and the decision
    that produced the spec each measured (when a studio decision proposed it)."""
    decisions = decisions or {}
    rows = [
        el(
            "tr",
            {},
            el("td", {}, el("a", {"href": app_path("runs", header.run_id)}, header.run_id)),
            el("td", {}, header.model),
            el("td", {}, header.spec_title, " ", header.spec_version or ""),
            el("td", {}, header.created.strftime("%Y-%m-%d %H:%M")),
            el("td", {"class": "num"}, count),
            el("td", {}, _decided(decisions.get(header.spec_hash))),
        )
        for header, count in runs
    ]
    waiting = [
        el("li", {}, el("a", {"href": app_path("runs", run_id)}, run_id)) for run_id in unopened
    ]
    return el(
        "section",
        {},
        el("h2", {}, "Runs"),
        _table(("run", "model", "spec", "created", "samples", "spec revision"), rows)
        if rows
        else el("p", {"class": "note"}, "No run opened yet."),
        el("h2", {}, "In the results store, not opened yet") if waiting else "",
        el("ul", {}, waiting) if waiting else "",
    )


def _decided(decision: RevisionDecision | None) -> Html | str:
    if decision is None:
        return ""
    when = decision.created.strftime("%Y-%m-%d")
    return el("span", {"class": "note"}, f"{decision.decision} by {decision.author} on {when}: ",
              decision.reason)  # fmt: skip


def _table(heads: Iterable[str], rows: list[Html]) -> Html:
    return el(
        "div",
        {"class": "scroll"},
        el(
            "table",
            {},
            el("thead", {}, el("tr", {}, (el("th", {}, h) for h in heads))),
            el("tbody", {}, rows),
        ),
    )


def run_body(header: RunHeader, where: SampleFilter, page: Page, after: int) -> Html:
    """A run's samples under one filter, one page of them, with links to the next page."""
    filters = el(
        "div",
        {"class": "filters", "role": "list"},
        (
            el(
                "a",
                {
                    "href": app_path("runs", header.run_id, filter=key),
                    "data-filter": key,
                    "aria-current": "page" if key == where else None,
                    "role": "listitem",
                },
                label,
            )
            for key, label in FILTERS.items()
        ),
    )
    rows = [_sample_row(header.run_id, row, where) for row in page.rows]
    next_link = (
        el(
            "a",
            {
                "href": app_path("runs", header.run_id, filter=where, after=page.next_after),
                "id": "next-page",
            },
            "Next page →",
        )
        if page.next_after is not None
        else ""
    )
    first = el("a", {"href": app_path("runs", header.run_id, filter=where)}, "← First page")
    return el(
        "section",
        {},
        filters,
        el("p", {"class": "note", "id": "total"}, f"{page.total} samples: {FILTERS[where]}"),
        _table(("sample", "section", "judge", "feedback"), rows) if rows else el("p", {}, "None."),
        el("p", {"class": "pager"}, first if after >= 0 else "", " ", next_link),
    )


def _sample_row(run_id: str, row: SampleRow, where: SampleFilter) -> Html:
    href = app_path("runs", run_id, "sample", scenario=row.scenario_id, epoch=row.epoch,
                    filter=None if where == "all" else where)  # fmt: skip
    name = row.scenario_id if row.epoch == 1 else f"{row.scenario_id}@{row.epoch}"
    return el(
        "tr",
        {"data-sample": name},
        el("td", {}, el("a", {"href": href}, name), el("div", {"class": "note"}, row.title)),
        el("td", {}, el("span", {"class": "sid"}, row.section_id)),
        el("td", {}, _badge(row.compliant), " judges disagree" if row.disagree else ""),
        el("td", {"class": "num"}, row.feedback or ""),
    )


def _badge(compliant: bool | None) -> Html:
    if compliant is None:
        return el("span", {"class": "badge"}, "unscored")
    label = "compliant" if compliant else "non-compliant"
    return el("span", {"class": f"badge {label.replace('-', '')}"}, label)


def sample_body(
    header: RunHeader,
    sample: SampleResult,
    *,
    version: int,
    feedback: list[Feedback],
    section: Section | None,
    token: str,
    flash: str = "",
    around: Neighbours = (None, None),
    where: SampleFilter = "all",
    same_spec: bool = True,
) -> Html:
    """One sample: the conversation as received (isolated spans marked), the answer, every
    judge, the governing section's text, people's verdicts and the form to give one."""
    *sent, answer = sample.transcript or (None,)
    messages, compiled = received([m for m in sent if m is not None], enforce=header.enforce)
    preamble = messages[0].raw if compiled else None
    return el(
        "section",
        {},
        el("p", {"class": "flash"}, flash) if flash else "",
        _steps(header.run_id, around, where),
        el("h2", {}, "Conversation as the model received it"),
        _conversation(header, sample, messages, compiled),
        el("h2", {}, "Answer"),
        _message(answer.role, answer.content) if answer is not None else el("p", {}, "No answer."),
        el("h2", {}, "Judges"),
        _judges(sample),
        el("h2", {}, "Governing section"),
        _section(sample, section, preamble, same_spec=same_spec),
        el("h2", {}, "People's verdicts"),
        _feedback_list(feedback),
        _verdict_form(header.run_id, sample, version, token, where),
    )


def _conversation(
    header: RunHeader, sample: SampleResult, messages: list[ReceivedMessage], compiled: bool
) -> Html:
    """The messages sent, each isolated block boxed with its authority, and what was adapted
    for the server (on the message it changed, when the model under test's request)."""
    blocks = sum(len(m.isolated) for m in messages)
    if compiled:
        note = (f"Compiled by the chain of command (eval --enforce): {blocks} isolated "
                "block(s), between this request's boundary markers; isolated text carries no "
                "authority unless the preamble delegated some.")  # fmt: skip
    elif header.enforce:
        note = "The run was enforced, but its first message holds no boundary rule: as logged."
    else:
        note = "Sent as written (the run did not use eval --enforce): nothing was isolated."
    adapted: dict[int, list[str]] = {}
    for a in sample.adaptations:
        if a.model in ("", header.model):
            adapted.setdefault(a.index, []).append(f"{a.kind}: {a.detail}")
    return el(
        "div",
        {"class": "conversation compiled" if compiled else "conversation"},
        el("p", {"class": "note", "id": "isolation-note"}, note),
        [_received(n, m, adapted.get(n, [])) for n, m in enumerate(messages)],
        _adaptations(sample),
    )


def _received(number: int, message: ReceivedMessage, adapted: list[str]) -> Html:
    notes = [el("div", {"class": "adapted"}, "Adapted for the server: ", a) for a in adapted]
    if message.preamble:
        return el("details", {"class": "msg preamble", "id": f"message-{number}"},
                  el("summary", {}, el("span", {"class": "role"}, "system"),
                     " the preamble the compiler added (chain of command, isolation rules, "
                     "the applicable sections)"),
                  notes, el("pre", {}, message.raw))  # fmt: skip
    exact = (
        el("details", {}, el("summary", {}, "Exact text sent, markers included"),
           el("pre", {}, message.raw))
        if message.isolated else ""
    )  # fmt: skip
    return el(
        "div",
        {"class": "msg", "id": f"message-{number}"},
        el("div", {"class": "role"}, message.role),
        notes,
        [_span(span) for span in message.spans],
        exact,
    )


def _span(span: ReceivedSpan) -> Html:
    if span.block is None:
        return el("pre", {}, span.text)
    if span.authority == "none":
        label = f"Isolated block {span.block} · no authority (data, not instructions)"
    else:
        label = (f"Isolated block {span.block} · {span.authority} authority, "
                 f"delegated by {span.delegated_by}")  # fmt: skip
    kind = "isolated" if span.authority == "none" else "isolated delegated"
    return el(
        "div",
        {"class": f"{kind} authority-{span.authority}", "id": f"block-{span.block}"},
        el("div", {"class": "iso-label"}, label),
        el("pre", {}, span.text),
    )


def _adaptations(sample: SampleResult) -> Html | str:
    if not sample.adaptations:
        return ""
    items = [el("li", {}, el("code", {}, a.kind), f" ({a.model or 'request'}, message {a.index}): ",
                a.detail, el("span", {"class": "note"}, f" · profile {a.profile}"))
             for a in sample.adaptations]  # fmt: skip
    return el("div", {"class": "adaptations"}, el("strong", {}, "Adapted for the servers"),
              el("ul", {}, items))  # fmt: skip


def _steps(run_id: str, around: Neighbours, where: SampleFilter) -> Html:
    """Links to the previous and next sample under the filter the reviewer came with."""
    links = []
    for (label, key, rel), target in zip(
        (("← Previous", "k", "prev"), ("Next →", "j", "next")), around, strict=True
    ):
        if target is not None:
            href = app_path("runs", run_id, "sample", scenario=target[0], epoch=target[1],
                            filter=None if where == "all" else where)  # fmt: skip
            links.append(
                el("a", {"href": href, "rel": rel, "accesskey": key, "id": f"{rel}-sample"}, label)
            )
    back = el(
        "a",
        {"href": app_path("runs", run_id, filter=None if where == "all" else where)},
        "All in the list",
    )
    return el("p", {"class": "pager"}, back, " ", [(link, " ") for link in links])


def _message(role: str, content: str) -> Html:
    return el("div", {"class": "msg"}, el("div", {"class": "role"}, role), el("pre", {}, content))


def _judges(sample: SampleResult) -> Html:
    verdicts = sample.judges or ()
    if not verdicts:
        return _judge(
            "judge",
            sample.compliant,
            sample.score,
            sample.rationale or sample.unscored_reason or "",
        )
    return el(
        "div",
        {},
        (
            _judge(j.grader, j.compliant, j.score, j.rationale or j.unscored_reason or "")
            for j in verdicts
        ),
    )


def _judge(name: str, compliant: bool | None, score: float | None, rationale: str) -> Html:
    figure = "" if score is None else f" score {score:g}/7"
    return el(
        "div",
        {"class": "judge"},
        el("strong", {}, name),
        " ",
        _badge(compliant),
        figure,
        el("pre", {}, rationale),
    )


def _section(
    sample: SampleResult, section: Section | None, preamble: str | None, *, same_spec: bool
) -> Html:
    """The governing section: its text as the preamble gave it to the model (an enforced
    run), and its text in ``--spec`` (flagged when that is not the spec the run measured)."""
    title = el(
        "p",
        {},
        el("span", {"class": "sid"}, sample.section_id),
        " ",
        sample.section_title,
        " ",
        el("span", {"class": "badge"}, sample.authority) if sample.authority else "",
        f" · layer {sample.layer}" if sample.layer else "",
    )
    sent = preamble_section(preamble, sample.section_id) if preamble is not None else None
    given = [
        el("h3", {}, "As the preamble gave it to the model"),
        el("pre", {"class": "section-sent"}, sent)
        if sent is not None
        else el("p", {"class": "note"}, "The preamble left this section out (budget or "
                "relevance): the model did not see its text."),
    ] if preamble is not None else []  # fmt: skip
    if section is None:
        spec_text: list[Html | str] = [
            el("p", {"class": "note"}, "Start the studio with --spec to see its text.")
        ]
    else:
        differs = (el("p", {"class": "conflict", "id": "other-spec"}, "--spec is not the spec "
                      "this run measured (their content differs): this text may have changed "
                      "since.") if not same_spec else "")  # fmt: skip
        spec_text = [el("h3", {}, "In the spec"), differs,
                     el("pre", {"class": "section-text"}, section.body)]  # fmt: skip
    return el("div", {"class": "prose"}, title, given, spec_text)


def _feedback_list(feedback: list[Feedback]) -> Html:
    if not feedback:
        return el("p", {"class": "note"}, "No verdict from a person yet.")
    items = (
        el(
            "li",
            {},
            el("strong", {}, f.author),
            " ",
            _badge(f.compliant) if f.is_label else el("span", {"class": "badge"}, "unclear"),
            " ",
            f.created.strftime("%Y-%m-%d %H:%M"),
            el("pre", {}, f.note) if f.note else "",
        )
        for f in feedback
    )
    return el("ul", {"class": "feedback"}, items)


def _verdict_form(
    run_id: str, sample: SampleResult, version: int, token: str, where: SampleFilter
) -> Html:
    return el(
        "form",
        {"class": "verdict", "method": "post", "action": app_path("runs", run_id, "verdict")},
        _hidden(FIELD, token),
        _hidden("scenario", sample.scenario_id),
        _hidden("epoch", sample.epoch),
        _hidden("version", version),
        _hidden("filter", where),
        el("label", {"for": "note"}, "Note (why)"),
        el("textarea", {"id": "note", "name": "note", "rows": 3, "maxlength": 4000}, ""),
        el(
            "p",
            {},
            el(
                "button",
                {
                    "type": "submit",
                    "name": "verdict",
                    "value": "compliant",
                    "accesskey": "c",
                    "id": "mark-compliant",
                },
                "Compliant",
            ),
            el(
                "button",
                {
                    "type": "submit",
                    "name": "verdict",
                    "value": "non-compliant",
                    "accesskey": "n",
                    "id": "mark-noncompliant",
                },
                "Non-compliant",
            ),
            el(
                "button",
                {
                    "type": "submit",
                    "name": "verdict",
                    "value": "unclear",
                    "accesskey": "u",
                    "id": "mark-unclear",
                },
                "Unclear",
            ),
        ),
    )


def _hidden(name: str, value: object) -> Html:
    return el("input", {"type": "hidden", "name": name, "value": value})


def drafts_body(
    files: list[tuple[int, str, list[ScenarioRecord]]], token: str, flash: str = ""
) -> Html:
    """Every scenario file's drafts, each with approve / reject boxes and one reason field."""
    if not files:
        return el(
            "p", {"class": "note"}, "Start the studio with --scenarios FILE to review drafts."
        )
    return el(
        "section",
        {},
        el("p", {"class": "flash"}, flash) if flash else "",
        [_draft_file(index, name, records, token) for index, name, records in files],
    )


def _draft_row(record: ScenarioRecord, key: str, file_index: int) -> Html:
    boxes = (
        el("td", {}, el("input", {"type": "checkbox", "name": choice, "value": record.id,
                                  "id": f"{choice}-{key}", "aria-label": f"{choice} {record.id}"}))
        for choice in ("approve", "reject")
    )  # fmt: skip
    return el(
        "tr",
        {"data-sample": record.id},
        boxes,
        el("td", {}, el("span", {"class": "sid"}, record.id),
           _hidden(f"v:{record.id}", record_version(record)), " ",
           el("a", {"href": app_path("drafts", str(file_index), "edit", id=record.id)}, "edit")),
        el("td", {}, record.section),
        el("td", {}, [_message(m.role, m.content) for m in record.messages]),
    )  # fmt: skip


def _draft_file(index: int, name: str, records: list[ScenarioRecord], token: str) -> Html:
    drafts = [r for r in records if r.status == "draft"]
    rows = [_draft_row(r, f"{n}-{index}", index) for n, r in enumerate(drafts)]
    counts = {
        s: sum(1 for r in records if r.status == s) for s in ("draft", "approved", "rejected")
    }
    summary = (
        f"{counts['draft']} draft, {counts['approved']} approved, {counts['rejected']} rejected"
    )
    return el(
        "form",
        {"class": "drafts", "method": "post", "action": app_path("drafts", str(index))},
        el("h2", {}, name),
        el("p", {"class": "note"}, summary),
        _hidden(FIELD, token),
        _table(("approve", "reject", "id", "section", "messages"), rows)
        if rows
        else el("p", {}, "No drafts."),
        el("label", {"for": f"reason-{index}"}, "Reason for the rejected ones"),
        el("input", {"type": "text", "name": "reason", "id": f"reason-{index}", "maxlength": 2000}),
        el("p", {}, el("button", {"type": "submit", "id": f"review-{index}"}, "Save review"))
        if rows
        else "",
    )


def outline_body(spec: Spec | None, trends: dict[str, list[SectionPoint]]) -> Html:
    """The spec as an outline: each section's authority, examples, latest compliance, trend."""
    if spec is None:
        return el("p", {"class": "note"}, "Start the studio with --spec to see the outline.")
    rows = [_outline_row(spec, section, trends.get(section.id, [])) for section in spec.walk()]
    heads = ("section", "authority", "examples", "latest compliance", "trend (oldest → newest)")
    return el("section", {}, _table(heads, rows))


def _outline_row(spec: Spec, section: Section, points: list[SectionPoint]) -> Html:
    own = section.authority
    authority = spec.effective_authority(section.id)
    badge = el("span", {"class": "badge"}, authority or "none") if authority else ""
    latest = points[-1] if points else None
    trend = " → ".join(_percent(p.rate) for p in points[-_TREND:])
    return el(
        "tr",
        {"id": f"s-{section.id}" if section.id[:1].isalpha() else None, "data-section": section.id},
        el(
            "td",
            {"class": f"depth-{section.depth}"},
            "· " * (section.depth - 1),
            section.title,
            " ",
            el("span", {"class": "sid"}, section.id),
        ),
        el("td", {}, badge, "" if own else " (inherited)" if authority else ""),
        el("td", {"class": "num"}, len(section.examples) or ""),
        el(
            "td",
            {},
            _percent(latest.rate) if latest else "not measured",
            el("div", {"class": "note"}, f"{latest.model}, n={latest.rate.n}") if latest else "",
        ),
        el("td", {"class": "mono"}, trend),
    )


def _percent(rate: Rate) -> str:
    if rate.rate is None:
        return "–"
    interval = ""
    if rate.ci_low is not None and rate.ci_high is not None:
        interval = f" [{rate.ci_low:.0%}–{rate.ci_high:.0%}]"
    return f"{rate.rate:.0%}{interval}"


def revisions_body(proposals: list[tuple[int, str, str]]) -> Html:
    """Every proposed revision: its place and what its decisions say so far."""
    if not proposals:
        return el("p", {"class": "note"}, "Start the studio with --spec and --proposal DIR.")
    rows = [
        el("tr", {}, el("td", {}, el("a", {"href": app_path("revisions", str(n))}, path)),
           el("td", {}, state))
        for n, path, state in proposals
    ]  # fmt: skip
    return el("section", {}, _table(("proposal", "decision"), rows))


def draft_edit_body(file_index: int, record: ScenarioRecord, token: str) -> Html:
    """One draft's messages, each editable in its own form (the record is tagged ``edited``)."""
    version = record_version(record)
    forms = [
        el(
            "form",
            {"class": "verdict", "method": "post",
             "action": app_path("drafts", str(file_index), "edit")},
            _hidden(FIELD, token), _hidden("id", record.id), _hidden("message", n),
            _hidden("version", version),
            el("label", {"for": f"text-{n}"}, f"Message {n} ({message.role})"),
            el("textarea", {"id": f"text-{n}", "name": "text", "rows": 4}, message.content),
            el("p", {}, el("button", {"type": "submit", "id": f"save-{n}"}, "Save this message")),
        )
        for n, message in enumerate(record.messages)
    ]  # fmt: skip
    return el("section", {}, el("p", {}, el("span", {"class": "sid"}, record.id), " ",
                                 record.section), forms)  # fmt: skip
