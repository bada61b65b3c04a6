"""The Inspect entry point's former name, kept for installs made before the rename.

An editable install records ``specwright._eval._registry`` as the entry point until it is
reinstalled; Inspect would warn on every start without this module. The entry point is now
:mod:`specwright._eval._inspect_entry` (see ``pyproject.toml``).
"""

from __future__ import annotations

from specwright._eval._inspect_entry import compliance

__all__ = ["compliance"]
