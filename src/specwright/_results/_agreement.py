"""Agreement between several judges: Fleiss' kappa and pairwise Cohen's kappa, and the
headline verdict of a sample graded by several judges.

Items are a run's samples (scenario × epoch), categories compliant and non-compliant. Fleiss'
kappa counts only the samples every judge scored (it needs the same number of ratings per
item); each pair's Cohen's kappa counts the samples both judges of the pair scored, through
:func:`specwright._results.cohens_kappa` with the first judge in the role of the labels.
Computed with exact fractions, so that "chance agreement is exactly 1" (kappa undefined) is
decided exactly, as for calibration.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from fractions import Fraction
from itertools import combinations

from specwright._errors import ConfigurationError
from specwright._results._calibration import cohens_kappa, confusion
from specwright._results._models import JudgeAgreement, JudgeVerdict, PairAgreement, SampleResult

__all__ = [
    "agreement_line",
    "fleiss_kappa",
    "judge_agreement",
    "judge_agreements",
    "kappa_text",
    "majority_verdict",
]


def majority_verdict(verdicts: Iterable[bool | None]) -> bool | None:
    """The headline verdict of several judges: the majority of those that scored.

    A tie is non-compliant (the answer did not convince a majority of the judges that scored
    it); ``None`` when no judge scored.
    """
    scored = [v for v in verdicts if v is not None]
    if not scored:
        return None
    return sum(scored) * 2 > len(scored)


def fleiss_kappa(ratings: Sequence[Sequence[bool]]) -> float | None:
    """Fleiss' kappa of ``ratings`` (one row per item, one verdict per judge, equal lengths).

    ``None`` for no item, fewer than two judges, or when every verdict falls in one class
    (chance agreement 1: kappa is 0/0).
    """
    if not ratings or len(ratings[0]) < 2:
        return None
    raters = len(ratings[0])
    if any(len(row) != raters for row in ratings):
        raise ConfigurationError("Fleiss' kappa needs the same number of judges on every item")
    items = len(ratings)
    yes = [sum(row) for row in ratings]
    observed = Fraction(
        sum(k * k + (raters - k) * (raters - k) - raters for k in yes),
        items * raters * (raters - 1),
    )
    share_yes = Fraction(sum(yes), items * raters)
    chance = share_yes**2 + (1 - share_yes) ** 2
    if chance == 1:
        return None
    return float((observed - chance) / (1 - chance))


def _pair(first: int, second: int, rows: Sequence[Sequence[JudgeVerdict]]) -> PairAgreement:
    both = [
        (row[first].compliant, row[second].compliant)
        for row in rows
        if row[first].compliant is not None and row[second].compliant is not None
    ]
    same = sum(1 for a, b in both if a == b)
    matrix = confusion(("GOOD" if a else "BAD", b) for a, b in both)
    return PairAgreement(
        graders=(rows[0][first].grader, rows[0][second].grader),
        kappa=cohens_kappa(matrix),
        agreement=same / len(both) if both else None,
        n=len(both),
    )


def judge_agreement(samples: Iterable[SampleResult]) -> JudgeAgreement | None:
    """Agreement between the judges of ``samples``; ``None`` when they have one judge.

    Samples judged by another panel (results carried over from a baseline run graded by
    other judges, ``eval --changed-since``) stay out: only the panel that judged most samples
    is measured.
    """
    panels = [s.judges for s in samples if len(s.judges) >= 2]
    if not panels:
        return None
    names = Counter(tuple(v.grader for v in row) for row in panels)
    panel = max(names, key=lambda key: names[key])  # ties: the panel seen first
    rows = [row for row in panels if tuple(v.grader for v in row) == panel]
    width = len(panel)
    complete = [[v.compliant for v in row] for row in rows]
    scored = [[bool(c) for c in row] for row in complete if None not in row]
    return JudgeAgreement(
        fleiss_kappa=fleiss_kappa(scored),
        n=len(scored),
        pairs=tuple(_pair(a, b, rows) for a, b in combinations(range(width), 2)),
    )


def judge_agreements(samples: Iterable[SampleResult]) -> dict[str, JudgeAgreement]:
    """:func:`judge_agreement` per section id (sections without several judges left out)."""
    grouped: dict[str, list[SampleResult]] = defaultdict(list)
    for sample in samples:
        grouped[sample.section_id].append(sample)
    found = {sid: judge_agreement(items) for sid, items in grouped.items()}
    return {sid: agreement for sid, agreement in found.items() if agreement is not None}


def kappa_text(kappa: float | None) -> str:
    """A kappa for people: two decimals, or ``undefined``."""
    return "undefined" if kappa is None else f"{kappa:.2f}"


def agreement_line(agreement: JudgeAgreement) -> str:
    """One line: Fleiss' kappa, then each pair's Cohen's kappa and share of equal verdicts."""
    pairs = "; ".join(
        f"{a} vs {b}: Cohen's kappa {kappa_text(p.kappa)}"
        + (f", {p.agreement:.0%} agree" if p.agreement is not None else "")
        + f" (n={p.n})"
        for p in agreement.pairs
        for a, b in [p.graders]
    )
    return f"Fleiss' kappa {kappa_text(agreement.fleiss_kappa)} (n={agreement.n}); {pairs}"
