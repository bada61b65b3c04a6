"""The judge-validity verdict shared by eval, report and history."""

from __future__ import annotations

import pytest

from specwright._results import Calibration, ConfusionMatrix, judge_validity
from specwright._settings import Settings


def _calibration(kappa: float | None) -> Calibration:
    return Calibration(
        grader="g",
        spec_hash="h",
        accuracy=None,
        kappa=kappa,
        n_scored=4,
        n_unscored=0,
        confusion=ConfusionMatrix(tp=2, tn=2),
    )


@pytest.mark.parametrize(
    ("kappa", "status"),
    [(None, "undefined"), (0.0, "weak"), (0.39, "weak"), (0.4, "ok"), (1.0, "ok")],
)
def test_status_by_kappa(kappa: float | None, status: str) -> None:
    verdict = judge_validity(_calibration(kappa), threshold=0.4)
    assert verdict.status == status
    assert verdict.trusted is (status == "ok")


def test_missing_calibration() -> None:
    verdict = judge_validity(None)
    assert verdict.status == "missing"
    assert "no calibration" in verdict.message


def test_weak_message_names_both_numbers() -> None:
    assert "0.10 is below 0.60" in judge_validity(_calibration(0.1), threshold=0.6).message


def test_threshold_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPECWRIGHT_MIN_KAPPA", "0.7")
    assert Settings().min_kappa == 0.7
