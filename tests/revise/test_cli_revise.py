"""``feedback``, ``disagreements`` and adjudication in ``report``, through the CLI."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from specwright._cli import main
from specwright._report._store import ResultsStore
from specwright._results import RunResult
from tests.report import report_factory as factory


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _write_run(tmp_path: Path, run_id: str = "run-1", model: str = "m") -> Path:
    result: RunResult = factory.build_run(
        run_id, model, {"be_honest": [True, False], "style_guide": [True]},
        spec_version="v", spec_hash="h" * 64, created=datetime(2026, 1, 1, tzinfo=UTC),
        calibration=None,
    )  # fmt: skip
    path = tmp_path / f"{run_id}.json"
    path.write_text(result.model_dump_json(), encoding="utf-8")
    return path


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    monkeypatch.setenv("SPECWRIGHT_RESULTS_DB", url)
    return url


def _count(url: str) -> int:
    with ResultsStore(url) as store:
        return len(store.feedback())


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["RUN", "nope/example-9", "--verdict", "compliant"], "SAMPLE nope/example-9: not in run"),
        (["RUN", "be_honest/example-1", "--verdict", "compliantt"], "'compliantt' is not one of"),
        (["RUN", "be_honest/example-1", "--verdict", "compliant", "--section", "zz"],
         "no section 'zz'"),
        (["no-such-run", "be_honest/example-1", "--verdict", "compliant"],
         "no such file, and no indexed run"),
    ],
)  # fmt: skip
def test_malformed_feedback_is_one_line_exit_2_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: str, argv: list[str], needle: str
) -> None:
    path = _write_run(tmp_path)
    argv = [str(path) if a == "RUN" else a for a in argv]
    code, _, err = run(capsys, "feedback", "add", *argv)
    assert code == 2 and needle in err and len(err.strip().splitlines()) == 1
    assert _count(db) == 0


def test_feedback_add_list_export_and_report_adjudicates(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: str
) -> None:
    path = _write_run(tmp_path)
    code, _, err = run(
        capsys, "feedback", "add", str(path), "be_honest/example-2", "--verdict", "compliant",
        "--note", "judge missed it", "--author", "ann",
    )  # fmt: skip
    assert code == 0, err
    assert "is compliant (judge: non-compliant)" in err
    code, out, _ = run(capsys, "feedback", "list", "--json")
    [item] = json.loads(out)
    assert item["author"] == "ann" and item["judge_verdict"] == "non-compliant"
    code, out, _ = run(capsys, "feedback", "export")
    assert json.loads(out.splitlines()[0])["note"] == "judge missed it"
    code, out, err = run(capsys, "report", str(path), "--format", "json")
    assert code == 0, err
    report = json.loads(out)
    assert report["n_adjudicated"] == 1
    assert report["overall"]["rate"] == 1.0 and report["judge_overall"]["rate"] == pytest.approx(
        2 / 3
    )
    assert "1 sample(s) adjudicated by people (judge alone: 66.7%)" in err


def test_disagreements_cli_formats(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: str
) -> None:
    a, b = _write_run(tmp_path, "ra", "model-a"), _write_run(tmp_path, "rb", "model-b")
    code, out, err = run(capsys, "disagreements", str(a), str(b), "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["models"] == ["model-a", "model-b"] and data["sections"]
    code, _, err = run(capsys, "disagreements", str(a), str(b), "-o", str(tmp_path / "d.html"))
    assert code == 0 and (tmp_path / "d.html").read_text().startswith("<!DOCTYPE html>")
    code, _, err = run(capsys, "disagreements", str(tmp_path / "missing.json"))
    assert code == 2 and "no such file" in err
