"""The public API is exactly what ``__all__`` lists: adding a name must be deliberate."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import specwright


def test_all_is_sorted_and_unique() -> None:
    assert list(specwright.__all__) == sorted(set(specwright.__all__))


def test_every_public_attribute_is_exported() -> None:
    public = {
        name
        for name in vars(specwright)
        if not name.startswith("_") and not isinstance(getattr(specwright, name), type(specwright))
    }
    # `annotations` comes from `from __future__ import annotations`.
    public.discard("annotations")
    assert public <= set(specwright.__all__), (
        f"exported by accident: {public - set(specwright.__all__)}"
    )


def test_every_exported_name_resolves_and_is_documented() -> None:
    for name in specwright.__all__:
        value = getattr(specwright, name)
        if inspect.isfunction(value) or inspect.isclass(value):
            assert getattr(value, "__doc__", None), f"{name} has no docstring"


def test_all_modules_are_private() -> None:
    for module in pkgutil.iter_modules(specwright.__path__):
        assert module.name.startswith("_"), f"public module {module.name!r}; make it private"


def test_exported_objects_claim_the_public_package() -> None:
    # Re-exported classes should not send users into private modules in reprs and docs.
    for name in specwright.__all__:
        value = getattr(specwright, name)
        module = getattr(value, "__module__", None)
        if isinstance(value, type) and module is not None:
            assert module.startswith("specwright"), name
            importlib.import_module(module)
