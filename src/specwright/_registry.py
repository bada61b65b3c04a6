"""One small typed registry, used for interpreters, token counters, conversation formats, lint
rules and report formats.

Entries come from three places, looked up in this order of precedence:

1. code that calls :meth:`Registry.register` (or uses it as a decorator);
2. built-ins named by ``"module:attribute"`` and imported only when first asked for, so that
   importing specwright stays light and modules need not import each other at load time;
3. plugins: every Python entry point in the registry's group (``specwright.interpreters``,
   ``specwright.token_counters``, ``specwright.conversation_formats``,
   ``specwright.lint_rules``, ``specwright.report_formats``, ``specwright.history_formats``),
   loaded the first time the registry is listed or asked for a name it does not have. A
   plugin declares one in its ``pyproject.toml``::

       [project.entry-points."specwright.interpreters"]
       mine = "my_package.interp:MyInterpreter"
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
from importlib.metadata import entry_points
from typing import Generic, TypeVar

from specwright._errors import ConfigurationError

__all__ = ["Registry"]

T = TypeVar("T")
_E = TypeVar("_E")


class Registry(Generic[T]):
    """Named entries of one kind; unknown names raise :class:`ConfigurationError`."""

    def __init__(
        self,
        kind: str,
        group: str,
        builtins: Mapping[str, str] | None = None,
        check: Callable[[object], T] | None = None,
    ) -> None:
        self.kind = kind
        """What an entry is, for messages (``interpreter``, ``token counter`` …)."""
        self.group = group
        """The entry-point group plugins use."""
        self._entries: dict[str, T] = {}
        self._lazy: dict[str, str] = dict(builtins or {})
        self._check = check
        self._plugins_loaded = False

    def register(self, name: str) -> Callable[[_E], _E]:
        """A decorator filing the decorated object under ``name``."""

        def decorate(entry: _E) -> _E:
            self.add(name, entry)
            return entry

        return decorate

    def add(self, name: str, entry: object) -> None:
        """File ``entry`` under ``name``; a second entry under one name is an error."""
        if name in self._entries:
            raise ConfigurationError(f"{self.kind} {name!r} is registered twice")
        self._entries[name] = self._checked(name, entry)
        self._lazy.pop(name, None)

    def get(self, name: str) -> T:
        """The entry called ``name``."""
        if name not in self._entries and name not in self._lazy:
            self._load_plugins()
        if name in self._lazy:
            # Imported before it leaves the lazy table: a plugin that fails to load keeps
            # failing with its own reason, not "unknown".
            entry = self._checked(name, _import(self._lazy[name], self.kind))
            self._entries.setdefault(name, entry)
            self._lazy.pop(name, None)
        try:
            return self._entries[name]
        except KeyError:
            known = ", ".join(self.names())
            raise ConfigurationError(f"unknown {self.kind} {name!r} (known: {known})") from None

    def names(self) -> list[str]:
        """Every name, plugins included, sorted."""
        self._load_plugins()
        return sorted({*self._entries, *self._lazy})

    def items(self) -> Iterator[tuple[str, T]]:
        """Every entry by name, sorted (imports the lazy built-ins)."""
        for name in self.names():
            yield name, self.get(name)

    def loaded(self) -> dict[str, T]:
        """The entries registered or imported so far (neither plugins nor lazy built-ins are
        loaded by asking)."""
        return dict(self._entries)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in self.names()

    def _checked(self, name: str, entry: object) -> T:
        if self._check is None:
            return entry  # type: ignore[return-value]
        try:
            return self._check(entry)
        except (TypeError, ValueError) as exc:
            raise ConfigurationError(f"{self.kind} {name!r}: {exc}") from None

    def _load_plugins(self) -> None:
        if self._plugins_loaded:
            return
        self._plugins_loaded = True
        for point in entry_points(group=self.group):
            if point.name not in self._entries:
                self._lazy.setdefault(point.name, point.value)


def _import(target: str, kind: str) -> object:
    module_name, _, attribute = target.partition(":")
    try:
        module = importlib.import_module(module_name)
        value: object = module
        for part in attribute.split(".") if attribute else ():
            value = getattr(value, part)
    except (ImportError, AttributeError) as exc:
        raise ConfigurationError(f"cannot load {kind} {target!r}: {exc}") from None
    return value
