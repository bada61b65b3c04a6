"""Replies that could not be parsed are kept, so a user can read why (``not_json`` says little).

:func:`keep_unparsed` appends :class:`UnparsedReply` records to a JSON Lines file beside a
command's output (``drafts.yaml.unparsed.jsonl``); the eval keeps them in its log instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from specwright._frozen import FrozenModel

__all__ = ["UnparsedReply", "keep_unparsed", "unparsed_path"]


class UnparsedReply(FrozenModel):
    """A model reply that could not be read, as it came."""

    request: str
    """Which request it answered (``section x, kind direct, seed 3``)."""
    reason: str
    """Why it could not be read."""
    text: str
    """The reply's text, whole."""
    structured: str = "prompted"
    """How the schema was asked for (``prompted``: only in the prompt)."""


def unparsed_path(output: Path) -> Path:
    """Where the unparsed replies of a command writing ``output`` are kept."""
    return output.with_name(output.name + ".unparsed.jsonl")


def keep_unparsed(path: Path, replies: Sequence[UnparsedReply]) -> None:
    """Append ``replies`` to ``path`` (one JSON object a line); nothing to keep writes nothing."""
    if not replies:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as file:
        for reply in replies:
            file.write(reply.model_dump_json() + "\n")
