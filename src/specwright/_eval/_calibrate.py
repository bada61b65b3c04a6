"""Running judge calibration: grade the spec's own labelled answers and compare with the labels.

Each labelled answer is graded as the final turn of its example's conversation, with the
example's *other* labelled answers as anchors (showing the grader the answer's own label would
make the test meaningless). Calibrations are saved as JSON beside the eval logs, keyed by
grader and spec hash, so that ``specwright eval`` can record which one it ran with.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from inspect_ai.model import Model
from pydantic import Field
from tenacity import RetryError

from specwright._errors import ConfigurationError, GraderFailure
from specwright._eval._judge import GraderSettings, run_grader
from specwright._eval._messages import message_text
from specwright._eval._prompt import Budget, grader_prompt, grader_system_prompt
from specwright._eval._provider import ModelReplyError, inspect_model
from specwright._frozen import FrozenModel
from specwright._model import Example, Label, LabelledAnswer, Section, Spec
from specwright._results import (
    Calibration,
    JudgeAgreement,
    JudgeVerdict,
    SampleResult,
    Verdict,
    accuracy,
    cohens_kappa,
    confusion,
    judge_agreement,
    judge_agreements,
    merge,
)
from specwright._scenarios import select_sections

__all__ = [
    "GraderFailure",
    "JudgesCalibration",
    "LabelledCase",
    "calibrate",
    "calibrate_async",
    "calibrate_judges",
    "calibrate_judges_async",
    "calibration_for",
    "calibration_path",
    "find_calibration",
    "labelled_cases",
    "save_calibration",
]


class LabelledCase(FrozenModel):
    """One labelled answer to grade."""

    section: Section
    """The governing section."""
    example: Example
    """The example the answer belongs to."""
    answer: LabelledAnswer
    """The labelled answer."""


def labelled_cases(spec: Spec, sections: list[str] | None = None) -> list[LabelledCase]:
    """Every labelled answer of the spec (of ``sections`` and their descendants, if given)."""
    wanted = select_sections(spec, sections)
    return [
        LabelledCase(section=section, example=example, answer=answer)
        for section, example in spec.examples()
        if section.id in wanted and example.messages
        for answer in example.answers
    ]


def _prompt(spec: Spec, case: LabelledCase, budget: Budget | None) -> str:
    anchors = [a for a in case.example.answers if a is not case.answer]
    transcript = [(m.role, message_text(m)) for m in case.example.messages]
    transcript.append(("assistant", message_text(case.answer.message)))
    return grader_prompt(spec, case.section.id, anchors, transcript, budget)


def _cases(
    spec: Spec, sections: list[str] | None, extra: Sequence[LabelledCase] = ()
) -> list[LabelledCase]:
    wanted = select_sections(spec, sections)
    cases = labelled_cases(spec, sections) + [c for c in extra if c.section.id in wanted]
    if not cases:
        # An empty calibration would be saved and then recorded by `specwright eval` as if the
        # grader had been measured.
        where = "the chosen sections" if sections else "the spec's sections"
        raise ConfigurationError(f"nothing to calibrate: {where} have no labelled answers")
    return cases


async def calibrate_async(
    spec: Spec,
    grader: str | Model,
    *,
    sections: list[str] | None = None,
    settings: GraderSettings | None = None,
    budget: Budget | None = None,
    max_connections: int = 10,
    extra_cases: Sequence[LabelledCase] = (),
) -> Calibration:
    """Grade every labelled answer with ``grader`` and compare verdicts with the labels.

    ``extra_cases`` are graded too: e.g. people's feedback as labelled cases
    (``specwright calibrate --with-feedback``).
    """
    cases = _cases(spec, sections, extra_cases)
    verdicts = await _grade_cases(
        spec, grader, cases, settings=settings, budget=budget, max_connections=max_connections
    )
    return _report(spec, _name(grader), cases, verdicts, sections)


async def calibrate_judges_async(
    spec: Spec,
    graders: Sequence[str],
    *,
    sections: list[str] | None = None,
    settings: GraderSettings | None = None,
    budget: Budget | None = None,
    max_connections: int = 10,
    on_done: Callable[[Calibration], None] | None = None,
    extra_cases: Sequence[LabelledCase] = (),
) -> JudgesCalibration:
    """Calibrate each of several judges on the same labelled answers, one judge after the
    other, and measure how far the judges agree with each other on them.

    ``on_done`` receives each judge's calibration as soon as it is made (to save it: a judge
    that fails later does not lose the others' paid-for grades).
    """
    cases = _cases(spec, sections, extra_cases)
    graded: list[list[Verdict]] = []
    reports: list[Calibration] = []  # each made once: what was saved is what is returned
    for grader in graders:
        verdicts = await _grade_cases(
            spec, grader, cases, settings=settings, budget=budget, max_connections=max_connections
        )
        graded.append(verdicts)
        reports.append(_report(spec, grader, cases, verdicts, sections))
        (on_done or (lambda _: None))(reports[-1])
    rows = [
        SampleResult(
            scenario_id=f"{case.example.id}#{index}", kind="example",
            section_id=case.section.id, compliant=None,
            judges=tuple(
                JudgeVerdict(grader=grader, compliant=verdicts[index].compliant)
                for grader, verdicts in zip(graders, graded, strict=True)
            ),
        )
        for index, case in enumerate(cases)
    ]  # fmt: skip
    return JudgesCalibration(
        calibrations=tuple(reports),
        agreement=judge_agreement(rows),
        agreement_by_section=judge_agreements(rows),
    )


def _name(grader: str | Model) -> str:
    return grader if isinstance(grader, str) else str(grader)


async def _grade_cases(
    spec: Spec,
    grader: str | Model,
    cases: list[LabelledCase],
    *,
    settings: GraderSettings | None,
    budget: Budget | None,
    max_connections: int,
) -> list[Verdict]:
    """Every case's verdict by ``grader``; a grader that fails for good is a GraderFailure."""
    # A fresh, closed-after-use client (a memoized one would outlive this event loop) with
    # bounded retries: Inspect's default would retry a refused connection forever.
    model = (
        grader
        if isinstance(grader, Model)
        else inspect_model(grader, max_connections=max_connections)
    )
    settings = settings or GraderSettings()
    gate = asyncio.Semaphore(max_connections)
    system = grader_system_prompt()

    async def grade(case: LabelledCase) -> Verdict:
        async with gate:
            return await run_grader(model, system, _prompt(spec, case, budget), settings)

    try:
        return list(await asyncio.gather(*(grade(c) for c in cases)))
    except Exception as exc:
        # What escapes a model call after Inspect's retries depends on the provider: the SDK's
        # own status errors (openai.NotFoundError, ...), Inspect's unexported ModelGenerateError,
        # tenacity's RetryError once retries are spent. This is the one boundary where a grader
        # failure of any kind becomes GraderFailure; the original stays chained for callers.
        raise GraderFailure(f"grader {str(model)!r} failed: {_failure(exc)}") from exc
    finally:
        if not isinstance(grader, Model):
            await model.api.aclose()


def _failure(exc: BaseException) -> str:
    if isinstance(exc, RetryError):
        exc = exc.last_attempt.exception() or exc
    if isinstance(exc, ModelReplyError):
        return exc.message  # names model, URL, HTTP status and body already
    # ModelGenerateError's own text quotes the whole request; its provider message does not.
    message = getattr(exc, "provider_message", None) or str(exc)
    status = getattr(exc, "status_code", None)
    prefix = f"HTTP {status}: " if status else f"{type(exc).__name__}: "
    return prefix + " ".join(str(message).split())[:300]


def calibrate(
    spec: Spec,
    grader: str | Model,
    *,
    sections: list[str] | None = None,
    settings: GraderSettings | None = None,
    budget: Budget | None = None,
    max_connections: int = 10,
    extra_cases: Sequence[LabelledCase] = (),
) -> Calibration:
    """Synchronous :func:`calibrate_async` (do not call from a running event loop)."""
    return asyncio.run(
        calibrate_async(
            spec,
            grader,
            sections=sections,
            settings=settings,
            budget=budget,
            max_connections=max_connections,
            extra_cases=extra_cases,
        )
    )


class JudgesCalibration(FrozenModel):
    """Several judges calibrated on the same labelled answers."""

    calibrations: tuple[Calibration, ...] = Field(serialization_alias="judges")
    """Each judge's calibration, in the order given (``judges`` in ``calibrate --json``)."""
    agreement: JudgeAgreement | None
    """How far the judges agree with each other on the labelled answers (OK ones included)."""
    agreement_by_section: dict[str, JudgeAgreement]
    """The same per section id."""


def calibrate_judges(
    spec: Spec,
    graders: Sequence[str],
    *,
    sections: list[str] | None = None,
    settings: GraderSettings | None = None,
    budget: Budget | None = None,
    max_connections: int = 10,
    on_done: Callable[[Calibration], None] | None = None,
    extra_cases: Sequence[LabelledCase] = (),
) -> JudgesCalibration:
    """Synchronous :func:`calibrate_judges_async` (do not call from a running event loop)."""
    return asyncio.run(
        calibrate_judges_async(
            spec, graders, sections=sections, settings=settings, budget=budget,
            max_connections=max_connections, on_done=on_done, extra_cases=extra_cases,
        )
    )  # fmt: skip


def _report(
    spec: Spec,
    grader: str,
    cases: list[LabelledCase],
    verdicts: list[Verdict],
    sections: Sequence[str] | None,
) -> Calibration:
    pairs: dict[str, list[tuple[Label, bool | None]]] = defaultdict(list)
    ok = [0, 0]
    for case, verdict in zip(cases, verdicts, strict=True):
        pairs[case.section.id].append((case.answer.label, verdict.compliant))
        if case.answer.label == "OK" and verdict.compliant is not None:
            ok[0 if verdict.compliant else 1] += 1
    by_section = {sid: confusion(p) for sid, p in pairs.items()}
    total = merge(by_section.values())
    reasons = Counter(
        v.unscored_reason or "no grader sample was scored" for v in verdicts if v.compliant is None
    )
    return Calibration(
        grader=grader,
        spec_hash=spec.content_hash(),
        accuracy=accuracy(total),
        kappa=cohens_kappa(total),
        n_scored=total.tp + total.fp + total.tn + total.fn,
        n_unscored=sum(reasons.values()),
        confusion=total,
        by_section=by_section,
        ok_compliant=ok[0],
        ok_noncompliant=ok[1],
        created=datetime.now(UTC),
        sections=tuple(sorted(set(sections or ()))),
        unscored_reasons=dict(reasons.most_common()),
    )


def calibration_path(
    directory: Path, grader: str, spec_hash: str, sections: Sequence[str] = ()
) -> Path:
    """Where the calibration of ``grader`` on the spec with ``spec_hash`` is saved: one file
    for the whole spec, another for each set of ``sections`` (so that calibrating a few
    sections never replaces the whole spec's calibration)."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", grader)[:60]
    digest = hashlib.sha256(grader.encode()).hexdigest()[:8]
    subset = ""
    if sections:
        key = ",".join(sorted(set(sections)))
        subset = f"-sections-{hashlib.sha256(key.encode()).hexdigest()[:12]}"
    return directory / "calibrations" / f"{slug}-{digest}-{spec_hash[:16]}{subset}.json"


def calibration_for(
    directory: Path, grader: str, spec_hash: str, sections: Sequence[str] = ()
) -> Path:
    """The calibration an eval of ``sections`` (empty: all) records: the whole spec's when
    saved (it covers any sections), else one of exactly these sections. The path may not exist.
    """
    whole = calibration_path(directory, grader, spec_hash)
    if whole.is_file() or not sections:
        return whole
    exact = calibration_path(directory, grader, spec_hash, sections)
    return exact if exact.is_file() else whole


def save_calibration(calibration: Calibration, directory: Path) -> Path:
    """Write ``calibration`` beside the logs in ``directory``; return the file's path."""
    path = calibration_path(
        directory, calibration.grader, calibration.spec_hash, calibration.sections
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(calibration.model_dump_json(indent=2) + "\n", encoding="utf-8")
    return path


def find_calibration(
    directory: Path, grader: str, spec_hash: str, sections: Sequence[str] = ()
) -> Calibration | None:
    """The saved calibration of ``grader`` on this spec (on exactly ``sections``), or ``None``."""
    path = calibration_path(directory, grader, spec_hash, sections)
    if not path.is_file():
        return None
    return Calibration.model_validate_json(path.read_text(encoding="utf-8"))
