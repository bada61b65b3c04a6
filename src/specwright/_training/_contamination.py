"""Train/eval contamination: exports recorded in the results store, and the warning ``eval`` gives.

An export made ``--for-model M`` records the scenario ids of its train split. A later eval of a
model named ``M`` (exactly, or as the last part of an Inspect name such as
``openai-api/local/M``) on any of those scenarios measures memory, not compliance: ``eval``
says so, naming how many scenarios and which export.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from specwright._training._export import ExportManifest

__all__ = ["contamination_warning", "model_matches", "record_export"]


def record_export(db_url: str, manifest: ExportManifest, *, model: str, path: str) -> str:
    """Record ``manifest``'s splits as training data for ``model``; return the export id."""
    from specwright._report._store import ResultsStore, TrainingExport

    export_id = hashlib.sha256(
        f"{manifest.model_dump_json()}\x00{model}\x00{path}".encode()
    ).hexdigest()[:32]
    export = TrainingExport(
        export_id=export_id,
        created=manifest.created,
        model=model,
        spec_hash=manifest.spec_hash,
        spec_version=manifest.spec_version,
        format=manifest.format,
        path=path,
        train_scenarios=manifest.train_scenarios,
        test_scenarios=manifest.test_scenarios,
    )
    with ResultsStore(db_url) as store:
        store.record_training_export(export)
    return export_id


def model_matches(trained: str, evaluated: str) -> bool:
    """Whether an export ``--for-model trained`` is about the ``evaluated`` model name."""
    return evaluated == trained or evaluated.rsplit("/", 1)[-1] == trained.rsplit("/", 1)[-1]


def contamination_warning(db_url: str, model: str, scenario_ids: Iterable[str]) -> str | None:
    """One warning line when ``model`` was trained on some of ``scenario_ids``, else ``None``."""
    from specwright._report._store import ResultsStore

    ids = list(dict.fromkeys(scenario_ids))
    with ResultsStore(db_url) as store:
        hits = [t for t in store.trained_scenarios(ids) if model_matches(t.model, model)]
    if not hits:
        return None
    scenarios = {t.scenario_id for t in hits}
    newest = hits[0]
    return (
        f"warning: {len(scenarios)} of {len(ids)} scenarios were exported as training data for "
        f"{newest.model} ({newest.path}, {newest.created:%Y-%m-%d}): their results measure "
        "memory, not compliance"
    )
