"""``export-data``: a spec (and judged runs) → training records, split, written with a manifest.

Files: ``OUT`` holds the train split, ``OUT`` with ``.test`` before its suffix the test split;
OpenAI formats put each record's metadata in a ``.metadata.jsonl`` sidecar, line for line;
``.manifest.json`` records the spec, the split rule and the scenario ids of each split, so
that evals can tell which scenarios a model may have been trained on.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import cast

from pydantic import Field

from specwright._errors import ConfigurationError
from specwright._frozen import FrozenModel
from specwright._model import Spec
from specwright._results import RunResult
from specwright._training._formats import (
    PREFERENCE_FORMATS,
    RECORD_TYPES,
    TrainingRecord,
    to_record,
)
from specwright._training._from_runs import run_pairs
from specwright._training._from_spec import spec_demonstrations, spec_pairs
from specwright._training._items import Demonstration, PreferencePair, Skipped
from specwright._training._records import RecordMetadata, Split, TrainingFormat
from specwright._training._split import SplitBy, assign_split

__all__ = [
    "ExportManifest",
    "ExportOptions",
    "ExportResult",
    "ExportedRecord",
    "SkippedItem",
    "export_paths",
    "export_training_data",
    "read_records",
    "write_export",
]


class ExportOptions(FrozenModel):
    """What to export and how to split it."""

    format: TrainingFormat = "sft"
    """The file format."""
    include_ok: bool = False
    """SFT formats: OK answers become demonstrations too."""
    from_spec: bool = True
    """Preference formats: take the spec's own GOOD-over-BAD comparisons."""
    split_by: SplitBy = "scenario"
    """What a split keeps together."""
    test_share: float = Field(default=0.2, ge=0.0, lt=1.0)
    """Share of scenarios (or sections) held out for testing."""
    seed: int = 0
    """Seed of the split."""
    min_kappa: float = 0.4
    """Runs whose judge's calibrated kappa is below this contribute no pairs."""


class SkippedItem(FrozenModel):
    """A would-be record that was not written."""

    source_id: str
    """The example, scenario or run."""
    reason: str
    """Why."""


class ExportedRecord(FrozenModel):
    """One record and its provenance (kept apart for formats that cannot hold it inline)."""

    record: TrainingRecord
    """The line as written."""
    metadata: RecordMetadata
    """Its provenance, split included."""


class ExportManifest(FrozenModel):
    """What an export holds: written beside the data, and recorded in the results store."""

    format: TrainingFormat
    spec_title: str
    spec_version: str | None
    spec_hash: str
    created: datetime
    split_by: SplitBy
    test_share: float
    seed: int
    counts: dict[str, int]
    """Records per split and per source."""
    train_scenarios: tuple[str, ...]
    """Scenario ids with a record in the train split (an eval on them measures memory)."""
    test_scenarios: tuple[str, ...]
    """Scenario ids held out."""
    skipped: tuple[SkippedItem, ...] = ()
    """Would-be records not written, with reasons."""


class ExportResult(FrozenModel):
    """Records (train and test) and the manifest."""

    records: tuple[ExportedRecord, ...]
    manifest: ExportManifest

    def split(self, split: Split) -> tuple[ExportedRecord, ...]:
        """The records of one split, in export order."""
        return tuple(r for r in self.records if r.metadata.split == split)


def export_training_data(
    spec: Spec, options: ExportOptions, runs: Sequence[RunResult] = ()
) -> ExportResult:
    """Build every record of ``spec`` (and of judged ``runs``) in ``options.format``."""
    items, skipped = _items(spec, options, runs)
    records = []
    for item in items:
        split = assign_split(
            item.metadata, options.split_by, test_share=options.test_share, seed=options.seed
        )
        meta = item.metadata.model_copy(update={"split": split})
        records.append(ExportedRecord(record=to_record(item, options.format, meta), metadata=meta))
    manifest = _manifest(spec, options, records, skipped)
    return ExportResult(records=tuple(records), manifest=manifest)


def _items(
    spec: Spec, options: ExportOptions, runs: Sequence[RunResult]
) -> tuple[list[Demonstration] | list[PreferencePair], list[Skipped]]:
    if options.format not in PREFERENCE_FORMATS:
        if runs:
            raise ConfigurationError(
                "--from-runs makes preference pairs: use --format dpo or openai-preference"
            )
        return spec_demonstrations(spec, include_ok=options.include_ok)
    pairs, skipped = spec_pairs(spec) if options.from_spec else ([], [])
    if runs:
        more, more_skipped = run_pairs(spec, runs, min_kappa=options.min_kappa)
        pairs, skipped = pairs + more, skipped + more_skipped
    return pairs, skipped


def _manifest(
    spec: Spec,
    options: ExportOptions,
    records: Sequence[ExportedRecord],
    skipped: Sequence[Skipped],
) -> ExportManifest:
    counts: Counter[str] = Counter(r.metadata.split for r in records)
    counts.update(f"source:{r.metadata.source}" for r in records)
    by_split: dict[Split, list[str]] = {"train": [], "test": []}
    for record in records:
        by_split[record.metadata.split].append(record.metadata.scenario_id)
    return ExportManifest(
        format=options.format,
        spec_title=spec.title,
        spec_version=spec.version,
        spec_hash=spec.content_hash(),
        created=datetime.now(UTC),
        split_by=options.split_by,
        test_share=options.test_share if options.split_by != "none" else 0.0,
        seed=options.seed,
        counts={"train": counts["train"], "test": counts["test"], **_sources(counts)},
        train_scenarios=tuple(dict.fromkeys(by_split["train"])),
        test_scenarios=tuple(dict.fromkeys(by_split["test"])),
        skipped=tuple(SkippedItem(source_id=s.source_id, reason=s.reason) for s in skipped),
    )


def _sources(counts: Counter[str]) -> dict[str, int]:
    return {k: v for k, v in sorted(counts.items()) if k.startswith("source:")}


def export_paths(out: Path) -> dict[str, Path]:
    """Where each file of an export to ``out`` goes."""
    stem, suffix = out.with_suffix(""), out.suffix or ".jsonl"
    return {
        "train": out,
        "test": Path(f"{stem}.test{suffix}"),
        "train_metadata": Path(f"{stem}.metadata{suffix}"),
        "test_metadata": Path(f"{stem}.test.metadata{suffix}"),
        "manifest": Path(f"{stem}.manifest.json"),
    }


def write_export(result: ExportResult, out: Path) -> list[Path]:
    """Write the export's files (each atomically) and return their paths."""
    paths = export_paths(out)
    inline = result.manifest.format in ("sft", "dpo")
    written = []
    for split in ("train", "test"):
        records = result.split(split)
        if split == "test" and not records:
            continue
        lines = [r.record.model_dump_json(exclude_none=True) for r in records]
        written.append(_write_lines(paths[split], lines))
        if not inline:
            meta = [r.metadata.model_dump_json(exclude_none=True) for r in records]
            written.append(_write_lines(paths[f"{split}_metadata"], meta))
    manifest = result.manifest.model_dump_json(indent=2) + "\n"
    written.append(_atomic_write(paths["manifest"], manifest))
    return written


def _write_lines(path: Path, lines: Sequence[str]) -> Path:
    return _atomic_write(path, "".join(line + "\n" for line in lines))


def _atomic_write(path: Path, text: str) -> Path:
    # A reader (or a trainer) never sees half a file: write beside it, then rename over it.
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        raise ConfigurationError(f"cannot write {path}: {exc.strerror or exc}") from None
    return path


def read_records(path: Path, fmt: TrainingFormat) -> list[TrainingRecord]:
    """Read an exported file back into typed records (validated); errors name file:line."""
    model = RECORD_TYPES[fmt]
    records: list[TrainingRecord] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        try:
            records.append(cast(TrainingRecord, model.model_validate(json.loads(line))))
        except ValueError as exc:
            raise ConfigurationError(f"{path}:{number}: {exc}".splitlines()[0]) from None
    return records
