from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import report_factory as factory

from specwright import ConfigurationError, ResultsStore
from specwright._report._history import load_history, render_history

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
    assert html.count('class="line"') == 0  # each model has one point per section: no line


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
        html = render_history(load_history(store), "html")
    assert html.count("κ undefined") == 1
    assert html.count("no calibration") == 1
