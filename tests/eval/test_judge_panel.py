"""``JudgePanel``: the judges an eval runs with, and the saved calibrations it records."""

from __future__ import annotations

from pathlib import Path

from specwright import Calibration, ConfusionMatrix
from specwright._eval._calibrate import save_calibration
from specwright._eval._panel import JudgePanel
from specwright._eval._provider import resolve_model_name

A, B = "openai-api/local/judge-a", "openai-api/local/judge-b"


def _save(log_dir: Path, judge: str, sections: tuple[str, ...] = ()) -> str:
    calibration = Calibration(
        grader=resolve_model_name(judge), spec_hash="h" * 64, accuracy=1.0, kappa=1.0,
        n_scored=2, n_unscored=0, confusion=ConfusionMatrix(tp=1, tn=1), sections=sections,
    )  # fmt: skip
    return str(save_calibration(calibration, log_dir))


def test_one_judge_without_a_calibration_is_named_as_given(tmp_path: Path) -> None:
    panel = JudgePanel.of((A,), tmp_path, "h" * 64)
    assert panel.grader == resolve_model_name(A) != A  # as it will run
    assert (panel.graders, panel.calibration, panel.judge_calibrations) == ((), None, ())
    assert panel.uncalibrated == (A,)  # as the user named it, for the warning


def test_several_judges_record_the_calibrations_that_exist(tmp_path: Path) -> None:
    saved = _save(tmp_path, B)
    panel = JudgePanel.of((A, B), tmp_path, "h" * 64)
    assert panel.graders == (resolve_model_name(A), resolve_model_name(B))
    assert panel.grader == panel.graders[0] and panel.calibration is None
    assert panel.judge_calibrations == (saved,) and panel.uncalibrated == (A,)


def test_an_eval_of_sections_takes_their_own_calibration(tmp_path: Path) -> None:
    saved = _save(tmp_path, A, ("a", "b"))
    assert JudgePanel.of((A,), tmp_path, "h" * 64, ("b", "a")).calibration == saved
    assert JudgePanel.of((A,), tmp_path, "h" * 64, ("a",)).calibration is None
    whole = _save(tmp_path, A)  # the whole spec's covers any sections
    assert JudgePanel.of((A,), tmp_path, "h" * 64, ("a", "b")).calibration == whole
