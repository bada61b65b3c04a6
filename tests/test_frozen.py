"""``FrozenModel`` documents fields from attribute docstrings as pydantic's own option would,
and ``Settings`` reads the environment as pydantic-settings did, without either's start-up cost.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict, Field

import specwright
from specwright._frozen import FrozenModel
from specwright._settings import Settings, load_settings

# One class body, written twice: once on FrozenModel, once with pydantic's own option.


class Ours(FrozenModel):
    plain: int = 1
    """A plain field."""
    required: str
    """A required field,

        over two lines, indented."""
    explicit: str = Field(default="x", description="the Field wins")
    """Never used: an explicit description wins."""
    undocumented: int = 0
    after_blank: int = 0

    """Its docstring, after a blank line (which the parser does not see)."""
    _private = 3
    """After a plain assignment: documents nothing."""

    class Nested(FrozenModel):
        inner: int = 0
        """The nested class's own field."""


class Pydantics(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

    plain: int = 1
    """A plain field."""
    required: str
    """A required field,

        over two lines, indented."""
    explicit: str = Field(default="x", description="the Field wins")
    """Never used: an explicit description wins."""
    undocumented: int = 0
    after_blank: int = 0

    """Its docstring, after a blank line (which the parser does not see)."""
    _private = 3
    """After a plain assignment: documents nothing."""

    class Nested(BaseModel):
        model_config = ConfigDict(use_attribute_docstrings=True)

        inner: int = 0
        """The nested class's own field."""


class Child(Ours):
    added: int = 0
    """A field the subclass adds."""


def _descriptions(model: type[BaseModel]) -> dict[str, str | None]:
    return {name: field.description for name, field in model.model_fields.items()}


def test_descriptions_match_pydantics_option() -> None:
    assert _descriptions(Ours) == _descriptions(Pydantics)
    assert _descriptions(Ours.Nested) == _descriptions(Pydantics.Nested)
    assert Ours.model_json_schema() == {**Pydantics.model_json_schema(), "title": "Ours"}


def test_subclasses_keep_inherited_descriptions() -> None:
    assert _descriptions(Child) == {**_descriptions(Ours), "added": "A field the subclass adds."}


def test_a_class_defined_in_a_function_is_documented() -> None:
    class Local(FrozenModel):
        x: int = 0
        """Local x."""

    assert Local.model_fields["x"].description == "Local x."


def _all_models() -> list[type[FrozenModel]]:
    for module in pkgutil.walk_packages(specwright.__path__, "specwright."):
        if module.name.endswith("__main__"):
            continue
        try:
            importlib.import_module(module.name)
        except ImportError:  # an optional extra that is not installed
            continue
    found, todo = [], list(FrozenModel.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("specwright"):
            found.append(cls)
    return found


def test_every_record_of_the_package_is_documented_as_pydantic_would() -> None:
    # Twin each record with pydantic's own option over the same source: same descriptions.
    pytest.importorskip("pydantic._internal._docs_extraction")
    from pydantic._internal._docs_extraction import extract_docstrings_from_cls

    models = _all_models()
    assert len(models) > 100
    for model in models:
        docs = extract_docstrings_from_cls(model, use_inspect=True)
        for name, field in model.model_fields.items():
            if name in docs and name in inspect.get_annotations(model):
                assert field.description == docs[name], f"{model.__qualname__}.{name}"


# --------------------------------------------------------------------------- settings


def test_settings_read_the_environment_and_arguments_win(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SPECWRIGHT_MIN_KAPPA", "0.25")
    monkeypatch.setenv("specwright_spec", str(tmp_path))  # names match without regard to case
    monkeypatch.setenv("SPECWRIGHT_COLOR", "off")
    monkeypatch.setenv("SPECWRIGHT_NOT_A_SETTING", "x")  # ignored, as before
    settings = load_settings()
    assert (settings.min_kappa, settings.spec, settings.color) == (0.25, tmp_path, False)
    assert Settings(min_kappa=0.5).min_kappa == 0.5


def test_a_malformed_setting_names_its_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPECWRIGHT_MIN_KAPPA", "2")
    with pytest.raises(specwright.ConfigurationError, match=r"^SPECWRIGHT_MIN_KAPPA: "):
        load_settings()


def test_settings_are_frozen_and_documented() -> None:
    settings = Settings()
    with pytest.raises(ValueError):
        settings.color = False  # type: ignore[misc]
    assert all(field.description for field in Settings.model_fields.values())
