"""Judge calibration arithmetic: confusion matrices, accuracy and Cohen's kappa.

GOOD answers are the positive class: a GOOD answer judged compliant is a true positive, a BAD
answer judged compliant a false positive. OK answers and unscored grades stay out of the
matrix. Pure functions; running the grader lives in :mod:`specwright._eval._calibrate`.
"""

from __future__ import annotations

from collections.abc import Iterable

from specwright._model import Label
from specwright._results import ConfusionMatrix

__all__ = ["accuracy", "cohens_kappa", "confusion", "merge"]


def confusion(pairs: Iterable[tuple[Label, bool | None]]) -> ConfusionMatrix:
    """Count ``(label, verdict)`` pairs; OK labels and ``None`` verdicts are skipped."""
    counts = {"tp": 0, "fp": 0, "tn": 0, "fn": 0}
    for label, compliant in pairs:
        if label == "OK" or compliant is None:
            continue
        positive = label == "GOOD"
        key = ("t" if positive == compliant else "f") + ("p" if compliant else "n")
        counts[key] += 1
    return ConfusionMatrix(**counts)


def merge(matrices: Iterable[ConfusionMatrix]) -> ConfusionMatrix:
    """The element-wise sum of confusion matrices."""
    total = {"tp": 0, "fp": 0, "tn": 0, "fn": 0}
    for matrix in matrices:
        for key in total:
            total[key] += getattr(matrix, key)
    return ConfusionMatrix(**total)


def _n(m: ConfusionMatrix) -> int:
    return m.tp + m.fp + m.tn + m.fn


def accuracy(m: ConfusionMatrix) -> float | None:
    """(tp + tn) / n, or ``None`` for an empty matrix."""
    n = _n(m)
    return (m.tp + m.tn) / n if n else None


def cohens_kappa(m: ConfusionMatrix) -> float | None:
    """Cohen's kappa between labels and verdicts; ``None`` for an empty matrix.

    When chance agreement is 1 (labels and verdicts all the same single class) kappa is
    undefined; it is reported as 1.0 for perfect agreement and 0.0 otherwise.
    """
    n = _n(m)
    if n == 0:
        return None
    observed = (m.tp + m.tn) / n
    label_pos, verdict_pos = (m.tp + m.fn) / n, (m.tp + m.fp) / n
    expected = label_pos * verdict_pos + (1 - label_pos) * (1 - verdict_pos)
    if expected == 1:
        return 1.0 if observed == 1 else 0.0
    return (observed - expected) / (1 - expected)
