"""Decision records: what the gateway decided for one request, and why.

The hot path captures a :class:`PendingDecision` (plain references, no copying); once per batch
it becomes a row (:func:`build_row`, its trace a typed :class:`DecisionTrace`) that the writer
thread stores; :class:`DecisionRecord` is how a
stored row reads back. Message text is kept only when
the gateway is told to (``--store-text``); otherwise every span carries the SHA-256 of its text.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, TypeAlias, TypedDict

from specwright._chain._candidates import CandidateStatus, SpanCandidate
from specwright._chain._compiled import CompiledPrompt
from specwright._chain._conversation import Conversation
from specwright._chain._resolution import Resolution, resolve
from specwright._chain._spec_index import SpecIndex
from specwright._frozen import FrozenModel
from specwright._llm._adapt import Adaptation
from specwright._model import AuthorityOrNone, Spec

__all__ = [
    "BuiltTrace",
    "DecisionRecord",
    "DecisionTrace",
    "GatewayMode",
    "IsolatedSpan",
    "IsolatedTrace",
    "PartDecision",
    "PartTrace",
    "PendingDecision",
    "SectionDecision",
    "SectionTrace",
    "SpanDecision",
    "SpanTrace",
    "build_row",
    "build_trace",
    "built_trace",
    "sha256_text",
]

GatewayMode: TypeAlias = Literal["enforce", "observe"]
"""``enforce`` sends the compiled messages upstream; ``observe`` forwards the request unchanged."""


class SpanDecision(FrozenModel):
    """One span of a message part and the chain of command's verdict on it."""

    id: str
    """The span id, ``message:<i>.<p>:<start>-<end>``."""
    kind: str | None
    """What it is structurally (text, tool_output, block_quote …)."""
    authority: AuthorityOrNone
    """Its effective authority."""
    status: CandidateStatus
    """Its verdict."""
    related: str | None
    """The candidate that decided the verdict (what superseded it, what it conflicts with)."""
    reason: str
    """Why, in one sentence."""
    text_sha256: str
    """SHA-256 of the span's text."""
    text: str | None = None
    """The span's text, only when the gateway stores text."""


class PartDecision(FrozenModel):
    """One message part: its highest authority, its status, and its spans."""

    message_index: int
    """Zero-based turn index in the client's request."""
    part_index: int
    """Zero-based part index."""
    role: str
    """The message's role."""
    authority: AuthorityOrNone
    """The highest authority of its spans."""
    status: CandidateStatus
    """The status that goes with it."""
    spans: tuple[SpanDecision, ...]
    """Its spans, in order."""


class SectionDecision(FrozenModel):
    """A spec section that was placed in context or did not simply apply."""

    id: str
    """The section id."""
    authority: AuthorityOrNone
    """Its effective authority."""
    status: CandidateStatus
    """Its verdict in this conversation."""
    related: str | None
    """The candidate that decided it (e.g. the message that overrode a default)."""
    reason: str
    """Why."""
    placed: bool
    """Whether it went into the preamble the model received (enforce mode)."""
    tokens: int | None = None
    """Its cost in the preamble, when placed."""


class IsolatedSpan(FrozenModel):
    """A span without authority placed between boundary markers (enforce mode)."""

    message_index: int
    """The turn it comes from."""
    part_index: int
    """The part it comes from."""
    start: int
    """Start offset in the part's text."""
    end: int
    """End offset (exclusive)."""
    kind: str
    """What it is (tool_output, untrusted, block_quote …)."""
    text_sha256: str
    """SHA-256 of its text."""
    text: str | None = None
    """Its text, only when the gateway stores text."""


class DecisionRecord(FrozenModel):
    """Everything the gateway decided for one request (one record per request)."""

    id: str
    """The decision id, also sent as ``x-specwright-decision-id``."""
    created: datetime
    """When the request arrived (UTC)."""
    spec_hash: str
    """The spec's content hash."""
    spec_version: str | None
    """The spec's version label."""
    mode: GatewayMode
    """The mode the request ran in."""
    api: Literal["chat.completions", "messages"] = "chat.completions"
    """The API the client called: OpenAI Chat Completions or Anthropic Messages."""
    client: str | None
    """The client key's name (never the key); ``None`` without auth or when auth failed."""
    stream: bool
    """Whether the client asked for a stream."""
    request_model: str | None
    """The model the client asked for."""
    upstream_model: str | None
    """The model the upstream said answered."""
    status: int
    """The HTTP status the client received."""
    error: str | None
    """What went wrong, in one line (no key, no message text)."""
    latency_ms: float
    """From the request's arrival to the last byte of the answer."""
    upstream_ms: float | None
    """Time spent waiting on the upstream (all attempts)."""
    overhead_ms: float
    """The gateway's own time: ``latency_ms - upstream_ms``."""
    prompt_tokens: int | None = None
    """Usage reported by the upstream."""
    completion_tokens: int | None = None
    """Usage reported by the upstream."""
    parts: tuple[PartDecision, ...] = ()
    """Every message part with its authority and status."""
    sections: tuple[SectionDecision, ...] = ()
    """Sections placed in context, and sections whose default was overridden or undecided."""
    isolated: tuple[IsolatedSpan, ...] = ()
    """Spans isolated between boundary markers."""
    adaptations: tuple[Adaptation, ...] = ()
    """What was changed in the request so that the upstream accepted it (its model profile:
    a developer message folded into the system message, and so on); empty when nothing was."""

    def placed_sections(self) -> tuple[str, ...]:
        """Ids of the sections placed in context."""
        return tuple(s.id for s in self.sections if s.placed)


@dataclass(slots=True)
class PendingDecision:
    """What the hot path knows about a request; the writer builds the record from it."""

    id: str
    created: float
    mode: GatewayMode
    client: str | None
    api: str = "chat.completions"
    stream: bool = False
    request_model: str | None = None
    upstream_model: str | None = None
    status: int = 0
    error: str | None = None
    latency_ms: float = 0.0
    upstream_ms: float | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    resolution: Resolution | None = None
    compiled: CompiledPrompt | None = None
    conversation: Conversation | None = None
    """Set instead of ``resolution`` in observe mode: the writer resolves it, off the hot path."""
    trace: BuiltTrace | None = None
    """Set instead of the three above when the CPU pool resolved the request."""
    boundary: str | None = None
    """The request's isolation boundary token (enforce mode): kept out of the answer."""
    overhead_ms: float | None = None
    """A stream's overhead, fixed when its first byte goes out (``None``: from the latency)."""
    adaptations: tuple[Adaptation, ...] = ()
    """What the upstream call changed in the request for the upstream's profile."""


def sha256_text(text: str) -> str:
    """The hex SHA-256 of ``text`` (UTF-8)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class SpanTrace(TypedDict):
    """A :class:`SpanDecision` as the trace stores it."""

    id: str
    kind: str | None
    authority: AuthorityOrNone
    status: CandidateStatus
    related: str | None
    reason: str
    text_sha256: str
    text: str | None


class PartTrace(TypedDict):
    """A :class:`PartDecision` as the trace stores it."""

    message_index: int
    part_index: int
    role: str
    authority: AuthorityOrNone
    status: CandidateStatus
    spans: list[SpanTrace]


class SectionTrace(TypedDict):
    """A :class:`SectionDecision` as the trace stores it."""

    id: str
    authority: AuthorityOrNone
    status: CandidateStatus
    related: str | None
    reason: str
    placed: bool
    tokens: int | None


class IsolatedTrace(TypedDict):
    """An :class:`IsolatedSpan` as the trace stores it."""

    message_index: int
    part_index: int
    start: int
    end: int
    kind: str
    text_sha256: str
    text: str | None


class DecisionTrace(TypedDict):
    """The ``trace`` column: the parts of :class:`DecisionRecord` that are not columns.

    Typed dicts, not models: building pydantic models for every span of every request would
    cost more than the rest of the record; :class:`DecisionRecord` validates the trace when it
    is read back (:mod:`specwright._serve._decision_store`), and a test keeps the keys of each
    typed dict equal to the fields of its model.
    """

    api: str
    parts: list[PartTrace]
    sections: list[SectionTrace]
    isolated: list[IsolatedTrace]


@dataclass(frozen=True, slots=True)
class BuiltTrace:
    """A trace already written as JSON (by the CPU pool), with the ids of its placed sections."""

    json: bytes
    placed: tuple[str, ...]


def build_trace(
    api: str,
    resolution: Resolution | None,
    compiled: CompiledPrompt | None,
    store_text: bool,
) -> DecisionTrace:
    """The decision trace of one request."""
    return {
        "api": api,
        "parts": _parts(resolution, store_text),
        "sections": _sections(resolution, compiled),
        "isolated": _isolated(compiled, store_text),
    }


def built_trace(trace: DecisionTrace) -> BuiltTrace:
    """``trace`` written as JSON, ready for :func:`build_row`."""
    import orjson  # the serve extra's; `specwright decisions` reads records without it

    placed = tuple(s["id"] for s in trace["sections"] if s["placed"])
    return BuiltTrace(orjson.dumps(trace), placed)


def build_row(
    pending: PendingDecision,
    spec: Spec,
    spec_hash: str,
    store_text: bool,
    index: SpecIndex | None = None,
) -> dict[str, Any]:
    """The ``decisions`` row for ``pending`` (built once per batch, off the request's path);
    ``spec_hash`` is ``spec.content_hash()``, computed once by the caller."""
    trace = pending.trace
    if trace is None:
        if pending.resolution is None and pending.conversation is not None:
            pending.resolution = resolve(spec, pending.conversation, index=index)
        built = build_trace(pending.api, pending.resolution, pending.compiled, store_text)
        trace = built_trace(built)
    upstream = pending.upstream_ms
    return {
        "decision_id": pending.id,
        "created": datetime.fromtimestamp(pending.created, UTC),
        "spec_hash": spec_hash,
        "spec_version": spec.version,
        "mode": pending.mode,
        "client": pending.client,
        "stream": pending.stream,
        "request_model": pending.request_model,
        "upstream_model": pending.upstream_model,
        "status": pending.status,
        "error": pending.error,
        "latency_ms": round(pending.latency_ms, 3),
        "upstream_ms": None if upstream is None else round(upstream, 3),
        "overhead_ms": round(_overhead_ms(pending), 3),
        "prompt_tokens": pending.prompt_tokens,
        "completion_tokens": pending.completion_tokens,
        "sections": "," + ",".join(trace.placed) + "," if trace.placed else "",
        "trace": _with_adaptations(trace.json, pending.adaptations).decode("utf-8"),
    }


def _with_adaptations(trace: bytes, adaptations: tuple[Adaptation, ...]) -> bytes:
    """The trace JSON with the request's adaptations (rare: only a narrowed profile adapts)."""
    if not adaptations:
        return trace
    import orjson

    data = orjson.loads(trace)
    data["adaptations"] = [a.model_dump(mode="json") for a in adaptations]
    return orjson.dumps(data)


def _overhead_ms(pending: PendingDecision) -> float:
    if pending.overhead_ms is not None:  # a stream: measured up to its first byte
        return pending.overhead_ms
    return max(pending.latency_ms - (pending.upstream_ms or 0.0), 0.0)


def _span(candidate: SpanCandidate, store_text: bool) -> SpanTrace:
    return {
        "id": candidate.id,
        "kind": candidate.kind,
        "authority": candidate.authority,
        "status": candidate.status,
        "related": candidate.related,
        "reason": candidate.reason,
        "text_sha256": sha256_text(candidate.text),
        "text": candidate.text if store_text else None,
    }


def _parts(resolution: Resolution | None, store_text: bool) -> list[PartTrace]:
    if resolution is None:
        return []
    return [
        {
            "message_index": part.message_index,
            "part_index": part.part_index,
            "role": part.role,
            "authority": part.authority,
            "status": part.status,
            "spans": [_span(s, store_text) for s in part.spans],
        }
        for part in resolution.parts()
    ]


def _sections(resolution: Resolution | None, compiled: CompiledPrompt | None) -> list[SectionTrace]:
    if resolution is None:
        return []
    placed = {s.id: s.tokens for s in compiled.sections} if compiled else {}
    return [
        {
            "id": c.section_id,
            "authority": c.authority,
            "status": c.status,
            "related": c.related,
            "reason": c.reason,
            "placed": c.section_id in placed,
            "tokens": placed.get(c.section_id),
        }
        for c in resolution.candidates
        if c.origin == "spec"
        and c.section_id is not None
        and (c.section_id in placed or c.status != "applicable")
    ]


def _isolated(compiled: CompiledPrompt | None, store_text: bool) -> list[IsolatedTrace]:
    if compiled is None:
        return []
    return [
        {
            "message_index": b.message_index,
            "part_index": b.part_index,
            "start": b.start,
            "end": b.end,
            "kind": b.kind,
            "text_sha256": sha256_text(b.text),
            "text": b.text if store_text else None,
        }
        for b in compiled.isolated
    ]
