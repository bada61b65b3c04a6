"""Judge calibration arithmetic: confusion matrices, accuracy and Cohen's kappa.

GOOD answers are the positive class: a GOOD answer judged compliant is a true positive, a BAD
answer judged compliant a false positive. OK answers and unscored grades stay out of the
matrix. Pure functions; running the grader lives in the eval package (``_eval._calibrate``).
"""

from __future__ import annotations

from collections.abc import Iterable

from specwright._model import Label
from specwright._results._models import ConfusionMatrix

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
    """Cohen's kappa between labels and verdicts; ``None`` where it is undefined.

    Undefined means an empty matrix, or labels and verdicts that all fall in one and the same
    class (chance agreement is then 1 and kappa is 0/0): such a calibration says nothing about
    whether the grader tells GOOD from BAD, and reporting 1.0 would claim it does. Computed in
    integers so that "chance agreement is exactly 1" is decided exactly.
    """
    n = _n(m)
    labels_pos, labels_neg = m.tp + m.fn, m.fp + m.tn
    verdicts_pos, verdicts_neg = m.tp + m.fp, m.fn + m.tn
    chance = labels_pos * verdicts_pos + labels_neg * verdicts_neg  # n² × expected agreement
    denominator = n * n - chance
    if denominator == 0:
        return None
    return (n * (m.tp + m.tn) - chance) / denominator
