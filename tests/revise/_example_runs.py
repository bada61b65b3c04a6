"""Hand-made runs on the packaged example spec for ``propose`` tests.

Two models split on ``local_currency`` (guideline level, so a revision is an overlay), every
model fails ``protect_documents`` (root level, so a revision is a patched copy), and everyone
agrees on ``concise_options``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from specwright import example_spec_path, read_spec
from specwright._results import RunResult, SampleResult, TranscriptMessage
from tests.report import report_factory as factory

WHEN = datetime(2026, 1, 1, tzinfo=UTC)
EXAMPLE_HASH = read_spec(example_spec_path()).content_hash()
TITLES = {
    "local_currency": ("Use the traveller's currency", "guideline"),
    "protect_documents": ("Keep travel documents private", "root"),
    "concise_options": ("Keep option lists short", "guideline"),
}


def example_sample(section: str, n: int, compliant: bool) -> SampleResult:
    """Sample ``n`` of ``section``: a price question answered in dollars."""
    title, authority = TITLES[section]
    return SampleResult(
        scenario_id=f"{section}/example-{n}", kind="example", section_id=section,
        section_title=title, authority=authority, compliant=compliant,
        score=6.0 if compliant else 2.0, rationale="judged",
        transcript=(TranscriptMessage(role="user", content=f"How much is trip {n}?"),
                    TranscriptMessage(role="assistant", content=f"Trip {n} costs 54 USD.")),
    )  # fmt: skip


def example_run(run_id: str, model: str, currency: list[bool]) -> RunResult:
    """A run with ``currency`` verdicts on local_currency, one failure, one agreement."""
    samples = [example_sample("local_currency", i + 1, v) for i, v in enumerate(currency)]
    samples += [example_sample("protect_documents", 1, False),
                example_sample("concise_options", 1, True)]  # fmt: skip
    run = factory.build_run(run_id, model, {}, spec_version="v", spec_hash=EXAMPLE_HASH,
                            created=WHEN, calibration=None)  # fmt: skip
    return run.model_copy(update={"samples": tuple(samples)})


def write_runs(directory: Path) -> list[Path]:
    """Run JSON files of two models that split on local_currency/example-1."""
    paths = []
    for run_id, model, verdicts in (
        ("ra", "model-a", [True, True]),
        ("rb", "model-b", [False, True]),
    ):
        path = directory / f"{run_id}.json"
        path.write_text(example_run(run_id, model, verdicts).model_dump_json(), encoding="utf-8")
        paths.append(path)
    return paths
