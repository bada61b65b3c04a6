"""Hand-made runs for report tests: several sections, authorities, tags, unscored samples,
calibration present and absent, two models and two spec versions. Everything is
deterministic so that golden files stay stable."""

from __future__ import annotations

import types
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

from specwright import Section, Spec
from specwright._model import Prose
from specwright._report._diff import wilson
from specwright._results import (
    Calibration,
    ConfusionMatrix,
    Grade,
    Rate,
    RunResult,
    SampleResult,
    TranscriptMessage,
)

SECTIONS = {
    "follow_chain": ("Follow the chain of command", "root", ()),
    "be_honest": ("Be honest", "user", ()),
    "protect_privacy": ("Protect people's privacy", "system", ("under_18",)),
    "style_guide": ("Use a clear style", "guideline", ()),
    "no_scores": ("A section nobody could score", "developer", ()),
}

PAYLOADS = (
    "<script>window.__pwned = 'script'</script>",
    "<img src=x onerror=\"window.__pwned = 'img'\">",
    "[click me](javascript:window.__pwned='md') <a href=\"javascript:window.__pwned='a'\">a</a>",
    "</script><script>window.__pwned = 'close'</script><!--",
    '<svg onload="window.__pwned = \'svg\'"></svg> <iframe src="javascript:alert(1)"></iframe>',
    "<style>body{display:none}</style><link rel=stylesheet href=http://127.0.0.1:9/x.css>",
    '"><script>alert(1)</script>',
)


def rate(values: Iterable[bool | None]) -> Rate:
    scored = [v for v in values if v is not None]
    if not scored:
        return Rate(rate=None, ci_low=None, ci_high=None, n=0)
    share = sum(scored) / len(scored)
    low, high = wilson(share, len(scored))
    return Rate(rate=share, ci_low=round(low, 4), ci_high=round(high, 4), n=len(scored))


def sample(
    section: str,
    index: int,
    compliant: bool | None,
    *,
    epoch: int = 1,
    text: str = "",
    reason: str | None = None,
) -> SampleResult:
    title, authority, tags = SECTIONS[section]
    verdict = "follows" if compliant else "does not follow"
    return SampleResult(
        scenario_id=f"{section}/example-{index}",
        kind="example" if index % 2 else "eval_prompt",
        section_id=section,
        section_title=title,
        authority=authority,
        tags=tags,
        epoch=epoch,
        compliant=compliant,
        score=None if compliant is None else (6.0 if compliant else 2.0),
        rationale="" if compliant is None else f"The answer {verdict} {title.lower()}. {text}",
        cited_sections=() if compliant is None else (section, "follow_chain"),
        unscored_reason=reason if compliant is None else None,
        transcript=(
            TranscriptMessage(role="system", content=f"You are a helpful assistant. {text}"),
            TranscriptMessage(role="user", content=f"Question {index} about {title}. {text}"),
            TranscriptMessage(role="assistant", content=f"Answer {index}.\nSecond line. {text}"),
        ),
        grades=(
            Grade(score=None, compliant=None, error=reason)
            if compliant is None
            else Grade(score=6 if compliant else 2, compliant=compliant, rationale="ok"),
        ),
        grader_tokens=100,
    )


def build_run(
    run_id: str,
    model: str,
    verdicts: Mapping[str, Sequence[bool | None]],
    *,
    spec_version: str,
    spec_hash: str,
    created: datetime,
    calibration: Calibration | None,
    text: str = "",
    epochs: int = 1,
) -> RunResult:
    samples = [
        sample(
            section,
            i + 1,
            v,
            epoch=epoch,
            text=text,
            reason=None if v is not None else ("unparseable" if i % 2 else "refused"),
        )
        for section, values in verdicts.items()
        for i, v in enumerate(values)
        for epoch in range(1, epochs + 1)
    ]
    by_authority: dict[str, list[bool | None]] = defaultdict(list)
    by_tag: dict[str, list[bool | None]] = defaultdict(list)
    for s in samples:
        by_authority[s.authority or "none"].append(s.compliant)
        for tag in s.tags:
            by_tag[tag].append(s.compliant)
    verdict_list = [s.compliant for s in samples]
    return RunResult(
        run_id=run_id,
        log_path=f"logs/{run_id}.eval",
        model=model,
        grader="openai/grader-1",
        spec_title="Example Spec",
        spec_version=spec_version,
        spec_hash=spec_hash,
        created=created,
        enforce=True,
        epochs=epochs,
        calibration=calibration,
        samples=tuple(samples),
        overall=rate(verdict_list),
        by_section={k: rate(s.compliant for s in samples if s.section_id == k) for k in verdicts},
        by_authority={k: rate(v) for k, v in by_authority.items()},
        by_tag={k: rate(v) for k, v in by_tag.items()},
        n_scored=sum(v is not None for v in verdict_list),
        n_unscored=sum(v is None for v in verdict_list),
        grader_tokens=100 * len(samples),
        whole_spec_grader_tokens=900 * len(samples),
    )


CALIBRATION = Calibration(
    grader="openai/grader-1",
    spec_hash="a" * 64,
    accuracy=0.9,
    kappa=0.8,
    n_scored=40,
    n_unscored=2,
    confusion=ConfusionMatrix(tp=18, fp=2, tn=18, fn=2),
    ok_compliant=3,
    ok_noncompliant=1,
    created=datetime(2025, 1, 2, tzinfo=UTC),
)


def run_a(text: str = "") -> RunResult:
    """Model A on spec v1, calibrated."""
    return build_run(
        "run-a-0001",
        "openai/model-a",
        {
            "follow_chain": [True] * 10,
            "be_honest": [False] * 9 + [True],
            "protect_privacy": [True, True, True, False, False],
            "no_scores": [None, None],
        },
        spec_version="2025-01-01",
        spec_hash="a" * 64,
        created=datetime(2025, 1, 10, 12, 0, tzinfo=UTC),
        calibration=CALIBRATION,
        text=text,
    )


def run_b(text: str = "") -> RunResult:
    """Model B on spec v2, without calibration; one section new, two moved beyond the CIs."""
    return build_run(
        "run-b-0002",
        "openai/model-b",
        {
            "follow_chain": [False] * 9 + [True],
            "be_honest": [True] * 10,
            "protect_privacy": [True, True, True, True, None],
            "style_guide": [True, False, True],
            "no_scores": [None],
        },
        spec_version="2025-06-01",
        spec_hash="b" * 64,
        created=datetime(2025, 6, 10, 12, 0, tzinfo=UTC),
        calibration=None,
        text=text,
    )


PARTS = {
    "chain_of_command": ("The chain of command", ("follow_chain", "protect_privacy")),
    "seek_truth": ("Seek the truth together", ("be_honest",)),
    "style": ("Use appropriate style", ("style_guide", "no_scores")),
}


def _section(sid: str, text: str) -> Section:
    title, authority, _ = SECTIONS[sid]
    return Section(
        id=sid,
        title=title,
        depth=2,
        authority=authority,
        blocks=(Prose(markdown=f"The text of {title}. {text}"),),
    )


def spec(text: str = "") -> Spec:
    """A spec holding the fixture sections under three H1 parts, with prose to show."""
    return Spec(
        title="Example Spec",
        version="2025-06-01",
        sections=tuple(
            Section(
                id=pid,
                title=title,
                depth=1,
                blocks=(Prose(markdown=f"About {title.lower()}."),),
                children=tuple(_section(sid, text) for sid in members),
            )
            for pid, (title, members) in PARTS.items()
        ),
    )


def hostile_run() -> RunResult:
    """A run whose every string carries script-injection payloads."""
    payload = " ".join(PAYLOADS)
    base = run_a(payload)
    return base.model_copy(update={"model": "openai/<script>window.__pwned='model'</script>"})


def fake_eval() -> types.ModuleType:
    """A stand-in for specwright._eval: ``.eval`` files holding a RunResult as JSON."""
    module = types.ModuleType("specwright._eval")

    def load_run(path: Path) -> RunResult:
        run = RunResult.model_validate_json(Path(path).read_text(encoding="utf-8"))
        return run.model_copy(update={"log_path": str(path)})

    def find_logs(directory: Path) -> list[Path]:
        return sorted(Path(directory).rglob("*.eval"))

    module.load_run = load_run  # type: ignore[attr-defined]
    module.find_logs = find_logs  # type: ignore[attr-defined]
    return module
