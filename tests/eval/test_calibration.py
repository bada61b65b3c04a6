"""Calibration arithmetic on known confusion matrices (kappa computed by hand)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from specwright._results import ConfusionMatrix
from specwright._results._calibration import accuracy, cohens_kappa, confusion, merge


def test_kappa_hand_computed() -> None:
    # n=50: observed 35/50 = .7; labels 25/50 positive, verdicts 30/50 positive;
    # chance .5*.6 + .5*.4 = .5; kappa = (.7 - .5) / (1 - .5) = .4.
    m = ConfusionMatrix(tp=20, fn=5, fp=10, tn=15)
    assert accuracy(m) == pytest.approx(0.7)
    assert cohens_kappa(m) == pytest.approx(0.4)
    # n=100: observed .6; chance .6*.7 + .4*.3 = .54; kappa = .06 / .46.
    assert cohens_kappa(ConfusionMatrix(tp=45, fn=15, fp=25, tn=15)) == pytest.approx(0.06 / 0.46)


def test_perfect_inverted_and_degenerate_matrices() -> None:
    assert cohens_kappa(ConfusionMatrix(tp=3, tn=2)) == 1.0
    assert cohens_kappa(ConfusionMatrix(fp=2, fn=2)) == -1.0
    # Total disagreement with unequal marginals: chance .6*.4 + .4*.6 = .48 → -.48/.52.
    assert cohens_kappa(ConfusionMatrix(fp=2, fn=3)) == pytest.approx(-0.48 / 0.52)
    # One class, all agree: chance agreement is 1, kappa is 0/0 — undefined, not 1.0.
    assert cohens_kappa(ConfusionMatrix(tp=4)) is None
    assert cohens_kappa(ConfusionMatrix(tn=3)) is None
    # One label class but both verdicts: chance agreement .5, observed .5 → 0.
    assert cohens_kappa(ConfusionMatrix(tp=2, fn=2)) == 0.0
    assert cohens_kappa(ConfusionMatrix()) is None and accuracy(ConfusionMatrix()) is None


def test_confusion_skips_ok_labels_and_unscored_verdicts() -> None:
    pairs = [("GOOD", True), ("GOOD", False), ("BAD", True), ("BAD", False), ("BAD", False)]
    m = confusion([*pairs, ("OK", True), ("GOOD", None)])  # type: ignore[list-item]
    assert m == ConfusionMatrix(tp=1, fn=1, fp=1, tn=2)
    assert merge([m, m]) == ConfusionMatrix(tp=2, fn=2, fp=2, tn=4)


counts = st.integers(min_value=0, max_value=50)


@given(counts, counts, counts, counts)
def test_kappa_is_bounded_and_never_above_accuracy_gain(tp: int, fp: int, tn: int, fn: int) -> None:
    m = ConfusionMatrix(tp=tp, fp=fp, tn=tn, fn=fn)
    kappa, acc = cohens_kappa(m), accuracy(m)
    if tp + fp + tn + fn == 0:
        assert kappa is None and acc is None
        return
    # Undefined exactly when labels and verdicts all fall in one and the same class.
    only_agreement_in_one_class = fp == fn == 0 and (tp == 0 or tn == 0)
    assert (kappa is None) == only_agreement_in_one_class
    if kappa is None:
        return
    assert acc is not None
    assert -1.0 - 1e-9 <= kappa <= 1.0 + 1e-9
    assert kappa <= acc + 1e-9 or acc == 1.0
