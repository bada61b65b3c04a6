"""The studio's Starlette application: one small function per view, state in :class:`Studio`.

Pages are rendered on the server; every POST passes the cross-site checks of
:mod:`specwright._studio._csrf` and names its reviewer (a setting, or a trusted reverse
proxy's header); every response carries the strict Content-Security-Policy of the pages.
"""

from __future__ import annotations

import getpass
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import get_args
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from specwright._errors import ConfigurationError, SpecwrightError
from specwright._html._escape import app_path
from specwright._layers._read import read_spec
from specwright._model import Spec
from specwright._results._feedback import HumanVerdict, sample_feedback
from specwright._results._revisions import Written
from specwright._revise._approve import SpecChanged, write_approved
from specwright._spec_diff._model import SpecDiff
from specwright._studio import _csrf, _pages
from specwright._studio._drafts import edit_draft, read_drafts, review_drafts
from specwright._studio._guard import Guard
from specwright._studio._index import FILTERS, SampleFilter, StaleVersion, StudioIndex
from specwright._studio._revision_pages import RevisionView, revision_body
from specwright._studio._revisions import (
    cited_samples,
    make_comment,
    make_decision,
    read_revision,
    revision_diff,
    thread_key,
    written_as_spec,
)

__all__ = ["Studio", "create_app"]

_MAX_FORM_BYTES = 256 * 1024
View = Callable[[Request], Awaitable[Response]]
Form = dict[str, list[str]]
Page = Callable[[Request], Response]
Action = Callable[[Request, Form], Response]


@dataclass
class Studio:
    """What the views read and write."""

    index: StudioIndex
    """The runs' samples and people's verdicts."""
    spec: Spec | None = None
    """The spec, for the governing sections' text."""
    scenario_files: list[Path] = field(default_factory=list)
    """Scenario files whose drafts may be reviewed."""
    reviewer: str | None = None
    """Who reviews (a setting), when no proxy header names them."""
    reviewer_header: str | None = None
    """The trusted reverse proxy's header naming the signed-in user."""
    open_run: Callable[[str], bool] | None = None
    """Index a stored run that is not indexed yet (reads its log once); whether it could."""
    unopened: Callable[[], list[str]] = field(default=lambda: [])
    """Stored runs not indexed yet."""
    proposals: list[Path] = field(default_factory=list)
    """Proposed revisions of the spec (layers ``propose`` wrote, or hand-edited copies)."""
    spec_path: Path | None = None
    """Where the spec lies: an approved revision is written there (none: only recorded)."""
    _hashed: tuple[Spec, str] | None = field(default=None, repr=False)

    def spec_hash(self) -> str | None:
        """The spec's content hash, computed once per spec (tens of ms for a large one)."""
        if self.spec is None:
            return None
        if self._hashed is None or self._hashed[0] is not self.spec:
            self._hashed = (self.spec, self.spec.content_hash())
        return self._hashed[1]


class _Refused(Exception):  # an answer, raised in a view and sent by _guarded
    def __init__(self, status: int, title: str, message: str) -> None:
        super().__init__(message)
        self.status, self.title, self.message = status, title, message


def _studio(request: Request) -> Studio:
    studio: Studio = request.app.state.studio
    return studio


def _html(request: Request, body: str, status: int = 200) -> HTMLResponse:
    response = HTMLResponse(body, status_code=status)
    if _csrf.token(request)[1]:  # the request brought no token: give it the one its forms carry
        response.set_cookie(
            _csrf.COOKIE, _token(request), httponly=True, samesite="strict", path="/"
        )
    return response


def _guarded(view: Page) -> View:
    """``view`` answered from a worker thread: the store's calls (SQLite, PostgreSQL, a log
    read once) block, and must not stall the event loop serving every other request."""

    async def guarded(request: Request) -> Response:
        return await _answer(request, view, request)

    guarded.__name__ = view.__name__
    return guarded


def _posted(view: Action) -> View:
    """A POST ``view``, given its form once the form passed the cross-site checks; like
    :func:`_guarded`, answered from a worker thread."""

    async def posted(request: Request) -> Response:
        try:
            form = await _form(request)
        except _Refused as refused:
            return _refusal(request, refused)
        return await _answer(request, view, request, form)

    posted.__name__ = view.__name__
    return posted


async def _answer(request: Request, view: Callable[..., Response], *args: object) -> Response:
    try:
        return await run_in_threadpool(view, *args)
    except _Refused as refused:
        return _refusal(request, refused)


def _refusal(request: Request, refused: _Refused) -> Response:
    return _html(request, _pages.message_page(refused.title, refused.message), refused.status)


def _token(request: Request) -> str:
    """The browser's token; one made for this request when it brought none (then set)."""
    made: str | None = getattr(request.state, "csrf_token", None)
    if made is not None:
        return made
    token, new = _csrf.token(request)
    if new:
        request.state.csrf_token = token
    return token


async def _form(request: Request) -> Form:
    """The POSTed form, after the cross-site checks (a refusal is a 403)."""
    body = await _bounded_body(request)
    pairs = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
    form: dict[str, list[str]] = {}
    for key, value in pairs:
        form.setdefault(key, []).append(value)
    why = _csrf.refusal(request, {k: v[0] for k, v in form.items()})
    if why is not None:
        raise _Refused(403, "Refused", why)
    return form


async def _bounded_body(request: Request) -> bytes:
    """The body, read only up to the bound: a huge form is refused before it is all in memory."""
    too_large = _Refused(413, "Too large", "the form is larger than the studio accepts")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > _MAX_FORM_BYTES:
        raise too_large
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > _MAX_FORM_BYTES:
            raise too_large
    return bytes(body)


def _one(form: dict[str, list[str]], key: str) -> str:
    return (form.get(key) or [""])[0]


def reviewer(request: Request) -> str:
    """Who is reviewing: the proxy's header when one is configured (required then)."""
    studio = _studio(request)
    if studio.reviewer_header:
        name = request.headers.get(studio.reviewer_header, "").strip()
        if not name or len(name) > 255:
            raise _Refused(401, "Who are you?", f"the {studio.reviewer_header} header is missing")
        return name
    return studio.reviewer or getpass.getuser()


@_guarded
def runs_view(request: Request) -> Response:
    studio = _studio(request)
    headers = studio.index.headers()
    decisions = studio.index.decisions_for([header.spec_hash for header, _ in headers])
    body = _pages.runs_body(headers, studio.unopened(), decisions)
    return _html(
        request, _pages.studio_page("Runs", "Every run the studio can open", body, current="runs")
    )


def _header(request: Request) -> tuple[Studio, str]:
    studio, run_id = _studio(request), request.path_params["run_id"]
    if studio.index.header(run_id) is None and not (studio.open_run and studio.open_run(run_id)):
        raise _Refused(404, "No such run", f"no run {run_id!r} in the results store or the logs")
    return studio, run_id


@_guarded
def run_view(request: Request) -> Response:
    studio, run_id = _header(request)
    where = _filter(request)
    after = _int(request.query_params.get("after", "-1"), "after")
    header = studio.index.header(run_id)
    assert header is not None
    page = studio.index.page(run_id, where, after=after)
    body = _pages.run_body(header, where, page, after)
    subtitle = f"{header.model} · {header.spec_title} {header.spec_version or ''}"
    return _html(request, _pages.studio_page(f"Run {run_id}", subtitle, body, current="runs"))


def _filter(request: Request) -> SampleFilter:
    where = request.query_params.get("filter", "all")
    if where not in get_args(SampleFilter):
        raise _Refused(400, "Unknown filter", f"filter must be one of {', '.join(FILTERS)}")
    return where  # type: ignore[return-value]


def _int(text: str, name: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise _Refused(400, "Bad request", f"{name} must be a whole number") from None


@_guarded
def sample_view(request: Request) -> Response:
    studio, run_id = _header(request)
    scenario = request.query_params.get("scenario", "")
    epoch = _int(request.query_params.get("epoch", "1"), "epoch")
    where = _filter(request)
    found = studio.index.sample(run_id, scenario, epoch)
    if found is None:
        raise _Refused(404, "No such sample", f"no sample {scenario!r} (epoch {epoch}) in {run_id}")
    sample, version = found
    header = studio.index.header(run_id)
    assert header is not None
    body = _pages.sample_body(
        header,
        sample,
        version=version,
        feedback=studio.index.feedback(run_id, scenario, epoch),
        section=studio.spec.get(sample.section_id) if studio.spec else None,
        token=_token(request),
        flash="Your verdict was saved." if request.query_params.get("saved") else "",
        around=studio.index.neighbours(run_id, scenario, epoch, where),
        where=where,
        same_spec=studio.spec_hash() in (None, header.spec_hash),
    )
    title = f"{scenario}" if epoch == 1 else f"{scenario}@{epoch}"
    return _html(request, _pages.studio_page(title, f"Run {run_id}", body, current="runs"))


@_posted
def verdict_view(request: Request, form: Form) -> Response:
    studio, run_id = _header(request)
    author = reviewer(request)
    scenario, epoch = _one(form, "scenario"), _int(_one(form, "epoch"), "epoch")
    verdict = _one(form, "verdict")
    if verdict not in get_args(HumanVerdict):
        raise _Refused(400, "Bad request", "verdict must be compliant, non-compliant or unclear")
    found = studio.index.sample(run_id, scenario, epoch)
    header = studio.index.header(run_id)
    if found is None or header is None:
        raise _Refused(404, "No such sample", f"no sample {scenario!r} in {run_id}")
    item = sample_feedback(header, found[0], verdict, author=author, note=_one(form, "note"))  # type: ignore[arg-type]
    try:
        studio.index.add_verdict(item, seen_version=_int(_one(form, "version"), "version"))
    except StaleVersion:
        raise _Refused(
            409,
            "Changed since you opened it",
            "someone gave this sample a verdict "
            "after you opened it; nothing was saved. Open it again to see theirs.",
        ) from None
    where = _one(form, "filter")
    shown = where if where in get_args(SampleFilter) and where != "all" else None
    saved = app_path(
        "runs", run_id, "sample", scenario=scenario, epoch=epoch, filter=shown, saved=1
    )
    return RedirectResponse(saved, 303)


@_guarded
def outline_view(request: Request) -> Response:
    studio = _studio(request)
    body = _pages.outline_body(studio.spec, studio.index.section_trends())
    title = studio.spec.title if studio.spec and studio.spec.title else "Spec"
    subtitle = "Each section's compliance in the stored runs"
    return _html(request, _pages.studio_page(title, subtitle, body, current="spec"))


@_guarded
def drafts_view(request: Request) -> Response:
    studio = _studio(request)
    files = [(i, str(path), read_drafts(path)) for i, path in enumerate(studio.scenario_files)]
    flash = "Your review was saved." if request.query_params.get("saved") else ""
    body = _pages.drafts_body(files, _token(request), flash)
    return _html(
        request,
        _pages.studio_page("Drafts", "Generated scenarios to review", body, current="drafts"),
    )


@_posted
def review_view(request: Request, form: Form) -> Response:
    _, path = _scenario_file(request)
    reviewer(request)
    seen = {key[2:]: values[0] for key, values in form.items() if key.startswith("v:")}
    try:
        review_drafts(
            path,
            form.get("approve", []),
            form.get("reject", []),
            _one(form, "reason"),
            seen,
        )
    except StaleVersion as exc:
        raise _Refused(409, "Changed since you opened it", f"{exc}; nothing was saved") from None
    except ConfigurationError as exc:
        raise _Refused(400, "Not saved", str(exc)) from None
    return RedirectResponse(app_path("drafts", saved=1), 303)


def _scenario_file(request: Request) -> tuple[Studio, Path]:
    studio = _studio(request)
    number = _int(request.path_params["index"], "file")
    if not 0 <= number < len(studio.scenario_files):
        raise _Refused(404, "No such file", "no scenario file with that number")
    return studio, studio.scenario_files[number]


@_guarded
def draft_edit_view(request: Request) -> Response:
    _, path = _scenario_file(request)
    record_id = request.query_params.get("id", "")
    found = [r for r in read_drafts(path) if r.id == record_id]
    if not found:
        raise _Refused(404, "No such draft", f"no scenario {record_id!r} in {path}")
    body = _pages.draft_edit_body(int(request.path_params["index"]), found[0], _token(request))
    return _html(request, _pages.studio_page("Edit a draft", str(path), body, current="drafts"))


@_posted
def draft_save_view(request: Request, form: Form) -> Response:
    _, path = _scenario_file(request)
    reviewer(request)
    record_id, number = _one(form, "id"), _int(_one(form, "message"), "message")
    try:
        edit_draft(path, record_id, number, _one(form, "text"), _one(form, "version"))
    except StaleVersion as exc:
        raise _Refused(409, "Changed since you opened it", f"{exc}; nothing was saved") from None
    except ConfigurationError as exc:
        raise _Refused(400, "Not saved", str(exc)) from None
    index = request.path_params["index"]
    return RedirectResponse(app_path("drafts", index, "edit", id=record_id), 303)


def _proposal(request: Request) -> tuple[Studio, int, Spec, SpecDiff]:
    studio = _studio(request)
    number = _int(request.path_params["index"], "revision")
    if studio.spec is None or not 0 <= number < len(studio.proposals):
        raise _Refused(404, "No such revision", "no proposed revision with that number")
    try:
        return studio, number, *read_revision(studio.spec, studio.proposals[number])
    except SpecwrightError as exc:
        raise _Refused(422, "Unreadable proposal", str(exc)) from None


@_guarded
def revisions_view(request: Request) -> Response:
    studio = _studio(request)
    listed = []
    for number, path in enumerate(studio.proposals if studio.spec is not None else []):
        listed.append((number, str(path), _state(studio, path)))
    body = _pages.revisions_body(listed)
    title, subtitle = "Revisions", "Proposed changes of the spec"
    return _html(request, _pages.studio_page(title, subtitle, body, current="revisions"))


def _state(studio: Studio, path: Path) -> str:
    assert studio.spec is not None
    try:
        key = thread_key(studio.index, studio.spec, path, revision_diff(studio.spec, path))
    except SpecwrightError as exc:
        return f"unreadable: {exc}"
    decisions = studio.index.revision_decisions(key)
    return decisions[-1].decision if decisions else "undecided"


@_guarded
def revision_view(request: Request) -> Response:
    studio, number, proposed, diff = _proposal(request)
    assert studio.spec is not None
    written = written_as_spec(studio.index, studio.spec, studio.proposals[number])
    key = written.proposed_hash if written is not None else diff.new.content_hash
    decisions = studio.index.revision_decisions(key)
    cited = cited_samples(studio.spec, proposed)
    view = RevisionView(
        number=number,
        diff=diff,
        decisions=decisions,
        comments=studio.index.revision_comments(key),
        cited=cited,
        feedback={
            (c.run_id, c.scenario_id, c.epoch): studio.index.feedback(
                c.run_id, c.scenario_id, c.epoch
            )
            for c in cited
        },
        written=written,
    )
    flash = _FLASHES.get(request.query_params.get("saved", ""), "")
    body = revision_body(view, _token(request), flash)
    title = f"Revision {studio.proposals[number]}"
    return _html(
        request, _pages.studio_page(title, f"against {diff.old.title}", body, current="revisions")
    )


_FLASHES = {"1": "Your decision was saved.", "comment": "Your comment was saved."}


@_posted
def decide_view(request: Request, form: Form) -> Response:
    studio, number, _, diff = _proposal(request)
    assert studio.spec is not None
    author, proposal = reviewer(request), studio.proposals[number]
    if written_as_spec(studio.index, studio.spec, proposal) is not None:
        raise _Refused(409, "Changed since you opened it", "this revision is the spec now")
    if _one(form, "proposed") != diff.new.content_hash:
        raise _Refused(409, "Changed since you opened it", f"{proposal} was edited; open it again")
    try:
        item = make_decision(diff, proposal, _one(form, "decision"), author=author,
                             reason=_one(form, "reason"))  # fmt: skip
        write = (
            _writer(studio, proposal, diff.new.content_hash)
            if item.decision == "approved"
            else None
        )
        studio.index.add_revision_decision(
            item, seen_version=_int(_one(form, "version"), "version"), write=write
        )
    except SpecChanged as exc:
        raise _Refused(409, "Changed since you opened it", f"{exc}; nothing was saved") from None
    except StaleVersion:
        raise _Refused(
            409,
            "Changed since you opened it",
            "someone decided on this revision "
            "after you opened it; nothing was saved. Open it again.",
        ) from None
    except ConfigurationError as exc:
        raise _Refused(400, "Not saved", str(exc)) from None
    if write is not None and studio.spec_path is not None:
        studio.spec = read_spec(studio.spec_path)  # the approved revision is the spec now
    return RedirectResponse(app_path("revisions", str(number), saved=1), 303)


def _writer(studio: Studio, proposal: Path, proposed_hash: str) -> Callable[[], Written] | None:
    """What writes an approved revision as the spec (nothing when the spec has no path)."""
    spec_path, base = studio.spec_path, studio.spec
    if spec_path is None or base is None:
        return None
    return lambda: write_approved(spec_path, base, proposal, proposed_hash=proposed_hash)


@_posted
def comment_view(request: Request, form: Form) -> Response:
    studio, number, _, diff = _proposal(request)
    assert studio.spec is not None
    key = thread_key(studio.index, studio.spec, studio.proposals[number], diff)
    try:
        item = make_comment(key, author=reviewer(request), text=_one(form, "text"))
        studio.index.add_revision_comment(item, seen_version=_int(_one(form, "version"), "version"))
    except StaleVersion:
        raise _Refused(
            409,
            "Changed since you opened it",
            "someone commented on this revision after you opened it; nothing was saved. "
            "Open it again to read theirs, then add yours.",
        ) from None
    except ConfigurationError as exc:
        raise _Refused(400, "Not saved", str(exc)) from None
    return RedirectResponse(app_path("revisions", str(number), saved="comment"), 303)


def create_app(studio: Studio, *, allowed_hosts: list[str] | None = None) -> Starlette:
    """The studio's ASGI app over ``studio``: requests for hosts other than loopback
    (127.0.0.1, localhost, [::1]) and ``allowed_hosts`` are refused (400)."""
    routes = [
        Route("/", runs_view),
        Route("/runs/{run_id}", run_view),
        Route("/runs/{run_id}/sample", sample_view),
        Route("/runs/{run_id}/verdict", verdict_view, methods=["POST"]),
        Route("/spec", outline_view),
        Route("/drafts", drafts_view),
        Route("/drafts/{index}", review_view, methods=["POST"]),
        Route("/drafts/{index}/edit", draft_edit_view),
        Route("/drafts/{index}/edit", draft_save_view, methods=["POST"]),
        Route("/revisions", revisions_view),
        Route("/revisions/{index}", revision_view),
        Route("/revisions/{index}", decide_view, methods=["POST"]),
        Route("/revisions/{index}/comments", comment_view, methods=["POST"]),
    ]
    app = Starlette(routes=routes, middleware=[Middleware(Guard, hosts=allowed_hosts or [])])
    app.state.studio = studio
    return app
