from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
import report_factory as factory

from specwright import ConfigurationError, ResultsStore
from specwright._report._history import load_history, render_history
from specwright._results import RunResult

Golden = Callable[[str, str], None]


@pytest.fixture
def store(tmp_path: Path) -> ResultsStore:
    store = ResultsStore(f"sqlite:///{tmp_path / 'h.sqlite'}")
    store.add(factory.run_b())
    store.add(factory.run_a())
    return store


def test_history_markdown_golden(store: ResultsStore, golden: Golden) -> None:
    with store:
        golden("history.md", render_history(load_history(store), "markdown"))


def test_history_json_golden(store: ResultsStore, golden: Golden) -> None:
    with store:
        golden("history.json", render_history(load_history(store, ["be_honest"]), "json"))


def test_history_html_has_one_chart_per_section(store: ResultsStore) -> None:
    with store:
        html = render_history(load_history(store, ["be_honest", "style_guide"]), "html")
    assert html.count('class="chart history"') == 2
    assert html.count('class="point"') == 3  # be_honest in two runs, style_guide in one
    assert html.count('class="line"') == 0  # each series has one point per section: no line


def test_history_lines_join_a_models_runs(tmp_path: Path) -> None:
    with ResultsStore(f"sqlite:///{tmp_path / 'h.sqlite'}") as store:
        store.add(factory.run_a())
        store.add(factory.run_a().model_copy(update={"run_id": "run-a-again"}))
        html = render_history(load_history(store, ["follow_chain"]), "html")
    assert html.count('class="line"') == 1


def test_unknown_section(store: ResultsStore) -> None:
    with store, pytest.raises(ConfigurationError, match="nope"):
        load_history(store, ["nope"])


def test_history_html_tells_undefined_kappa_from_no_calibration(tmp_path: Path) -> None:
    run = factory.run_a()
    assert run.calibration is not None
    undefined = run.model_copy(
        update={"calibration": run.calibration.model_copy(update={"kappa": None})}
    )
    with ResultsStore(f"sqlite:///{tmp_path / 'h.sqlite'}") as store:
        store.add(undefined)
        store.add(factory.run_b())  # recorded no calibration
        page = render_history(load_history(store), "html")
    html = page.split('id="specwright-data"')[0]  # what is shown, without the data block
    assert html.count("judge unverified · κ undefined") == 1
    assert html.count("judge not calibrated") == 1
    assert html.count('<tr data-status="undefined">') == 1
    assert html.count('<tr data-status="missing">') == 1


def _weak(kappa: float | None, run_id: str = "run-weak") -> RunResult:
    run = factory.run_a()
    assert run.calibration is not None
    calibration = run.calibration.model_copy(update={"kappa": kappa})
    return run.model_copy(update={"run_id": run_id, "calibration": calibration})


@pytest.mark.parametrize("fmt", ["html", "markdown", "json"])
def test_weak_judge_is_flagged_in_every_history_format(tmp_path: Path, fmt: str) -> None:
    with ResultsStore(f"sqlite:///{tmp_path / 'h.sqlite'}") as store:
        store.add(_weak(0.0))
        text = render_history(load_history(store), fmt)  # type: ignore[arg-type]
    assert "calibrated: yes" not in text and "| yes |" not in text
    assert "judge is weak: kappa 0.00 is below 0.40" in text
    if fmt == "json":
        data = json.loads(text)
        assert data["judges"][0]["status"] == "weak"
        assert data["judges"][0]["verdict"] == "judge weak"
        assert len(data["warnings"]) == 1
    else:
        assert "judge weak · κ 0.00 (below 0.40)" in text


def test_history_threshold_comes_from_the_caller(tmp_path: Path) -> None:
    with ResultsStore(f"sqlite:///{tmp_path / 'h.sqlite'}") as store:
        store.add(_weak(0.5))
        lenient = load_history(store)
        strict = load_history(store, min_kappa=0.6)
    assert [j.status for j in lenient.judges] == ["ok"] and not lenient.warnings
    assert [j.status for j in strict.judges] == ["weak"] and len(strict.warnings) == 1


def _graded(run_id: str, grader: str, day: int, spec_hash: str = "a" * 64) -> RunResult:
    run = factory.run_a()
    return run.model_copy(
        update={
            "run_id": run_id,
            "grader": grader,
            "spec_hash": spec_hash,
            "created": datetime(2025, 2, day, tzinfo=UTC),
        }
    )


def test_history_never_joins_runs_across_graders_or_spec_hashes(tmp_path: Path) -> None:
    runs = [
        _graded("r1", "judge-1", 1),
        _graded("r2", "judge-2", 2),
        _graded("r3", "judge-1", 3),
        _graded("r4", "judge-1", 4, spec_hash="c" * 64),
        _graded("r5", "judge-2", 5),
    ]
    with ResultsStore(f"sqlite:///{tmp_path / 'h.sqlite'}") as store:
        for run in runs:
            store.add(run)
        history = load_history(store, ["follow_chain"])
    html = render_history(history, "html")
    series = re.findall(r'<g class="series" data-series="(\d+)">(.*?)</g>', html)
    # Same model throughout; lines per (grader, spec hash): judge-1/a {r1, r3}, judge-2/a
    # {r2, r5}, judge-1/c {r4}: two lines, and the lone run stands as a point.
    assert [body.count('class="line"') for _, body in series] == [1, 1, 0]
    assert [body.count('class="point"') for _, body in series] == [2, 2, 1]
    tips = [re.findall(r"<title>#(\d)", body) for _, body in series]
    assert tips == [["1", "3"], ["2", "5"], ["4"]]
    # r4 has the same spec version as r1 but another hash: its legend names the hash.
    assert "judge judge-2" in html and "(cccccccc)" in html


def test_history_x_labels_are_distinct_for_same_day_runs(tmp_path: Path) -> None:
    with ResultsStore(f"sqlite:///{tmp_path / 'h.sqlite'}") as store:
        for i in range(3):
            store.add(factory.run_a().model_copy(update={"run_id": f"same-day-{i}"}))
        html = render_history(load_history(store, ["be_honest"]), "html")
    labels = re.findall(r'<text [^>]*class="x-label"[^>]*><tspan [^>]*>([^<]*)</tspan>', html)
    assert labels == ["#1", "#2", "#3"]
