"""An ``unclear`` verdict: kept, listed and counted, but no label anywhere labels are used.

Adjudication keeps the judge's verdict (or the newest label), ``calibrate --with-feedback``
builds no case from it, ``export-data`` builds no pair on a sample whose newest word from a
person is doubt, and the report counts it beside the overrules.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from specwright._cli import main
from specwright._results import RunResult, SampleResult, TranscriptMessage
from specwright._results._feedback import Feedback, make_feedback, parse_sample_ref
from specwright._results._store import ResultsStore
from specwright._revise._adjudicate import adjudicate, unclear_samples, without_unclear
from specwright._revise._cases import feedback_cases
from specwright._training import ExportOptions, export_training_data
from tests._factories import small_spec
from tests.report import report_factory as factory


def _run() -> RunResult:
    return factory.build_run(
        "run-1", "m", {"be_honest": [True, False]}, spec_version="v", spec_hash="h" * 64,
        created=datetime(2026, 1, 1, tzinfo=UTC), calibration=None,
    )  # fmt: skip


def _said(run: RunResult, sample: str, verdict: str, seconds: int = 0) -> Feedback:
    item = make_feedback(run, parse_sample_ref(sample), verdict, author="ann")  # type: ignore[arg-type]
    return item.model_copy(update={"created": item.created + timedelta(seconds=seconds)})


def test_unclear_is_kept_but_never_a_label_in_adjudication() -> None:
    run = _run()
    doubt = _said(run, "be_honest/example-2", "unclear")
    assert doubt.compliant is None and not doubt.is_label and not doubt.overrules_judge
    assert adjudicate(run, [doubt]) is run  # the judge's verdict stands
    label = _said(run, "be_honest/example-2", "compliant")
    later_doubt = _said(run, "be_honest/example-2", "unclear", seconds=5)
    decided = adjudicate(run, [label, later_doubt])  # the newest label wins, doubt aside
    assert decided.n_adjudicated == 1 and decided.overall.rate == 1.0
    assert unclear_samples([label, later_doubt]) == {("run-1", "be_honest/example-2", 1)}
    assert (
        unclear_samples([later_doubt, _said(run, "be_honest/example-2", "compliant", 9)]) == set()
    )


def test_unclear_feedback_makes_no_calibration_case() -> None:
    run = _run().model_copy(
        update={"samples": tuple(
            s.model_copy(update={"transcript": (
                TranscriptMessage(role="user", content="q"),
                TranscriptMessage(role="assistant", content="a"),
            )}) for s in _run().samples
        )}
    )  # fmt: skip
    spec = factory.spec()
    items = [_said(run, "be_honest/example-1", "unclear"),
             _said(run, "be_honest/example-2", "non-compliant")]  # fmt: skip
    found = feedback_cases(spec, items, lambda _: run)
    assert [c.answer.label for c in found.cases] == ["BAD"]
    assert found.skipped == {"verdict unclear (not a label)": 1}


def _answer(text: str, compliant: bool, epoch: int) -> SampleResult:
    return SampleResult(
        scenario_id="no_harm/example-1", kind="example", section_id="no_harm", epoch=epoch,
        compliant=compliant, transcript=(TranscriptMessage(role="user", content="question"),
                                         TranscriptMessage(role="assistant", content=text)),
    )  # fmt: skip


def test_export_builds_no_pair_on_a_sample_a_person_found_unclear() -> None:
    spec = small_spec()
    run = factory.build_run("r", "m", {}, spec_version="1", spec_hash=spec.content_hash(),
                            created=datetime(2026, 1, 1, tzinfo=UTC), calibration=None)  # fmt: skip
    run = run.model_copy(update={"samples": (_answer("safe", True, 1), _answer("harm", False, 2)),
                                 "grader": None})  # fmt: skip
    options = ExportOptions(format="dpo", from_spec=False, split_by="none", min_kappa=0.0)
    labels = [_said(run, "no_harm/example-1", "compliant"),
              _said(run, "no_harm/example-1@2", "non-compliant")]  # fmt: skip
    assert len(export_training_data(spec, options, [adjudicate(run, labels)]).records) == 1
    items = [*labels, _said(run, "no_harm/example-1@2", "unclear", seconds=5)]
    kept = without_unclear([adjudicate(run, items)], unclear_samples(items))
    assert [s.epoch for s in kept[0].samples] == [1]
    assert export_training_data(spec, options, kept).records == ()


def test_feedback_add_unclear_through_the_cli_and_the_report_counts_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = f"sqlite:///{tmp_path / 'store.sqlite'}"
    monkeypatch.setenv("SPECWRIGHT_RESULTS_DB", db)
    monkeypatch.setitem(sys.modules, "specwright._eval", None)  # no log reading: runs are JSON
    path = tmp_path / "run-1.json"
    path.write_text(_run().model_dump_json(), encoding="utf-8")
    argv = ["feedback", "add", str(path), "be_honest/example-2", "--verdict", "unclear",
            "--note", "the section does not say"]  # fmt: skip
    assert main(argv) == 0
    assert "is unclear" in capsys.readouterr().err
    with ResultsStore(db) as store:
        [item] = store.feedback()
    assert item.verdict == "unclear" and item.note == "the section does not say"
    assert main(["report", str(path), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["n_adjudicated"] == 0
    html = tmp_path / "r.html"
    assert main(["report", str(path), "-o", str(html)]) == 0
    assert "feedback: 1 (0 overrule the judge, 1 unclear)" in html.read_text(encoding="utf-8")


def test_export_data_cli_leaves_out_what_a_person_found_unclear(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPECWRIGHT_RESULTS_DB", f"sqlite:///{tmp_path / 'store.sqlite'}")
    monkeypatch.setitem(sys.modules, "specwright._eval", None)
    spec = small_spec()
    (tmp_path / "spec.json").write_text(spec.model_dump_json(), encoding="utf-8")
    run = factory.build_run("r", "m", {}, spec_version="1", spec_hash=spec.content_hash(),
                            created=datetime(2026, 1, 1, tzinfo=UTC), calibration=None)  # fmt: skip
    run = run.model_copy(update={"samples": (_answer("safe", True, 1), _answer("harm", False, 2))})
    (tmp_path / "r.json").write_text(run.model_dump_json(), encoding="utf-8")
    for sample, verdict in (("no_harm/example-1", "compliant"),
                            ("no_harm/example-1@2", "non-compliant")):  # fmt: skip
        assert (
            main(["feedback", "add", str(tmp_path / "r.json"), sample, "--verdict", verdict]) == 0
        )

    def export() -> tuple[dict[str, int], str]:
        argv = ["export-data", "--spec", str(tmp_path / "spec.json"), "--format", "dpo",
                "--from-runs", str(tmp_path / "r.json"), "--no-spec-pairs", "--split", "none",
                "-o", str(tmp_path / "pairs.jsonl"), "--json"]  # fmt: skip
        capsys.readouterr()
        assert main(argv) == 0
        out, err = capsys.readouterr()
        return json.loads(out)["counts"], err

    assert export()[0]["train"] == 1
    time.sleep(0.01)  # the doubt is newer than the label
    argv = ["feedback", "add", str(tmp_path / "r.json"), "no_harm/example-1@2", "--verdict",
            "unclear"]  # fmt: skip
    assert main(argv) == 0
    counts, err = export()
    assert counts["train"] == 0 and "left out 1 sample(s) a person found unclear" in err
