"""The answer vocabularies of the interpreter's questions: one Literal each.

Every vocabulary includes ``"undetermined"``: an interpreter that cannot decide says so, and
the resolution records it instead of defaulting silently. The tuples below are derived from the
Literals with :func:`typing.get_args`, so each vocabulary is written exactly once.
"""

from __future__ import annotations

from typing import Literal, TypeAlias, get_args

__all__ = [
    "CAPABILITIES",
    "GRANTS",
    "OVERRIDES",
    "SPAN_CLASSES",
    "Capability",
    "Grant",
    "Override",
    "SpanClass",
]

SpanClass: TypeAlias = Literal["instruction", "information", "undetermined"]
"""Is this span an instruction, or information (context, data, a question)?"""

Override: TypeAlias = Literal["explicit", "implicit", "none", "undetermined"]
"""Does the subject contradict, override or make irrelevant the other candidate — explicitly,
only implicitly, not at all?"""

Grant: TypeAlias = Literal["yes", "no", "undetermined"]
"""Does this instruction delegate authority to that source?"""

Capability: TypeAlias = Literal["within", "beyond", "undetermined"]
"""Can the assistant carry this instruction out at all?"""

SPAN_CLASSES: tuple[SpanClass, ...] = get_args(SpanClass)
OVERRIDES: tuple[Override, ...] = get_args(Override)
GRANTS: tuple[Grant, ...] = get_args(Grant)
CAPABILITIES: tuple[Capability, ...] = get_args(Capability)
