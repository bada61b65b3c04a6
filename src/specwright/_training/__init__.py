"""The spec as training data: SFT and preference records with provenance, and a context pack.

Core only (no extra needed): records are built from the spec model and from
:class:`specwright.RunResult` objects; reading Inspect logs for ``--from-runs`` is the CLI's job.
"""

from __future__ import annotations

from specwright._training._export import (
    ExportedRecord,
    ExportManifest,
    ExportOptions,
    ExportResult,
    SkippedItem,
    export_paths,
    export_training_data,
    read_records,
    write_export,
)
from specwright._training._pack import SpecPack, pack_spec
from specwright._training._records import (
    TRAINING_FORMATS,
    DpoRecord,
    OpenAIChatRecord,
    OpenAIPreferenceRecord,
    RecordMetadata,
    SftRecord,
    TrainingFormat,
)
from specwright._training._split import SplitBy

__all__ = [
    "TRAINING_FORMATS",
    "DpoRecord",
    "ExportManifest",
    "ExportOptions",
    "ExportResult",
    "ExportedRecord",
    "OpenAIChatRecord",
    "OpenAIPreferenceRecord",
    "RecordMetadata",
    "SftRecord",
    "SkippedItem",
    "SpecPack",
    "SplitBy",
    "TrainingFormat",
    "export_paths",
    "export_training_data",
    "pack_spec",
    "read_records",
    "write_export",
]
