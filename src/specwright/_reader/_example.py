"""The example spec shipped inside the package (``specwright/_data/example_spec/``)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from specwright._model import Spec
from specwright._reader._spec import read_layer

__all__ = ["example_spec_path", "load_example_spec"]


def example_spec_path() -> Path:
    """Directory of the shipped example spec (``model_spec.md`` + ``examples/*.md``)."""
    root = resources.files("specwright") / "_data" / "example_spec"
    # The package is installed as plain files (wheel or source tree), so this is a real path.
    return Path(str(root))


def load_example_spec() -> Spec:
    """Read the shipped example spec: a fictional travel-booking assistant's rules.

    Its front matter titles it ``Wayfarer travel assistant``, version ``1.0``.
    """
    spec, _ = read_layer(example_spec_path())  # the shipped spec extends no base
    return spec
