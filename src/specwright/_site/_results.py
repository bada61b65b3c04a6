"""Each section's latest compliance from the results store, for the site's ``--results``."""

from __future__ import annotations

from specwright._model import Spec
from specwright._site._render import SectionResult

__all__ = ["latest_results"]


def latest_results(url: str, spec: Spec) -> dict[str, SectionResult]:
    """Section id → its latest result: from a run of this very spec when there is one,
    else from the latest run of any version (marked so on the page)."""
    from specwright._report._store import ResultsStore  # the report extra (SQLAlchemy)

    digest = spec.content_hash()
    results: dict[str, SectionResult] = {}
    with ResultsStore(url) as store:
        known = {section_id for section_id, _ in store.sections()}
        for section in spec.walk():
            if section.id not in known:
                continue
            points = store.section_history(section.id)
            same = [p for p in points if p.spec_hash == digest]
            point = (same or points)[-1]
            results[section.id] = SectionResult(
                rate=point.rate.rate,
                n=point.rate.n,
                model=point.model,
                created=point.created,
                same_spec=bool(same),
            )
    return results
