"""Train/test assignment that is stable across runs and across spec growth.

Each key (a section id or a scenario id) lands in the test split when a hash of the seed and
the key falls below the test share, so a record's split never depends on which other records
exist: adding a section to the spec moves no earlier record between splits.
"""

from __future__ import annotations

import hashlib
from typing import Literal, TypeAlias

from specwright._training._records import RecordMetadata, Split

__all__ = ["SplitBy", "assign_split"]

SplitBy: TypeAlias = Literal["scenario", "section", "none"]
"""What a split keeps together: a scenario's records, a whole section's, or no split."""


def assign_split(meta: RecordMetadata, by: SplitBy, *, test_share: float, seed: int) -> Split:
    """The split of the record with ``meta``."""
    if by == "none" or test_share <= 0:
        return "train"
    key = meta.section_id if by == "section" else meta.scenario_id
    digest = hashlib.sha256(f"{seed}\x00{key}".encode()).digest()
    return "test" if int.from_bytes(digest[:8], "big") / 2**64 < test_share else "train"
