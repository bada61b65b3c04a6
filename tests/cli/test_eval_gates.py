"""Gates: judge validity warnings, nothing scored, --fail-under, outputs checked before any call."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from specwright import Spec, render_report
from specwright._cli import main
from specwright._eval._calibrate import save_calibration
from specwright._results import Calibration, ConfusionMatrix
from tests.cli.test_eval_cli import _eval_args, respond
from tests.eval._server import ScriptedServer, env_server, is_grader_request
from tests.eval.conftest import eval_spec

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "report"))
import report_factory as factory


@pytest.fixture
def spec_file(tmp_path: Path) -> Path:
    path = tmp_path / "spec.json"
    path.write_text(eval_spec().model_dump_json(), encoding="utf-8")
    return path


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[ScriptedServer]:
    with env_server(monkeypatch, respond) as running:
        yield running


def _run(spec_file: Path, logs: Path, *extra: str) -> list[str]:
    return [*_eval_args(spec_file, logs, "--grader-samples", "1", "--no-index"), *extra]


def _calibrate(logs: Path, spec_file: Path, kappa: float | None) -> None:
    spec = Spec.model_validate_json(spec_file.read_text(encoding="utf-8"))
    calibration = Calibration(
        grader="openai-roles/local/judge",
        spec_hash=spec.content_hash(),
        accuracy=0.5 if kappa is not None else None,
        kappa=kappa,
        n_scored=8,
        n_unscored=0,
        confusion=ConfusionMatrix(tp=2, fp=2, tn=2, fn=2),
    )
    save_calibration(calibration, logs)


@pytest.mark.parametrize(
    "case",
    [
        (0.0, None, "warning: judge is weak: kappa 0.00 is below 0.40"),
        (None, None, "warning: judge calibration has an undefined kappa"),
        (0.0, "0.0", None),
    ],
)
@pytest.mark.usefixtures("server")
def test_eval_warns_when_the_recorded_judge_is_not_trusted(
    spec_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    case: tuple[float | None, str | None, str | None],
) -> None:
    kappa, min_kappa, warning = case
    if min_kappa is not None:
        monkeypatch.setenv("SPECWRIGHT_MIN_KAPPA", min_kappa)
    logs = tmp_path / "logs"
    _calibrate(logs, spec_file, kappa)
    assert main(_run(spec_file, logs, "--limit", "1")) == 0
    err = capsys.readouterr().err
    if warning is None:
        # No warning about the judge (the note on provider names may name the judge model).
        assert not [line for line in err.splitlines() if "warning" in line and "judge" in line]
    else:
        assert warning in err


def test_nothing_scored_exits_1(
    spec_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refusing(body: dict[str, Any]) -> str:
        return "I will not grade this." if is_grader_request(body) else "COMPLIED"

    with env_server(monkeypatch, refusing):
        code = main(_run(spec_file, tmp_path / "logs", "--json"))
    captured = capsys.readouterr()
    assert code == 1
    assert json.loads(captured.out)["n_unscored"] == 4
    assert "nothing was scored" in captured.err


def test_fail_under_gates_on_overall_compliance(
    server: ScriptedServer, spec_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Two of the four scenarios are violated: overall 50%.
    assert main(_run(spec_file, tmp_path / "a", "--fail-under", "0.6")) == 1
    assert "compliance 50.0% is below --fail-under 60.0%" in capsys.readouterr().err
    assert main(_run(spec_file, tmp_path / "b", "--fail-under", "0.5")) == 0
    assert main(_run(spec_file, tmp_path / "c", "--fail-under", "1.5")) == 2


@pytest.mark.parametrize(
    "url", ["sqlite:////nonexistent-dir/sub/results.sqlite", "nosuchdriver://x/y"]
)
def test_results_db_is_checked_before_any_model_call(
    server: ScriptedServer,
    spec_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    url: str,
) -> None:
    args = [a for a in _run(spec_file, tmp_path / "logs") if a != "--no-index"]
    code = main([*args, "--results-db", url])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err, err
    assert url in err
    assert server.requests == []


def test_report_output_of_unknown_format_fails_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["report", str(tmp_path / "missing.json"), "-o", str(tmp_path / "r.pdf")])
    err = capsys.readouterr().err
    assert code == 2 and "-o" in err and "'.pdf'" in err and "missing.json" not in err, err
    assert not (tmp_path / "r.pdf").exists()


def test_fail_on_regression_names_what_regressed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(render_report([factory.run_a()], "json"), encoding="utf-8")
    b.write_text(render_report([factory.run_b()], "json"), encoding="utf-8")
    code = main(["report", "--baseline", str(a), str(b), "--fail-on-regression"])
    err = capsys.readouterr().err
    assert code == 1
    assert "regressed against baseline run-a-0001:" in err
    assert "  section follow_chain: " in err and "worse beyond the 95% intervals" in err
