"""Generation: plan requests per (section, kind), call the generator, keep what is sound.

Every reply is parsed strictly (:mod:`._parse`); bad replies are counted per section by reason
and never written. Valid items become draft records (:mod:`._kinds`) carrying provenance; near
duplicates of each other, of the file's existing records and of rejected records are dropped
(:mod:`._dedupe`), which is how a rejected scenario stays rejected.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import get_args

from datasketch import MinHash
from pydantic import BaseModel, ConfigDict, Field

from specwright._generate._client import GeneratorClient, GeneratorSettings, Reply
from specwright._generate._dedupe import Deduper, diversity_of, record_text, signature
from specwright._generate._kinds import ITEM_MODELS, Request, build_records
from specwright._generate._parse import BadReason, envelope, parse_item, reply_schema
from specwright._generate._prompts import (
    PROMPT_VERSION,
    SYSTEM_PROMPT,
    generation_prompt,
    partner_section,
)
from specwright._llm import UnparsedReply
from specwright._model import Spec
from specwright._scenarios import DraftProvenance, GeneratedKind, ScenarioRecord, select_sections

__all__ = [
    "ALL_KINDS",
    "GenerationResult",
    "SectionReport",
    "collect",
    "collect_replies",
    "generate",
    "parse_reply",
    "plan_requests",
    "rejected_by_section",
]

ALL_KINDS: tuple[GeneratedKind, ...] = tuple(k for k in get_args(GeneratedKind) if k != "variant")
"""The kinds a generator is asked for (a ``variant`` is only proposed by adaptive search)."""


class SectionReport(BaseModel):
    """What generation produced for one section."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    section_id: str
    """The section."""
    requests: int = 0
    """Generator requests made for it."""
    written: int = 0
    """New draft records written."""
    by_kind: dict[str, int] = Field(default_factory=dict)
    """New records per kind."""
    bad: dict[str, int] = Field(default_factory=dict)
    """Bad replies or items by reason (empty, refusal, not_json, wrong_fields, request_failed)."""
    duplicates: int = 0
    """Items dropped as near-duplicates (of each other, existing or rejected records)."""
    diversity: float | None = None
    """1 − mean pairwise similarity of the section's scenarios in the file (None below two)."""
    tokens: int = 0
    """Generator tokens spent on it."""


class GenerationResult(BaseModel):
    """New records and the per-section account."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    records: list[ScenarioRecord]
    """New draft records, in plan order."""
    sections: dict[str, SectionReport]
    """Per-section reports, in spec order."""
    requests: int
    """Generator requests made."""
    tokens: int
    """Generator tokens spent."""
    seconds: float
    """Wall time of the requests."""
    unparsed: list[UnparsedReply] = Field(default_factory=list)
    """Replies (whole) that could not be read, or held items that could not: kept to be read."""
    failures: list[str] = Field(default_factory=list)
    """The distinct one-line reasons requests failed (a timeout names its flag)."""


def plan_requests(
    spec: Spec,
    *,
    sections: Sequence[str] | None,
    kinds: Sequence[GeneratedKind],
    per_section: int,
    seed: int,
    rejected: dict[str, list[tuple[str, str]]] | None = None,
) -> list[Request]:
    """One request per (section, kind); kinds a section cannot support are skipped.

    Paraphrases need the section's own examples; principle interactions need a second section.
    """
    wanted = select_sections(spec, sections)
    requests: list[Request] = []
    for section in spec.walk():
        if section.id not in wanted:
            continue
        for kind in kinds:
            partner = partner_section(spec, section) if kind == "principle_interaction" else None
            if (kind == "paraphrase" and not section.examples) or (
                kind == "principle_interaction" and partner is None
            ):
                continue
            prompt = generation_prompt(
                spec, section, kind, per_section, (rejected or {}).get(section.id, [])
            )
            requests.append(
                Request(
                    section_id=section.id,
                    kind=kind,
                    n=per_section,
                    seed=seed + len(requests),
                    prompt=prompt,
                    partner=partner.id if partner else None,
                )
            )
    return requests


@dataclass
class Parsed:
    """One reply, parsed as soon as it arrives: its records per item, or why not.

    ``signatures`` holds the MinHash of each item's first record, computed on arrival too.
    """

    request: Request
    tokens: int = 0
    bad: list[BadReason] = field(default_factory=list)
    items: list[list[ScenarioRecord]] = field(default_factory=list)
    signatures: list[MinHash] = field(default_factory=list)
    unparsed: UnparsedReply | None = None
    failure: str | None = None


def parse_reply(spec: Spec, request: Request, reply: Reply, provenance: DraftProvenance) -> Parsed:
    """The records each item of ``reply`` becomes (before dedupe), and its bad items."""
    parsed = Parsed(request=request, tokens=reply.tokens, failure=reply.error)
    items = envelope(reply)
    if isinstance(items, str):
        parsed.bad.append(items)
        if reply.text.strip() and items != "request_failed":
            parsed.unparsed = _unparsed(request, reply, items)
        return parsed
    for raw in items:
        item = parse_item(ITEM_MODELS[request.kind], raw)
        built = build_records(spec, request, item, provenance) if item is not None else None
        if built:
            parsed.items.append(built)
            parsed.signatures.append(signature(record_text(built[0])))
        else:
            parsed.bad.append("wrong_fields")
    if parsed.bad:
        why = f"wrong_fields: {len(parsed.bad)} of {len(items)} item(s)"
        parsed.unparsed = _unparsed(request, reply, why)
    return parsed


def _unparsed(request: Request, reply: Reply, reason: str) -> UnparsedReply:
    what = f"section {request.section_id}, kind {request.kind}, seed {request.seed}"
    return UnparsedReply(request=what, reason=reason, text=reply.text, structured=reply.structured)


def request_schema(request: Request) -> dict[str, object]:
    """The JSON Schema the reply to ``request`` is asked to fit."""
    return reply_schema(ITEM_MODELS[request.kind])


def provenance_for(
    request: Request, generator: str, settings: GeneratorSettings
) -> DraftProvenance:
    """What a record of ``request`` records about its origin."""
    return DraftProvenance(
        generator=generator,
        seed=request.seed,
        temperature=settings.temperature,
        round=request.round,
        parent=request.parent,
        prompt_version=PROMPT_VERSION,
    )


async def generate(
    spec: Spec,
    *,
    requests: Sequence[Request],
    client: GeneratorClient,
    existing: Sequence[ScenarioRecord] = (),
    on_reply: Callable[[Request], None] | None = None,
) -> GenerationResult:
    """Send every request (bounded concurrency inside the client) and collect the records.

    Each reply is parsed the moment it arrives, while later requests are still waiting on the
    server, so that parsing overlaps the generator's latency instead of following it.
    """
    started = time.perf_counter()
    name, settings = client.endpoint.name, client.settings

    async def one(request: Request) -> Parsed:
        reply = await client.complete(
            SYSTEM_PROMPT, request.prompt, request.seed, request_schema(request), "scenarios"
        )
        if on_reply is not None:
            on_reply(request)
        return parse_reply(spec, request, reply, provenance_for(request, name, settings))

    tasks = [asyncio.ensure_future(one(r)) for r in requests]
    # The file's own records are indexed while the first requests wait on the server.
    dedupers = await _indexed(existing)
    parsed = await asyncio.gather(*tasks)
    seconds = time.perf_counter() - started
    return collect(parsed, existing=existing, seconds=seconds, dedupers=dedupers)


async def _indexed(existing: Sequence[ScenarioRecord]) -> dict[str, Deduper]:
    dedupers: dict[str, Deduper] = {}
    for index, record in enumerate(existing):
        dedupers.setdefault(record.section, Deduper()).add(record.id, record_text(record))
        if index % 20 == 19:
            await asyncio.sleep(0)  # let replies that have arrived be parsed meanwhile
    return dedupers


def collect_replies(
    spec: Spec,
    *,
    requests: Sequence[Request],
    replies: Sequence[Reply],
    generator: str,
    settings: GeneratorSettings,
    existing: Sequence[ScenarioRecord] = (),
) -> GenerationResult:
    """Parse replies already received, then :func:`collect` them."""
    parsed = [
        parse_reply(spec, r, reply, provenance_for(r, generator, settings))
        for r, reply in zip(requests, replies, strict=True)
    ]
    return collect(parsed, existing=existing)


def collect(
    parsed: Sequence[Parsed],
    *,
    existing: Sequence[ScenarioRecord] = (),
    seconds: float = 0.0,
    dedupers: dict[str, Deduper] | None = None,
) -> GenerationResult:
    """Dedupe and count in plan order (so results do not depend on arrival order).

    ``dedupers``: the file's records already indexed per section (else indexed here).
    """
    if dedupers is None:
        dedupers = {}
        for record in existing:
            dedupers.setdefault(record.section, Deduper()).add(record.id, record_text(record))
    reports = {p.request.section_id: SectionReport(section_id=p.request.section_id) for p in parsed}
    records: list[ScenarioRecord] = []
    for one in parsed:
        report = reports[one.request.section_id]
        report.requests += 1
        report.tokens += one.tokens
        for reason in one.bad:
            _count(report, reason)
        deduper = dedupers.setdefault(one.request.section_id, Deduper())
        records += _kept(one, report, deduper)
    _finish(reports, dedupers, {r.id for r in existing if r.status == "rejected"})
    return GenerationResult(
        records=records,
        sections=reports,
        requests=len(parsed),
        tokens=sum(p.tokens for p in parsed),
        seconds=round(seconds, 3),
        unparsed=[p.unparsed for p in parsed if p.unparsed is not None],
        failures=list(dict.fromkeys(p.failure for p in parsed if p.failure is not None)),
    )


def _kept(parsed: Parsed, report: SectionReport, deduper: Deduper) -> list[ScenarioRecord]:
    kept: list[ScenarioRecord] = []
    for built, minhash in zip(parsed.items, parsed.signatures, strict=True):
        # The first record stands for the item: an authority conflict's placements and a
        # benign twin are near-identical to their siblings on purpose.
        if deduper.seen(built[0].id, record_text(built[0]), minhash) is not None:
            report.duplicates += 1
            continue
        kept += built
        for record in built:
            kind = record.generated.kind if record.generated else parsed.request.kind
            report.by_kind[kind] = report.by_kind.get(kind, 0) + 1
        report.written += len(built)
    return kept


def _count(report: SectionReport, reason: BadReason) -> None:
    report.bad[reason] = report.bad.get(reason, 0) + 1


def _finish(
    reports: dict[str, SectionReport], dedupers: dict[str, Deduper], rejected: set[str]
) -> None:
    # One signature per group of near-duplicates: an authority conflict's placements and a
    # benign twin repeat their item on purpose and would make every section look repetitive.
    for section_id, report in reports.items():
        deduper = dedupers.get(section_id)
        kept = deduper.kept() if deduper is not None else {}
        report.diversity = diversity_of([h for k, h in kept.items() if k not in rejected])


def rejected_by_section(records: Sequence[ScenarioRecord]) -> dict[str, list[tuple[str, str]]]:
    """Rejected records per section as (first user text, reason), for the generator prompt."""
    found: dict[str, list[tuple[str, str]]] = {}
    for record in records:
        if record.status != "rejected":
            continue
        users = [m.content for m in record.messages if m.role == "user"]
        text = users[-1] if users else record.messages[-1].content
        found.setdefault(record.section, []).append((text, record.reason or "no reason given"))
    return found
